import Foundation
import XCTest
@testable import MediabaseModel
@testable import MediabaseOutput
@testable import MediabaseValidate
@testable import MediabasePipeline
import MediabaseTestSupport

/// `patients --to bundle` as a whole: parts added to a bundle's manifest (the same bytes again
/// with --force), a new folder made a patients-only bundle, a dry run, a folder that is not a
/// bundle refused.
final class PatientBatchBundleTests: ScratchFolderTestCase {
    func testTheBatchAddsThePartsToABundleAndItsManifest() throws {
        let bundle = path("core.bundle")
        var convert = ConversionOptions(input: Fixtures.path("patients/core.sql"), output: bundle)
        convert.target = .bundle
        convert.progress = .never
        _ = try Conversion.run(convert)
        let before = try BundleManifest.read(folder: bundle)

        let files: KeyValuePairs = ["P2.csv": "transcript_id,fc\nENST00000269305,2\nENST00000371953,1\n", "P1.csv": "transcript_id,fc\nENST00000269305,0.5\n"]
        let report = try PatientFixtures.run(files, in: folder) {
            $0.output = bundle
            $0.target = .bundle
        }
        XCTAssertEqual(report.failed, [])
        let after = try BundleManifest.read(folder: bundle)
        XCTAssertEqual(Array(after.files.prefix(before.files.count)), before.files)
        XCTAssertEqual(after.files.dropFirst(before.files.count).map(\.name), ["patients/patient_p1.sql.gz", "patients/patient_p2.sql.gz"])
        XCTAssertEqual(after.rowsPerTable["patient_p2.expression_data"], 1)
        XCTAssertEqual(after.rowsPerTable["patient_p1.metadata"], 1)
        XCTAssertNil(after.patientsOnly)
        let checks = try BundleValidator.validate(folder: bundle)
        XCTAssertEqual(checks.filter { !$0.passed }, [])
        XCTAssertTrue(checks.contains { $0.name == "patients_no_baseline_rows" })

        // Again with --force: the same parts, the same manifest.
        let manifestBytes = try Data(contentsOf: URL(fileURLWithPath: (bundle as NSString).appendingPathComponent(BundleManifest.fileName)))
        _ = try PatientFixtures.run(files, in: folder) {
            $0.output = bundle
            $0.target = .bundle
            $0.force = true
            $0.threads = 2
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: (bundle as NSString).appendingPathComponent(BundleManifest.fileName))), manifestBytes)
    }

    func testANewFolderBecomesAPatientsOnlyBundle() throws {
        let bundle = path("patients.bundle")
        let report = try PatientFixtures.run(["P1.csv": "transcript_id,fc\nENST00000269305,0.5\n"], in: folder) {
            $0.output = bundle
            $0.target = .bundle
        }
        XCTAssertEqual(report.failed, [])
        let manifest = try BundleManifest.read(folder: bundle)
        XCTAssertEqual(manifest.patientsOnly, true)
        XCTAssertEqual(manifest.files.map(\.name), ["load.sh", "patients/patient_p1.sql.gz"])
        XCTAssertEqual(try BundleValidator.validate(folder: bundle).filter { !$0.passed }, [])
    }

    func testADryRunLeavesTheBundleAlone() throws {
        let bundle = path("new.bundle")
        let report = try PatientFixtures.run(["P1.csv": "transcript_id,fc\nENST00000269305,0.5\n"], in: folder) {
            $0.output = bundle
            $0.target = .bundle
            $0.dryRun = true
        }
        XCTAssertEqual(report.patients[0].status, "ok")
        XCTAssertTrue(report.patients[0].validation.allSatisfy(\.passed))
        XCTAssertFalse(FileManager.default.fileExists(atPath: bundle))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".tmp-") }, [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("report.json")))
    }

    func testAFolderThatIsNotABundleIsRefused() throws {
        let notBundle = path("plain")
        try FileManager.default.createDirectory(atPath: notBundle, withIntermediateDirectories: true)
        XCTAssertThrowsError(try PatientFixtures.run(["P1.csv": "transcript_id,fc\nENST00000269305,0.5\n"], in: folder) {
            $0.output = notBundle
            $0.target = .bundle
        }) { error in
            XCTAssertTrue(error.localizedDescription.contains("is not a mediabase bundle"), error.localizedDescription)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: notBundle), [])
    }
}
