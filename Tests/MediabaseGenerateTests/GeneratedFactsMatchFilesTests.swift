import Foundation
import XCTest
@testable import MediabasePatients
@testable import MediabaseGenerate
import MediabaseTestSupport

/// `expected.json` is computed from the generator's model; these tests recompute the same facts
/// from the written files alone (the plain dump read by `DumpReader`, JSON by
/// `JSONSerialization`, patient files by `CSVReader`) and with the rules of docs/spec.md §4.1 and 5.2,
/// so a fact that does not describe the files fails here before it misleads a converter test.
///
/// The same checks run on the other shapes `generate` writes: rows scattered over the table
/// (`--row-order scattered`) with lean and with fat rows (`--profile`).
final class GeneratedFactsMatchFilesTests: XCTestCase {
    private typealias Dataset = (folder: URL, facts: DatasetFacts, core: CoreModel)
    private static var datasets: [String: Dataset] = [:]

    private static let shapes: [String: GenerateOptions] = [
        "facts": GenerateOptions(seed: 3, genes: 400, patients: 8, formats: [.plain, .inserts, .csv], threads: 2),
        "scattered": GenerateOptions(seed: 4, genes: 300, formats: [.plain, .inserts, .csv], threads: 2, rowOrder: .scattered),
        "lean-scattered": GenerateOptions(seed: 5, genes: 600, formats: [.plain, .inserts, .csv], threads: 2, profile: .lean,
                                          rowOrder: .scattered),
        "fat-scattered": GenerateOptions(seed: 6, genes: 24, formats: [.plain, .inserts, .csv], threads: 2, profile: .fat,
                                         rowOrder: .scattered),
    ]

    private func dataset(_ name: String = "facts") throws -> Dataset {
        if let dataset = Self.datasets[name] { return dataset }
        let (folder, facts) = try GeneratedData.generate(Self.shapes[name]!, name: name)
        let core = try CoreModel(plain: RawRowSink.read(folder.appendingPathComponent("mbase.sql")))
        Self.datasets[name] = (folder, facts, core)
        return (folder, facts, core)
    }

    override class func tearDown() {
        for dataset in datasets.values { try? FileManager.default.removeItem(at: dataset.folder.deletingLastPathComponent()) }
        datasets = [:]
        super.tearDown()
    }

    func testLegacyTableFacts() throws { try checkLegacyTableFacts(dataset()) }
    func testPlantedRowsAreWhereExpectedSaysInEveryForm() throws { try checkPlantedRows(dataset()) }
    func testNormalizedFacts() throws { try checkNormalizedFacts(dataset()) }
    func testSpotChecks() throws { try checkSpotChecks(dataset()) }

    func testScatteredShapesMatchTheirFacts() throws {
        for name in ["scattered", "lean-scattered", "fat-scattered"] {
            let shape = try dataset(name)
            try checkLegacyTableFacts(shape)
            try checkPlantedRows(shape)
            try checkNormalizedFacts(shape)
            try checkSpotChecks(shape)
            XCTAssertFalse(shape.facts.planted.rowRejects.isEmpty, "\(name) plants rows whose lines are checked")
        }
    }

    /// Scattered: a gene's rows are rarely next to each other (generated: mostly).
    func testScatteredRowsOfAGeneAreNotAdjacent() throws {
        func adjacentShare(_ core: CoreModel) -> Double {
            let genes = core.allRows.map(\.geneId)
            return Double(zip(genes, genes.dropFirst()).filter { $0 == $1 }.count) / Double(max(1, genes.count - 1))
        }
        XCTAssertGreaterThan(adjacentShare(try dataset().core), 0.5)
        XCTAssertLessThan(adjacentShare(try dataset("scattered").core), 0.05)
        XCTAssertLessThan(adjacentShare(try dataset("lean-scattered").core), 0.05)
    }

