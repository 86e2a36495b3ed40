import ArgumentParser
import Foundation
import MediabaseKit

/// `mediabase validate OUTPUT [--json]`: the validation suite on a converted core.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Run the validation suite on a SQLite core; exit 1 if any check fails.",
        discussion: "Example: mediabase validate core.sqlite --json")

    @Argument(help: "A SQLite core made by convert.")
    var output: String

    @Flag(help: "Print the checks as JSON.")
    var json = false

    func run() throws {
        guard FileManager.default.fileExists(atPath: output) else {
            throw MediabaseError.io(path: output, message: "no such file or directory")
        }
        let database = try SQLiteDatabase(path: output, readOnly: true)
        let checks = try CoreValidator.validate(database)
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
