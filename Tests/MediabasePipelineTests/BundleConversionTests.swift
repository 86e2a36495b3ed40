import Foundation
import XCTest
@testable import MediabaseSQLite
@testable import MediabaseModel
@testable import MediabaseOutput
@testable import MediabaseValidate
@testable import MediabasePipeline
import MediabaseTestSupport

final class BundleConversionTests: ScratchFolderTestCase {
    @discardableResult
    private func convert(to name: String, configure: (inout ConversionOptions) -> Void = { _ in }) throws -> ConversionReport {
        var options = ConversionOptions(input: Fixtures.path("legacy/corruption_cases.sql"), output: path(name))
        options.target = .bundle
        options.progress = .never
        configure(&options)
        return try Conversion.run(options)
    }

    /// The bundle's files except report.json (which holds timings), name → bytes.
    private func files(_ bundle: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path(bundle)) where name != "report.json" {
            result[name] = try Data(contentsOf: URL(fileURLWithPath: (path(bundle) as NSString).appendingPathComponent(name)))
        }
        return result
    }

    func testBundleLayoutReportAndRejects() throws {
        let report = try convert(to: "core.bundle")
        XCTAssertTrue(report.validation.allSatisfy(\.passed), "\(report.validation)")
        XCTAssertTrue(report.validation.contains { $0.name == "bundle_copy_structure" })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("core.bundle")).sorted(), [
            "01_schema.sql.gz", "02_data.sql.gz", "03_constraints_indexes.sql.gz", "04_views.sql.gz",
            "load.sh", "manifest.json", "report.json",
        ])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["core.bundle", "core.bundle.rejects.jsonl"])
        let manifest = try BundleManifest.read(folder: path("core.bundle"))
        XCTAssertEqual(manifest.files.map(\.name), ["01_schema.sql.gz", "02_data.sql.gz", "03_constraints_indexes.sql.gz", "04_views.sql.gz", "load.sh"])
        XCTAssertEqual(manifest.inputs.map(\.name), ["corruption_cases.sql"])
        XCTAssertEqual(manifest.rowsPerTable["genes"], 4)
        XCTAssertEqual(manifest.rowsPerTable["opentargets_known_drugs"], 1)
        XCTAssertEqual(manifest.rowsPerTable["schema_versions"], 1)
        XCTAssertNil(manifest.rowsPerTable["gene_summary_view"], "views are materialized by PostgreSQL, not copied")
        let mode = try FileManager.default.attributesOfItem(atPath: path("core.bundle/load.sh"))[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o755)
    }

    func testSameBytesForTheSameInputWhateverTheThreads() throws {
        try convert(to: "a") { $0.threads = 1 }
        try convert(to: "b") { $0.threads = 2 }
        try convert(to: "c/") { $0.threads = 3 }
        let first = try files("a")
        XCTAssertEqual(first.count, 6)
        XCTAssertEqual(first, try files("b"))
        XCTAssertEqual(first, try files("c"))
    }

    func testAtomicReplaceAndNoLeftovers() throws {
        try convert(to: "core.bundle")
        XCTAssertThrowsError(try convert(to: "core.bundle"), "an existing bundle needs --force")
        try convert(to: "core.bundle") { $0.force = true }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") || $0.contains(".old-") }, [])
        XCTAssertTrue(try BundleValidator.validate(folder: path("core.bundle")).allSatisfy(\.passed))

        // --force replaces a file with a bundle, and a bundle with a SQLite file.
        try Data("old".utf8).write(to: URL(fileURLWithPath: path("was-a-file")))
        try convert(to: "was-a-file") { $0.force = true }
        XCTAssertTrue(try BundleValidator.validate(folder: path("was-a-file")).allSatisfy(\.passed))
        try convert(to: "was-a-file") { $0.force = true; $0.target = .sqlite }
        XCTAssertTrue(try CoreValidator.validate(try SQLiteDatabase(path: path("was-a-file"), readOnly: true)).allSatisfy(\.passed))

        // A failing run (any reject is fatal) leaves no bundle and no temporaries.
        XCTAssertThrowsError(try convert(to: "failed.bundle") { $0.maxRejects = 0 })
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("failed.bundle")))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }, [])
    }

    func testOutputPathsAreSplitWithoutFoundationPathMethods() {
        XCTAssertEqual(Paths.split("b").folder, ".")
        XCTAssertEqual(Paths.split("b").name, "b")
        XCTAssertEqual(Paths.split("out/b").folder, "out")
        XCTAssertEqual(Paths.split("/b").folder, "/")
        XCTAssertEqual(Paths.trimmingTrailingSlashes("out//"), "out")
        XCTAssertEqual(Paths.trimmingTrailingSlashes("/"), "/")
    }

    func testDryRunWritesOnlyTheReport() throws {
        let report = try convert(to: "core.bundle") { $0.dryRun = true }
        XCTAssertTrue(report.validation.contains { $0.name == "bundle_row_counts" && $0.passed })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["report.json"])
    }
}