    /// Bytes per legacy row of each profile (the COPY data lines of the plain dump).
    func testProfilesGiveTheirRowSizes() throws {
        func bytesPerRow(_ shape: Dataset) throws -> Double {
            let text = try Data(contentsOf: shape.folder.appendingPathComponent("mbase.sql"))
            let header = try XCTUnwrap(text.range(of: Data("COPY public.cancer_transcript_base".utf8)))
            let start = try XCTUnwrap(text[header.upperBound...].firstIndex(of: 0x0A)) + 1
            let end = try XCTUnwrap(text.range(of: Data("\n\\.\n".utf8), in: start..<text.count)).lowerBound + 1
            return Double(end - start) / Double(shape.facts.legacy.rows)
        }
        let standard = try bytesPerRow(dataset())
        let lean = try bytesPerRow(dataset("lean-scattered"))
        let fat = try bytesPerRow(dataset("fat-scattered"))
        XCTAssert((1_000...1_700).contains(lean), "lean: \(lean) bytes per row")
        XCTAssertGreaterThan(fat, 20_000, "fat")
        XCTAssert(lean < standard && standard < fat, "standard: \(standard) bytes per row")
    }

    private func checkLegacyTableFacts(_ shape: Dataset) throws {
        let (_, facts, core) = shape
        let rows = core.allRows
        XCTAssertEqual(rows.count, facts.legacy.rows)
        XCTAssertEqual(Set(rows.map { $0.text("gene_id")! }).count, facts.legacy.distinctRawGeneIds)
        XCTAssertEqual(Set(rows.map { $0.text("transcript_id")! }).count, facts.legacy.distinctRawTranscriptIds)
        for (column, count) in facts.legacy.nonNullValues {
            XCTAssertEqual(rows.filter { $0.raw(column) != nil }.count, count, column)
        }
        XCTAssertEqual(rows.filter { $0.text("transcript_id")!.contains(".") }.count, facts.legacy.versionedTranscriptIds)
        XCTAssertEqual(rows.filter { $0.text("gene_id")!.contains(".") }.count, facts.legacy.versionedGeneIdRows)
        XCTAssertEqual(rows.filter { ($0.json("drugs") as? [String: Any])?["pharmgkb_data"] != nil }.count,
                       facts.legacy.rowsWithPharmgkbInDrugs)
        XCTAssertEqual(Set(rows.filter { $0.text("gene_symbol") == "Metazoa_SRP" }.map(\.geneId)).count,
                       facts.symbols.shared["Metazoa_SRP"] ?? 0)
    }

    private func checkPlantedRows(_ shape: Dataset) throws {
        let (folder, facts, core) = shape
        let invalid = core.allRows.filter { !$0.isValidUTF8 }
        XCTAssertEqual(invalid.map(\.line), facts.planted.rowRejects.flatMap { $0.lines["plain"]! })
        XCTAssertEqual(invalid.map { $0.text("transcript_id", repairing: true)! }, facts.planted.rowRejects.flatMap(\.rawTranscriptIds))
        let numbers = core.rows.filter { (try? GeneratedData.json($0.text("drugs") ?? "null")) is NSNumber }
        XCTAssertEqual(numbers.map(\.line), facts.planted.fieldRejects.flatMap { $0.lines["plain"]! }.sorted())
        let byTranscript = Dictionary(grouping: core.rows, by: \.transcriptId).filter { $0.value.count > 1 }
        XCTAssertEqual(Set(byTranscript.keys), Set(facts.planted.duplicateTranscripts.map(\.transcriptId)))
        for duplicate in facts.planted.duplicateTranscripts {
            XCTAssertEqual(Set(byTranscript[duplicate.transcriptId]!.map(\.line)), Set(duplicate.lines["plain"]!))
        }

        // The INSERT and CSV forms hold the same rows in the same order, with the planted rows on
        // the lines expected.json gives.
        for format in [LegacyDumpFormat.inserts, .csv] {
            let table = try XCTUnwrap(RawRowSink.read(folder.appendingPathComponent(format.fileName)).tables["cancer_transcript_base"])
            XCTAssertEqual(table.rows.count, core.allRows.count, format.rawValue)
            XCTAssert(table.rows == core.allRows.map(\.fields), "\(format.rawValue) rows differ from the plain dump's")
            let lineOf = Dictionary(uniqueKeysWithValues: zip(core.allRows.map(\.line), table.lines))
            for event in facts.planted.rowRejects + facts.planted.fieldRejects + facts.planted.duplicateTranscripts {
                XCTAssertEqual(event.lines["plain"]!.map { lineOf[$0]! }, event.lines[format.rawValue]!, "\(format.rawValue): \(event.reason)")
            }
        }
    }

