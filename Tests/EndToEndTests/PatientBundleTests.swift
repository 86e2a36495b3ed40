import Foundation
import MediabaseTestSupport
import XCTest
import MediabaseSQLite

/// `patients --to bundle` with the built binary on the generated fixture: the parts added to a
/// core bundle load with its load.sh into a real PostgreSQL, every patient schema holds the rows
/// of the SQLite patient file of the same input, and the guide's example query gives the same
/// answer on both; a new folder becomes a patients-only bundle that loads after the core.
final class PatientBundleTests: PostgresBundleTestCase {

    private static let fixtures = (repositoryRoot as NSString).appendingPathComponent("fixtures/generated/seed1-genes12")

    private static var binary: String { Repository.binary }

    private func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// Runs the binary; asserts exit status 0 unless told otherwise.
    @discardableResult
    private func mediabase(_ arguments: [String], status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try Subprocess.shell("exec \"$0\" \"$@\"", arguments: [Self.binary] + arguments)
        XCTAssertEqual(result.status, status, result.text, file: file, line: line)
        return result.text
    }

    /// The SQLite output of `sql` on `database`, one row per line, fields split at `|`.
    private func sqlite(_ database: String, attach: [(String, String)] = [], _ sql: String) throws -> [[String]] {
        let attachments = attach.flatMap { ["-cmd", "ATTACH '\($0.0)' AS \($0.1)"] }
        let result = try Subprocess.shell("exec \"$0\" \"$@\"", arguments: ["sqlite3"] + attachments + [database, sql], environment: ProcessInfo.processInfo.environment, mergingErrors: false)
        XCTAssertEqual(result.status, 0, String(decoding: result.errors, as: UTF8.self))
        return rows(String(decoding: result.output, as: UTF8.self))
    }

