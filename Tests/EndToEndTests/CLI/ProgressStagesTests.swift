import Foundation
import MediabaseTestSupport
import XCTest

/// `convert --progress always`: after the reading bar, each later stage shows on a line of its
/// own with its steps counted up to the total, in the order the run does them, and the last
/// progress line is the end of the run. Step totals come from the schema files and the dump.
final class ProgressStagesTests: ScratchFolderTestCase {
    private static let dump = Fixtures.path("generated/seed1-genes12/mbase.sql")

    private func count(_ prefix: String, in file: String, containing: String? = nil) throws -> Int {
        try String(contentsOfFile: (Fixtures.root as NSString).appendingPathComponent(file), encoding: .utf8)
            .split(separator: "\n").filter { $0.hasPrefix(prefix) && (containing.map($0.contains) ?? true) }.count
    }

    /// The progress lines as a terminal would end up showing them: each `\r` redraw replaces
    /// the line, each `\n` ends it.
    private func progressLines(_ stderr: String) -> [String] {
        stderr.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in (line.split(separator: "\r").last.map(String.init) ?? "").trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("convert") }
    }

    /// `convert: building indexes 19/19, 0.1 s` → ("building indexes", "19/19").
    private func stage(_ line: String) -> (name: String, steps: String?) {
        var text = String(line.dropFirst("convert: ".count))
        if let comma = text.range(of: ", ", options: .backwards) { text = String(text[..<comma.lowerBound]) }
        let words = text.split(separator: " ")
        if let last = words.last, last.contains("/") { return (words.dropLast().joined(separator: " "), String(last)) }
        return (text, nil)
    }

    func testEveryStageShowsInOrderAndTheLastLineIsTheEnd() throws {
        let indexes = try count("CREATE", in: "schemas/sqlite/indexes.sqlite.sql", containing: "INDEX")
        let views = try count("CREATE TABLE", in: "schemas/sqlite/views.sqlite.sql")
        let exportedTables = try count("CREATE TABLE public.", in: "schemas/postgres/schema.pg.sql")
            + (try String(contentsOfFile: Self.dump, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("COPY ") }.count - 1)
        let head: [(String, String?)] = [("writing the last rows", nil), ("merging repeated rows", nil)]
        let tail: [(String, String?)] = [("looking for suspicious symbols", nil), ("hashing the input (SHA-256)", nil)]
        let cases: [(target: String, threads: Int, stages: [(String, String?)])] = [
            ("sqlite", 1, head + [("building indexes", "\(indexes)/\(indexes)"), ("filling view tables", "\(views)/\(views)"), ("committing", nil)]
                + tail + [("validating", nil)]),
            ("sqlite", 2, head + [("building indexes", "\(indexes)/\(indexes)"), ("filling view tables", "\(views)/\(views)"),
                                  ("copying view tables into the core", "\(views)/\(views)"), ("committing", nil)] + tail + [("validating", nil)]),
            // A bundle's core gets no index; with two threads the bundle is exported on a
            // connection of its own.
            ("bundle", 2, head + [("exporting the bundle", nil), ("committing", nil)] + tail + [("validating the bundle", nil)]),
            ("bundle", 1, head + [("committing", nil)] + tail
                + [("exporting the bundle (tables)", "\(exportedTables)/\(exportedTables)"), ("validating the bundle", nil)]),
        ]
        for (target, threads, stages) in cases {
            let output = (folder as NSString).appendingPathComponent("out-\(target)-\(threads)")
            let result = try Subprocess.spawn([Repository.binary, "convert", Self.dump, "--to", target, output,
                                                 "--threads", "\(threads)", "--progress", "always"])
            let stderr = String(decoding: result.errors, as: UTF8.self)
            XCTAssertEqual(result.status, 0, stderr)
            let lines = progressLines(stderr)
            let label = "\(target) --threads \(threads)"
            guard lines.count == stages.count + 2 else { return XCTFail("\(label): \(lines)") }
            XCTAssertTrue(lines[0].hasPrefix("convert [##############################] 100% "), "\(label): the bar ends full: \(lines[0])")
            for (line, expected) in zip(lines.dropFirst().dropLast(), stages) {
                let shown = stage(line)
                XCTAssertEqual(shown.name, expected.0, "\(label): \(line)")
                XCTAssertEqual(shown.steps, expected.1, "\(label): \(line)")
            }
            XCTAssertTrue(lines.last!.hasPrefix("convert: done in "), "\(label): \(lines.last!)")
            XCTAssertTrue(lines.last!.hasSuffix(" s"), "\(label): \(lines.last!)")
        }
    }
}
