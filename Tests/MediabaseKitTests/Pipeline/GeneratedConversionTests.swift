import Foundation
import XCTest
@testable import MediabaseKit

/// Converts generated data in every form and checks the core against the generator's
/// `expected.json`: ground truth computed from the generator's model, not by the converter.
final class GeneratedConversionTests: XCTestCase {
    private static var shared: Result<(URL, [String: Any]), Error>?
    private var folder: URL!
    private var expected: [String: Any] = [:]

    override func setUpWithError() throws {
        if Self.shared == nil {
            Self.shared = Result {
                let options = GenerateOptions(seed: 7, genes: 400, patients: 0, formats: [.plain, .inserts, .csv], threads: 2)
                let (folder, _) = try GeneratedData.generate(options, name: "generated-conversion")
                let data = try Data(contentsOf: folder.appendingPathComponent("expected.json"))
                return (folder, try JSONSerialization.jsonObject(with: data) as! [String: Any])
            }
        }
        (folder, expected) = try Self.shared!.get()
    }

    override class func tearDown() {
        if let (folder, _) = try? shared?.get() { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        shared = nil
        super.tearDown()
    }

    private func convert(_ format: LegacyDumpFormat) throws -> (ConversionReport, SQLiteDatabase) {
        var options = ConversionOptions(input: folder.appendingPathComponent(format.fileName).path,
                                        output: folder.appendingPathComponent("\(format.rawValue).sqlite").path)
        options.progress = .never
        options.force = true
        options.threads = format == .plain ? 2 : 1
        options.reportPath = folder.appendingPathComponent("\(format.rawValue).report.json").path
        let report = try Conversion.run(options)
        return (report, try SQLiteDatabase(path: options.output, readOnly: true))
    }

    private func counts(_ db: SQLiteDatabase, _ sql: String) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for row in try db.rows(sql) { result[row[0] ?? ""] = Int(row[1] ?? "0") }
        return result
    }

    func testPlainMatchesExpected() throws { try assertMatchesExpected(.plain) }
    func testInsertsMatchesExpected() throws { try assertMatchesExpected(.inserts) }
    func testCSVMatchesExpected() throws { try assertMatchesExpected(.csv) }

    private func assertMatchesExpected(_ format: LegacyDumpFormat) throws {
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
        for (key, reason) in [("rowRejects", "invalid_text"), ("fieldRejects", "field_drugs")] {
            let wanted = (planted[key] as! [[String: Any]]).flatMap { (($0["lines"] as! [String: [Int]])[format.rawValue]) ?? [] }
            let found = rejectLines.filter { $0["reason"] as? String == reason }.compactMap { $0["line"] as? Int }
            XCTAssertEqual(found.sorted(), wanted.sorted(), "\(format): \(key)")
        }

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
