import XCTest
@testable import MediabaseBytes
@testable import MediabaseSQLite
@testable import MediabaseModel
@testable import MediabasePatients
@testable import MediabasePipeline
import MediabaseTestSupport

/// The batch as a whole: duplicates, ids refused before anything is written, failures that do
/// not stop the others, legacy per-patient dumps, rejects, determinism and atomic outputs.
final class PatientBatchTests: ScratchFolderTestCase {
    private var output: String { path("out") }

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
        XCTAssertTrue(error.contains("line 4 gives \"ENST00000269305.3\" (ENST00000269305 in the core) the fold change 4.0 and line 2 gave \"ENST00000269305\" 2.0"), error)
        XCTAssertTrue(error.contains("--on-duplicate"), error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: (output as NSString).appendingPathComponent("patient_p1.sqlite")))
    }

    func testAConflictNamesTheIdsAsTheFileWroteThem() throws {
        let report = try PatientFixtures.run(["P1.tsv": "gene_symbol\tlog2FoldChange\nPTEN\t1\nMYC\t2\nmetazoa_srp\t-1\nEGFR\t1\nMyc\t3\n"], in: folder)
        let error = try XCTUnwrap(report.patients[0].error)
        XCTAssertTrue(error.contains("P1.tsv:6"), error)
        XCTAssertTrue(error.contains("line 6 gives \"Myc\" (ENST00000377970 in the core) the fold change 8.0 and line 3 gave \"MYC\" (ENST00000377970 in the core) 4.0"), error)
        let shared = try PatientFixtures.run(["P2.csv": "id,fc\nENST00000620000,2\nMetazoa_SRP,3\n"], in: folder)
        let sharedError = try XCTUnwrap(shared.patients[0].error)
        XCTAssertTrue(sharedError.contains("line 3 gives \"Metazoa_SRP\" (ENST00000620000 in the core) the fold change 3.0 and line 2 gave \"ENST00000620000\" 2.0"), sharedError)
    }

    /// docs/spec.md §5.2: rows that reach one transcript with the same value are no conflict, under
    /// every policy; the value is stored once.
    func testEqualDuplicatesGiveTheirValue() throws {
        let table = "id,cancer_fold\nENST00000269305.7,2.5\nENST00000269305,2.5\nTP53,2.5\nENSG00000171862,1.0\nPTEN,1\nENST00000371953.2,1.0\n"
        for policy in DuplicatePolicy.allCases {
            let report = try PatientFixtures.run(["P1.csv": table], in: folder) {
                $0.onDuplicate = policy
                $0.force = true
            }
            let patient = report.patients[0]
            XCTAssertEqual(patient.status, "ok", "\(policy): \(patient.error ?? "")")
            XCTAssertEqual(patient.counts?.duplicateRows, 4, "\(policy)")
            XCTAssertEqual(patient.counts?.matched, 6)
            XCTAssertEqual(patient.counts?.stored, 1)
            assertFoldChanges(try PatientFixtures.values(XCTUnwrap(patient.output)), ["ENST00000269305": 2.5])
        }
    }

    /// A v0.5 dump as users have them: a transcript twice after version stripping, both at 1.0; and
    /// the same at another value, which is one source row and one stored row.
    func testALegacyDumpRepeatingATranscriptWithTheSameValue() throws {
        let dump = try String(contentsOfFile: Fixtures.path("patients/legacy_patient_P7.sql"), encoding: .utf8)
        let lines = dump.components(separatedBy: "\n")
        for (suffix, value) in [("A", "1.0"), ("B", "8.5")] {
            let extra = value == "1.0" ? "ENST00000282470.7\tSPARCL1\tENSG00000152583\tprotein_coding\tchr4\t1.0" : "ENST00000269571.4\tERBB2\tENSG00000141736\tprotein_coding\tchr17\t8.5"
            let anchor = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("ENST00000620000\t") })
            var edited = lines
            edited.insert(extra, at: anchor + 1)
            let report = try PatientFixtures.run(["P\(suffix).sql": edited.joined(separator: "\n")], in: folder)
            let patient = report.patients[0]
            XCTAssertEqual(patient.status, "ok", patient.error ?? "")
            XCTAssertEqual(patient.counts?.duplicateRows, 1)
            XCTAssertEqual(patient.counts?.sourceNonBaselineRows, 7)
            XCTAssertEqual(patient.counts?.stored, 7)
            XCTAssertTrue(patient.validation.contains { $0.name == "legacy_rows_migrated" && $0.passed })
        }
        // A different value for the same transcript is still a conflict, naming both lines.
        let anchor = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("ENST00000620000\t") })
        var conflicting = lines
        conflicting.insert("ENST00000269571.4\tERBB2\tENSG00000141736\tprotein_coding\tchr17\t9", at: anchor + 1)
        let report = try PatientFixtures.run(["PC.sql": conflicting.joined(separator: "\n")], in: folder)
        let error = try XCTUnwrap(report.patients[0].error)
        XCTAssertTrue(error.contains("gives \"ENST00000269571.4\" (ENST00000269571 in the core) the fold change 9.0 and line"), error)
        XCTAssertTrue(error.contains("gave \"ENST00000269571.7\" (ENST00000269571 in the core) 8.5"), error)
    }

    /// docs/spec.md §5.2: a symbol several genes share gives its value to each of them; the report counts
    /// the rows and names the symbols.
    func testASharedSymbolReachesEveryGene() throws {
        let table = "gene_symbol,logFC\nMetazoa_SRP,2\nTP53,-1\n"
        let canonical = try PatientFixtures.run(["P1.csv": table], in: folder)
        let patient = canonical.patients[0]
        XCTAssertEqual(patient.status, "ok", patient.error ?? "")
        assertFoldChanges(try PatientFixtures.values(XCTUnwrap(patient.output)), ["ENST00000610000": 4, "ENST00000620000": 4, "ENST00000269305": 0.5])
        XCTAssertEqual(patient.counts?.sharedSymbolRows, 1)
        XCTAssertEqual(patient.counts?.matched, 2)
        XCTAssertEqual(patient.sharedSymbols, ["Metazoa_SRP"])
        XCTAssertTrue(PatientBatch.summary(canonical).contains("shared symbols: 1 row(s) (Metazoa_SRP)"), PatientBatch.summary(canonical))
        let metadata = try SQLiteDatabase(path: XCTUnwrap(patient.output), readOnly: true).scalar("SELECT metadata_json FROM metadata") ?? ""
        XCTAssertTrue(metadata.contains("\"shared_symbols\":[\"Metazoa_SRP\"]"), metadata)
        XCTAssertTrue(metadata.contains("\"shared_symbol_rows\":1"), metadata)

        let all = try PatientFixtures.run(["P1.csv": table], in: folder) {
            $0.symbolMapping = .allTranscripts
            $0.force = true
        }
        assertFoldChanges(try PatientFixtures.values(XCTUnwrap(all.patients[0].output)), [
            "ENST00000610000": 4, "ENST00000620000": 4, "ENST00000269305": 0.5, "ENST00000359597": 0.5, "ENST00000413465": 0.5,
        ])
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

    /// docs/spec.md §5.2: one bad patient does not stop the others, a bad id included.
    func testHostileManifestIdsRefuseThatPatientAlone() throws {
        let good = try PatientFixtures.write(["good.csv": "transcript_id,fc\nENST00000269305,2\n"], in: folder)[0]
        for target in [OutputTarget.sqlite, .bundle] {
            for hostile in ["x; DROP SCHEMA public", "../etc", String(repeating: "a", count: 64), "paciente_ñ", "1st", "P1\"", "P1'); --", "x\ny"] {
                let output = (folder as NSString).appendingPathComponent("out-\(target.rawValue)")
                try? FileManager.default.removeItem(atPath: output)
                let manifest = path("m.json")
                let entry = JSONValue.object([("patient_id", .string(hostile)), ("file", .string(good))])
                let document = JSONValue.object([("patients", .array([.object([("patient_id", .string("OK")), ("file", .string(good))]), entry]))])
                try Data(document.serialized().utf8).write(to: URL(fileURLWithPath: manifest))
                var options = PatientBatchOptions(core: PatientFixtures.corePath, output: output)
                options.manifest = manifest
                options.target = target
                options.progress = .never
                let report = try PatientBatch.run(options)
                XCTAssertEqual(report.patients.map(\.status), ["ok", "failed"], hostile)
                XCTAssertEqual(report.failed, [hostile])
                XCTAssertNil(report.patients[1].schema)
                XCTAssertTrue(report.patients[1].error?.contains("is refused") == true, report.patients[1].error ?? "")
                XCTAssertTrue(report.patients[1].error?.contains("manifest \(manifest) patients[1]") == true, report.patients[1].error ?? "")
                XCTAssertTrue(PatientBatch.summary(report).contains("  \(PatientId.quoted(hostile)): FAILED: "), PatientBatch.summary(report))
                let written = target == .sqlite ? ["patient_ok.sqlite", "report.json"] : ["patient_ok.sql.gz", "report.json"]
                let folder = target == .sqlite ? output : (output as NSString).appendingPathComponent("patients")
                XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), written, hostile)
                let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("report.json")))) as? [String: Any]
                XCTAssertEqual(json?["failed"] as? [String], [hostile])
            }
        }
    }

    func testIdsFromFileNamesAndCollisions() throws {
        let badName = try PatientFixtures.run(["2024_sample.csv": "transcript_id,fc\n", "good.csv": "transcript_id,fc\nENST00000269305,2\n"], in: folder)
        XCTAssertEqual(badName.failed, ["2024_sample"])
        XCTAssertTrue(badName.patients[0].error?.contains("the file name") == true, badName.patients[0].error ?? "")
        XCTAssertEqual(badName.patients[1].status, "ok")
        // Ids equal but for case would share patient_p1: every one of them is refused.
        let clash = try PatientFixtures.run(["p1.csv": "transcript_id,fc\n", "P1.tsv": "transcript_id\tfc\n", "P2.csv": "transcript_id,fc\nENST00000269305,2\n"], in: folder) {
            $0.force = true
        }
        XCTAssertEqual(clash.failed, ["p1", "P1"])
        XCTAssertTrue(clash.patients[0].error?.contains("\"P1\" from the file name") == true, clash.patients[0].error ?? "")
        XCTAssertTrue(clash.patients[1].error?.contains("\"p1\" from the file name") == true, clash.patients[1].error ?? "")
        XCTAssertTrue(clash.patients[0].error?.contains("also names patient_p1") == true, clash.patients[0].error ?? "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: (output as NSString).appendingPathComponent("patient_p1.sqlite")))
        XCTAssertEqual(clash.patients[2].status, "ok")
        XCTAssertThrowsError(try PatientFixtures.run(["a.csv": "transcript_id,fc\n", "b.csv": "transcript_id,fc\n"], in: folder) { $0.patientId = "P9" }) { error in
            XCTAssertTrue(error.localizedDescription.contains("--patient-id"), error.localizedDescription)
        }
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
        options.files = [files[0], files[1], path("missing.csv"), files[2]]
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
        XCTAssertTrue(lines[0].hasPrefix("{\"patient\":\"A\",\"file\":\"\(path("A.csv"))\",\"reason\":\"unmatched_id\""), String(lines[0]))
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
