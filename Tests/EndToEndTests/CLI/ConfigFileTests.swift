import Foundation
import MediabaseTestSupport
import XCTest

/// `--config FILE`: YAML and JSON files with the flags' names as keys set the options a flag
/// would, flags win, and a misspelt key or a bad value stops the run with the file and line.
final class ConfigFileTests: ScratchFolderTestCase {
    private static let dump = Fixtures.path("generated/seed1-genes12/mbase.sql")


    private func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    private func convert(_ extra: [String], output: String = "core.sqlite") throws -> Subprocess.Outcome {
        try Subprocess.spawn([Repository.binary, "convert", Self.dump, "--to", "sqlite", path(output), "--progress", "never"] + extra)
    }

    private func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    func testYAMLKeysSetTheOptionsWithDashesOrUnderscores() throws {
        let config = try write("run.yaml", "# settings\nreport: \(path("elsewhere.json"))\nmax_rejects: 5\n--threads: 1\nprogress: never\n")
        let result = try convert(["--config", config])
        XCTAssertEqual(result.status, 0, String(decoding: result.errors, as: UTF8.self))
        XCTAssertTrue(exists("core.sqlite"))
        XCTAssertTrue(exists("elsewhere.json"), "report: moved the report")
        XCTAssertFalse(exists("report.json"), "no report at the default place")
    }

    func testJSONKeysSetTheOptions() throws {
        let config = try write("run.json", "{\n  \"dry-run\": true,\n  \"report\": \"\(path("dry.json"))\",\n  \"threads\": 2\n}\n")
        let result = try convert(["--config", config])
        XCTAssertEqual(result.status, 0, String(decoding: result.errors, as: UTF8.self))
        XCTAssertFalse(exists("core.sqlite"), "dry-run: true writes no output")
        XCTAssertTrue(exists("dry.json"), "the report of a dry run")
    }

    func testAFlagWinsOverTheFile() throws {
        let config = try write("run.yaml", "report: \(path("from-file.json"))\n")
        let result = try convert(["--config", config, "--report", path("from-flag.json")])
        XCTAssertEqual(result.status, 0, String(decoding: result.errors, as: UTF8.self))
        XCTAssertTrue(exists("from-flag.json"))
        XCTAssertFalse(exists("from-file.json"))
    }

    /// Each bad file, the line the error must name, and what the message must say after it.
    func testAnUnknownKeyOrBadValueNamesFileAndLineAndWritesNothing() throws {
        let cases: [(name: String, text: String, line: Int, says: String)] = [
            ("typo.yaml", "threads: 1\nmax-reject: 3\n", 2, "expected an option of mediabase convert ("),
            ("typo.json", "{\"threads\": 1,\n \"sample_genez\": 3}\n", 2, "found sample_genez"),
            ("threads.yaml", "force: true\nthreads: zero\n", 2, "expected a whole number of at least 1 for threads, found 'zero'"),
            ("rejects.json", "{\n\"max-rejects\": -1\n}\n", 2, "expected a whole number of at least 0 for max-rejects, found '-1'"),
            ("progress.yaml", "progress: sometimes\n", 1, "expected one of auto, always, never for progress, found 'sometimes'"),
            ("force.yaml", "\nforce: maybe\n", 2, "expected true or false for force, found 'maybe'"),
            ("list.yaml", "genes: [TP53, BRCA1]\n", 1, "expected a single value for genes, found a list"),
            ("twice.yaml", "max-rejects: 1\nmax_rejects: 2\n", 2, "expected each option once, found max_rejects again (line 1 has max-rejects)"),
            ("broken.json", "{\"threads\": 1,\n\"force\" true}\n", 2, "expected YAML or JSON ("),
            ("list-root.yaml", "- threads\n", 1, "expected a mapping of option names to values"),
        ]
        for (name, text, line, says) in cases {
            let config = try write(name, text)
            // A flag for the same key does not hide a bad value in the file.
            let result = try convert(["--config", config, "--threads", "1"])
            let stderr = String(decoding: result.errors, as: UTF8.self)
            XCTAssertEqual(result.status, 1, "\(name): \(stderr)")
            XCTAssertTrue(stderr.contains("\(config):\(line): "), "\(name): \(stderr)")
            XCTAssertTrue(stderr.contains(says), "\(name): \(stderr)")
            XCTAssertFalse(exists("core.sqlite"), "\(name): no output")
        }
    }

    func testTheUnknownKeyMessageListsTheCommandsKeys() throws {
        let config = try write("typo.yaml", "max-reject: 3\n")
        let stderr = String(decoding: try convert(["--config", config]).errors, as: UTF8.self)
        for key in ["dry-run", "force", "genes", "max-rejects", "progress", "rejects", "report", "sample-genes", "seed", "threads"] {
            XCTAssertTrue(stderr.contains(key), "\(key) in \(stderr)")
        }
    }

    /// `--sample-genes` from the file and `--genes` from the flag still exclude each other.
    func testRulesBetweenOptionsHoldAcrossFileAndFlags() throws {
        let config = try write("sample.yaml", "sample-genes: 3\n")
        let result = try convert(["--config", config, "--genes", "TP53"])
        XCTAssertEqual(result.status, 64, "a usage error")
        XCTAssertTrue(String(decoding: result.errors, as: UTF8.self).contains("--sample-genes and --genes exclude each other"))
        let seed = try write("seed.yaml", "seed: 7\n")
        XCTAssertTrue(String(decoding: try convert(["--config", seed]).errors, as: UTF8.self).contains("--seed goes with --sample-genes"))
    }

    /// patients reads its own keys too, and checks a choice against its values.
    func testPatientsKeysAreChecked() throws {
        let config = try write("patients.yaml", "core: core.sqlite\non-duplicate: first\n")
        let result = try Subprocess.spawn([Repository.binary, "patients", "--config", config, "--to", "sqlite", path("out")])
        let stderr = String(decoding: result.errors, as: UTF8.self)
        XCTAssertEqual(result.status, 1, stderr)
        XCTAssertTrue(stderr.contains("\(config):2: expected one of error, last, mean for on-duplicate, found 'first'"), stderr)
        let unknown = try write("unknown.yaml", "sample-genes: 3\n")
        let other = String(decoding: try Subprocess.spawn([Repository.binary, "patients", "--config", unknown, "--to", "sqlite", path("out")]).errors, as: UTF8.self)
        XCTAssertTrue(other.contains("\(unknown):1: expected an option of mediabase patients ("), other)
        XCTAssertTrue(other.contains("on-duplicate"), other)
    }
}
