import ArgumentParser
import Foundation
import MediabaseServe

/// `mediabase serve --core core.sqlite [--patients DIR]`: the v0.6 HTTP API over the SQLite
/// outputs, read-only (docs/spec.md §10).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the v0.6 HTTP API (/api/v1/transcripts, /api/v1/patients, ...) from a SQLite core and patient files, read-only.",
        discussion: """
            Answers the API the second migration guide's clients call, from the outputs of \
            convert --to sqlite and patients --to sqlite. Patient files are looked up in the \
            folder per request, so one added later is served without a restart. Prints the \
            address it listens on to stderr; SIGINT or SIGTERM stop it. The OpenAPI document is \
            at /openapi.json.

            Example: mediabase serve --core core.sqlite --patients patients/
                     curl 'http://127.0.0.1:8000/api/v1/transcripts?patient_id=PATIENT123&fold_change_min=2'
            """)

    @Option(help: "The SQLite core made by mediabase convert --to sqlite.")
    var core: String

    @Option(help: "The folder of patient_<id>.sqlite files made by mediabase patients --to sqlite.")
    var patients: String?

    @Option(help: "The address to listen on (loopback unless told otherwise).")
    var host = "127.0.0.1"

    @Option(help: "The TCP port; 0 picks a free one (printed on stderr).")
    var port = 8000

    @Option(help: "Worker threads, each with its own read-only SQLite connections (default: the number of cores).")
    var threads: Int?

    @Option(name: .customLong("time-limit-ms"),
            help: "How long the queries of one request may run, in milliseconds (decimals allowed); past it they are stopped and the request is answered 503.")
    var timeLimitMilliseconds: Double = 10_000

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535, not \(port)") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be 1 to 256, not \(threads)") }
        guard timeLimitMilliseconds > 0, timeLimitMilliseconds <= 86_400_000 else {
            throw ValidationError("--time-limit-ms must be more than 0 and at most a day (86400000), not \(timeLimitMilliseconds)")
        }
    }

    func run() async throws {
        let server = try APIServer(ServeConfiguration(corePath: core, patientsPath: patients, host: host, port: port, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount,
                                                        timeLimit: .nanoseconds(Int64(timeLimitMilliseconds * 1_000_000))))
        try await server.run()
    }
}
