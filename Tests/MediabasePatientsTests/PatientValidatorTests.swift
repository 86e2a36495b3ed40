import XCTest
@testable import MediabaseSQLite
@testable import MediabasePatients
@testable import MediabaseValidate
import MediabaseTestSupport

/// The patient checks of docs/spec.md §7 catch files corrupted by hand, including ones whose CHECK
/// constraints were bypassed by rebuilding the table.
final class PatientValidatorTests: ScratchFolderTestCase {
    private var patientFile = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        let report = try PatientFixtures.run(["P1.csv": "transcript_id,cancer_fold\nENST00000269305,2\nENST00000377970,0.5\nNOPE,3\n"], in: folder)
        patientFile = try XCTUnwrap(report.patients[0].output)
    }

    /// The names of the failed checks after `corruption` is run on the patient file.
    private func failedChecks(after corruption: String) throws -> [String] {
        try SQLiteDatabase(path: patientFile).execute(corruption)
        return try PatientValidator.validate(SQLiteDatabase(path: patientFile, readOnly: true), core: .memory(PatientFixtures.core)).filter { !$0.passed }.map(\.name)
    }

    func testAFileAsWrittenPasses() throws {
        let checks = try PatientValidator.validate(SQLiteDatabase(path: patientFile, readOnly: true), core: .memory(PatientFixtures.core))
        XCTAssertEqual(checks.filter { !$0.passed }.map(\.detail), [])
        XCTAssertEqual(checks.map(\.name), [
            "patient_schema_present", "integrity_check", "no_baseline_rows", "positive_fold_changes", "unique_transcripts",
            "no_orphan_transcripts", "one_metadata_row", "counts_add_up", "stored_rows",
        ])
    }

    func testTheCheckConstraintsHold() throws {
        XCTAssertThrowsError(try SQLiteDatabase(path: patientFile).execute("INSERT INTO expression_data VALUES ('ENST00000371953', 1.0, NULL, NULL)"))
        XCTAssertThrowsError(try SQLiteDatabase(path: patientFile).execute("INSERT INTO expression_data VALUES ('ENST00000371953', -2, NULL, NULL)"))
    }

    func testABaselineRowInATableRebuiltWithoutChecks() throws {
        let failed = try failedChecks(after: """
            CREATE TABLE fresh (transcript_id TEXT, expression_fold_change REAL, created_at TEXT, updated_at TEXT);
            INSERT INTO fresh SELECT * FROM expression_data;
            DROP TABLE expression_data;
            ALTER TABLE fresh RENAME TO expression_data;
            INSERT INTO expression_data VALUES ('ENST00000371953', 1.0, NULL, NULL);
            """)
        XCTAssertEqual(failed, ["patient_schema_present", "no_baseline_rows", "stored_rows"])
    }

    func testNonPositiveNonNumericOrphanAndDuplicateRows() throws {
        let failed = try failedChecks(after: """
            CREATE TABLE fresh (transcript_id TEXT, expression_fold_change, created_at TEXT, updated_at TEXT);
            INSERT INTO fresh SELECT * FROM expression_data;
            DROP TABLE expression_data;
            ALTER TABLE fresh RENAME TO expression_data;
            CREATE INDEX idx_expression_data_fold_change ON expression_data (expression_fold_change);
            INSERT INTO expression_data VALUES ('ENST00000371953', -0.5, NULL, NULL), ('ENST00000275493', 'high', NULL, NULL),
                ('ENST00000999999', 2, NULL, NULL), ('ENST00000269305', 3, NULL, NULL);
            """)
        XCTAssertEqual(failed, ["patient_schema_present", "positive_fold_changes", "unique_transcripts", "no_orphan_transcripts", "stored_rows"])
    }

    func testMetadataRowsAndCounts() throws {
        XCTAssertEqual(try failedChecks(after: "UPDATE metadata SET transcripts_unmatched = 2"), ["counts_add_up"])
        XCTAssertEqual(try failedChecks(after: "INSERT INTO metadata (patient_id, upload_date, total_transcripts_uploaded, transcripts_matched, transcripts_unmatched) VALUES ('P2', 'x', 0, 0, 0)"),
                       ["one_metadata_row"])
        XCTAssertEqual(try failedChecks(after: "DELETE FROM metadata"), ["one_metadata_row"])
    }

    func testWithoutACoreTheOrphanCheckSaysItWasSkipped() throws {
        let checks = try PatientValidator.validate(SQLiteDatabase(path: patientFile, readOnly: true), core: nil)
        XCTAssertEqual(checks.first { $0.name == "no_orphan_transcripts" }?.detail, "skipped: no core to check against (give --core)")
    }

    func testValidationOfAFolderFindsTheCore() throws {
        let patients = (patientFile as NSString).deletingLastPathComponent
        try FileManager.default.copyItem(atPath: PatientFixtures.corePath, toPath: (patients as NSString).appendingPathComponent("core.sqlite"))
        try SQLiteDatabase(path: patientFile).execute("""
            CREATE TABLE fresh (transcript_id TEXT, expression_fold_change REAL, created_at TEXT, updated_at TEXT);
            INSERT INTO fresh SELECT * FROM expression_data;
            DROP TABLE expression_data;
            ALTER TABLE fresh RENAME TO expression_data;
            UPDATE expression_data SET transcript_id = 'ENST00000999999' WHERE transcript_id = 'ENST00000269305';
            """)
        let results = try OutputValidation.run(path: patients, corePath: nil)
        XCTAssertEqual(results.map(\.kind), [.core, .patient])
        XCTAssertTrue(results[0].passed)
        XCTAssertEqual(results[1].checks.filter { !$0.passed }.map(\.name), ["patient_schema_present", "no_orphan_transcripts"])
    }
}