    private func checkNormalizedFacts(_ shape: Dataset) throws {
        let (_, facts, core) = shape
        let expected = facts.normalized
        XCTAssertEqual(core.genes.count, expected.genes)
        XCTAssertEqual(Set(core.rows.map(\.transcriptId)).count, expected.transcripts)
        XCTAssertEqual(core.drugs.mapValues(\.count), expected.drugs)
        XCTAssertEqual(core.geneDrugPairs, expected.geneDrugPairs)
        XCTAssertEqual(core.pathways.mapValues(\.count), expected.pathways)
        XCTAssertEqual(core.genePathways, expected.genePathways)
        XCTAssertEqual(core.goTerms.count, expected.goTerms)
        XCTAssertEqual(core.transcriptGoTerms, expected.transcriptGoTerms)
        XCTAssertEqual(core.genePublications, expected.genePublications)
        XCTAssertEqual(core.geneCrossReferences, expected.geneCrossReferences)
        XCTAssertEqual(core.transcriptCrossReferences, expected.transcriptCrossReferences)
        XCTAssertEqual(core.geneAnnotations, expected.geneAnnotations)
        XCTAssertEqual(core.transcriptProducts, expected.transcriptProducts)
        XCTAssertEqual(core.conflicts.count, expected.conflicts)
        XCTAssertEqual(Set(core.conflicts), Set(facts.planted.conflicts.map { [$0.geneId, $0.field, $0.resolved] }))
    }

    private func checkSpotChecks(_ shape: Dataset) throws {
        let (_, facts, core) = shape
        XCTAssertGreaterThanOrEqual(facts.spotChecks.genes.count, 5)
        for spot in facts.spotChecks.genes {
            let rows = try XCTUnwrap(core.genes[spot.geneId], spot.geneId).sorted { $0.transcriptId < $1.transcriptId }
            let first = rows[0]
            XCTAssertEqual(first.text("gene_symbol"), spot.geneSymbol, spot.geneId)
            XCTAssertEqual(first.text("gene_type"), spot.geneType, spot.geneId)
            XCTAssertEqual(first.text("chromosome"), spot.chromosome, spot.geneId)
            XCTAssertEqual(Set(rows.map(\.transcriptId)).count, spot.transcripts, spot.geneId)
            XCTAssertEqual(first.transcriptId, spot.canonicalTranscript, spot.geneId)
            let coordinates = try rows.map { try XCTUnwrap(GeneratedData.json($0.text("coordinates")!) as? [String: Int]) }
            XCTAssertEqual(coordinates.map { $0["start"]! }.min(), spot.startPosition, spot.geneId)
            XCTAssertEqual(coordinates.map { $0["end"]! }.max(), spot.endPosition, spot.geneId)
            XCTAssertEqual(coordinates[0]["strand"], spot.strand, spot.geneId)
        }
    }

    func testOpenTargetsFacts() throws {
        let (folder, facts, _) = try dataset()
        let table = try XCTUnwrap(RawRowSink.read(folder.appendingPathComponent("mbase.sql")).tables["opentargets_known_drugs"])
        XCTAssertEqual(table.rows.count, facts.openTargets.rows)
        let approved = table.columns.firstIndex(of: "is_approved")!
        let target = table.columns.firstIndex(of: "target_gene_id")!
        XCTAssertEqual(table.rows.filter { $0[approved] == Data("t".utf8) }.count, facts.openTargets.approved)
        XCTAssertEqual(Set(table.rows.map { $0[target]! }).count, facts.openTargets.distinctTargetGenes)
    }

