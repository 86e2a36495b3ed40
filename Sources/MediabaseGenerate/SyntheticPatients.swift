/// The layouts patient expression data arrives in (docs/spec.md §5.2). Patients rotate through the
/// dialects of the run (all eight unless `--patient-dialects` names fewer): patient `k` gets
/// the dialect at `k mod count`, so any `count` consecutive patients cover them all.
package enum PatientDialect: String, CaseIterable, Codable, Sendable {
    /// `transcript_id,cancer_fold` as MEDIABASE's own export (psql `COPY ... CSV HEADER`)
    /// writes it, linear values, many ids versioned, NULL as an empty field.
    case linearCSV = "linear-csv"
    /// DESeq2 `write.csv(as.data.frame(res))`: a `""` row-name header over gene ids,
    /// `baseMean,log2FoldChange,lfcSE,stat,pvalue,padj`, 15 significant digits, `NA`.
    case deseq2
    /// DESeq2 results written with `row.names = FALSE` and a `symbol` column of gene symbols.
    case deseq2Symbol = "deseq2-symbol"
    /// edgeR `topTags` (glmLRT): `logFC,logCPM,LR,PValue,FDR` with gene-id row names.
    case edgeR = "edger"
    /// limma `topTable`: `logFC,AveExpr,t,P.Value,adj.P.Val,B` with gene-id row names.
    case limma
    /// `write.table(sep = "\t", quote = FALSE, row.names = FALSE)`: transcript id, symbol,
    /// `log2fc` and `padj`.
    case tsv
    /// A spreadsheet export: UTF-8 byte-order mark, CRLF line ends, capitalised headers,
    /// linear values with two decimals.
    case excelCSV = "excel-csv"
    /// A v0.5 per-patient database dump: a whole `cancer_transcript_base` carrying the
    /// patient's `expression_fold_change` (the clean core: no planted rows).
    case legacyDump = "legacy-dump"

    var valueScale: String {
        switch self {
        case .linearCSV, .excelCSV, .legacyDump: return "linear"
        default: return "log2"
        }
    }

    var idKind: String {
        switch self {
        case .linearCSV, .tsv, .excelCSV, .legacyDump: return "transcript"
        case .deseq2Symbol: return "symbol"
        case .deseq2, .edgeR, .limma: return "gene"
        }
    }
}

/// One synthetic patient: id, clinical metadata and the file its data goes to.
struct SyntheticPatient {
    let number: Int
    let id: String
    let dialect: PatientDialect
    let cancerType: String
    let cancerSubtype: String
    let tissueType: String
    let sampleType: String
    let platform: String
    let readDepthMillions: String

    init(seed: UInt64, number: Int, dialects: [PatientDialect] = PatientDialect.allCases) {
        var random = SeededRandom(seed: seed, stream: .patient, index: number)
        self.number = number
        dialect = dialects[number % dialects.count]
        let cancer = Self.cancers[random.below(Self.cancers.count)]
        let digits = String(number + 1)
        id = "P" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits + "_" + cancer.code
        cancerType = cancer.name
        cancerSubtype = random.pick(cancer.subtypes)
        tissueType = random.pick(["primary tumor", "primary tumor", "metastasis", "recurrent tumor"])
        sampleType = random.pick(["fresh frozen", "FFPE"])
        platform = random.pick(["Illumina NovaSeq 6000", "Illumina HiSeq 4000", "Illumina NextSeq 500"])
        var depth: [UInt8] = []
        depth.append(fixed: 200 + random.below(800), scale: 1)
        readDepthMillions = String(decoding: depth, as: UTF8.self)
    }

    /// The file name inside `patients/`: its stem (before the first dot) is the patient id,
    /// except for legacy dumps, named after the v0.5 database.
    var fileName: String {
        switch dialect {
        case .linearCSV: return "\(id).csv"
        case .deseq2: return "\(id).deseq2.csv"
        case .deseq2Symbol: return "\(id).deseq2_symbols.csv"
        case .edgeR: return "\(id).edger.csv"
        case .limma: return "\(id).limma.csv"
        case .tsv: return "\(id).tsv"
        case .excelCSV: return "\(id).excel.csv"
        case .legacyDump: return "mediabase_patient_\(id).sql"
        }
    }

