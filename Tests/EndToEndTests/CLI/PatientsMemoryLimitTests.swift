import Foundation
import XCTest
@testable import MediabaseGenerate
@testable import MediabasePipeline
import MediabaseTestSupport

/// `patients --memory-limit SIZE` (docs/spec.md §2): a limit too small for the core's index
/// and the patients' values puts both in temporary files without changing a byte of any
/// output; a SIZE that is not one gets convert's error, from the flag or the config file.
final class PatientsMemoryLimitTests: ScratchFolderTestCase {
    /// A core of 400 genes and one patient file per dialect (linear CSV, DESeq2 by transcript
    /// and by symbol, edgeR, limma, TSV, Excel CSV, a v0.5 dump), plus a file whose ids are gene
    /// ids and symbols, some of them repeated with other values.
    private func dataset() throws -> (core: String, manifest: String, extra: String) {
        let options = GenerateOptions(seed: 5, genes: 400, patients: 8, formats: [.plain], threads: 2, clean: true)
        _ = try DatasetGenerator(options: options).generate(into: path("input"), replace: false)
        let core = path("core.sqlite")
        let convert = try Subprocess.spawn([Repository.binary, "convert", path("input/mbase.sql"), "--to", "sqlite", core, "--progress", "never"])
        XCTAssertEqual(convert.status, 0, String(decoding: convert.errors, as: UTF8.self))
        // Gene ids and symbols (several transcripts each with all-transcripts), each twice with
        // another value, and a transcript id twice: every --on-duplicate policy has work.
        let genes = try sqlite(core, "SELECT gene_id || ',' || coalesce(gene_symbol, '') FROM genes ORDER BY gene_id LIMIT 60")
        let transcripts = try sqlite(core, "SELECT transcript_id FROM transcripts ORDER BY transcript_id LIMIT 40")
        var rows = ["id,fold_change"]
        for (index, line) in genes.enumerated() {
            let parts = line.split(separator: ",", omittingEmptySubsequences: false)
            rows.append("\(parts[0]),\(Double(index % 7) + 0.5)")
            if parts.count > 1, !parts[1].isEmpty { rows.append("\(parts[1].lowercased()),\(Double(index % 5) + 1.25)") }
        }
        for (index, id) in transcripts.enumerated() { rows.append("\(id),\(Double(index % 3) + 2)") }
        rows.append("\(transcripts[0]),9.5")
        rows.append("NOT_AN_ID,3")
        let extra = path("mixed.csv")
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: extra))
        return (core, path("input/patients/patients.csv"), extra)
    }

    /// The first column of each row `sql` gives on `database`.
    private func sqlite(_ database: String, _ sql: String) throws -> [String] {
        let result = try Subprocess.spawn(["/usr/bin/env", "sqlite3", database, sql])
        if result.status != 0 {
            XCTFail("sqlite3 exited with \(result.status) (.ci/install-deps.sh installs sqlite3): \(String(decoding: result.errors, as: UTF8.self))")
        }
        return String(decoding: result.output, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    private struct Run {
        let result: Subprocess.Outcome
        let report: PatientBatchReport
    }

    private func patients(_ arguments: [String], core: String, target: String, output: String, status: Int32 = 0) throws -> Run {
        let report = output + ".report.json"
        let result = try Subprocess.spawn([Repository.binary, "patients"] + arguments
                                          + ["--core", core, "--to", target, output, "--progress", "never", "--report", report, "--threads", "2"])
        XCTAssertEqual(result.status, status, String(decoding: result.errors, as: UTF8.self))
        return Run(result: result, report: try JSONDecoder().decode(PatientBatchReport.self, from: Data(contentsOf: URL(fileURLWithPath: report))))
    }

    /// Every file under `folder` but the reports: `sqlite3 .dump` of a SQLite file, the
    /// decompressed bytes of a `.gz`, the bytes of anything else.
    private func contents(of folder: String) throws -> [String: Data] {
        var contents: [String: Data] = [:]
        for name in try FileManager.default.subpathsOfDirectory(atPath: folder).sorted() where !name.hasSuffix("report.json") {
            let file = (folder as NSString).appendingPathComponent(name)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            let command: [String]? = name.hasSuffix(".sqlite") ? ["sqlite3", file, ".dump"] : name.hasSuffix(".gz") ? ["gzip", "-dc", file] : nil
            if let command {
                let result = try Subprocess.spawn(["/usr/bin/env"] + command)
                XCTAssertEqual(result.status, 0, "\(command[0]) \(name) (.ci/install-deps.sh installs sqlite3): \(String(decoding: result.errors, as: UTF8.self))")
                contents[name] = result.output
            } else {
                contents[name] = try Data(contentsOf: URL(fileURLWithPath: file))
            }
        }
        return contents
    }

    func testASmallLimitGivesTheSamePatientFilesAndParts() throws {
        let (core, manifest, extra) = try dataset()
        for (target, settings) in [("sqlite", ["--on-duplicate", "mean", "--symbol-mapping", "all-transcripts"]), ("sqlite", ["--on-duplicate", "last"]),
                                   ("bundle", ["--on-duplicate", "mean"])] {
            let name = "\(target)-\(settings.joined(separator: "-"))"
            // A patients-only bundle, made anew by each run.
            let inMemory = try patients(["--manifest", manifest, extra] + settings, core: core, target: target, output: path("\(name)-default"))
            XCTAssertEqual(inMemory.report.memoryLimitBytes, 300_000_000, "the default limit")
            XCTAssertEqual(inMemory.report.memory, .init(coreIndex: "memory", patientSlots: "memory"), "a core of 400 genes fits in 300 MB")
            XCTAssertEqual(inMemory.report.failed, [])

            let spilled = try patients(["--manifest", manifest, extra, "--memory-limit", "1MB"] + settings, core: core, target: target, output: path("\(name)-small"))
            XCTAssertEqual(spilled.report.memoryLimitBytes, 1_000_000)
            XCTAssertEqual(spilled.report.memory, .init(coreIndex: "file", patientSlots: "file"), "nothing that grows with the core fits in 1 MB")
            XCTAssertTrue(String(decoding: spilled.result.errors, as: UTF8.self).contains("the core's index in a temporary file"))

            let expected = try contents(of: path("\(name)-default"))
            XCTAssertEqual(expected.keys.filter { $0.hasSuffix(".sqlite") || $0.hasSuffix(".sql.gz") }.count, 9, "\(name): nine patients")
            XCTAssertGreaterThan(expected.values.reduce(0) { $0 + $1.count }, 100_000)
            let found = try contents(of: path("\(name)-small"))
            XCTAssertEqual(found.keys.sorted(), expected.keys.sorted(), name)
            for (file, bytes) in expected { XCTAssertEqual(found[file], bytes, "\(name): \(file), byte for byte") }
            // The counts, shared symbols, checks and errors of every patient, timings aside.
            for (memory, file) in zip(inMemory.report.patients, spilled.report.patients) {
                XCTAssertEqual(file.counts, memory.counts, "\(name): \(memory.patientId)")
                XCTAssertEqual(file.sharedSymbols, memory.sharedSymbols)
                XCTAssertEqual(file.validation, memory.validation)
                XCTAssertEqual(file.outputSha256, memory.outputSha256)
            }
            let report = inMemory.report.patients.first { $0.patientId == "mixed" }
            XCTAssertGreaterThan(report?.counts?.matchedByGeneId ?? 0, 0)
            XCTAssertGreaterThan(report?.counts?.matchedBySymbol ?? 0, 0)
            XCTAssertGreaterThan(report?.counts?.duplicateRows ?? 0, 0)
        }
    }

    /// A transcript given two values fails its patient with the same error either way: both
    /// ids, lines and values, from the slots in memory or in the file.
    func testADuplicateErrorIsTheSameFromTheFile() throws {
        let (core, _, extra) = try dataset()
        let inMemory = try patients([extra], core: core, target: "sqlite", output: path("default"), status: 1)
        let spilled = try patients([extra, "--memory-limit", "1MB"], core: core, target: "sqlite", output: path("small"), status: 1)
        let error = inMemory.report.patients[0].error ?? ""
        XCTAssertTrue(error.contains("one value per transcript"), error)
        XCTAssertEqual(spilled.report.patients[0].error, error)
    }

    func testABadSizeIsConvertsUsageError() throws {
        let (core, _, extra) = try dataset()
        for bad in ["lots", "0", "0.5MB", "300XB"] {
            let result = try Subprocess.spawn([Repository.binary, "patients", extra, "--core", core, "--to", "sqlite", path("out"),
                                                 "--progress", "never", "--memory-limit=\(bad)"])
            let stderr = String(decoding: result.errors, as: UTF8.self)
            XCTAssertEqual(result.status, 64, "'\(bad)': \(stderr)")
            XCTAssertTrue(stderr.contains("--memory-limit"), "'\(bad)': \(stderr)")
            XCTAssertTrue(stderr.contains("expected a size of at least 1MB such as 300MB"), "'\(bad)': \(stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("out")), "'\(bad)': no output")
        }
    }

    /// The config file's `memory-limit` takes the same sizes; the flag wins; a bad one names
    /// file and line.
    func testTheConfigFileTakesASize() throws {
        let (core, manifest, _) = try dataset()
        try Data("threads: 1\nmemory-limit: 1 MB\n".utf8).write(to: URL(fileURLWithPath: path("small.yaml")))
        let small = try patients(["--manifest", manifest, "--config", path("small.yaml")], core: core, target: "sqlite", output: path("small"))
        XCTAssertEqual(small.report.memoryLimitBytes, 1_000_000)
        XCTAssertEqual(small.report.memory.coreIndex, "file")
        let flag = try patients(["--manifest", manifest, "--config", path("small.yaml"), "--memory-limit", "1GB"], core: core, target: "sqlite", output: path("flag"))
        XCTAssertEqual(flag.report.memoryLimitBytes, 1_000_000_000, "the flag wins")
        XCTAssertEqual(flag.report.memory.coreIndex, "memory")

        try Data("memory-limit: 300\n".utf8).write(to: URL(fileURLWithPath: path("bad.yaml")))
        let bad = try Subprocess.spawn([Repository.binary, "patients", "--manifest", manifest, "--core", core, "--to", "sqlite", path("bad"),
                                          "--progress", "never", "--config", path("bad.yaml")])
        let stderr = String(decoding: bad.errors, as: UTF8.self)
        XCTAssertEqual(bad.status, 1, stderr)
        XCTAssertTrue(stderr.contains("\(path("bad.yaml")):1: expected a size of at least 1MB"), stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("bad")), "no output")
    }
}
