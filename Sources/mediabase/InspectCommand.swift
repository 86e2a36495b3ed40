import ArgumentParser
import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseInput
import MediabaseInspect

/// `mediabase inspect INPUT [--json]`: what is in a dump, without writing anything.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Detect an input's format and list its tables, columns, row counts and sizes.",
        discussion: """
            For the legacy cancer_transcript_base table it also reports distinct genes and \
            transcripts, the redundancy ratio, rows whose drugs field holds PharmGKB pathway data, \
            versioned ids, rows without a gene id and JSON fields of an unexpected type. Fields that \
            do not decode as their column's type are listed with their line; any makes the exit \
            status 2.

            Example: mediabase inspect mediabase_dump.sql.gz --json
            """)

    @Argument(help: "A pg_dump file (plain, custom, tar) or directory, or a CSV export; gzip or not. Not a pipe: the input is read more than once.")
    var input: String

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    @OptionGroup var progress: ProgressOptions

    func run() throws {
        let reader = try DumpReader.open(path: input)
        let reporter = ProgressReporter(mode: progress.progress, label: "inspect", total: reader.totalBytes) { reader.bytesRead }
        let inspector = Inspector(input: input, format: reader.format, progress: reporter)
        // Reading and decoding on this thread, checking on a second core; the COPY blocks of a
        // plain dump file the inspector reads itself, in parts on both.
        let threaded = ThreadedDumpSink(next: inspector)
        defer { try? threaded.close() }
        try reader.read(into: threaded)
        try threaded.close()
        reporter?.finish()
        let report = inspector.finish(info: reader.info)
        if json {
            print(try InspectionText.json(report))
        } else {
            print(InspectionText.human(report), terminator: "")
        }
        for example in report.badValueExamples {
            FileHandle.standardError.write(Data("\(input): \(example)\n".utf8))
        }
        if report.badValueCount > 0 {
            FileHandle.standardError.write(Data("\(input): \(report.badValueCount) bad value(s)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// `--progress auto|always|never`, shared by every long-running command.
struct ProgressOptions: ParsableArguments {
    @Option(name: .customLong("progress"), help: "Show progress on stderr: auto (only on a terminal), always or never.")
    var progressFlag: ProgressReporter.Mode?

    var progress: ProgressReporter.Mode { progressFlag ?? .auto }
}

extension ProgressReporter.Mode: ExpressibleByArgument {}
