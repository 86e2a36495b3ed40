import Foundation
import XCTest

/// A private, throwaway PostgreSQL 15 cluster: `initdb` into a temporary folder, a Unix socket
/// in that folder and no TCP listener, stopped and deleted by ``stop()``.
///
/// As root, the server programs run as the `postgres` user (`runuser`), since PostgreSQL
/// refuses to run as root; `psql` runs as the caller. Set `MEDIABASE_SKIP_PG=1` to skip.
final class ScratchPostgres {
    static let binaries = "/usr/lib/postgresql/15/bin"

    let folder: URL
    private var running = false

    /// Starts a cluster, or throws `XCTSkip` when told to skip.
    init() throws {
        if ProcessInfo.processInfo.environment["MEDIABASE_SKIP_PG"] == "1" {
            throw XCTSkip("MEDIABASE_SKIP_PG=1")
        }
        folder = URL(fileURLWithPath: "/tmp").appendingPathComponent("mediabase-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        if getuid() == 0 {
            guard let user = getpwnam("postgres") else { throw XCTSkip("no postgres user to run the server as") }
            chown(folder.path, user.pointee.pw_uid, user.pointee.pw_gid)
        }
        try Self.run(serverProgram("initdb") + ["-D", dataFolder, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"])
        try Self.run(serverProgram("pg_ctl") + ["-D", dataFolder, "-l", folder.appendingPathComponent("log").path, "-w",
                                                 "-o", "-c listen_addresses='' -k \(folder.path) -c fsync=off -c full_page_writes=off",
                                                 "start"])
        running = true
    }

    private var dataFolder: String { folder.appendingPathComponent("data").path }

    private func serverProgram(_ name: String) -> [String] {
        let path = "\(Self.binaries)/\(name)"
        return getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", path] : [path]
    }

    /// Stops the server and deletes the cluster.
    func stop() {
        if running { _ = try? Self.run(serverProgram("pg_ctl") + ["-D", dataFolder, "-m", "immediate", "-w", "stop"]) }
        running = false
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }

    /// Creates a database; `encoding` SQL_ASCII accepts bytes that are not UTF-8.
    func createDatabase(_ name: String, encoding: String = "UTF8") throws {
        _ = try psql(database: "postgres", command: "CREATE DATABASE \(name) ENCODING '\(encoding)' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'")
    }

    /// Runs psql with `ON_ERROR_STOP` against `database`, on a script file or a command, and
    /// returns its standard output; a failure throws with psql's messages.
    @discardableResult
    func psql(database: String, file: URL? = nil, command: String? = nil) throws -> Data {
        var arguments = ["\(Self.binaries)/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", folder.path, "-U", "postgres",
                         "-d", database, "-A", "-t"]
        if let file { arguments += ["-f", file.path] }
        if let command { arguments += ["-c", command] }
        return try Self.run(arguments)
    }

    /// One value of a one-row query, as text.
    func value(database: String, _ query: String) throws -> String {
        String(decoding: try psql(database: database, command: query), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    private static func run(_ arguments: [String]) throws -> Data {
        try ChildProcess.run(arguments).output
    }
}
