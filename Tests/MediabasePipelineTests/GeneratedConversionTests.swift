import Foundation
import XCTest
@testable import MediabaseSQLite
@testable import MediabaseGenerate
@testable import MediabasePipeline
import MediabaseTestSupport

/// Converts generated data in every form and checks the core against the generator's
/// `expected.json`: ground truth computed from the generator's model, not by the converter.
/// Besides today's shape, the generator's other shapes: each gene's rows scattered over the
/// table, with standard, lean and fat rows.
final class GeneratedConversionTests: XCTestCase {
    private static var shared: [String: Result<(URL, [String: Any]), Error>] = [:]
    private var folder: URL!
    private var expected: [String: Any] = [:]

    private static let shapes: [String: GenerateOptions] = [
        "generated-conversion": GenerateOptions(seed: 7, genes: 400, patients: 0, formats: [.plain, .inserts, .csv], threads: 2),
        "scattered-conversion": GenerateOptions(seed: 8, genes: 300, formats: [.plain, .inserts, .csv], threads: 2, rowOrder: .scattered),
        "lean-conversion": GenerateOptions(seed: 9, genes: 600, formats: [.plain, .csv], threads: 2, profile: .lean, rowOrder: .scattered),
        "fat-conversion": GenerateOptions(seed: 10, genes: 24, formats: [.plain], threads: 2, profile: .fat, rowOrder: .scattered),
    ]

    private func load(_ name: String) throws {
        if Self.shared[name] == nil {
            Self.shared[name] = Result {
                let (folder, _) = try GeneratedData.generate(Self.shapes[name]!, name: name)
                let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
                return (folder, try JSONSerialization.jsonObject(with: data) as! [String: Any])
            }
        }
        (folder, expected) = try Self.shared[name]!.get()
    }

    override class func tearDown() {
        for result in shared.values {
            if let (folder, _) = try? result.get() { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        }
        shared = [:]
        super.tearDown()
    }

    private func convert(_ format: LegacyDumpFormat, threads: Int? = nil) throws -> (ConversionReport, SQLiteDatabase) {
        let name = "\(format.rawValue)-\(threads.map(String.init) ?? "default")"
        var options = ConversionOptions(input: folder.appendingPathComponent(format.fileName).path,
                                        output: folder.appendingPathComponent("\(name).sqlite").path)
        options.progress = .never
        options.force = true
        options.threads = threads ?? (format == .plain ? 2 : 1)
        options.reportPath = folder.appendingPathComponent("\(name).report.json").path
        let report = try Conversion.run(options)
        return (report, try SQLiteDatabase(path: options.output, readOnly: true))
    }

    private func counts(_ db: SQLiteDatabase, _ sql: String) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try db.rows(sql) { result[row[0] ?? ""] = Int(row[1] ?? "0") }
        return result
    }

    func testPlainMatchesExpected() throws { try assertMatchesExpected(.plain, "generated-conversion") }
    func testInsertsMatchesExpected() throws { try assertMatchesExpected(.inserts, "generated-conversion") }
    func testCSVMatchesExpected() throws { try assertMatchesExpected(.csv, "generated-conversion") }

    func testScatteredPlainMatchesExpected() throws { try assertMatchesExpected(.plain, "scattered-conversion") }
    func testScatteredInsertsMatchesExpected() throws { try assertMatchesExpected(.inserts, "scattered-conversion") }
    func testScatteredCSVMatchesExpected() throws { try assertMatchesExpected(.csv, "scattered-conversion") }
    func testLeanScatteredPlainMatchesExpected() throws { try assertMatchesExpected(.plain, "lean-conversion") }
    func testLeanScatteredCSVMatchesExpected() throws { try assertMatchesExpected(.csv, "lean-conversion") }
    func testFatScatteredPlainMatchesExpected() throws { try assertMatchesExpected(.plain, "fat-conversion") }

