import Foundation
import MediabaseTestSupport
import XCTest
@testable import MediabaseGenerate

/// `mediabase generate` as a user runs it: the output folder rules, and memory that stays flat
/// as the gene count grows (each run's peak resident size comes from `wait4`).
final class GenerateCommandTests: XCTestCase {
    private var binary: String { Repository.binary }

    private func generate(_ arguments: [String]) throws -> Subprocess.Outcome {
        try Subprocess.spawn([binary, "generate"] + arguments)
    }

    func testRefusesANonEmptyFolderWithoutForceAndReplacesItWithForce() throws {
        let parent = try GeneratedData.scratchFolder("cli")
        defer { try? FileManager.default.removeItem(at: parent) }
        let out = parent.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false)
        let keep = out.appendingPathComponent("notes.txt")
        try Data("mine".utf8).write(to: keep)

        let refused = try generate(["--seed", "1", "--genes", "5", "--out", out.path])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(String(decoding: refused.errors, as: UTF8.self).contains("--force"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: keep.path), "a refused run leaves the folder alone")

        let replaced = try generate(["--seed", "1", "--genes", "5", "--out", out.path, "--force", "--threads", "1", "--patients", "0"])
        XCTAssertEqual(replaced.status, 0, String(decoding: replaced.errors, as: UTF8.self))
        XCTAssertFalse(FileManager.default.fileExists(atPath: keep.path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(), ["expected.json", "mbase.sql"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent.path), ["data"], "no temporary folder is left behind")
    }

    /// docs/spec.md §2's command as written: without `--patients`, one patient per dialect and the
    /// manifest; `--patients 0` gives none; the default follows `--patient-dialects`.
    func testWritesOnePatientPerDialectByDefault() throws {
        let parent = try GeneratedData.scratchFolder("cli-default-patients")
        defer { try? FileManager.default.removeItem(at: parent) }
        let all = parent.appendingPathComponent("all")
        let made = try generate(["--seed", "7", "--genes", "200", "--threads", "1", "--out", all.path])
        XCTAssertEqual(made.status, 0, String(decoding: made.errors, as: UTF8.self))
        let files = try FileManager.default.contentsOfDirectory(atPath: all.appendingPathComponent("patients").path)
        XCTAssertEqual(files.count, PatientDialect.allCases.count + 1, "\(files)")
        XCTAssertTrue(files.contains("patients.csv"))
        let manifest = try String(contentsOf: all.appendingPathComponent("patients/patients.csv"), encoding: .utf8)
        XCTAssertEqual(manifest.split(separator: "\n").count, PatientDialect.allCases.count + 1, "a header and one line per patient")
        let facts = try JSONDecoder().decode(DatasetFacts.self, from: Data(contentsOf: all.appendingPathComponent(DatasetGenerator.factsFileName)))
        XCTAssertEqual(Set(facts.patients.map(\.dialect)), Set(PatientDialect.allCases.map(\.rawValue)), "every dialect once")

        let none = parent.appendingPathComponent("none")
        let without = try generate(["--seed", "7", "--genes", "20", "--threads", "1", "--patients", "0", "--out", none.path])
        XCTAssertEqual(without.status, 0, String(decoding: without.errors, as: UTF8.self))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: none.path).sorted(), ["expected.json", "mbase.sql"])

        let two = parent.appendingPathComponent("two")
        let limited = try generate(["--seed", "7", "--genes", "20", "--threads", "1", "--patient-dialects", "edger,tsv", "--out", two.path])
        XCTAssertEqual(limited.status, 0, String(decoding: limited.errors, as: UTF8.self))
        let limitedFiles = try FileManager.default.contentsOfDirectory(atPath: two.appendingPathComponent("patients").path).sorted()
        XCTAssertEqual(limitedFiles.count, 3, "\(limitedFiles)")
        XCTAssertTrue(limitedFiles[0].hasPrefix("P001_") && limitedFiles[0].hasSuffix(".edger.csv"), "\(limitedFiles)")
        XCTAssertTrue(limitedFiles[1].hasPrefix("P002_") && limitedFiles[1].hasSuffix(".tsv"), "\(limitedFiles)")
        XCTAssertEqual(limitedFiles[2], "patients.csv")
    }

    func testRejectsAnUnknownFormat() throws {
        let parent = try GeneratedData.scratchFolder("cli-format")
        defer { try? FileManager.default.removeItem(at: parent) }
        let result = try generate(["--genes", "5", "--formats", "plain,parquet", "--out", parent.appendingPathComponent("x").path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(String(decoding: result.errors, as: UTF8.self).contains("unknown format 'parquet'"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: parent.appendingPathComponent("x").path))
    }

    func testPatientRowsAndDialectsAreChecked() throws {
        let parent = try GeneratedData.scratchFolder("cli-patient-rows")
        defer { try? FileManager.default.removeItem(at: parent) }
        let out = parent.appendingPathComponent("x").path
        for (arguments, message) in [
            (["--patient-dialects", "deseq2,salmon"], "unknown dialect 'salmon'"),
            (["--patient-dialects", "tsv,tsv"], "named twice"),
            (["--patient-rows=-1"], "--patient-rows must be between"),
        ] {
            let result = try generate(["--genes", "5", "--patients", "2", "--out", out] + arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertTrue(String(decoding: result.errors, as: UTF8.self).contains(message), String(decoding: result.errors, as: UTF8.self))
        }
        let made = try generate(["--genes", "40", "--patients", "3", "--patient-rows", "25", "--patient-dialects", "edger,tsv",
                                 "--threads", "1", "--out", out])
        XCTAssertEqual(made.status, 0, String(decoding: made.errors, as: UTF8.self))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent.appendingPathComponent("x/patients").path).sorted(),
                       ["P001_LUAD.edger.csv", "P002_LAML.tsv", "P003_COAD.edger.csv", "patients.csv"])
    }

    /// Ten times the genes must not need much more memory: generation streams block by block.
    /// Also prints the throughput of the larger run (a debug build; not asserted).
    func testMemoryStaysFlatAsGenesGrow() throws {
        let parent = try GeneratedData.scratchFolder("memory")
        defer { try? FileManager.default.removeItem(at: parent) }
        var peaks: [Int: Int] = [:]
        for genes in [500, 5_000] {
            let out = parent.appendingPathComponent("genes\(genes)")
            let started = Date()
            let result = try generate(["--seed", "9", "--genes", "\(genes)", "--threads", "2", "--patients", "0", "--out", out.path])
            let seconds = Date().timeIntervalSince(started)
            XCTAssertEqual(result.status, 0, String(decoding: result.errors, as: UTF8.self))
            peaks[genes] = result.peakMemoryKiB
            let bytes = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("mbase.sql").path)[.size] as! NSNumber
            print(String(format: "generate --genes %d: %.1f MB in %.2f s (%.0f MB/s), peak RSS %d MiB",
                         genes, bytes.doubleValue / 1e6, seconds, bytes.doubleValue / 1e6 / seconds, result.peakMemoryKiB / 1024))
            try FileManager.default.removeItem(at: out)
        }
        let small = try XCTUnwrap(peaks[500])
        let large = try XCTUnwrap(peaks[5_000])
        XCTAssertLessThan(large, small * 3 / 2 + 64 * 1024, "peak RSS grew from \(small) KiB to \(large) KiB")
    }
}