    /// The header line(s) of the file (for a legacy dump, see ``DumpScript``).
    var header: [UInt8] {
        switch dialect {
        case .linearCSV: return Array("transcript_id,cancer_fold\n".utf8)
        case .deseq2: return Array("\"\",\"baseMean\",\"log2FoldChange\",\"lfcSE\",\"stat\",\"pvalue\",\"padj\"\n".utf8)
        case .deseq2Symbol: return Array("\"symbol\",\"baseMean\",\"log2FoldChange\",\"lfcSE\",\"stat\",\"pvalue\",\"padj\"\n".utf8)
        case .edgeR: return Array("\"\",\"logFC\",\"logCPM\",\"LR\",\"PValue\",\"FDR\"\n".utf8)
        case .limma: return Array("\"\",\"logFC\",\"AveExpr\",\"t\",\"P.Value\",\"adj.P.Val\",\"B\"\n".utf8)
        case .tsv: return Array("ensembl_transcript_id\thgnc_symbol\tlog2fc\tpadj\n".utf8)
        case .excelCSV: return [0xEF, 0xBB, 0xBF] + Array("Transcript_ID,Gene_Symbol,Fold_Change\r\n".utf8)
        case .legacyDump: return []
        }
    }

    private static let cancers: [(code: String, name: String, subtypes: [String])] = [
        ("BRCA", "Breast Cancer", ["HER2+", "TNBC", "Luminal A", "Luminal B"]),
        ("LUAD", "Lung Adenocarcinoma", ["EGFR+", "KRAS G12C", "ALK+"]),
        ("COAD", "Colorectal Cancer", ["MSI-H", "MSS", "BRAF V600E"]),
        ("GBM", "Glioblastoma", ["IDH-wildtype", "IDH-mutant"]),
        ("PRAD", "Prostate Cancer", ["castration-resistant", "hormone-sensitive"]),
        ("SKCM", "Melanoma", ["BRAF V600E", "NRAS-mutant"]),
        ("OV", "Ovarian Cancer", ["high-grade serous", "BRCA1-mutant"]),
        ("PAAD", "Pancreatic Cancer", ["classical", "basal-like"]),
        ("LAML", "Acute Myeloid Leukemia", ["FLT3-ITD", "NPM1-mutant"]),
    ]
}

/// What matching one patient file against the core gives, accumulated gene by gene.
struct PatientTally {
    var rows = 0
    var skipped = 0
    var matched = 0
    var unmatched = 0
    var stored = 0
    var spots: [DatasetFacts.PatientSpot] = []

    static let spotLimit = 4

    mutating func absorb(_ other: PatientTally) {
        rows += other.rows
        skipped += other.skipped
        matched += other.matched
        unmatched += other.unmatched
        stored += other.stored
        for spot in other.spots where spots.count < Self.spotLimit { spots.append(spot) }
    }

    /// Counts one data row: `value` nil means NA or empty; `transcriptId` nil means no core
    /// transcript matches; `isBaseline` means the linear value is exactly 1.0.
    mutating func count(id: String, transcriptId: String?, value: String?, isBaseline: Bool) {
        rows += 1
        guard let value else {
            skipped += 1
            return
        }
        guard let transcriptId else {
            unmatched += 1
            return
        }
        matched += 1
        if !isBaseline { stored += 1 }
        // Spot values: the first stored rows, and the first baseline row (matched, not stored).
        let wanted = isBaseline ? !spots.contains { !$0.stored } : spots.filter(\.stored).count < Self.spotLimit - 1
        if wanted, spots.count < Self.spotLimit {
            spots.append(DatasetFacts.PatientSpot(id: id, transcriptId: transcriptId, value: value, stored: !isBaseline))
        }
    }
}

/// Writes a patient's rows for one gene, drawing the values from the patient's own stream
/// for that gene (so files do not depend on the order genes are generated in).
struct PatientRowWriter {
    let seed: UInt64
    let patient: SyntheticPatient

    /// Ids that match nothing in the core start here (`ENST00900000000`, `ENSG00800000000`,
    /// `LOC100000000`): far above every generated Ensembl number.
    static let unmatchedTranscriptBase = 900_000_000
    static let unmatchedGeneBase = 800_000_000

    func random(for geneIndex: Int) -> SeededRandom {
        SeededRandom(seed: seed, stream: .patientGene, index: patient.number << 32 | geneIndex)
    }

