import Foundation
import XCTest

/// A private, throwaway PostgreSQL cluster for the bundle tests: initdb in a temporary folder,
/// a server listening only on a Unix socket in that folder, stopped and deleted by ``stop()``.
///
/// Uses the highest version under `/usr/lib/postgresql/*/bin` (or `pg_ctl` on the PATH). As
/// root, the server programs run as the `postgres` user (initdb refuses root). Tests skip only
/// when `MEDIABASE_SKIP_PG=1`; a missing PostgreSQL otherwise fails them.
final class BundlePostgres {
    let folder: String
    /// The folder of the server programs (initdb, pg_ctl, pg_dump).
    let binaries: String
    private let asPostgresUser: Bool
    private var serverProcess: Process?

    /// Where psql and load.sh connect: the socket folder, as superuser `postgres`.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PGHOST"] = folder
        environment["PGUSER"] = "postgres"
        environment["PGPORT"] = "5432"
        for name in ["PGDATABASE", "PGPASSWORD", "PGSERVICE", "PGOPTIONS", "PSQLRC"] { environment.removeValue(forKey: name) }
        return environment
    }

    /// Starts a new cluster, or throws XCTSkip when `MEDIABASE_SKIP_PG=1`.
    static func start() throws -> BundlePostgres {
        if ProcessInfo.processInfo.environment["MEDIABASE_SKIP_PG"] == "1" { throw XCTSkip("MEDIABASE_SKIP_PG=1") }
        signal(SIGPIPE, SIG_IGN)
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let binaries: String
        if let highest = versions.compactMap(Int.init).max() {
            binaries = "/usr/lib/postgresql/\(highest)/bin"
        } else if let pgCtl = try? Shell.run("command -v pg_ctl").output.trimmingCharacters(in: .whitespacesAndNewlines), !pgCtl.isEmpty {
            binaries = (pgCtl as NSString).deletingLastPathComponent
        } else {
            throw NSError(domain: "BundlePostgres", code: 1, userInfo: [NSLocalizedDescriptionKey: "no PostgreSQL server binaries found (set MEDIABASE_SKIP_PG=1 to skip)"])
        }
        // A short path: the socket path must fit in sun_path (107 bytes).
        let folder = "/tmp/mb-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        let cluster = BundlePostgres(folder: folder, binaries: binaries, asPostgresUser: getuid() == 0)
        do {
            try cluster.server("\(binaries)/initdb -D \(folder)/data -A trust -U postgres -E UTF8 --locale=C --no-sync")
            try cluster.startServer()
        } catch {
            cluster.stop()
            throw error
        }
        return cluster
    }

    /// Runs the postmaster as a child process rather than through `pg_ctl start`: a daemon
    /// would inherit the descriptor Foundation's `Process` watches for the child's exit and keep
    /// `waitUntilExit` waiting forever.
    private func startServer() throws {
        let log = (folder as NSString).appendingPathComponent("log")
        guard FileManager.default.createFile(atPath: log, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let postgres = "\(binaries)/postgres -D \(folder)/data -c listen_addresses= -k \(folder) -c fsync=off"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec " + (asPostgresUser ? "runuser -u postgres -- " : "") + postgres]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        serverProcess = process
        try startWatchdog()
        for _ in 0..<300 {
            if try Shell.run("\"$0\"/pg_isready -q -h \"$1\"", arguments: [binaries, folder]).status == 0 { return }
            guard process.isRunning else { break }
            usleep(100_000)
        }
        throw NSError(domain: "BundlePostgres", code: 2, userInfo: [NSLocalizedDescriptionKey: "the server did not start: \(String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self))"])
    }

    private init(folder: String, binaries: String, asPostgresUser: Bool) {
        self.folder = folder
        self.binaries = binaries
        self.asPostgresUser = asPostgresUser
    }

    /// Runs a server program (initdb, pg_ctl) as the user that owns the cluster.
    private func server(_ command: String) throws {
        let line = asPostgresUser ? "runuser -u postgres -- sh -c '\(command.replacingOccurrences(of: "'", with: "'\\''"))'" : command
        let result = try Shell.run(line)
        guard result.status == 0 else {
            throw NSError(domain: "BundlePostgres", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: "\(command) failed: \(result.output)"])
        }
    }

    /// Stops the server and deletes the cluster once this process is gone, should it crash
    /// before ``stop()``; after a normal stop there is nothing left for it to do.
    private func startWatchdog() throws {
        let stopServer = (asPostgresUser ? "runuser -u postgres -- " : "") + "\(binaries)/pg_ctl -D \(folder)/data -m immediate stop"
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = ["-c", "while kill -0 \"$0\" 2>/dev/null; do sleep 1; done; \(stopServer) >/dev/null 2>&1; rm -rf \"$1\"", "\(getpid())", folder]
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try watchdog.run()
    }

    /// Stops the server and deletes the cluster.
    func stop() {
        if let serverProcess {
            if serverProcess.isRunning { try? server("\(binaries)/pg_ctl -D \(folder)/data -m immediate -w stop") }
            serverProcess.waitUntilExit()
        }
        serverProcess = nil
        try? FileManager.default.removeItem(atPath: folder)
    }

    func createDatabase(_ name: String) throws {
        _ = try psql("postgres", "CREATE DATABASE \(name)")
    }

    /// Runs SQL with psql and returns its unaligned, tuples-only output; throws on an error.
    @discardableResult
    func psql(_ database: String, _ sql: String) throws -> String {
        let result = try Shell.run("psql -X -q -At -v ON_ERROR_STOP=1 -d \"$0\" -f -", arguments: [database], input: Data(sql.utf8), environment: environment)
        guard result.status == 0 else {
            throw NSError(domain: "BundlePostgres", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: "psql failed: \(result.output)"])
        }
        return result.output
    }

    /// Runs a query through `COPY (query) TO STDOUT` and returns the raw COPY text.
    func copyOut(_ database: String, _ query: String) throws -> Data {
        let result = try Shell.runCapturingStdout("psql -X -q -v ON_ERROR_STOP=1 -d \"$0\" -c \"$1\"", arguments: [database, "COPY (\(query)) TO STDOUT"], environment: environment)
        guard result.status == 0 else {
            throw NSError(domain: "BundlePostgres", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: "COPY failed: \(String(decoding: result.stderr, as: UTF8.self))"])
        }
        return result.stdout
    }

    /// The user tables and materialized views in schema public.
    func relations(_ database: String) throws -> [String] {
        try psql(database, "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public' AND relkind IN ('r', 'm') ORDER BY 1")
            .split(separator: "\n").map(String.init)
    }
}

