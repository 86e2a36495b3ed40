import XCTest
@testable import MediabaseModel
@testable import MediabaseInput
@testable import MediabaseLegacy
@testable import MediabaseOutput
import MediabaseTestSupport

/// The threaded output encodes rows into batches (shared GO tails once per value) and the writer
/// takes them apart on its own thread: the core must be what the writer gives when called directly.
final class ThreadedCoreOutputTests: ScratchFolderTestCase {
    private func convert(_ input: String, threaded: Bool) throws -> [String] {
        let writer = try SQLiteCoreWriter(path: path(threaded ? "threaded.sqlite" : "direct.sqlite"))
        let threadedOutput = threaded ? ThreadedCoreOutput(writer: writer) : nil
        let normalizer = try LegacyNormalizer(output: threadedOutput ?? writer, rejects: try RejectLog(path: nil, maxRejects: nil, input: "test.sql"))
        try DumpReader.open(path: input).read(into: normalizer)
        try normalizer.finish()
        try threadedOutput?.close()
        try writer.finish(appliedAt: "2024-01-01T00:00:00Z")
        var lines: [String] = []
        for name in try writer.database.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap({ $0[0] }) {
            lines += try writer.database.rows("SELECT * FROM \"\(name)\" ORDER BY rowid").map { name + ": " + $0.map { $0 ?? "NULL" }.joined(separator: "|") }
        }
        return lines
    }

    func testThreadedOutputGivesTheDirectWritersCore() throws {
        for fixture in ["generated/seed1-genes12/mbase.sql", "legacy/corruption_cases.sql"] {
            let direct = try convert(Fixtures.path(fixture), threaded: false)
            let threaded = try convert(Fixtures.path(fixture), threaded: true)
            XCTAssertGreaterThan(direct.filter { $0.hasPrefix("transcript_go_terms: ") }.count, 1, fixture)
            XCTAssertEqual(direct, threaded, fixture)
            try FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
    }
}