    /// Appends the gene's rows to `out` (a data file, not a legacy dump) and counts them.
    func appendRows(for gene: SyntheticGene, to out: inout [UInt8], tally: inout PatientTally) {
        var random = self.random(for: gene.header.index)
        let transcripts = gene.acceptedTranscripts
        // The first gene of the dataset always has a row with a missing value and a row no
        // core transcript matches, so small files exercise both counts.
        let first = gene.header.index == 0
        switch patient.dialect {
        case .linearCSV, .tsv, .excelCSV:
            for (position, transcript) in transcripts.enumerated() where random.chance(0.92) || first {
                let missing = random.chance(0.02) || (first && position == 0)
                appendTranscriptRow(id: transcriptIdAsWritten(transcript, &random), transcriptId: transcript.transcriptId,
                                    symbol: gene.header.symbol, missing: missing, to: &out, tally: &tally, &random)
            }
            if random.chance(0.012) || first {
                appendUnmatchedRow(number: gene.header.index * 4 + random.below(4), to: &out, tally: &tally, &random)
            }
        case .deseq2, .deseq2Symbol, .edgeR, .limma:
            let canonical = transcripts[0].transcriptId
            let usable = patient.dialect != .deseq2Symbol || Self.hasMatchableSymbol(gene)
            if usable, random.chance(0.9) || first {
                let id: String
                if patient.dialect == .deseq2Symbol {
                    id = GenerationTally.resolvedSymbol(gene)!
                } else {
                    id = gene.header.geneId + (patient.dialect == .deseq2 && random.chance(0.4) ? ".\(1 + random.below(20))" : "")
                }
                appendGeneRow(id: id, transcriptId: canonical, missing: random.chance(0.03) || first, to: &out, tally: &tally, &random)
            }
            if random.chance(0.012) || first {
                appendUnmatchedRow(number: gene.header.index * 4 + random.below(4), to: &out, tally: &tally, &random)
            }
        case .legacyDump:
            break
        }
    }

    /// One row a `--patient-rows` file may hold: a transcript of the gene (its position in
    /// `acceptedTranscripts`), the gene itself (gene-level dialects), or an id the core lacks.
    private enum Candidate {
        case transcript(Int)
        case gene
        case unmatched
    }

    /// Appends exactly `count` rows for one block of genes (`--patient-rows`) and counts them.
    ///
    /// The candidates are what the dialect can say about the block — every transcript, or
    /// every gene with a usable id, plus an id the core lacks for about one gene in 80 — and
    /// `count` of them are drawn uniformly from the patient's stream for the block, then
    /// written in gene order with values from each gene's stream. A block with fewer
    /// candidates than `count` is topped up with ids the core lacks, numbered by `firstRow`
    /// (the file's row the block starts at), so they are distinct across the file.
    func appendRows(count: Int, for genes: [SyntheticGene], block: Int, firstRow: Int, to out: inout [UInt8],
                    tally: inout PatientTally) {
        var streams = genes.map { random(for: $0.header.index) }
        let transcripts = genes.map(\.acceptedTranscripts)
        var candidates: [(gene: Int, row: Candidate)] = []
        for (offset, gene) in genes.enumerated() {
            switch patient.dialect {
            case .linearCSV, .tsv, .excelCSV:
                candidates += transcripts[offset].indices.map { (offset, .transcript($0)) }
            case .deseq2Symbol:
                if Self.hasMatchableSymbol(gene) { candidates.append((offset, .gene)) }
            case .deseq2, .edgeR, .limma:
                candidates.append((offset, .gene))
            case .legacyDump:
                return
            }
            if streams[offset].chance(0.012) { candidates.append((offset, .unmatched)) }
        }
        var selection = SeededRandom(seed: seed, stream: .patientBlock, index: patient.number << 32 | block)
        for index in selection.sample(count, from: candidates.count) {
            let (offset, row) = candidates[index]
            let gene = genes[offset]
            switch row {
            case .transcript(let position):
                let transcript = transcripts[offset][position]
                appendTranscriptRow(id: transcriptIdAsWritten(transcript, &streams[offset]), transcriptId: transcript.transcriptId,
                                    symbol: gene.header.symbol, missing: streams[offset].chance(0.02), to: &out, tally: &tally,
                                    &streams[offset])
            case .gene:
                let id: String
                if patient.dialect == .deseq2Symbol {
                    id = GenerationTally.resolvedSymbol(gene)!
                } else {
                    let versioned = patient.dialect == .deseq2 && streams[offset].chance(0.4)
                    id = gene.header.geneId + (versioned ? ".\(1 + streams[offset].below(20))" : "")
                }
                appendGeneRow(id: id, transcriptId: transcripts[offset][0].transcriptId, missing: streams[offset].chance(0.03),
                              to: &out, tally: &tally, &streams[offset])
            case .unmatched:
                appendUnmatchedRow(number: gene.header.index * 4 + streams[offset].below(4), to: &out, tally: &tally,
                                   &streams[offset])
            }
        }
        guard count > candidates.count else { return }
        for row in firstRow + candidates.count ..< firstRow + count {
            appendUnmatchedRow(number: Self.fillerBase + row, to: &out, tally: &tally, &selection)
        }
    }

