import Foundation
import XCTest
@testable import MediabaseGenerate
@testable import MediabaseModel
@testable import MediabasePipeline
import MediabaseTestSupport

/// `convert --memory-limit SIZE` (docs/spec.md §2): state beyond the budget spills to temporary
/// files without changing a byte of the output, peak memory stays under the limit, and a SIZE
/// that is not one is a usage error naming the option.
final class MemoryLimitTests: ScratchFolderTestCase {
    /// A lean dump whose gene's rows are scattered over the whole table: every gene comes back
    /// after many others, so a state that spilled is read back.
    private func scatteredDump(genes: Int) throws -> String {
        let options = GenerateOptions(seed: 11, genes: genes, formats: [.plain], threads: 2, clean: true, profile: .lean, rowOrder: .scattered)
        _ = try DatasetGenerator(options: options).generate(into: path("input"), replace: false)
        return path("input/mbase.sql")
    }

    private struct Run {
        let result: Subprocess.Outcome
        let report: ConversionReport
    }

    private func convert(_ input: String, to name: String, _ extra: [String]) throws -> Run {
        let report = path(name + ".report.json")
        let result = try Subprocess.spawn([Repository.binary, "convert", input, "--to", "sqlite", path(name),
                                             "--progress", "never", "--report", report] + extra)
        XCTAssertEqual(result.status, 0, String(decoding: result.errors, as: UTF8.self))
        return Run(result: result, report: try JSONDecoder().decode(ConversionReport.self, from: Data(contentsOf: URL(fileURLWithPath: report))))
    }

    /// `sqlite3 FILE .dump`: every table's schema and rows as SQL text.
    private func dump(_ name: String) throws -> Data {
        let result = try Subprocess.spawn(["/usr/bin/env", "sqlite3", path(name), ".dump"])
        if result.status != 0 {
            XCTFail("sqlite3 \(name) .dump exited with \(result.status) (.ci/install-deps.sh installs sqlite3): \(String(decoding: result.errors, as: UTF8.self))")
        }
        return result.output
    }

    func testASmallLimitSpillsAndGivesTheSameDatabase() throws {
        // About 8,000 transcripts: more than the 7,352 the transcript map holds at the smallest state.
        let input = try scatteredDump(genes: 1600)
        let inMemory = try convert(input, to: "default.sqlite", [])
        XCTAssertEqual(inMemory.report.memoryLimitBytes, 300_000_000, "the default limit")
        XCTAssertEqual(inMemory.report.spill.geneStatesSpilled, 0, "1,600 genes fit in 300 MB")
        XCTAssertGreaterThan(inMemory.report.transcripts, MemoryBudget(limit: 2_000_000).transcriptsInMemory)
        XCTAssertEqual(inMemory.report.spill.transcriptsSpilled, 0)

        let spilled = try convert(input, to: "small.sqlite", ["--memory-limit", "2MB"])
        XCTAssertEqual(spilled.report.memoryLimitBytes, 2_000_000)
        XCTAssertGreaterThan(spilled.report.spill.geneStatesSpilled, 1000, "with no room for gene states, nearly every row spills one")
        XCTAssertGreaterThan(spilled.report.spill.geneStatesRestored, 1000, "and reads its gene's state back")
        XCTAssertGreaterThan(spilled.report.spill.transcriptsSpilled, 0, "the transcript → gene map spilled too")
        XCTAssertTrue(String(decoding: spilled.result.errors, as: UTF8.self).contains("peak memory is over --memory-limit 2.0 MB"),
                      "a limit below what a run needs is said to be exceeded")
        // The view tables' lookups get no room either: the cross-reference view, built before
        // the indexes with its lookup in memory, is built there all the same, by sorting.
        let early = "view cross_reference_lookup_view (before the indexes)"
        XCTAssertNotNil(inMemory.report.secondsPerFinishStep[early], "\(inMemory.report.secondsPerFinishStep.keys.sorted())")
        XCTAssertNotNil(spilled.report.secondsPerFinishStep[early], "\(spilled.report.secondsPerFinishStep.keys.sorted())")

        let expected = try dump("default.sqlite")
        XCTAssertGreaterThan(expected.count, 1_000_000)
        XCTAssertEqual(try dump("small.sqlite"), expected, "the same database, byte for byte, whatever spilled")
    }