    /// Scattered rows give the same database with one worker thread or three. With three, the
    /// core's checks run while the view tables are built (a job of the connections that build
    /// them), not after.
    func testScatteredConversionIsTheSameForAnyThreadCount() throws {
        for name in ["scattered-conversion", "lean-conversion"] {
            try load(name)
            let (_, one) = try convert(.plain, threads: 1)
            let (report, three) = try convert(.plain, threads: 3)
            XCTAssertNotNil(report.cpuSecondsPerFinishStep["core checks (beside the view tables)"], "\(name): \(report.cpuSecondsPerFinishStep.keys.sorted())")
            for check in ["quick_check", "foreign_keys", "unique_genes", "row_counts"] {
                XCTAssertTrue(report.validation.contains { $0.name == check && $0.passed }, "\(name): \(check) in \(report.validation)")
            }
            let tables = try one.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0[0] }
            XCTAssertGreaterThan(tables.count, 5, name)
            for table in tables {
                // Row by row in storage order: the claim is the same bytes, not only the same rows.
                let sql = "SELECT * FROM \"\(table)\""
                XCTAssert(try one.rows(sql) == three.rows(sql), "\(name): \(table) differs between 1 and 3 threads")
            }
        }
    }

    private func assertMatchesExpected(_ format: LegacyDumpFormat, _ name: String) throws {
        try load(name)
        let (report, db) = try convert(format)
        XCTAssertTrue(report.validation.allSatisfy(\.passed), "\(report.validation)")
        let normalized = expected["normalized"] as! [String: Any]
        XCTAssertEqual(report.genes, normalized["genes"] as? Int)
        XCTAssertEqual(report.transcripts, normalized["transcripts"] as? Int)
        XCTAssertEqual(report.conflicts, normalized["conflicts"] as? Int)

        // The generator calls drugs known only by name "names"; they are source "unknown" here.
        func renamed(_ counts: [String: Int]) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: counts.map { ($0.key == "unknown" ? "names" : $0.key, $0.value) })
        }
        XCTAssertEqual(renamed(try counts(db, "SELECT source_database, count(*) FROM drug_interactions GROUP BY 1")),
                       normalized["drugs"] as? [String: Int])
        XCTAssertEqual(renamed(try counts(db, """
            SELECT d.source_database, count(DISTINCT g.gene_id || '|' || g.drug_interaction_id)
            FROM gene_drug_interactions g JOIN drug_interactions d USING (drug_interaction_id) GROUP BY 1
            """)), normalized["geneDrugPairs"] as? [String: Int])
        XCTAssertEqual(try counts(db, "SELECT source_database, count(*) FROM pathways GROUP BY 1"), normalized["pathways"] as? [String: Int])
        XCTAssertEqual(try counts(db, "SELECT annotation_type, count(*) FROM gene_annotations GROUP BY 1"),
                       normalized["geneAnnotations"] as? [String: Int])
        let single: [(String, String)] = [
            ("genePathways", "SELECT count(*) FROM gene_pathways"),
            ("genePublications", "SELECT count(*) FROM gene_publications"),
            ("goTerms", "SELECT count(DISTINCT go_id) FROM transcript_go_terms"),
            ("transcriptGoTerms", "SELECT count(*) FROM transcript_go_terms"),
            ("geneCrossReferences", "SELECT count(*) FROM gene_cross_references"),
            ("transcriptCrossReferences", "SELECT count(*) FROM transcript_cross_references"),
            ("transcriptProducts", "SELECT count(*) FROM transcript_products"),
        ]
        for (key, sql) in single {
            XCTAssertEqual(try db.integer(sql), normalized[key] as? Int, "\(format): \(key)")
        }

        // Planted rejects: the reasons, at the lines the generator wrote them.
        let planted = expected["planted"] as! [String: Any]
        let rejectLines = try String(contentsOfFile: report.rejectsFile!, encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        func lines(_ event: [String: Any]) -> [Int] { (event["lines"] as! [String: [Int]])[format.rawValue] ?? [] }
        let found = { (reason: String) in rejectLines.filter { $0["reason"] as? String == reason }.compactMap { $0["line"] as? Int }.sorted() }
        XCTAssertEqual(found("invalid_text"), (planted["rowRejects"] as! [[String: Any]]).flatMap(lines).sorted(), "\(format): rowRejects")
        // expected.json lists every row of a gene whose drugs value is a number; the converter
        // processes a gene-level value once per gene and logs it at the first row holding it.
        let numberGenes = Dictionary(grouping: planted["fieldRejects"] as! [[String: Any]]) { $0["geneId"] as! String }
        XCTAssertEqual(found("field_drugs"), numberGenes.values.map { $0.flatMap(lines).min()! }.sorted(), "\(format): fieldRejects")

        // Spot checks of single genes.
        let spots = (expected["spotChecks"] as! [String: Any])["genes"] as! [[String: Any]]
        for spot in spots {
            let geneId = spot["geneId"] as! String
            let row = try db.rows("SELECT gene_symbol, gene_type, chromosome, start_position, end_position, strand FROM genes WHERE gene_id = ?", [geneId])
            XCTAssertEqual(row.first?[0], spot["geneSymbol"] as? String, geneId)
            XCTAssertEqual(row.first?[1], spot["geneType"] as? String, geneId)
            XCTAssertEqual(row.first?[2], spot["chromosome"] as? String, geneId)
            XCTAssertEqual(row.first?[3].flatMap { Int($0) }, spot["startPosition"] as? Int, geneId)
            XCTAssertEqual(row.first?[4].flatMap { Int($0) }, spot["endPosition"] as? Int, geneId)
            XCTAssertEqual(try db.integer("SELECT transcript_count FROM gene_summary_view WHERE gene_id = ?", [geneId]), spot["transcripts"] as? Int, geneId)
            XCTAssertEqual(try db.integer("SELECT count(*) FROM gene_publications WHERE gene_id = ?", [geneId]), spot["publications"] as? Int, geneId)
        }

        // Symbols on several genes are kept and flagged (the generator also lists its symbol
        // families when only one gene carries them at this scale).
        let shared = ((expected["symbols"] as! [String: Any])["shared"] as! [String: Int]).filter { $0.value > 1 }
        XCTAssertEqual(report.suspiciousSymbols.sharedByGenes, shared)
    }
}