    /// Top-up rows of `--patient-rows` are numbered from here, above the ids
    /// ``appendRows(for:to:tally:)`` gives (at most four per gene).
    static let fillerBase = 50_000_000

    /// A row whose id no core transcript, gene or symbol matches: `ENST00900000000 + number`,
    /// `ENSG00800000000 + number` or `LOC(100000000 + number)`; `number` is below four per gene
    /// index, or a ``fillerBase`` number.
    private func appendUnmatchedRow(number: Int, to out: inout [UInt8], tally: inout PatientTally, _ random: inout SeededRandom) {
        switch patient.dialect {
        case .linearCSV, .tsv, .excelCSV:
            appendTranscriptRow(id: GeneHeader.ensemblId("ENST", Self.unmatchedTranscriptBase + number), transcriptId: nil, symbol: nil,
                                missing: false, to: &out, tally: &tally, &random)
        case .deseq2Symbol:
            appendGeneRow(id: "LOC\(100_000_000 + number)", transcriptId: nil, missing: false, to: &out, tally: &tally, &random)
        default:
            appendGeneRow(id: GeneHeader.ensemblId("ENSG", Self.unmatchedGeneBase + number), transcriptId: nil, missing: false,
                          to: &out, tally: &tally, &random)
        }
    }

    /// Whether a symbol names this gene alone, ignoring case (shared symbols such as
    /// `Metazoa_SRP` do not).
    static func hasMatchableSymbol(_ gene: SyntheticGene) -> Bool {
        gene.header.symbol != nil && gene.header.symbolKind != .shared
    }

    /// The transcript id as the file writes it: `linear-csv` keeps the core's version or adds
    /// one from another Ensembl release; the others write the bare id.
    private func transcriptIdAsWritten(_ transcript: SyntheticRow, _ random: inout SeededRandom) -> String {
        guard patient.dialect == .linearCSV, random.chance(0.6) else { return transcript.transcriptId }
        return transcript.transcriptId + ".\(transcript.version ?? 1 + random.below(12))"
    }

    private func appendTranscriptRow(id: String, transcriptId: String?, symbol: String?, missing: Bool,
                                     to out: inout [UInt8], tally: inout PatientTally, _ random: inout SeededRandom) {
        var value: [UInt8] = []
        var isBaseline = false
        switch patient.dialect {
        case .linearCSV:
            if !missing { (value, isBaseline) = Self.linearValue(&random, decimals: 3) }
            out.append(text: id)
            out.append(0x2C)
            out.append(contentsOf: value)
            out.append(0x0A)
        case .excelCSV:
            if !missing { (value, isBaseline) = Self.linearValue(&random, decimals: 2) }
            out.append(text: id)
            out.append(0x2C)
            if let symbol { LegacyDumpFormat.appendCSV(Array(symbol.utf8), to: &out) }
            out.append(0x2C)
            out.append(contentsOf: value)
            out.append(contentsOf: [0x0D, 0x0A])
        default:
            if !missing { (value, isBaseline) = Self.log2Value(&random) }
            out.append(text: id)
            out.append(0x09)
            out.append(text: symbol ?? "")
            out.append(0x09)
            out.append(contentsOf: missing ? Array("NA".utf8) : value)
            out.append(0x09)
            out.append(contentsOf: random.chance(0.1) ? Array("NA".utf8) : random.rNumber(exponent: -1 - random.skewed(40)))
            out.append(0x0A)
        }
        tally.count(id: id, transcriptId: transcriptId, value: missing ? nil : String(decoding: value, as: UTF8.self),
                    isBaseline: isBaseline)
    }

