import ArgumentParser
import Foundation
import MediabaseKit

/// `mediabase validate OUTPUT [--json]`: the validation suite on a SQLite core or a bundle.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Run the validation suite on a SQLite core or a bundle; exit 1 if any check fails.",
        discussion: """
            A file is checked as a SQLite core; a folder as a bundle, without a server: the \
            manifest's sizes and SHA-256, gzip integrity, the COPY blocks' structure and row counts.

            Examples: mediabase validate core.sqlite --json
                      mediabase validate core.bundle
            """)

    @Argument(help: "A SQLite core or a bundle folder made by convert.")
    var output: String

    @Flag(help: "Print the checks as JSON.")
    var json = false

    func run() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output, isDirectory: &isFolder) else {
            throw MediabaseError.io(path: output, message: "no such file or directory")
        }
        let checks: [ValidationCheck]
        if isFolder.boolValue {
            checks = try BundleValidator.validate(folder: output)
        } else {
            checks = try CoreValidator.validate(try SQLiteDatabase(path: output, readOnly: true))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(checks), as: UTF8.self))
        } else {
            for check in checks { print("\(check.passed ? "ok  " : "FAIL") \(check.name): \(check.detail)") }
        }
        if checks.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
