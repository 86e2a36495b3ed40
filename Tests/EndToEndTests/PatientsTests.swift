import Foundation
import MediabaseTestSupport
import XCTest

/// Runs the built `mediabase` binary and the `sqlite3` shell on `fixtures/patients/`: the second
/// migration guide's example queries run unchanged once the core is attached as `public` and
/// the patient file as `patient_PATIENT123`; a bad patient makes the exit status 1 without
/// stopping the others; a hostile id is refused before anything is written.
final class PatientsTests: XCTestCase {
    private var folder = ""
    private var core: String { (folder as NSString).appendingPathComponent("core.sqlite") }
    private var patients: String { (folder as NSString).appendingPathComponent("patients") }

    override func setUpWithError() throws {
        folder = try Repository.scratchFolder("e2e")
        let convert = try Self.run(Self.binary, ["convert", Self.fixture("core.sql"), "--to", "sqlite", core, "--progress", "never"])
        XCTAssertEqual(convert.status, 0, convert.stderr)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func testTheGuidesQueriesRunUnchangedWithSqlite3() throws {
        let run = try Self.run(Self.binary, ["patients", "--manifest", Self.fixture("manifest.csv"), "--core", core, "--to", "sqlite", patients, "--progress", "never"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("2 ok, 0 failed"), run.stderr)

        // Query 1 of the guide: overexpressed genes.
        XCTAssertEqual(try guideQuery("""
            SELECT
                g.gene_symbol,
                COALESCE(pe.expression_fold_change, 1.0) as fold_change
            FROM public.transcripts t
            LEFT JOIN patient_PATIENT123.expression_data pe
                ON t.transcript_id = pe.transcript_id
            JOIN public.genes g
                ON t.gene_id = g.gene_id
            WHERE COALESCE(pe.expression_fold_change, 1.0) > 2.0
            ORDER BY COALESCE(pe.expression_fold_change, 1.0) DESC
            LIMIT 20;
            """), [["ERBB2", number(8)], ["EGFR", number(4)], ["MYC", number(pow(2, 1.5))]])

        // Query 2: drug targeting, joining the carried-through opentargets_known_drugs.
        XCTAssertEqual(try guideQuery("""
            SELECT
                g.gene_symbol,
                COALESCE(pe.expression_fold_change, 1.0) as fold_change,
                okd.molecule_name,
                okd.mechanism_of_action,
                okd.clinical_phase_label
            FROM public.transcripts t
            LEFT JOIN patient_PATIENT123.expression_data pe
                ON t.transcript_id = pe.transcript_id
            JOIN public.genes g
                ON t.gene_id = g.gene_id
            JOIN public.opentargets_known_drugs okd
                ON g.gene_id = okd.target_gene_id
            WHERE COALESCE(pe.expression_fold_change, 1.0) > 3.0
              AND okd.is_approved = true
            ORDER BY COALESCE(pe.expression_fold_change, 1.0) DESC;
            """), [
                ["ERBB2", number(8), "TRASTUZUMAB", "Receptor protein-tyrosine kinase erbB-2 inhibitor", "Approved"],
                ["EGFR", number(4), "ERLOTINIB", "Epidermal growth factor receptor erbB1 inhibitor", "Approved"],
            ])

        // Query 3: tumour suppressor loss.
        XCTAssertEqual(try guideQuery("""
            SELECT
                g.gene_symbol,
                COALESCE(pe.expression_fold_change, 1.0) as fold_change,
                ROUND((1.0 - COALESCE(pe.expression_fold_change, 1.0)) * 100, 1) as percent_loss
            FROM public.transcripts t
            LEFT JOIN patient_PATIENT123.expression_data pe
                ON t.transcript_id = pe.transcript_id
            JOIN public.genes g
                ON t.gene_id = g.gene_id
            WHERE g.gene_symbol IN ('TP53', 'PTEN', 'RB1', 'BRCA1', 'BRCA2')
              AND COALESCE(pe.expression_fold_change, 1.0) < 0.8
            ORDER BY COALESCE(pe.expression_fold_change, 1.0) ASC;
            """), [["TP53", number(0.25), number(75)], ["PTEN", number(0.5), number(50)], ["BRCA1", number(pow(2, -0.5)), number(29.3)]])

        // The validation queries of the guide: no baseline rows stored, one metadata row.
        let sparse = try Self.run("/usr/bin/env", ["sqlite3", "-cmd", "ATTACH '\(patients)/patient_patient123.sqlite' AS patient_PATIENT123", ":memory:",
                                                   "SELECT COUNT(*) FROM patient_PATIENT123.expression_data WHERE expression_fold_change = 1.0; SELECT COUNT(*) FROM patient_PATIENT123.metadata;"])
        XCTAssertEqual(sparse.stdout, "0\n1\n", sparse.stderr)

        let validate = try Self.run(Self.binary, ["validate", patients, "--core", core])
        XCTAssertEqual(validate.status, 0, validate.stdout)
        XCTAssertFalse(validate.stdout.contains("FAIL"), validate.stdout)
    }

    func testABadPatientMakesTheExitStatusOneAndTheOthersAreWritten() throws {
        let bad = (folder as NSString).appendingPathComponent("NoIds.csv")
        try Data("baseMean,log2FoldChange\n1,2\n".utf8).write(to: URL(fileURLWithPath: bad))
        let run = try Self.run(Self.binary, ["patients", Self.fixture("PATIENT123.deseq2.csv"), bad, "--core", core, "--to", "sqlite", patients, "--threads", "2", "--progress", "never"])
        XCTAssertEqual(run.status, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("NoIds: FAILED: "), run.stderr)
        XCTAssertTrue(run.stderr.contains("--id-column"), run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: (patients as NSString).appendingPathComponent("patient_patient123.sqlite")))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: (patients as NSString).appendingPathComponent("report.json")))) as? [String: Any]
        XCTAssertEqual(report?["failed"] as? [String], ["NoIds"])
    }

    /// Issue 12: a manifest with one hostile id writes the other patients and exits 1, for both
    /// targets; the refused patient is in the summary and in report.json.
    func testAHostileIdFailsThatPatientAloneForEitherTarget() throws {
        let manifest = (folder as NSString).appendingPathComponent("m.csv")
        try Data("patient_id,file\n\"x; DROP SCHEMA public\",\(Self.fixture("PATIENT123.deseq2.csv"))\nP2,\(Self.fixture("PATIENT123.deseq2.csv"))\n".utf8)
            .write(to: URL(fileURLWithPath: manifest))
        for target in ["sqlite", "bundle"] {
            let output = (folder as NSString).appendingPathComponent("out-\(target)")
            let run = try Self.run(Self.binary, ["patients", "--manifest", manifest, "--core", core, "--to", target, output, "--progress", "never"])
            XCTAssertEqual(run.status, 1, run.stderr)
            XCTAssertTrue(run.stderr.contains("1 ok, 1 failed"), run.stderr)
            XCTAssertTrue(run.stderr.contains("\"x; DROP SCHEMA public\": FAILED: patient id \"x; DROP SCHEMA public\" from manifest \(manifest) line 2 is refused"), run.stderr)
            let written = target == "sqlite" ? output : (output as NSString).appendingPathComponent("patients")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: written).sorted(),
                           [target == "sqlite" ? "patient_p2.sqlite" : "patient_p2.sql.gz", "rejects.jsonl", "report.json"])
            let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: (written as NSString).appendingPathComponent("report.json")))) as? [String: Any]
            XCTAssertEqual(report?["failed"] as? [String], ["x; DROP SCHEMA public"])
            let validate = try Self.run(Self.binary, ["validate", output, "--core", core])
            XCTAssertEqual(validate.status, 0, validate.stdout + validate.stderr)
        }
    }

    // MARK: - Helpers

    /// Runs `sql` with the core attached as `public` and PATIENT123 as `patient_PATIENT123`; each
    /// output row split at `|`, numbers written by ``number(_:)``.
    private func guideQuery(_ sql: String) throws -> [[String]] {
        let run = try Self.run("/usr/bin/env", [
            "sqlite3", "-cmd", "ATTACH '\(core)' AS public", "-cmd", "ATTACH '\(patients)/patient_patient123.sqlite' AS patient_PATIENT123", ":memory:", sql,
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        return run.stdout.split(separator: "\n").map { line in
            line.split(separator: "|", omittingEmptySubsequences: false).map { field in Double(field).map(number) ?? String(field) }
        }
    }

    /// A number to 10 significant digits: sqlite3 prints 15, so printed and computed values meet.
    private func number(_ value: Double) -> String { String(format: "%.10g", value) }

    private static func fixture(_ name: String) -> String { Repository.path("fixtures/patients/\(name)") }

    private static var binary: String { Repository.binary }

    private static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let outcome = try Subprocess.spawn([executable] + arguments)
        return (outcome.status, outcome.text, String(decoding: outcome.errors, as: UTF8.self))
    }
}
