import Foundation
import XCTest
@testable import MediabaseOutput
@testable import MediabaseValidate
@testable import MediabasePipeline
import MediabaseTestSupport

final class BundleValidatorTests: ScratchFolderTestCase {
    private var bundle = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        bundle = path("core.bundle")
        try convert()
    }

    /// Converts the corruption cases into `bundle`, replacing what is there.
    private func convert() throws {
        var options = ConversionOptions(input: Fixtures.path("legacy/corruption_cases.sql"), output: bundle)
        options.target = .bundle
        options.progress = .never
        options.force = true
        _ = try Conversion.run(options)
    }

    private func file(_ name: String) -> String { (bundle as NSString).appendingPathComponent(name) }

    private func failed() throws -> [String: String] {
        var result: [String: String] = [:]
        for check in try BundleValidator.validate(folder: bundle) where !check.passed { result[check.name] = check.detail }
        return result
    }

    /// Replaces a part with `text`, gzip-compressed, and lists it in the manifest with its new
    /// size and hash, so only the structure checks can object.
    private func replacePart(_ name: String, with text: String) throws {
        let pool = try CompressionPool(threads: 1, level: 6)
        defer { pool.shutdown() }
        let writer = try GzipWriter(path: file(name), pool: pool)
        try writer.write(text)
        let (sha256, bytes) = try writer.finish()
        var manifest = try BundleManifest.read(folder: bundle)
        manifest.files = manifest.files.map { $0.name == name ? BundleManifest.File(name: name, bytes: bytes, sha256: sha256) : $0 }
        try manifest.encoded().write(to: URL(fileURLWithPath: file(BundleManifest.fileName)))
    }

    func testAFreshBundlePassesEveryCheck() throws {
        let checks = try BundleValidator.validate(folder: bundle)
        XCTAssertEqual(checks.map(\.name), ["manifest", "files", "unlisted_files", "load_script", "gzip_integrity", "copy_structure", "schema_present", "schema_version",
                                             "unique_keys", "foreign_keys", "row_counts"])
        XCTAssertEqual(try failed(), [:])
    }

    func testDamagedPartFailsHashAndGzipChecks() throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file("02_data.sql.gz"))))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: file("02_data.sql.gz")))
        let problems = try failed()
        XCTAssertNotNil(problems["files"])
        XCTAssertNotNil(problems["gzip_integrity"], "\(problems)")
    }

    func testTruncatedPartIsFound() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: file("04_views.sql.gz")))
        try data.prefix(data.count - 9).write(to: URL(fileURLWithPath: file("04_views.sql.gz")))
        let problems = try failed()
        XCTAssertTrue(problems["files"]?.contains("04_views.sql.gz has") == true, "\(problems)")
        XCTAssertNotNil(problems["gzip_integrity"])
    }

    func testUnlistedFilesMissingFilesAndCounts() throws {
        try Data("x".utf8).write(to: URL(fileURLWithPath: file("99_extra.sql.gz")))
        try FileManager.default.removeItem(atPath: file("load.sh"))
        var manifest = try BundleManifest.read(folder: bundle)
        manifest.rowsPerTable["genes"] = 5
        try manifest.encoded().write(to: URL(fileURLWithPath: file(BundleManifest.fileName)))
        let problems = try failed()
        XCTAssertEqual(problems["unlisted_files"], "not in the manifest: 99_extra.sql.gz")
        XCTAssertEqual(problems["files"], "load.sh is missing")
        XCTAssertNotNil(problems["load_script"])
        XCTAssertEqual(problems["row_counts"], "genes: 4 rows, manifest 5")
    }

    func testCopyBlocksAndMetaCommandsAreChecked() throws {
        let header = BundleWriter.partHeader("04_views.sql.gz")
        try replacePart("04_views.sql.gz", with: header + "COPY public.\"x\" (\"a\", \"b\") FROM stdin;\n1\t2\n3\n\\.\n\\! echo hi\nSELECT 'a\\b', \"c\\d\"; -- \\e\nCOPY public.\"y\" (\"a\") FROM stdin;\n1\n")
        let problems = try failed()
        let detail = problems["copy_structure"] ?? ""
        XCTAssertTrue(detail.contains("1 fields in a row of x, which has 2 columns"), detail)
        XCTAssertTrue(detail.contains("a backslash outside quotes (a psql meta-command) at byte 0"), detail)
        XCTAssertTrue(detail.contains("the COPY block of y is not ended"), detail)
        XCTAssertEqual(detail.components(separatedBy: "; ").count, 3, "quoted backslashes and comments are fine: \(detail)")
        XCTAssertNotNil(problems["schema_present"], "the views are gone")
        XCTAssertTrue(problems["row_counts"]?.contains("x: 2 rows, manifest does not list it") == true)
        XCTAssertTrue(problems["row_counts"]?.contains("y: 1 rows, manifest does not list it") == true, "a block left open keeps its rows: \(problems)")
    }

    /// The data part's lines with `rows` added at the end of their tables' COPY blocks; the
    /// line number (from 1) of each added row, by its text.
    private func dataLines(adding rows: [(table: String, row: String)]) throws -> (lines: [String], numbers: [String: Int]) {
        let text = String(decoding: try GzipFiles.inflate(path: file("02_data.sql.gz")), as: UTF8.self)
        var lines = text.components(separatedBy: "\n")
        for (table, row) in rows {
            let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("COPY public.\"\(table)\" ") }, table)
            let end = try XCTUnwrap(lines[header...].firstIndex(of: "\\."))
            lines.insert(row, at: end)
        }
        var numbers: [String: Int] = [:]
        for (index, line) in lines.enumerated() where rows.contains(where: { $0.row == line }) { numbers[line] = index + 1 }
        return (lines, numbers)
    }

    /// The first data row of `table`'s block, split into its fields.
    private func firstRow(of table: String, in lines: [String]) throws -> [String] {
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("COPY public.\"\(table)\" ") }, table)
        return lines[header + 1].components(separatedBy: "\t")
    }

    /// A repeated key is found however its text is escaped, and with its line; a foreign key's
    /// value missing from its parent is named; a NULL in `coalesce(pathway_id, '')` repeats,
    /// one in another key column does not.
    func testRepeatedKeysAndMissingParentsAreFound() throws {
        let original = try dataLines(adding: []).lines
        let gene = try firstRow(of: "genes", in: original)
        let transcript = try firstRow(of: "transcripts", in: original)[0]
        let link = try firstRow(of: "gene_drug_interactions", in: original)
        // gene_id, drug_interaction_id, interaction_type, evidence_type, evidence_score, drug_score, pathway_id, pmids
        let nullPathway = [link[0], link[1], "repeated", "\\N", "\\N", "\\N", "\\N", "\\N"].joined(separator: "\t")
        let nullType = [link[0], link[1], "\\N", "\\N", "\\N", "\\N", "\\N", "\\N"].joined(separator: "\t")
        let added: [(table: String, row: String)] = [
            ("genes", gene.joined(separator: "\t")),
            ("transcript_go_terms", "\(transcript)\tGO:7777777\tterm\tbiological_process\tIDA"),
            // \x47 is G: the same go_id, written otherwise.
            ("transcript_go_terms", "\(transcript)\t\\x47O:7777777\tother term\tbiological_process\tIDA"),
            ("gene_drug_interactions", nullPathway), ("gene_drug_interactions", nullPathway),
            ("gene_drug_interactions", nullType), ("gene_drug_interactions", nullType),
            ("gene_extras", "ENSG09999999999\tfield\t\"x\""),
            ("gene_extras", "ENSG09999999999\tother\t\"y\""),
        ]
        let (lines, numbers) = try dataLines(adding: added)
        try replacePart("02_data.sql.gz", with: lines.joined(separator: "\n"))
        let problems = try failed()
        let unique = problems["unique_keys"] ?? ""
        XCTAssertTrue(unique.hasPrefix("3 problems: ") || unique.components(separatedBy: "; ").count == 3, unique)
        XCTAssertTrue(unique.contains("genes (gene_id) = ('\(gene[0])') again at 02_data.sql.gz line \(numbers[gene.joined(separator: "\t")]!)"), unique)
        XCTAssertTrue(unique.contains("transcript_go_terms (transcript_id, go_id) = ('\(transcript)', 'GO:7777777') again at 02_data.sql.gz line \(numbers[added[2].row]!)"), unique)
        XCTAssertTrue(unique.contains("gene_drug_interactions (gene_id, drug_interaction_id, interaction_type, pathway_id) = ('\(link[0])', '\(link[1])', 'repeated', 'NULL')"), unique)
        XCTAssertFalse(unique.contains("interaction_type, pathway_id) = ('\(link[0])', '\(link[1])', 'NULL'"), unique)
        XCTAssertEqual(problems["foreign_keys"], "gene_extras.gene_id → genes.gene_id: 2 missing, e.g. 02_data.sql.gz line \(numbers[added[7].row]!): 'ENSG09999999999'")
    }

    /// Rows of one transcript apart from each other are checked again together: no repeat among
    /// them passes, one repeat is counted once.
    func testRowsOfOneValueApartAreCheckedTogether() throws {
        let original = try dataLines(adding: []).lines
        let header = try XCTUnwrap(original.firstIndex { $0.hasPrefix("COPY public.\"transcripts\" ") })
        let (first, second) = (original[header + 1].components(separatedBy: "\t")[0], original[header + 2].components(separatedBy: "\t")[0])
        XCTAssertNotEqual(first, second)
        func row(_ transcript: String, _ go: String) -> (table: String, row: String) { ("transcript_go_terms", "\(transcript)\t\(go)\tterm\tbiological_process\tIDA") }
        let apart = [row(first, "GO:8888881"), row(second, "GO:8888881"), row(first, "GO:8888882")]
        try replacePart("02_data.sql.gz", with: try dataLines(adding: apart).lines.joined(separator: "\n"))
        XCTAssertNil(try failed()["unique_keys"])

        try convert()
        let (lines, numbers) = try dataLines(adding: apart + [row(second, "GO:8888883"), row(first, "GO:8888881")])
        try replacePart("02_data.sql.gz", with: lines.joined(separator: "\n"))
        XCTAssertEqual(try failed()["unique_keys"],
                       "transcript_go_terms (transcript_id, go_id) = ('\(first)', 'GO:8888881') again at 02_data.sql.gz line \(numbers[row(first, "GO:8888881").row]!)")
    }

    /// The foreign keys come from the constraints part's text, every one of them.
    func testForeignKeysAreReadFromTheConstraints() throws {
        let text = SchemaFiles.postgresConstraints
        let keys = text.split(separator: "\n").compactMap { BundleKeyCheck.foreignKey(in: String($0)) }
        XCTAssertEqual(keys.count, text.components(separatedBy: "FOREIGN KEY (").count - 1)
        XCTAssertTrue(keys.contains { $0.table == "transcript_go_terms" && $0.key == BundleKeyCheck.ForeignKey(column: "transcript_id", parent: "transcripts", parentColumn: "transcript_id") })
    }

    func testNotABundle() throws {
        try FileManager.default.removeItem(atPath: file(BundleManifest.fileName))
        XCTAssertEqual(try BundleValidator.validate(folder: bundle).map(\.name), ["manifest"])
        XCTAssertEqual(try failed().keys.sorted(), ["manifest"])
    }
}
