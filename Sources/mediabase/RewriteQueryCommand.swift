import ArgumentParser
import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseQuery

/// `mediabase rewrite-query [FILE] --patient-id ID`: v0.5 per-patient SQL → v0.6 shared-core SQL.
struct RewriteQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewrite-query",
        abstract: "Rewrite SQL written for a v0.5 per-patient database into SQL for the v0.6 shared core.",
        discussion: """
            Reads one or more statements against cancer_transcript_base (from FILE, or standard \
            input) and prints them for v0.6: the legacy table becomes public.transcripts LEFT \
            JOIN patient_<id>.expression_data JOIN public.genes, its columns their v0.6 columns, \
            the fold change COALESCE(pe.expression_fold_change, 1.0). Comments and layout are \
            kept. A column without a scalar v0.6 home (drugs, pathways, go_terms, …) and a \
            statement that writes to the legacy table are refused with their line and column and \
            the v0.6 table to use; then nothing is written and the exit status is 1.

            --dialect sqlite writes for SQLite with the core attached as public and the patient \
            file as patient_<id> (ATTACH 'core.sqlite' AS public), translating or refusing \
            PostgreSQL-only syntax.

            Example: mediabase rewrite-query queries.sql --patient-id P001 --out queries.v06.sql
                     mediabase rewrite-query --patient-id P001 --dialect sqlite < query.sql
            """)

    @Argument(help: "SQL file to rewrite (default: standard input).")
    var file: String?

    @Option(help: "The patient whose schema the queries read: ^[A-Za-z][A-Za-z0-9_]{0,62}$.")
    var patientId: String

    @Option(help: "SQL dialect to write: postgres or sqlite.")
    var dialect: QueryDialect = .postgres

    @Option(help: "Write the rewritten SQL to this file instead of standard output.")
    var out: String?

    func run() throws {
        let patient = try PatientId(patientId, origin: "--patient-id")
        let rewriter = try QueryRewriter(patientSchema: patient.schemaName, dialect: dialect)
        let name = file ?? "<stdin>"
        let data: Data
        if let file {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw MediabaseError.io(path: file, message: "cannot read the SQL file")
            }
            data = contents
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        guard let sql = String(data: data, encoding: .utf8) else {
            throw MediabaseError.io(path: name, message: "the SQL is not valid UTF-8")
        }
        let rewritten: String
        do {
            rewritten = try rewriter.rewrite(sql)
        } catch let error as QueryRewriteError {
            let lines = error.lines(source: name).joined(separator: "\n") + "\n"
            FileHandle.standardError.write(Data(lines.utf8))
            throw ExitCode(1)
        }
        if let out {
            // Written whole or not at all.
            try Data(rewritten.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } else {
            FileHandle.standardOutput.write(Data(rewritten.utf8))
        }
    }
}

extension QueryDialect: ExpressibleByArgument {}
