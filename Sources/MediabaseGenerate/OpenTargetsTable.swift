import MediabaseModel
/// The small `opentargets_known_drugs` table of the legacy database, which the second
/// migration guide's queries join on `target_gene_id`: about one row per 20 genes.
///
/// Row `j` targets a gene among indices `20j ..< 20j + 20`, found through its header alone.
struct OpenTargetsTable {
    static let name = "opentargets_known_drugs"

    /// Column names and definitions, as pg_dump prints them.
    static let columns: [(name: String, definition: String, kind: LegacyColumn.Kind)] = [
        ("id", "integer NOT NULL", .number),
        ("molecule_chembl_id", "text NOT NULL", .text),
        ("molecule_name", "text", .text),
        ("molecule_type", "text", .text),
        ("target_gene_id", "text NOT NULL", .text),
        ("disease_efo_id", "text", .text),
        ("disease_name", "text", .text),
        ("phase", "double precision", .number),
        ("clinical_phase_label", "text", .text),
        ("status", "text", .text),
        ("is_approved", "boolean DEFAULT false", .boolean),
        ("mechanism_of_action", "text", .text),
        ("action_type", "text", .text),
        ("urls", "text[]", .array),
        ("created_at", "timestamp without time zone DEFAULT now()", .text),
    ]

    static let columnList = "(" + columns.map(\.name).joined(separator: ", ") + ")"

    let rows: [[FieldValue]]
    let approved: Int
    let distinctTargetGenes: Int

    init(seed: UInt64, genes: Int, catalog: SyntheticCatalog) {
        var rows: [[FieldValue]] = []
        var approved = 0
        var targets: [Int] = []
        let count = genes == 0 ? 0 : max(1, genes / 20)
        for row in 0..<count {
            var random = SeededRandom(seed: seed, stream: .openTargets, index: row)
            let geneIndex = min(genes - 1, row * 20 + random.below(20))
            if targets.last != geneIndex { targets.append(geneIndex) }
            let header = GeneHeader(seed: seed, index: geneIndex)
            let drug = catalog.chembl[random.skewed(catalog.chembl.count)]
            let (diseaseId, diseaseName) = random.pick(Self.diseases)
            let phaseIndex = random.below(Self.phases.count)
            let isApproved = phaseIndex == Self.phases.count - 1
            if isApproved { approved += 1 }
            let moleculeName = drug.name.map { $0 >= 0x61 && $0 <= 0x7A ? $0 & ~0x20 : $0 }
            let chemblId = String(decoding: drug.id, as: UTF8.self)
            var urls: [String?] = ["https://www.ebi.ac.uk/chembl/compound_report_card/\(chemblId)/"]
            if random.chance(0.5) { urls.append("https://clinicaltrials.gov/search?term=NCT0\(1_000_000 + random.below(8_999_999))") }
            if random.chance(0.1) {
                urls.append("https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query=\(String(decoding: moleculeName, as: UTF8.self)),TABLETS")
            }
            let microseconds = random.below(1_000_000)
            var created: [UInt8] = Array("2024-11-05 ".utf8)
            let seconds = 9 * 3_600 + row * 7
            created.append(padded: (seconds / 3_600) % 24, width: 2)
            created.append(0x3A)
            created.append(padded: (seconds / 60) % 60, width: 2)
            created.append(0x3A)
            created.append(padded: seconds % 60, width: 2)
            if microseconds > 0 {
                // timestamp_out drops trailing zeros of the fraction.
                var fraction: [UInt8] = [0x2E]
                fraction.append(padded: microseconds, width: 6)
                while fraction.last == 0x30 { fraction.removeLast() }
                created += fraction
            }
            let status: FieldValue = random.chance(0.15) ? .null : .bytes(Array(random.pick(Self.statuses).utf8))
            rows.append([
                .bytes(Array(String(row + 1).utf8)), .bytes(drug.id), .bytes(moleculeName),
                .bytes(Array(random.pick(["Small molecule", "Small molecule", "Antibody", "Protein", "Oligonucleotide"]).utf8)),
                .bytes(Array(header.geneId.utf8)), .bytes(Array(diseaseId.utf8)), .bytes(Array(diseaseName.utf8)),
                .bytes(Array(Self.phases[phaseIndex].0.utf8)), .bytes(Array(Self.phases[phaseIndex].1.utf8)), status,
                .bytes([UInt8(ascii: isApproved ? "t" : "f")]), .bytes(drug.mechanism), .bytes(drug.actionType),
                .bytes(TextArrayLiteral.make(urls)), .bytes(created),
            ])
        }
        self.rows = rows
        self.approved = approved
        distinctTargetGenes = Set(targets.map { GeneHeader(seed: seed, index: $0).number }).count
    }

    /// The table's rows in `format` (COPY lines or INSERT statements).
    func data(_ format: LegacyDumpFormat) -> [UInt8] {
        var out: [UInt8] = []
        for row in rows {
            switch format {
            case .plain:
                for (position, value) in row.enumerated() {
                    if position > 0 { out.append(0x09) }
                    format.appendField(value, kind: Self.columns[position].kind, to: &out)
                }
                out.append(0x0A)
            case .inserts:
                out.append(text: "INSERT INTO public.\(Self.name) \(Self.columnList) VALUES (")
                for (position, value) in row.enumerated() {
                    if position > 0 { out.append(contentsOf: [0x2C, 0x20]) }
                    format.appendField(value, kind: Self.columns[position].kind, to: &out)
                }
                out.append(literal: ");\n")
            case .csv:
                break
            }
        }
        return out
    }

    private static let phases = [
        ("0.5", "Early Phase 1"), ("1", "Phase I"), ("2", "Phase II"), ("3", "Phase III"), ("4", "Approved"),
    ]
    private static let statuses = ["Completed", "Recruiting", "Active, not recruiting", "Terminated", "Withdrawn"]
    private static let diseases = [
        ("EFO_0000305", "breast carcinoma"), ("EFO_0000571", "lung adenocarcinoma"), ("EFO_0000365", "colorectal adenocarcinoma"),
        ("EFO_0000519", "glioblastoma multiforme"), ("EFO_0001663", "prostate carcinoma"), ("EFO_0000756", "melanoma"),
        ("MONDO_0008170", "ovarian cancer"), ("EFO_0002618", "pancreatic carcinoma"), ("EFO_0000222", "acute myeloid leukemia"),
        ("EFO_0000182", "hepatocellular carcinoma"), ("EFO_0000681", "renal cell carcinoma"), ("EFO_0003060", "non-small cell lung carcinoma"),
    ]
}
