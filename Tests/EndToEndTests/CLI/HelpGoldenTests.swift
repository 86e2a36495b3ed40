import Foundation
import MediabaseTestSupport
import XCTest

/// `mediabase --help` and every subcommand's `--help`, compared byte for byte with the golden
/// files in Tests/Goldens/help (as swift-argument-parser's own tests compare help screens).
///
/// The commands come from the parser itself (`--experimental-dump-help`), so a new subcommand
/// needs only its golden file, and fails here until it has one. `make goldens` (or
/// `MEDIABASE_UPDATE_GOLDENS=1` on this test) rewrites the files from the built binary: review
/// the diff before committing it.
final class HelpGoldenTests: XCTestCase {
    static let goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Goldens/help").standardized
    /// Help is wrapped to the terminal's width; the binary reads it from COLUMNS first.
    static let environment = ["COLUMNS": "80", "LINES": "24", "PATH": "/usr/bin:/bin"]

    func testHelpOfEveryCommandMatchesItsGolden() throws {
        let binary = Repository.binary
        let update = ProcessInfo.processInfo.environment["MEDIABASE_UPDATE_GOLDENS"] == "1"
        let commands = try subcommands(of: binary)
        XCTAssertTrue(commands.contains("convert") && commands.contains("patients"), "subcommands: \(commands)")
        var expectedFiles: Set<String> = []
        for command in [nil] + commands.map(Optional.some) {
            let arguments = [binary] + (command.map { [$0] } ?? []) + ["--help"]
            let result = try Subprocess.spawn(arguments, environment: Self.environment)
            XCTAssertEqual(result.status, 0, "\(arguments): \(String(decoding: result.errors, as: UTF8.self))")
            let name = "mediabase" + (command.map { "-" + $0 } ?? "") + ".txt"
            expectedFiles.insert(name)
            let golden = Self.goldens.appendingPathComponent(name)
            if update {
                try result.output.write(to: golden)
                continue
            }
            guard let expected = FileManager.default.contents(atPath: golden.path) else {
                XCTFail("no golden file \(golden.path) for `mediabase \(command ?? "") --help`: run make goldens")
                continue
            }
            let actual = String(decoding: result.output, as: UTF8.self)
            XCTAssertEqual(actual, String(decoding: expected, as: UTF8.self), firstDifference(actual, String(decoding: expected, as: UTF8.self), name))
        }
        let present = Set(try FileManager.default.contentsOfDirectory(atPath: Self.goldens.path))
        XCTAssertEqual(present.subtracting(expectedFiles), [], "golden files of commands that no longer exist")
    }

    /// The names of the top-level subcommands, from the parser's own description of the tool.
    private func subcommands(of binary: String) throws -> [String] {
        let output = try Subprocess.run([binary, "--experimental-dump-help"])
        let dump = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let command = try XCTUnwrap(dump["command"] as? [String: Any])
        let subcommands = try XCTUnwrap(command["subcommands"] as? [[String: Any]])
        return subcommands.compactMap { $0["commandName"] as? String }.filter { $0 != "help" }
    }

    /// The first line that differs, so that a failure says where without a diff tool.
    private func firstDifference(_ actual: String, _ expected: String, _ name: String) -> String {
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(a.count, e.count) where (index < a.count ? a[index] : nil) != (index < e.count ? e[index] : nil) {
            return "\(name) line \(index + 1): got \"\(index < a.count ? a[index] : "<end>")\", golden \"\(index < e.count ? e[index] : "<end>")\" (make goldens rewrites it)"
        }
        return name
    }
}
