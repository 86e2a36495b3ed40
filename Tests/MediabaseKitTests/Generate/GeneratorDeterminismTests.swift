import XCTest
@testable import MediabaseKit

/// Same seed and options → the same bytes, whatever the thread count; another seed → other
/// bytes; `--clean` changes nothing but the planted rows.
final class GeneratorDeterminismTests: XCTestCase {
    private let allFormats: [LegacyDumpFormat] = [.plain, .inserts, .csv]

    func testSameSeedGivesIdenticalBytesForAnyThreadCount() throws {
        let options = GenerateOptions(seed: 42, genes: 150, patients: 8, formats: allFormats, threads: 1)
        let (first, _) = try GeneratedData.generate(options, name: "determinism-a")
        var twoThreads = options
        twoThreads.threads = 2
        let (second, _) = try GeneratedData.generate(twoThreads, name: "determinism-b")
        var threeThreads = options
        threeThreads.threads = 3
        let (third, _) = try GeneratedData.generate(threeThreads, name: "determinism-c")
        defer { [first, second, third].forEach { try? FileManager.default.removeItem(at: $0.deletingLastPathComponent()) } }

        let reference = try GeneratedData.contents(of: first)
        XCTAssertEqual(reference.count, 4 + 9, "three legacy forms, expected.json, eight patient files and the manifest")
        for other in [second, third] {
            let files = try GeneratedData.contents(of: other)
            XCTAssertEqual(Set(files.keys), Set(reference.keys))
            for (name, bytes) in reference { XCTAssert(files[name] == bytes, "\(name) differs between thread counts") }
        }
    }

    func testDifferentSeedsDiffer() throws {
        let (first, _) = try GeneratedData.generate(GenerateOptions(seed: 1, genes: 60, threads: 2), name: "seed-1")
        let (second, _) = try GeneratedData.generate(GenerateOptions(seed: 2, genes: 60, threads: 2), name: "seed-2")
        defer { [first, second].forEach { try? FileManager.default.removeItem(at: $0.deletingLastPathComponent()) } }
        let a = try Data(contentsOf: first.appendingPathComponent("mbase.sql"))
        let b = try Data(contentsOf: second.appendingPathComponent("mbase.sql"))
        XCTAssertNotEqual(a, b)
    }

    func testCleanLeavesOutOnlyThePlantedRows() throws {
        let (planted, withProblems) = try GeneratedData.generate(GenerateOptions(seed: 5, genes: 200, threads: 2), name: "planted")
        let (clean, withoutProblems) = try GeneratedData.generate(GenerateOptions(seed: 5, genes: 200, threads: 2, clean: true), name: "clean")
        defer { [planted, clean].forEach { try? FileManager.default.removeItem(at: $0.deletingLastPathComponent()) } }

        XCTAssertFalse(withProblems.planted.rowRejects.isEmpty)
        XCTAssertFalse(withProblems.planted.fieldRejects.isEmpty)
        XCTAssertFalse(withProblems.planted.duplicateTranscripts.isEmpty)
        XCTAssertTrue(withoutProblems.planted.rowRejects.isEmpty)
        XCTAssertTrue(withoutProblems.planted.fieldRejects.isEmpty)
        XCTAssertTrue(withoutProblems.planted.duplicateTranscripts.isEmpty)
        let extraRows = withProblems.planted.rowRejects.count + withProblems.planted.duplicateTranscripts.count
        XCTAssertEqual(withProblems.legacy.rows, withoutProblems.legacy.rows + extraRows)
        XCTAssertEqual(withProblems.normalized, withoutProblems.normalized, "planted rows change no normalized count")
        XCTAssertEqual(withProblems.planted.conflicts, withoutProblems.planted.conflicts)

        // Apart from the planted rows and the drugs number, the clean dump is the same text.
        let plantedLines = Set(withProblems.planted.rowRejects.flatMap { $0.lines["plain"]! })
            .union(withProblems.planted.duplicateTranscripts.map { $0.lines["plain"]![1] })
        let numberGenes = Set(withProblems.planted.fieldRejects.map(\.geneId))
        let plantedText = try String(decoding: Data(contentsOf: planted.appendingPathComponent("mbase.sql")), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let cleanText = try String(decoding: Data(contentsOf: clean.appendingPathComponent("mbase.sql")), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let kept = plantedText.enumerated().filter { !plantedLines.contains($0.offset + 1) }.map(\.element)
        XCTAssertEqual(kept.count, cleanText.count)
        for (left, right) in zip(kept, cleanText) where left != right {
            XCTAssertTrue(numberGenes.contains { left.contains($0) }, "unexpected difference: \(left.prefix(80))")
        }
    }
}
