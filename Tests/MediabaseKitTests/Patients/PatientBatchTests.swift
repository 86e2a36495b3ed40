import XCTest
@testable import MediabaseKit

/// The batch as a whole: duplicates, ids refused before anything is written, failures that do
/// not stop the others, legacy per-patient dumps, rejects, determinism and atomic outputs.
final class PatientBatchTests: XCTestCase {
    private var folder = ""
    private var output: String { (folder as NSString).appendingPathComponent("out") }

    override func setUpWithError() throws { folder = try Fixtures.scratchFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// Two rows for ENST00000269305 (lines 2 and 4) and two ids for PTEN's canonical transcript
    /// (lines 3 and 5).
    private let duplicates = """
        id,cancer_fold
        ENST00000269305,2
        ENSG00000171862,0.5
        ENST00000269305.3,4
        ENST00000371953,0.25
        ENST00000377970,3

        """

    func testDuplicatesAreAnErrorNamingBothLinesByDefault() throws {
        let report = try PatientFixtures.run(["P1.csv": duplicates], in: folder)
        XCTAssertEqual(report.failed, ["P1"])
        let error = try XCTUnwrap(report.patients[0].error)
        XCTAssertTrue(error.contains("P1.csv:4"), error)
        XCTAssertTrue(error.contains("ENST00000269305 already got one from line 2"), error)
        XCTAssertTrue(error.contains("--on-duplicate"), error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: (output as NSString).appendingPathComponent("patient_p1.sqlite")))
    }

    func testDuplicatesLastAndMean() throws {
        let last = try PatientFixtures.run(["P1.csv": duplicates], in: folder) { $0.onDuplicate = .last }
        XCTAssertEqual(last.patients[0].counts?.duplicateRows, 2)
        assertFoldChanges(try PatientFixtures.values(XCTUnwrap(last.patients[0].output)), ["ENST00000269305": 4, "ENST00000371953": 0.25, "ENST00000377970": 3])
        let mean = try PatientFixtures.run(["P1.csv": duplicates], in: folder) {
            $0.onDuplicate = .mean
            $0.force = true
        }
        assertFoldChanges(try PatientFixtures.values(XCTUnwrap(mean.patients[0].output)), ["ENST00000269305": 3, "ENST00000371953": 0.375, "ENST00000377970": 3])
        XCTAssertEqual(mean.patients[0].counts?.matched, 5)
    }

    func testDuplicatesThatAverageToOneAreNotStored() throws {
        let report = try PatientFixtures.run(["P1.csv": "transcript_id,fc\nENST00000269305,0.5\nENST00000269305,1.5\n"], in: folder) { $0.onDuplicate = .mean }
        XCTAssertEqual(report.patients[0].counts?.stored, 0)
        XCTAssertEqual(report.patients[0].status, "ok")
    }