    func testPatientFilesMatchTheirFacts() throws {
        let (folder, facts, core) = try dataset()
        XCTAssertEqual(Set(facts.patients.map(\.dialect)), Set(PatientDialect.allCases.map(\.rawValue)))
        let manifest = try RawRowSink.readDelimited(folder.appendingPathComponent("patients/patients.csv"), delimiter: 0x2C)
        XCTAssertEqual(manifest.tables["patient"]!.rows.map { String(decoding: $0[0]!, as: UTF8.self) }, facts.patients.map(\.patientId))
        for patient in facts.patients {
            let file = folder.appendingPathComponent(patient.file)
            let counts = patient.dialect == PatientDialect.legacyDump.rawValue
                ? try PatientCounts(legacyDump: file)
                : try PatientCounts(file: file, core: core)
            XCTAssertEqual(counts.rows, patient.rows, patient.file)
            XCTAssertEqual(counts.skipped, patient.skipped, patient.file)
            XCTAssertEqual(counts.matched, patient.matched, patient.file)
            XCTAssertEqual(counts.unmatched, patient.unmatched, patient.file)
            XCTAssertEqual(counts.stored, patient.stored, patient.file)
            XCTAssertEqual(patient.rows, patient.skipped + patient.matched + patient.unmatched, patient.file)
            XCTAssertGreaterThan(patient.unmatched + (patient.dialect == "legacy-dump" ? 1 : 0), 0, patient.file)
            for spot in patient.spotValues {
                XCTAssertEqual(counts.values[spot.id], spot.value, "\(patient.file): \(spot.id)")
                XCTAssertEqual(counts.matches[spot.id], spot.transcriptId, "\(patient.file): \(spot.id)")
            }
        }
    }
}

/// One legacy row read back from a dump.
private struct ReadRow {
    let fields: [Data?]
    let line: Int
    let columns: [String: Int]

    func raw(_ column: String) -> Data? { fields[columns[column]!] }

    func text(_ column: String, repairing: Bool = false) -> String? {
        guard let data = raw(column) else { return nil }
        return repairing ? String(decoding: data, as: UTF8.self) : String(data: data, encoding: .utf8)
    }

    var isValidUTF8: Bool { fields.allSatisfy { $0 == nil || String(data: $0!, encoding: .utf8) != nil } }
    var transcriptId: String { GeneratedData.normalizedId(text("transcript_id")!) }
    var geneId: String { GeneratedData.normalizedId(text("gene_id")!) }

    func array(_ column: String) -> [String] { text(column).map(GeneratedData.arrayElements)?.compactMap { $0 } ?? [] }
    func json(_ column: String) -> Any? { text(column).flatMap { try? GeneratedData.json($0) } }
}

/// The normalized facts recomputed from the rows of the plain dump.
private struct CoreModel {
    let allRows: [ReadRow]
    /// Rows a converter keeps (valid UTF-8).
    let rows: [ReadRow]
    let genes: [String: [ReadRow]]
    var drugs: [String: Set<String>] = ["DrugCentral": [], "ChEMBL": [], "PharmGKB": [], "names": []]
    var geneDrugPairs: [String: Int] = ["DrugCentral": 0, "ChEMBL": 0, "PharmGKB": 0, "names": 0]
    var pathways: [String: Set<String>] = ["Reactome": [], "KEGG": [], "WikiPathways": [], "PharmGKB": [], "unknown": []]
    var genePathways = 0
    var goTerms: Set<String> = []
    var transcriptGoTerms = 0
    var genePublications = 0
    var geneCrossReferences = 0
    var transcriptCrossReferences = 0
    var geneAnnotations = ["molecular_function": 0, "cellular_location": 0]
    var transcriptProducts = 0
    /// [gene id, field, resolved value] per gene whose rows disagree.
    var conflicts: [[String]] = []
    /// Lower-cased symbol → gene ids carrying it.
    var symbols: [String: Set<String>] = [:]
    /// Gene id → its smallest transcript id.
    var canonical: [String: String] = [:]
    /// Normalized ids of the transcripts a converter keeps.
    let transcripts: Set<String>

    init(plain: RawRowSink) throws {
        let table = try XCTUnwrap(plain.tables["cancer_transcript_base"])
        let columns = Dictionary(uniqueKeysWithValues: table.columns.enumerated().map { ($1, $0) })
        allRows = zip(table.rows, table.lines).map { ReadRow(fields: $0, line: $1, columns: columns) }
        rows = allRows.filter(\.isValidUTF8)
        genes = Dictionary(grouping: rows, by: \.geneId)
        transcripts = Set(rows.map(\.transcriptId))
        for geneId in genes.keys.sorted() { add(gene: geneId, rows: genes[geneId]!) }
    }