    private func appendGeneRow(id: String, transcriptId: String?, missing: Bool,
                               to out: inout [UInt8], tally: inout PatientTally, _ random: inout SeededRandom) {
        let na = Array("NA".utf8)
        var fold: [UInt8] = []
        var isBaseline = false
        if !missing { (fold, isBaseline) = Self.log2Value(&random) }
        out.append(0x22)
        out.append(text: id)
        out.append(0x22)
        // An adjusted p-value has the order of magnitude of its p-value or a larger one.
        let pExponent = -1 - random.skewed(100)
        let pValue = random.rNumber(exponent: pExponent)
        let adjusted = random.rNumber(exponent: min(-1, pExponent + random.below(4)))
        var fields: [[UInt8]] = []
        switch patient.dialect {
        case .deseq2, .deseq2Symbol:
            if missing {
                // All counts zero: baseMean 0 and everything else NA (DESeq2 vignette).
                fields = [[0x30], na, na, na, na, na]
            } else {
                // A Cook's outlier has no p-values; independent filtering drops only padj.
                let outlier = random.chance(0.01)
                fields = [random.rNumber(exponent: random.below(5)), fold, random.rNumber(exponent: -1 - random.below(2)),
                          random.rNumber(exponent: random.below(2), signed: true), outlier ? na : pValue,
                          outlier || random.chance(0.1) ? na : adjusted]
            }
        case .edgeR:
            fields = [missing ? na : fold, random.rNumber(exponent: 0), random.rNumber(exponent: random.below(3) - 1), pValue, adjusted]
        default:
            fields = [missing ? na : fold, random.rNumber(exponent: 0), random.rNumber(exponent: 0, signed: true), pValue, adjusted,
                      random.rNumber(exponent: 0, signed: true)]
        }
        for field in fields {
            out.append(0x2C)
            out.append(contentsOf: field)
        }
        out.append(0x0A)
        tally.count(id: id, transcriptId: transcriptId, value: missing ? nil : String(decoding: fold, as: UTF8.self),
                    isBaseline: isBaseline)
    }

    /// A linear fold change: 1 (baseline) a fifth of the time, else up to tenfold up or down,
    /// as a plain decimal. Returns the text and whether it is exactly 1.
    static func linearValue(_ random: inout SeededRandom, decimals: Int, baselineShare: Double = 0.2) -> ([UInt8], Bool) {
        var text: [UInt8] = []
        let unit = decimals == 2 ? 100 : 1_000
        if random.chance(baselineShare) {
            if decimals == 2 { text.append(literal: "1.00") } else { text.append(literal: "1") }
            return (text, true)
        }
        let mantissa = random.chance(0.5) ? unit + 1 + random.below(9 * unit) : unit / 10 + random.below(unit - unit / 10)
        if decimals == 2 {
            // Spreadsheets keep the trailing zeros of a fixed number format.
            text.append(decimal: mantissa / 100)
            text.append(0x2E)
            text.append(padded: mantissa % 100, width: 2)
        } else {
            text.append(fixed: mantissa, scale: 3)
        }
        return (text, false)
    }

    /// A log2 fold change as R writes it: exactly `0` one time in twenty, else between 0.01
    /// and 10 in magnitude. Returns the text and whether it is 0 (linear 1.0).
    static func log2Value(_ random: inout SeededRandom) -> ([UInt8], Bool) {
        if random.chance(0.05) { return ([0x30], true) }
        return (random.rNumber(exponent: random.chance(0.05) ? -2 : random.below(2) - 1, signed: true), false)
    }
}

extension SeededRandom {
    /// A random number with 15 significant digits in `[10^exponent, 10^(exponent+1))`,
    /// formatted as R's `write.csv` does: `%.15g` digits with trailing zeros dropped, fixed
    /// notation unless it would be wider than scientific (below 1e-4), where the exponent
    /// has at least two digits (`9.24585530679515e-105`).
    mutating func rNumber(exponent: Int, signed: Bool = false) -> [UInt8] {
        var digits: [UInt8] = []
        digits.append(decimal: 100_000_000_000_000 + below(900_000_000_000_000))
        while digits.count > 1, digits.last == 0x30 { digits.removeLast() }
        var out: [UInt8] = []
        if signed, chance(0.5) { out.append(0x2D) }
        if exponent < -4 {
            out.append(digits[0])
            if digits.count > 1 {
                out.append(0x2E)
                out.append(contentsOf: digits[1...])
            }
            out.append(contentsOf: [UInt8(ascii: "e"), 0x2D])
            out.append(padded: -exponent, width: 2)
        } else if exponent < 0 {
            out.append(contentsOf: [0x30, 0x2E])
            out.append(contentsOf: [UInt8](repeating: 0x30, count: -exponent - 1))
            out.append(contentsOf: digits)
        } else {
            let integerDigits = exponent + 1
            out.append(contentsOf: digits.prefix(integerDigits))
            if digits.count < integerDigits { out.append(contentsOf: [UInt8](repeating: 0x30, count: integerDigits - digits.count)) }
            if digits.count > integerDigits {
                out.append(0x2E)
                out.append(contentsOf: digits[integerDigits...])
            }
        }
        return out
    }
}
