import Foundation
import XCTest

/// A private, throwaway PostgreSQL cluster for the tests of every test target.
///
/// ``start()`` runs `initdb` into a fresh temporary folder and starts the server on a Unix
/// socket in that folder only (no TCP), with durability switched off for speed. ``stop()``
/// (also called from `deinit`) shuts it down with `pg_ctl stop -m immediate` and deletes the
/// folder. A watchdog process does the same if the test process dies without stopping it (a
/// crash or a kill), so no test run leaves a server behind.
///
/// The server runs as a direct child rather than through `pg_ctl start`, which would leave a
/// daemon holding `Foundation.Process`'s exit-detection socket (see ``Subprocess``); like
/// `pg_ctl -w`, start-up waits until `postmaster.pid` reports the server ready.
///
/// PostgreSQL must be installed: `.ci/install-deps.sh` installs the Debian `postgresql` package,
/// so a missing installation is a test failure, not a skip. Developers without PostgreSQL can set
/// `MEDIABASE_SKIP_PG=1` to skip the tests that need it. A cluster of another major version
/// runs from that version's bin folder (``PostgresVersions``).
///
/// When the tests run as root (as in CI), the server programs run as the `postgres` OS user
/// through `runuser`, because PostgreSQL refuses to run as root; the client programs (`psql`,
/// `pg_dump`) run as the test process itself.
package final class PostgresCluster {
    /// Why a cluster could not be set up.
    package enum SetupError: Error, CustomStringConvertible {
        /// No PostgreSQL server programs were found, or root cannot switch to the `postgres` user.
        case notInstalled(String)
        /// The cluster's temporary folder could not be made or handed to the `postgres` user.
        case cannotPrepareDirectory(String)
        /// `initdb` succeeded but the server did not come up; carries the server log.
        case serverDidNotStart(String)

        package var description: String {
            switch self {
            case let .notInstalled(message):
                return "\(message). These tests need a PostgreSQL server: run .ci/install-deps.sh, "
                    + "which installs it, or set MEDIABASE_SKIP_PG=1 to skip them."
            case let .cannotPrepareDirectory(message):
                return "cannot prepare the PostgreSQL test folder: \(message)"
            case let .serverDidNotStart(log):
                return "the PostgreSQL test server did not start; server log:\n\(log)"
            }
        }
    }

    /// The folder with `initdb`, `pg_ctl`, `postgres` and the matching client programs.
    package let binDirectory: String
    /// The cluster's temporary folder: `data/`, `server.log`, the socket, and ``workDirectory``.
    package let directory: String
    /// The port; with TCP off it only names the socket file (`.s.PGSQL.<port>`).
    package let port: Int
    /// A folder for the tests' own files (dumps, derived inputs), deleted with the cluster.
    package let workDirectory: String

    /// Prefix that runs a server program as the `postgres` user when the tests run as root.
    private let serverUserPrefix: [String]
    private var dataDirectory: String { directory + "/data" }
    private var server: Process?
    private var watchdog: Process?

    /// Starts a new cluster with the programs in `binDirectory` (default: the newest installed
    /// server), or throws `XCTSkip` when `MEDIABASE_SKIP_PG=1` is set.
    package static func start(binDirectory: String? = nil) throws -> PostgresCluster {
        if ProcessInfo.processInfo.environment["MEDIABASE_SKIP_PG"] == "1" {
            throw XCTSkip("MEDIABASE_SKIP_PG=1: skipping the tests that need a PostgreSQL server")
        }
        return try PostgresCluster(binDirectory: binDirectory)
    }

    private init(binDirectory: String?) throws {
        self.binDirectory = try binDirectory ?? Self.findBinDirectory()
        serverUserPrefix = try Self.findServerUserPrefix()
        directory = try Self.makeTemporaryDirectory()
        // TCP is off and the socket lives in this cluster's own folder, so every number is free;
        // a random one also keeps apart the System V shared-memory keys PostgreSQL derives from
        // the port when several clusters run side by side.
        port = Int.random(in: 49152...65535)
        workDirectory = directory + "/work"
        do {
            try initializeAndStart()
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    // MARK: - Using the cluster

    /// Runs `sql` (one or more statements, as a psql script) in `database` and returns the
    /// output, unaligned and without headers or command tags (`psql -X -q -A -t`).
    ///
    /// The script stops at the first error (`ON_ERROR_STOP=1`), and the error carries psql's
    /// standard error.
    @discardableResult
    package func psql(sql: String, database: String = "postgres") throws -> String {
        let script = workDirectory + "/" + UUID().uuidString + ".sql"
        try Data(sql.utf8).write(to: URL(fileURLWithPath: script))
        defer { try? FileManager.default.removeItem(atPath: script) }
        return try runClient(
            ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"] + connection(database) + ["-f", script]
        )
    }

    /// Runs the psql script in `file` (a plain dump) in `database`, stopping at the first error.
    package func psql(file: String, database: String) throws {
        try runClient(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"] + connection(database) + ["-f", file])
    }

    /// Where a client program run from outside finds this server, with this cluster's programs
    /// first on the `PATH` (what a bundle's `load.sh` needs).
    package var clientEnvironment: [String: String] {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return ["PATH": binDirectory + ":" + path, "PGHOST": directory, "PGPORT": String(port), "PGUSER": "postgres"]
    }

    /// Runs `command` (an absolute path and its arguments) with ``clientEnvironment``, in the
    /// work folder, and returns its standard output.
    @discardableResult
    package func runWithClientEnvironment(_ command: [String]) throws -> String {
        try Subprocess.run(command, in: workDirectory, extraEnvironment: clientEnvironment)
    }

    /// The test's own environment (without its `PG*` variables) plus ``clientEnvironment``: what
    /// a shell command line that runs `psql`, `pg_dump` or a bundle's `load.sh` gets.
    package var environment: [String: String] {
        Subprocess.environment.merging(clientEnvironment) { $1 }
    }

    /// Creates an empty database called `name`; with an `encoding` (`SQL_ASCII` accepts bytes
    /// that are not UTF-8), from `template0`, as PostgreSQL requires for another encoding.
    package func createDatabase(_ name: String, encoding: String? = nil) throws {
        let options = encoding.map { " ENCODING '\($0)' TEMPLATE template0" } ?? ""
        try psql(sql: "CREATE DATABASE \(Self.quoteIdentifier(name))\(options);")
    }

    /// Runs `query` through `COPY (query) TO STDOUT` in `database` and returns the raw COPY
    /// text, byte for byte (a `SQL_ASCII` database may hold bytes that are not UTF-8).
    package func copyOut(query: String, database: String) throws -> Data {
        let command = [binDirectory + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"] + connection(database)
            + ["-c", "COPY (\(query)) TO STDOUT"]
        let outcome = try Subprocess.spawn(command, in: workDirectory)
        guard outcome.status == 0 else {
            throw Subprocess.Failure(command: command, reason: "exited with status \(outcome.status)",
                                     stderr: String(decoding: outcome.errors, as: UTF8.self))
        }
        return outcome.output
    }

    /// The user tables and materialized views in schema `public` of `database`, by name.
    package func relations(database: String) throws -> [String] {
        try psql(sql: "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    + "WHERE nspname = 'public' AND relkind IN ('r', 'm') ORDER BY 1", database: database)
            .split(separator: "\n").map(String.init)
    }

    /// Runs the cluster's `pg_dump` on `database` with extra `arguments` (format, compression,
    /// `--inserts`...) and writes the dump to `output`.
    package func pgDump(database: String, arguments: [String], output: String) throws {
        try runClient(["pg_dump"] + connection(database) + arguments + ["-f", output])
    }

    /// Runs the cluster's `pg_restore` with `arguments` and returns its output (`-l` lists an
    /// archive's table of contents without a server).
    package func pgRestore(arguments: [String]) throws -> String {
        try runClient(["pg_restore"] + arguments)
    }

    /// `name` as a double-quoted SQL identifier.
    package static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Stops the server and deletes the cluster's folder; safe to call more than once.
    package func stop() {
        if let server {
            self.server = nil
            let stopped = (try? runServerProgram(["pg_ctl", "-D", dataDirectory, "-m", "immediate", "-w", "stop"])) != nil
            if !stopped, server.isRunning {
                server.terminate()
            }
            server.waitUntilExit()
        }
        watchdog?.terminate()
        watchdog = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Setting up

    private func initializeAndStart() throws {
        try startWatchdog()
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: false)
        try runServerProgram([
            "initdb", "-D", dataDirectory, "-A", "trust", "-U", "postgres", "--encoding=UTF8", "--locale=C", "--no-sync",
        ])
        // Fixed settings: a socket only in our folder; no durability (a test cluster is thrown
        // away); UTC so timestamptz output does not depend on the host's time zone.
        let socketDirectory = directory.replacingOccurrences(of: "'", with: "''")
        let settings = """

            listen_addresses = ''
            unix_socket_directories = '\(socketDirectory)'
            port = \(port)
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            TimeZone = 'UTC'

            """
        let configuration = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.conf"))
        defer { try? configuration.close() }
        try configuration.seekToEnd()
        try configuration.write(contentsOf: Data(settings.utf8))

        try startServer()
    }

    /// Starts `postgres` with its log in `server.log` and waits until it accepts connections.
    private func startServer() throws {
        let log = directory + "/server.log"
        let command = serverUserPrefix + [binDirectory + "/postgres", "-D", dataDirectory]
        let server = try Subprocess.start(command, in: directory, output: Subprocess.captureFile(log, for: command))
        self.server = server
        let deadline = Date() + 60
        while !isAcceptingConnections() {
            guard server.isRunning, Date() < deadline else {
                throw SetupError.serverDidNotStart(Subprocess.tail(of: log))
            }
            usleep(20_000)
        }
    }

    /// Whether the status line of `postmaster.pid` (its 8th, PostgreSQL 10 and later) says
    /// `ready`: the check `pg_ctl -w` makes.
    private func isAcceptingConnections() -> Bool {
        guard let pidFile = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8) else {
            return false
        }
        let lines = pidFile.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.count > 7 && lines[7].trimmingCharacters(in: .whitespaces) == "ready"
    }

    /// Starts a shell that waits for the test process to end and then stops the server and
    /// deletes the folder; ``stop()`` terminates it after doing the same itself.
    private func startWatchdog() throws {
        let script = """
            pid=$1; dir=$2; shift 2
            while kill -0 "$pid" 2>/dev/null; do sleep 1; done
            "$@" >/dev/null 2>&1
            rm -rf "$dir"
            """
        let stopCommand = serverUserPrefix + [binDirectory + "/pg_ctl", "-D", dataDirectory, "-m", "immediate", "stop"]
        watchdog = try Subprocess.start(
            ["/bin/sh", "-c", script, "mediabase-pg-watchdog", String(getpid()), directory] + stopCommand, in: "/"
        )
    }

    /// `-h`, `-p`, `-U`, `-d` for a client program.
    private func connection(_ database: String) -> [String] {
        ["-h", directory, "-p", String(port), "-U", "postgres", "-d", database]
    }

    /// Runs a client program from ``binDirectory`` as the test process's own user.
    @discardableResult
    private func runClient(_ command: [String]) throws -> String {
        try Subprocess.run(
            [binDirectory + "/" + command[0]] + command.dropFirst(), in: workDirectory
        )
    }

    /// Runs a server program from ``binDirectory``, as `postgres` when the tests run as root.
    @discardableResult
    private func runServerProgram(_ command: [String]) throws -> String {
        try Subprocess.run(
            serverUserPrefix + [binDirectory + "/" + command[0]] + command.dropFirst(),
            in: directory
        )
    }

    // MARK: - Finding PostgreSQL

    /// The newest `/usr/lib/postgresql/<version>/bin` (the Debian layout, where several major
    /// versions can be installed side by side), else `pg_config --bindir`.
    private static func findBinDirectory() throws -> String {
        let fileManager = FileManager.default
        let root = "/usr/lib/postgresql"
        let versions = ((try? fileManager.contentsOfDirectory(atPath: root)) ?? [])
            .filter { fileManager.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb") }
            .sorted { versionNumbers($0).lexicographicallyPrecedes(versionNumbers($1)) }
        if let newest = versions.last {
            return "\(root)/\(newest)/bin"
        }
        if let pgConfig = findInPath("pg_config"),
           let output = try? Subprocess.run([pgConfig, "--bindir"], in: "/") {
            let directory = output.trimmingCharacters(in: .whitespacesAndNewlines)
            if fileManager.isExecutableFile(atPath: directory + "/initdb") {
                return directory
            }
        }
        throw SetupError.notInstalled(
            "PostgreSQL server programs not found (no \(root)/*/bin/initdb, no initdb beside `pg_config --bindir`)")
    }

    /// `"9.6"` → `[9, 6]`, `"15"` → `[15]`, so that 15 sorts after 9.6.
    private static func versionNumbers(_ name: String) -> [Int] {
        name.split(separator: ".").map { Int($0) ?? 0 }
    }

    /// `["runuser", "-u", "postgres", "--"]` when running as root, else nothing.
    private static func findServerUserPrefix() throws -> [String] {
        guard geteuid() == 0 else { return [] }
        guard getpwnam("postgres") != nil else {
            throw SetupError.notInstalled("running as root but there is no `postgres` user to run the server as")
        }
        guard let runuser = findInPath("runuser") ?? ["/usr/sbin/runuser", "/sbin/runuser"].first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        }) else {
            throw SetupError.notInstalled("running as root but `runuser` (util-linux) is missing")
        }
        return [runuser, "-u", "postgres", "--"]
    }

    private static func findInPath(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A new empty folder (mode 0700), given to the `postgres` user when running as root.
    private static func makeTemporaryDirectory() throws -> String {
        let template = (NSTemporaryDirectory() as NSString).appendingPathComponent("mediabase-pg.XXXXXX")
        var buffer = Array(template.utf8CString)
        guard mkdtemp(&buffer) != nil else {
            throw SetupError.cannotPrepareDirectory("mkdtemp \(template): \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: buffer)
        if geteuid() == 0, let user = getpwnam("postgres") {
            guard chown(directory, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(atPath: directory)
                throw SetupError.cannotPrepareDirectory("chown postgres \(directory): \(reason)")
            }
        }
        return directory
    }
}