    private func rows(_ text: String) -> [[String]] {
        text.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    func testPatientPartsLoadIntoPostgresWithTheSQLiteFilesRows() throws {
        let manifest = (Self.fixtures as NSString).appendingPathComponent("patients/patients.csv")
        try mediabase(["convert", (Self.fixtures as NSString).appendingPathComponent("mbase.sql"), "--to", "sqlite", path("core.sqlite"), "--progress", "never"])
        try mediabase(["convert", (Self.fixtures as NSString).appendingPathComponent("mbase.sql"), "--to", "bundle", path("core.bundle"), "--progress", "never"])
        try mediabase(["patients", "--manifest", manifest, "--core", path("core.sqlite"), "--to", "sqlite", path("sqlite"), "--progress", "never"])
        let run = try mediabase(["patients", "--manifest", manifest, "--core", path("core.sqlite"), "--to", "bundle", path("core.bundle"), "--threads", "2", "--progress", "never"])
        XCTAssertTrue(run.contains("8 ok, 0 failed"), run)
        let validation = try mediabase(["validate", path("core.bundle")])
        XCTAssertTrue(validation.contains("patients_no_baseline_rows"), validation)

        try postgres.createDatabase("patients_core")
        let load = try Subprocess.shell("\"$0\"/load.sh patients_core", arguments: [path("core.bundle")], environment: postgres.environment)
        XCTAssertEqual(load.status, 0, load.text)

        let files = try FileManager.default.contentsOfDirectory(atPath: path("sqlite")).filter { $0.hasSuffix(".sqlite") }.sorted()
        XCTAssertEqual(files.count, 8)
        let schemas = try postgres.psql(sql: "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'patient\\_%' ORDER BY 1", database: "patients_core").split(separator: "\n").map(String.init)
        XCTAssertEqual(schemas, files.map { String($0.dropLast(".sqlite".count)) })

        var overexpressed = 0
        for schema in schemas {
            let file = path("sqlite/\(schema).sqlite")
            // The doubles themselves from SQLite (its shell prints 15 digits, its printf is not
            // exact past 15 either); PostgreSQL prints the shortest exact text.
            var expected: [[String]] = []
            var expectedValues: [Double] = []
            let statement = try SQLiteDatabase(path: file, readOnly: true).prepare("SELECT transcript_id, created_at, updated_at, expression_fold_change FROM expression_data ORDER BY transcript_id")
            while try statement.step() {
                expected.append((0..<3).map { statement.text($0) ?? "" })
                expectedValues.append(statement.double(3))
            }
            let loaded = rows(try postgres.psql(sql: "SELECT transcript_id, created_at, updated_at, expression_fold_change FROM \(schema).expression_data ORDER BY transcript_id COLLATE \"C\"", database: "patients_core"))
            XCTAssertFalse(expected.isEmpty, schema)
            XCTAssertEqual(loaded.map { Array($0.prefix(3)) }, expected, schema)
            XCTAssertEqual(loaded.map { Double($0[3]) }, expectedValues, schema)

            let columns = "patient_id, upload_date, source_file, file_format, normalization_method, total_transcripts_uploaded, transcripts_matched, transcripts_unmatched, matching_success_rate, clinical_notes, cancer_type, cancer_subtype, tissue_type, sample_type, sequencing_platform, read_depth_millions"
            let expectedMetadata = try sqlite(file, "SELECT \(columns), metadata_json FROM metadata")
            let loadedMetadata = rows(try postgres.psql(sql: "SELECT \(columns), metadata_json FROM \(schema).metadata", database: "patients_core"))
            XCTAssertEqual(expectedMetadata.count, 1, schema)
            XCTAssertEqual(loadedMetadata.count, 1, schema)
            guard let want = expectedMetadata.first, let got = loadedMetadata.first else { continue }
            for (index, (want, got)) in zip(want, got).enumerated() {
                if index == 16 {
                    // jsonb keeps the content, not the spelling.
                    XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(got.utf8)) as? NSDictionary, try JSONSerialization.jsonObject(with: Data(want.utf8)) as? NSDictionary, schema)
                } else if let wantNumber = Double(want), let gotNumber = Double(got) {
                    XCTAssertEqual(gotNumber, wantNumber, accuracy: abs(wantNumber) * 1e-12, "\(schema) column \(index)")
                } else {
                    XCTAssertEqual(got, want, "\(schema) column \(index)")
                }
            }

            // The guide's first query, unchanged but for a tie-break, on both targets.
            let query = """
                SELECT g.gene_symbol, COALESCE(pe.expression_fold_change, 1.0) AS fold_change
                FROM public.transcripts t
                LEFT JOIN \(schema).expression_data pe ON t.transcript_id = pe.transcript_id
                JOIN public.genes g ON t.gene_id = g.gene_id
                WHERE COALESCE(pe.expression_fold_change, 1.0) > 2.0
                ORDER BY COALESCE(pe.expression_fold_change, 1.0) DESC, t.transcript_id
                LIMIT 20;
                """
            let fromSQLite = try sqlite(":memory:", attach: [(path("core.sqlite"), "public"), (file, schema)], query)
            let fromPostgres = rows(try postgres.psql(sql: query, database: "patients_core"))
            XCTAssertEqual(fromPostgres.map { $0[0] }, fromSQLite.map { $0[0] }, schema)
            XCTAssertEqual(fromPostgres.map { Double($0[1]).map { String(format: "%.10g", $0) } }, fromSQLite.map { Double($0[1]).map { String(format: "%.10g", $0) } }, schema)
            overexpressed += fromPostgres.count

            // The guide's validation queries.
            XCTAssertEqual(try postgres.psql(sql: "SELECT COUNT(*) FROM \(schema).expression_data WHERE expression_fold_change = 1.0; SELECT COUNT(*) FROM \(schema).metadata;", database: "patients_core"), "0\n1\n")
        }
        XCTAssertGreaterThan(overexpressed, 0, "the fixture has overexpressed genes")
    }

    func testANewFolderIsAPatientsOnlyBundleLoadedAfterTheCore() throws {
        let manifest = (Self.fixtures as NSString).appendingPathComponent("patients/patients.csv")
        try mediabase(["convert", (Self.fixtures as NSString).appendingPathComponent("mbase.sql"), "--to", "sqlite", path("core.sqlite"), "--progress", "never"])
        try mediabase(["convert", (Self.fixtures as NSString).appendingPathComponent("mbase.sql"), "--to", "bundle", path("core.bundle"), "--progress", "never"])
        try mediabase(["patients", "--manifest", manifest, "--core", path("core.sqlite"), "--to", "bundle", path("patients.bundle"), "--progress", "never"])
        try mediabase(["validate", path("patients.bundle")])

        // A folder that is not a bundle is refused, and left as it was.
        try FileManager.default.createDirectory(atPath: path("plain"), withIntermediateDirectories: false)
        let refused = try mediabase(["patients", "--manifest", manifest, "--core", path("core.sqlite"), "--to", "bundle", path("plain")], status: 1)
        XCTAssertTrue(refused.contains("is not a mediabase bundle"), refused)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path("plain")), [])

        try postgres.createDatabase("patients_apart")
        for bundle in ["core.bundle", "patients.bundle"] {
            let load = try Subprocess.shell("\"$0\"/load.sh patients_apart", arguments: [path(bundle)], environment: postgres.environment)
            XCTAssertEqual(load.status, 0, load.text)
        }
        XCTAssertEqual(try postgres.psql(sql: "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'patient\\_%'", database: "patients_apart"), "8\n")
        XCTAssertEqual(try postgres.psql(sql: "SELECT count(*) FROM patient_p008_paad.expression_data pe JOIN public.transcripts t USING (transcript_id)", database: "patients_apart"),
                       try postgres.psql(sql: "SELECT count(*) FROM patient_p008_paad.expression_data", database: "patients_apart"))
    }
}