/// Runs shell command lines for the tests.
enum Shell {
    struct Result {
        var status: Int32
        /// stdout and stderr together.
        var output: String
    }

    /// Runs `sh -c command arguments...` (the arguments are `$0`, `$1`, ...). Output goes through
    /// a file, not a pipe: `pg_ctl start` leaves a server running that would otherwise hold the
    /// pipe open.
    static func run(_ command: String, arguments: [String] = [], input: Data? = nil, environment: [String: String]? = nil) throws -> Result {
        let outputFile = (NSTemporaryDirectory() as NSString).appendingPathComponent("mb-output-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: outputFile, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        defer { try? FileManager.default.removeItem(atPath: outputFile) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command] + arguments
        if let environment { process.environment = environment }
        process.standardOutput = output
        process.standardError = output
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        try output.close()
        if let input {
            // A command may stop reading early (psql on an error): then the write fails with EPIPE
            // (SIGPIPE is ignored, see BundlePostgres.start) and its status tells the rest.
            let handle = inputPipe.fileHandleForWriting
            try? handle.write(contentsOf: input)
            try? handle.close()
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: FileManager.default.contents(atPath: outputFile) ?? Data(), as: UTF8.self))
    }

    /// Runs `sh -c command arguments...` and returns stdout as bytes, with stderr apart (through a
    /// file, so that neither pipe can fill up while the other is read).
    static func runCapturingStdout(_ command: String, arguments: [String], environment: [String: String]) throws -> (status: Int32, stdout: Data, stderr: Data) {
        let errorFile = (NSTemporaryDirectory() as NSString).appendingPathComponent("mb-stderr-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(atPath: errorFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exec 2>\"$MB_STDERR_FILE\"; " + command] + arguments
        var environment = environment
        environment["MB_STDERR_FILE"] = errorFile
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data, FileManager.default.contents(atPath: errorFile) ?? Data())
    }
}