    /// A limit above what the end steps need on their own (indexes, view tables and checks
    /// peak at 100–130 MB whatever the limit: docs/commands.md "Memory limit"): the gene states
    /// stay within their share of it. That spilling keeps the output is
    /// ``testASmallLimitSpillsAndGivesTheSameDatabase()``'s part.
    ///
    /// The whole process's peak is not asserted: it stays at 60–105 MB for this input in most
    /// runs, but one fresh-clone run on a machine busy with a release build peaked at 306 MB, and
    /// the cause is not found yet (docs/commands.md, "Memory limit", says so).
    func testGeneStatesStayWithinTheirShareOfTheLimit() throws {
        let input = try scatteredDump(genes: 3000)
        let run = try convert(input, to: "core.sqlite", ["--memory-limit", "140MB"])
        XCTAssertGreaterThan(run.report.spill.geneStateBudgetBytes, 0)
        XCTAssertLessThanOrEqual(run.report.spill.geneStatePeakBytes, run.report.spill.geneStateBudgetBytes + 4096)
        XCTAssertEqual(run.report.memoryLimitBytes, 140_000_000)
    }

    func testABadSizeIsAUsageErrorNamingTheOption() throws {
        let input = Fixtures.path("generated/seed1-genes12/mbase.sql")
        for bad in ["", "lots", "300XB", "-5MB", "0", "1.5.2GB", ".5GB", "5.GB", "999999", "0.5MB", "1.0000001KB", "99999999999TB", "3 M B"] {
            let result = try Subprocess.spawn([Repository.binary, "convert", input, "--to", "sqlite", path("core.sqlite"),
                                                 "--progress", "never", "--memory-limit=\(bad)"])
            let stderr = String(decoding: result.errors, as: UTF8.self)
            XCTAssertEqual(result.status, 64, "'\(bad)': \(stderr)")
            XCTAssertTrue(stderr.contains("--memory-limit"), "'\(bad)': \(stderr)")
            // An empty value is ArgumentParser's "missing value" error.
            XCTAssertTrue(bad.isEmpty || stderr.contains("expected a size of at least 1MB"), "'\(bad)': \(stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("core.sqlite")), "'\(bad)': no output")
        }
    }

    /// The config file's `memory-limit` takes the same sizes, and a bad one names file and line.
    func testTheConfigFileTakesASize() throws {
        let input = Fixtures.path("generated/seed1-genes12/mbase.sql")
        try Data("threads: 1\nmemory_limit: 1.5 GiB\n".utf8).write(to: URL(fileURLWithPath: path("good.yaml")))
        let good = try convert(input, to: "core.sqlite", ["--config", path("good.yaml")])
        XCTAssertEqual(good.report.memoryLimitBytes, 1_610_612_736)
        let flag = try convert(input, to: "flag.sqlite", ["--config", path("good.yaml"), "--memory-limit", "400000000"])
        XCTAssertEqual(flag.report.memoryLimitBytes, 400_000_000, "the flag wins")

        try Data("threads: 1\nmemory-limit: 300\n".utf8).write(to: URL(fileURLWithPath: path("bad.yaml")))
        let bad = try Subprocess.spawn([Repository.binary, "convert", input, "--to", "sqlite", path("bad.sqlite"),
                                          "--progress", "never", "--config", path("bad.yaml")])
        let stderr = String(decoding: bad.errors, as: UTF8.self)
        XCTAssertEqual(bad.status, 1, stderr)
        XCTAssertTrue(stderr.contains("\(path("bad.yaml")):2: expected a size of at least 1MB"), stderr)
        XCTAssertTrue(stderr.contains("for memory-limit, found '300'"), stderr)
    }

    /// SIZE as docs/commands.md gives it: powers of 1000 with or without `B`, powers of 1024 with
    /// `iB`, any case, a space allowed, decimals when they give whole bytes.
    func testSizes() {
        let sizes: [(String, Int64)] = [
            ("300MB", 300_000_000), ("300mb", 300_000_000), ("300 MB", 300_000_000), ("300M", 300_000_000), ("1.5GB", 1_500_000_000),
            ("1g", 1_000_000_000), ("512MiB", 536_870_912), ("2KiB", 2048), ("1.5kib", 1536), ("400000000", 400_000_000),
            ("400000000B", 400_000_000), ("2TB", 2_000_000_000_000), (" 64MB ", 64_000_000), ("0.25GiB", 268_435_456),
        ]
        for (text, bytes) in sizes { XCTAssertEqual(MemoryBudget.parseSize(text), bytes, text) }
        for bad in ["", "MB", "1..5MB", "1.5.2G", "-1MB", "+1MB", "1e9", "1,5GB", "0x10", "1.0001KB", "10 XB", "9223372036854775808", "10000000TB"] {
            XCTAssertNil(MemoryBudget.parseSize(bad), bad)
        }
    }
}