    func testHostileManifestIdsAreRefusedBeforeAnythingIsWritten() throws {
        let good = try PatientFixtures.write(["good.csv": "transcript_id,fc\nENST00000269305,2\n"], in: folder)[0]
        for hostile in ["x; DROP TABLE metadata", "../etc", String(repeating: "a", count: 64), "paciente_ñ", "1st", "P1\"", "P1'); --"] {
            let manifest = (folder as NSString).appendingPathComponent("m.json")
            let entry = JSONValue.object([("patient_id", .string(hostile)), ("file", .string(good))])
            let document = JSONValue.object([("patients", .array([.object([("patient_id", .string("OK")), ("file", .string(good))]), entry]))])
            try Data(document.serialized().utf8).write(to: URL(fileURLWithPath: manifest))
            var options = PatientBatchOptions(core: PatientFixtures.corePath, output: output)
            options.manifest = manifest
            options.progress = .never
            XCTAssertThrowsError(try PatientBatch.run(options)) { error in
                XCTAssertTrue(error.localizedDescription.contains("is refused"), error.localizedDescription)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: output), "nothing written for \(hostile)")
        }
    }

    func testIdsFromFileNamesAndCollisions() throws {
        XCTAssertThrowsError(try PatientFixtures.run(["2024_sample.csv": "transcript_id,fc\n"], in: folder)) { error in
            XCTAssertTrue(error.localizedDescription.contains("the file name"), error.localizedDescription)
        }
        XCTAssertThrowsError(try PatientFixtures.run(["p1.csv": "transcript_id,fc\n", "P1.tsv": "transcript_id\tfc\n"], in: folder)) { error in
            XCTAssertTrue(error.localizedDescription.contains("both name patient_p1"), error.localizedDescription)
        }
        XCTAssertThrowsError(try PatientFixtures.run(["a.csv": "transcript_id,fc\n", "b.csv": "transcript_id,fc\n"], in: folder) { $0.patientId = "P9" }) { error in
            XCTAssertTrue(error.localizedDescription.contains("--patient-id"), error.localizedDescription)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        let named = try PatientFixtures.run(["P1.deseq2.csv": "transcript_id,fc\nENST00000269305,2\n"], in: folder) { $0.patientId = "Tumour_A" }
        XCTAssertEqual(named.patients[0].output, (output as NSString).appendingPathComponent("patient_tumour_a.sqlite"))
        XCTAssertEqual(try SQLiteDatabase(path: named.patients[0].output!, readOnly: true).scalar("SELECT patient_id FROM metadata"), "Tumour_A")
    }

    func testOneBadPatientDoesNotStopTheOthers() throws {
        let files = try PatientFixtures.write([
            "good1.csv": "transcript_id,cancer_fold\nENST00000269305,2\n",
            "noids.csv": "baseMean,log2FoldChange\n1,2\n",
            "good2.tsv": "gene_symbol\tlogFC\nMYC\t1\n",
        ], in: folder)
        var options = PatientBatchOptions(core: PatientFixtures.corePath, output: output)
        options.files = [files[0], files[1], (folder as NSString).appendingPathComponent("missing.csv"), files[2]]
        options.threads = 2
        options.progress = .never
        let report = try PatientBatch.run(options)
        XCTAssertEqual(report.patients.map(\.status), ["ok", "failed", "failed", "ok"])
        XCTAssertEqual(report.failed, ["noids", "missing"])
        XCTAssertEqual(report.succeeded, 2)
        XCTAssertTrue(report.patients[1].error?.contains("--id-column") == true)
        XCTAssertTrue(report.patients[2].error?.contains("no such file") == true, report.patients[2].error ?? "")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output).sorted(), ["patient_good1.sqlite", "patient_good2.sqlite", "report.json"])
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: (output as NSString).appendingPathComponent("report.json")))) as? [String: Any]
        XCTAssertEqual(written?["failed"] as? [String], ["noids", "missing"])
        XCTAssertTrue(PatientBatch.summary(report).contains("noids: FAILED: "))
    }

    func testLegacyPerPatientDump() throws {
        var options = PatientBatchOptions(core: PatientFixtures.corePath, output: output)
        options.files = [Fixtures.path("patients/legacy_patient_P7.sql")]
        options.patientId = "P7"
        options.progress = .never
        let report = try PatientBatch.run(options)
        let patient = report.patients[0]
        XCTAssertEqual(patient.status, "ok", patient.error ?? "")
        XCTAssertEqual(patient.fileFormat, "legacy_dump")
        XCTAssertEqual(patient.counts?.sourceNonBaselineRows, 7)
        XCTAssertEqual(patient.counts?.stored, 7)
        XCTAssertEqual(patient.counts?.skippedMissing, 1)
        XCTAssertTrue(patient.validation.contains { $0.name == "legacy_rows_migrated" && $0.passed })
        assertFoldChanges(try PatientFixtures.values(XCTUnwrap(patient.output)), [
            "ENST00000269305": 0.25, "ENST00000371953": 0.5, "ENST00000357654": 0.7, "ENST00000269571": 8.5,
            "ENST00000275493": 3.25, "ENST00000377970": 2.000000001, "ENST00000620000": .leastNonzeroMagnitude,
        ])
    }

    func testLegacyDumpWithRowsTheCoreLacksFailsTheComparison() throws {
        let dump = try String(contentsOfFile: Fixtures.path("patients/legacy_patient_P7.sql"), encoding: .utf8)
            .replacingOccurrences(of: "ENST00000377970\tMYC", with: "ENST00000999999\tMYC")
        let report = try PatientFixtures.run(["P8.sql": dump], in: folder)
        XCTAssertEqual(report.failed, ["P8"])
        XCTAssertTrue(report.patients[0].error?.contains("legacy_rows_migrated: 6 row(s) stored, the legacy dump has 7 non-baseline row(s)") == true,
                      report.patients[0].error ?? "")
    }

    func testRejectsFileNamesPatientFileAndLine() throws {
        let report = try PatientFixtures.run([
            "A.csv": "transcript_id,fc\nENST00000269305,2\nNOPE,3\n",
            "B.csv": "transcript_id,fc\nENST00000269305,-1\nENST00000377970,abc\n",
        ], in: folder) { $0.threads = 2 }
        XCTAssertEqual(report.rejects, 3)
        XCTAssertEqual(report.rejectsByReason, ["unmatched_id": 1, "non_positive_fold_change": 1, "non_numeric_value": 1])
        let lines = try String(contentsOfFile: XCTUnwrap(report.rejectsFile), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[0].hasPrefix("{\"patient\":\"A\",\"file\":\"\((folder as NSString).appendingPathComponent("A.csv"))\",\"reason\":\"unmatched_id\""), String(lines[0]))
        XCTAssertTrue(lines[0].contains("\"line\":3"), String(lines[0]))
        XCTAssertTrue(lines[0].contains("\"raw\":\"NOPE,3\""), String(lines[0]))
        XCTAssertTrue(lines[1].contains("\"patient\":\"B\"") && lines[1].contains("\"line\":2") && lines[1].contains("non_positive"), String(lines[1]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output).filter { $0.contains(".tmp-") }, [])
    }

    func testMaxRejectsFailsOnlyThatPatient() throws {
        let report = try PatientFixtures.run([
            "A.csv": "transcript_id,fc\nENST00000269305,2\n",
            "B.csv": "transcript_id,fc\nNOPE,3\n",
        ], in: folder) { $0.maxRejects = 0 }
        XCTAssertEqual(report.failed, ["B"])
        XCTAssertTrue(report.patients[1].error?.contains("--max-rejects 0") == true)
        XCTAssertEqual(report.rejects, 1)
    }

    func testOutputIsDeterministicWhateverTheThreads() throws {
        let files: KeyValuePairs<String, String> = [
            "A.csv": "\"\",\"log2FoldChange\"\n\"TP53\",1.5\n\"ENSG00000146648\",-0.25\n",
            "B.tsv": "transcript_id\tcancer_fold\nENST00000377970\t3\nENST00000269305\t0.5\n",
            "C.csv": "transcript_id,fc\nENST00000269571,7\n",
        ]
        let first = try PatientFixtures.run(files, in: folder) { $0.threads = 1 }
        let firstDumps = try first.patients.map { try Self.dump(XCTUnwrap($0.output)) }
        let second = try PatientFixtures.run(files, in: folder) {
            $0.threads = 3
            $0.force = true
        }
        XCTAssertEqual(try second.patients.map { try Self.dump(XCTUnwrap($0.output)) }, firstDumps)
        XCTAssertTrue(firstDumps[0].contains("1970-01-01T00:00:00Z"))
    }

    func testExistingOutputsNeedForceAndDryRunWritesOnlyTheReport() throws {
        let files: KeyValuePairs<String, String> = ["A.csv": "transcript_id,fc\nENST00000269305,2\n"]
        let dry = try PatientFixtures.run(files, in: folder) { $0.dryRun = true }
        XCTAssertEqual(dry.patients[0].status, "ok")
        XCTAssertEqual(dry.patients[0].counts?.stored, 1)
        XCTAssertTrue(dry.patients[0].validation.allSatisfy(\.passed))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output), ["report.json"])
        _ = try PatientFixtures.run(files, in: folder)
        XCTAssertThrowsError(try PatientFixtures.run(files, in: folder)) { error in
            XCTAssertTrue(error.localizedDescription.contains("--force"), error.localizedDescription)
        }
        XCTAssertEqual(try PatientFixtures.run(files, in: folder) { $0.force = true }.failed, [])
    }

    func testMetadataRecordsEveryCount() throws {
        let manifest = try PatientFixtures.write([
            "m.csv": "patient_id,file,cancer_type,read_depth_millions,clinical_notes,cohort\nP1,p1.csv,breast,42.5,\"HER2+, ER-\",A\n",
            "p1.csv": "transcript_id,cancer_fold\nENST00000269305,2\nENST00000377970,1\nNOPE,3\nENST00000275493,NA\n",
        ], in: folder)[0]
        var options = PatientBatchOptions(core: PatientFixtures.corePath, output: output)
        options.manifest = manifest
        options.progress = .never
        options.uploadDate = "2025-01-31T12:00:00Z"
        let report = try PatientBatch.run(options)
        let database = try SQLiteDatabase(path: XCTUnwrap(report.patients[0].output), readOnly: true)
        XCTAssertEqual(try database.rows("""
            SELECT patient_id, upload_date, source_file, file_format, normalization_method, total_transcripts_uploaded,
                   transcripts_matched, transcripts_unmatched, matching_success_rate, cancer_type, read_depth_millions, clinical_notes
            FROM metadata
            """), [["P1", "2025-01-31T12:00:00Z", "p1.csv", "fold_change_table", "linear", "3", "2", "1", "0.666666666666667", "breast", "42.5", "HER2+, ER-"]])
        let json = try JSON.parse(XCTUnwrap(database.scalar("SELECT metadata_json FROM metadata")))
        XCTAssertEqual(json["counts"]?["skipped_missing"], .number("1"))
        XCTAssertEqual(json["counts"]?["baseline_rows"], .number("1"))
        XCTAssertEqual(json["counts"]?["stored"], .number("1"))
        XCTAssertEqual(json["manifest"]?["cohort"], .string("A"))
        XCTAssertEqual(try database.scalar("SELECT created_at FROM expression_data"), "2025-01-31T12:00:00Z")
    }

    /// The schema and every row of a SQLite file, as `sqlite3 .dump` would list them.
    static func dump(_ path: String) throws -> String {
        let database = try SQLiteDatabase(path: path, readOnly: true)
        var lines = try database.rows("SELECT sql FROM sqlite_master ORDER BY name").map { $0[0] ?? "" }
        for table in ["expression_data", "metadata"] {
            lines += try database.rows("SELECT * FROM \(table)").map { $0.map { $0 ?? "NULL" }.joined(separator: "|") }
        }
        return lines.joined(separator: "\n")
    }
}