    private mutating func add(gene geneId: String, rows: [ReadRow]) {
        let ordered = rows.sorted { $0.transcriptId < $1.transcriptId }
        canonical[geneId] = ordered[0].transcriptId
        for field in ["gene_symbol", "gene_type", "chromosome"] where Set(rows.map { $0.text(field) ?? "" }).count > 1 {
            conflicts.append([geneId, field, ordered[0].text(field)!])
        }
        if let symbol = ordered[0].text("gene_symbol") { symbols[symbol.lowercased(), default: []].insert(geneId) }

        var geneDrugs: [String: Set<String>] = [:]
        var genePathwayIds: Set<String> = []
        for row in rows {
            collectDrugs(row.json("drugs"), into: &geneDrugs, pathways: &genePathwayIds)
            if let column = row.json("pharmgkb_pathways") as? [String: Any] { collectPharmGKB(column, into: &geneDrugs, pathways: &genePathwayIds) }
            for element in row.array("pathways") {
                if element.hasSuffix("]"), let open = element.range(of: " [", options: .backwards) {
                    let reference = element[open.upperBound..<element.index(before: element.endIndex)]
                    let parts = reference.split(separator: ":", maxSplits: 1)
                    pathways[String(parts[0]), default: []].insert(String(parts[1]))
                    genePathwayIds.insert(String(reference))
                } else {
                    pathways["unknown", default: []].insert(element)
                    genePathwayIds.insert("unknown:" + element)
                }
            }
        }
        for (source, names) in geneDrugs {
            drugs[source, default: []].formUnion(names)
            geneDrugPairs[source, default: 0] += names.count
        }
        genePathways += genePathwayIds.count
        for id in genePathwayIds where id.hasPrefix("PharmGKB:") { pathways["PharmGKB", default: []].insert(String(id.dropFirst(9))) }

        let goIds = Set(rows.flatMap { (($0.json("go_terms") as? [String: Any]) ?? [:]).keys })
        goTerms.formUnion(goIds)
        transcriptGoTerms += goIds.count * Set(rows.map(\.transcriptId)).count
        var publications: Set<String> = []
        var crossReferences: Set<String> = []
        var annotations: [String: Set<String>] = [:]
        for row in rows {
            for (category, items) in (row.json("source_references") as? [String: [[String: Any]]]) ?? [:] {
                for item in items { publications.insert("\(category) \(item["pmid"]!)") }
            }
            for column in ["uniprot_ids", "ncbi_ids", "refseq_ids", "pdb_ids"] {
                for id in row.array(column) { crossReferences.insert("\(column) \(id)") }
            }
            for (database, value) in (row.json("alt_gene_ids") as? [String: Any]) ?? [:] {
                for id in (value as? [String]) ?? [value as! String] { crossReferences.insert("\(database) \(id)") }
            }
            for (kind, column) in [("molecular_function", "molecular_functions"), ("cellular_location", "cellular_location")] {
                annotations[kind, default: []].formUnion(row.array(column))
            }
        }
        genePublications += publications.count
        geneCrossReferences += crossReferences.count
        for (kind, values) in annotations { geneAnnotations[kind, default: 0] += values.count }
        for transcriptRows in Dictionary(grouping: rows, by: \.transcriptId).values {
            transcriptProducts += Set(transcriptRows.flatMap { $0.array("product_type") }).count
            var alternatives: Set<String> = []
            for row in transcriptRows {
                for (database, value) in (row.json("alt_transcript_ids") as? [String: Any]) ?? [:] {
                    for id in (value as? [String]) ?? [value as! String] { alternatives.insert("\(database) \(id)") }
                }
            }
            transcriptCrossReferences += alternatives.count
        }
    }

