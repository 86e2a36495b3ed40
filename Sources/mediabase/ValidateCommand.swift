import ArgumentParser
import Foundation
import MediabaseValidate

/// `mediabase validate OUTPUT [--json]`: the validation suite on a core, a patient file, a
/// folder of them, or a bundle.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Run the validation suite on a SQLite core or patient file, a folder of them, or a bundle; exit 1 if any check fails.",
        discussion: """
            The kind of each SQLite file is told from its tables. Patient files are checked for \
            rows at 1.0, non-positive values, transcript ids missing from the core, one metadata \
            row and matched + unmatched = total. A folder with a manifest.json is a bundle, checked \
            without a server: the manifest's sizes and SHA-256, gzip integrity, the COPY blocks' \
            structure and row counts, and the core tables' primary, unique and foreign keys, \
            read from their rows as PostgreSQL will check them at load.

            Example: mediabase validate core.sqlite --json
                     mediabase validate patients/ --core core.sqlite
                     mediabase validate core.bundle
            """)

    @Argument(help: "A SQLite core made by convert, a patient file made by patients, a folder of them, or a bundle folder.")
    var output: String

    @Option(help: "The core patient files are checked against. Default: the one core in the folder validated, if any.")
    var core: String?

    @Flag(help: "Print the checks as JSON.")
    var json = false

    func run() throws {
        let results = try OutputValidation.run(path: output, corePath: core)
        let single = results.count == 1 && results[0].path == output
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: single ? try encoder.encode(results[0].checks) : try encoder.encode(results), as: UTF8.self))
        } else {
            for result in results {
                if !single { print("\(result.path) (\(result.kind.rawValue)):") }
                for check in result.checks { print("\(single ? "" : "  ")\(check.passed ? "ok  " : "FAIL") \(check.name): \(check.detail)") }
            }
        }
        if results.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
