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
        var options = ConversionOptions(input: Fixtures.path("legacy/corruption_cases.sql"), output: bundle)
        options.target = .bundle
        options.progress = .never
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
        XCTAssertEqual(checks.map(\.name), ["manifest", "files", "unlisted_files", "load_script", "gzip_integrity", "copy_structure", "schema_present", "schema_version", "row_counts"])
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

    func testNotABundle() throws {
        try FileManager.default.removeItem(atPath: file(BundleManifest.fileName))
        XCTAssertEqual(try BundleValidator.validate(folder: bundle).map(\.name), ["manifest"])
        XCTAssertEqual(try failed().keys.sorted(), ["manifest"])
    }
}