    /// The drug/pathway split of docs/spec.md §4.1 for one `drugs` value.
    private func collectDrugs(_ value: Any?, into drugs: inout [String: Set<String>], pathways: inout Set<String>) {
        switch value {
        case let object as [String: Any]:
            for (key, record) in object {
                if key == "pharmgkb_data" {
                    if let data = record as? [String: Any], let pathwayData = data["pathway_data"] as? [String: Any] {
                        collectPharmGKB(pathwayData, into: &drugs, pathways: &pathways)
                    }
                } else {
                    drugs[key.hasPrefix("CHEMBL") ? "ChEMBL" : "DrugCentral", default: []].insert(key)
                }
            }
        case let names as [String]:
            drugs["names", default: []].formUnion(names.map { $0.lowercased() })
        case let text as String:
            if let decoded = try? GeneratedData.json(text), decoded is [String: Any] {
                collectDrugs(decoded, into: &drugs, pathways: &pathways)
            } else {
                drugs["names", default: []].insert(text.lowercased())
            }
        default:
            break
        }
    }

    private func collectPharmGKB(_ pathwayObjects: [String: Any], into drugs: inout [String: Set<String>], pathways: inout Set<String>) {
        for (id, pathway) in pathwayObjects {
            pathways.insert("PharmGKB:" + id)
            for reaction in ((pathway as? [String: Any])?["reactions"] as? [[String: Any]]) ?? [] {
                drugs["PharmGKB", default: []].formUnion(((reaction["drugs"] as? [String]) ?? []).map { $0.lowercased() })
            }
        }
    }
}

/// A patient file matched against the core with the rules of docs/spec.md §5.2.
private struct PatientCounts {
    var rows = 0
    var skipped = 0
    var matched = 0
    var unmatched = 0
    var stored = 0
    /// Value text and matched transcript by id as written.
    var values: [String: String] = [:]
    var matches: [String: String] = [:]

    init(file: URL, core: CoreModel) throws {
        let sink = try RawRowSink.readDelimited(file, delimiter: file.pathExtension == "tsv" ? 0x09 : 0x2C)
        let table = try XCTUnwrap(sink.tables["patient"])
        let header = table.columns.map { $0.lowercased() }
        let transcriptColumn = header.firstIndex { ["transcript_id", "ensembl_transcript_id", "transcript", "enst_id"].contains($0) }
        let geneColumn = header.firstIndex { ["gene_symbol", "symbol", "gene_name", "hgnc_symbol", "gene_id", "ensembl_gene_id", ""].contains($0) }
        let idColumn = try XCTUnwrap(transcriptColumn ?? geneColumn, file.path)
        let linearColumn = header.firstIndex { ["cancer_fold", "expression_fold_change", "fold_change", "fc", "foldchange", "linear_fc"].contains($0) }
        let log2Column = header.firstIndex { ["log2foldchange", "logfc", "log2fc", "log2_fold_change", "l2fc"].contains($0) }
        let valueColumn = try XCTUnwrap(linearColumn ?? log2Column, file.path)
        for row in table.rows {
            rows += 1
            let id = String(decoding: row[idColumn] ?? Data(), as: UTF8.self)
            let text = String(decoding: row[valueColumn] ?? Data(), as: UTF8.self)
            values[id] = text
            guard let number = Double(text) else {
                skipped += 1
                continue
            }
            let transcript: String?
            if transcriptColumn != nil {
                let normalized = GeneratedData.normalizedId(id)
                transcript = core.transcripts.contains(normalized) ? normalized : nil
            } else if id.uppercased().hasPrefix("ENSG") {
                transcript = core.canonical[GeneratedData.normalizedId(id)]
            } else {
                let genes = core.symbols[id.lowercased()] ?? []
                transcript = genes.count == 1 ? core.canonical[genes.first!] : nil
            }
            guard let transcript else {
                unmatched += 1
                continue
            }
            matched += 1
            matches[id] = transcript
            let linear = linearColumn != nil ? number : (number == 0 ? 1 : 2)
            if linear != 1 { stored += 1 }
        }
    }

    init(legacyDump file: URL) throws {
        let table = try XCTUnwrap(RawRowSink.read(file).tables["cancer_transcript_base"])
        let idColumn = table.columns.firstIndex(of: "transcript_id")!
        let foldColumn = table.columns.firstIndex(of: "expression_fold_change")!
        for row in table.rows {
            rows += 1
            matched += 1
            let id = String(decoding: row[idColumn]!, as: UTF8.self)
            let text = String(decoding: row[foldColumn]!, as: UTF8.self)
            values[id] = text
            matches[id] = GeneratedData.normalizedId(id)
            if Double(text) != 1 { stored += 1 }
        }
    }
}
