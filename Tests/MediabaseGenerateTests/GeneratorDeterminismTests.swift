import XCTest
@testable import MediabaseGenerate
import MediabaseTestSupport

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

    /// The other shapes too: scattered rows of every profile, in every form.
    func testScatteredProfilesGiveIdenticalBytesForAnyThreadCount() throws {
        for profile in DatasetProfile.allCases {
            let genes = profile == .fat ? 12 : 150
            let options = GenerateOptions(seed: 42, genes: genes, formats: allFormats, threads: 1, profile: profile, rowOrder: .scattered)
            var threeThreads = options
            threeThreads.threads = 3
            let (first, _) = try GeneratedData.generate(options, name: "scattered-\(profile)-1")
            let (second, _) = try GeneratedData.generate(threeThreads, name: "scattered-\(profile)-3")
            defer { [first, second].forEach { try? FileManager.default.removeItem(at: $0.deletingLastPathComponent()) } }
            let reference = try GeneratedData.contents(of: first)
            XCTAssertEqual(Set(reference.keys), Set(allFormats.map(\.fileName) + ["expected.json"]), "\(profile): no bucket file is left")
            XCTAssert(try GeneratedData.contents(of: second) == reference, "\(profile): bytes differ between thread counts")
        }
    }

    /// Scattering moves rows and nothing else: the same rows (as text), the same facts but the
    /// planted rows' lines.
    func testScatteredHoldsTheSameRowsInAnotherOrder() throws {
        let options = GenerateOptions(seed: 11, genes: 200, formats: [.plain], threads: 2)
        var scatteredOptions = options
        scatteredOptions.rowOrder = .scattered
        let (generated, generatedFacts) = try GeneratedData.generate(options, name: "order-generated")
        let (scattered, scatteredFacts) = try GeneratedData.generate(scatteredOptions, name: "order-scattered")
        defer { [generated, scattered].forEach { try? FileManager.default.removeItem(at: $0.deletingLastPathComponent()) } }
        func lines(_ folder: URL) throws -> [Substring] {
            try String(decoding: Data(contentsOf: folder.appendingPathComponent("mbase.sql")), as: UTF8.self)
                .split(separator: "\n", omittingEmptySubsequences: false)
        }
        let before = try lines(generated)
        let after = try lines(scattered)
        XCTAssertNotEqual(before, after)
        XCTAssertEqual(before.sorted(), after.sorted())
        XCTAssertEqual(generatedFacts.legacy, scatteredFacts.legacy)
        XCTAssertEqual(generatedFacts.normalized, scatteredFacts.normalized)
        XCTAssertEqual(generatedFacts.spotChecks, scatteredFacts.spotChecks)
        XCTAssertEqual(scatteredFacts.rowOrder, "scattered")
        XCTAssertNil(generatedFacts.rowOrder)
        let reasons = { (facts: DatasetFacts) in (facts.planted.rowRejects + facts.planted.fieldRejects).map(\.rawTranscriptIds).sorted { $0[0] < $1[0] } }
        XCTAssertEqual(reasons(generatedFacts), reasons(scatteredFacts))
        for event in scatteredFacts.planted.rowRejects + scatteredFacts.planted.fieldRejects + scatteredFacts.planted.duplicateTranscripts {
            for (line, rawId) in zip(event.lines["plain"]!, event.rawTranscriptIds) {
                XCTAssert(after[line - 1].hasPrefix(rawId + "\t"), "line \(line) holds \(rawId)")
            }
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
