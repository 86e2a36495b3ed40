import ArgumentParser
import MediabaseModel

/// The `mediabase` command: converts MEDIABASE dumps and patient files without a server.
/// Async so that `serve` can be an `AsyncParsableCommand` (the other subcommands stay
/// synchronous; ArgumentParser runs them as before).
@main
struct Mediabase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mediabase",
        abstract: "Convert MEDIABASE pg_dump files, CSV exports and patient tables into SQLite or PostgreSQL bundles.",
        version: MediabaseVersion.current,
        subcommands: [InspectCommand.self, ConvertCommand.self, PatientsCommand.self, ValidateCommand.self, GenerateCommand.self, RewriteQueryCommand.self, ServeCommand.self]
    )
}
