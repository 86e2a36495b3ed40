import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs external programs for the tests: the `mediabase` binary, PostgreSQL's programs,
/// `sqlite3`, R, shell command lines.
///
/// Programs that the test waits for are started with `posix_spawn` and reaped with `wait4`,
/// which also reports their peak memory. Standard output and error go to files rather than
/// pipes, so a chatty child can never block on a full pipe, and a daemon the child leaves behind
/// (`pg_ctl start`) cannot hold them open; standard input is `/dev/null` (or a file holding the
/// given input), so no child ever waits on the terminal. `Foundation.Process` is kept for
/// ``start(_:in:output:errors:)`` only: on Linux it learns that a child exited when a socket it hands to
/// the child is closed (swift-corelibs-foundation#4795), which a direct, long-running child
/// (a server the test stops itself) never passes on.
package enum Subprocess {
    /// How a program ended and what it wrote.
    package struct Outcome {
        /// The exit status; 128 + the signal number when a signal ended it.
        package let status: Int32
        /// Standard output (with standard error when they were merged).
        package let output: Data
        /// Standard error; empty when merged into ``output``.
        package let errors: Data
        /// Peak resident set size of the child, in KiB.
        package let peakMemoryKiB: Int

        /// ``output`` as text.
        package var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// A program that could not be started, exited non-zero, or ran too long.
    package struct Failure: Error, CustomStringConvertible {
        /// The command line, for the message.
        package var command: [String]
        /// What went wrong: the exit status, a timeout, or the launch error.
        package var reason: String
        /// The program's standard error (or its last part).
        package var stderr: String

        package init(command: [String], reason: String, stderr: String) {
            self.command = command
            self.reason = reason
            self.stderr = stderr
        }

        package var description: String {
            "`\(command.joined(separator: " "))` \(reason)" + (stderr.isEmpty ? "" : ":\n\(stderr)")
        }
    }

    /// The environment every child gets unless told otherwise: the test's own, minus the `PG*`
    /// variables, so a developer's `PGHOST`, `PGOPTIONS`, `PGTZ` or `PGDATESTYLE` can neither
    /// redirect a client to another server nor change how values are printed.
    package static let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }

    /// Runs `command` (an absolute path and its arguments), waits for it, and returns its
    /// standard output; throws ``Failure`` with its standard error unless it exits with 0.
    ///
    /// - Parameters:
    ///   - directory: the working folder (default: the test's own).
    ///   - timeout: seconds before the child is terminated and the call fails, so a stuck
    ///     server or client fails the test instead of hanging the suite.
    ///   - extraEnvironment: variables set on top of ``environment`` (`PATH`, `PGHOST`, ...).
    @discardableResult
    package static func run(_ command: [String], in directory: String? = nil, timeout: TimeInterval = 120,
                            extraEnvironment: [String: String] = [:]) throws -> String {
        let outcome = try spawn(command, in: directory, environment: environment.merging(extraEnvironment) { $1 }, timeout: timeout)
        guard outcome.status == 0 else {
            let how = outcome.status > 128 ? "was killed by signal \(outcome.status - 128)" : "exited with status \(outcome.status)"
            throw Failure(command: command, reason: how, stderr: tail(outcome.errors))
        }
        return outcome.text
    }

    /// Runs `sh -c line arguments...` (the arguments are `$0`, `$1`, ...) and returns however it
    /// ended, standard error merged into standard output unless `mergingErrors` is false.
    @discardableResult
    package static func shell(_ line: String, arguments: [String] = [], input: Data? = nil,
                              environment: [String: String]? = nil, mergingErrors: Bool = true) throws -> Outcome {
        try spawn(["/bin/sh", "-c", line] + arguments, environment: environment, input: input, mergingErrors: mergingErrors)
    }

    /// Runs `command` (an absolute path and its arguments) and returns however it ended.
    ///
    /// - Parameters:
    ///   - directory: the working folder (default: the test's own).
    ///   - environment: the child's whole environment (default: ``environment``).
    ///   - input: what the child reads on standard input (default: nothing, `/dev/null`).
    ///   - mergingErrors: standard error goes where standard output goes.
    ///   - timeout: seconds before the child is terminated and the call fails (default: none).
    package static func spawn(_ command: [String], in directory: String? = nil, environment: [String: String]? = nil,
                              input: Data? = nil, mergingErrors: Bool = false, timeout: TimeInterval? = nil) throws -> Outcome {
        let capture = (NSTemporaryDirectory() as NSString).appendingPathComponent("mediabase-child-\(UUID().uuidString)")
        let (inputPath, outputPath, errorPath) = (capture + ".in", capture + ".out", capture + ".err")
        defer { for path: String in [inputPath, outputPath, errorPath] { unlink(path) } }
        if let input {
            guard FileManager.default.createFile(atPath: inputPath, contents: input) else {
                throw Failure(command: command, reason: "could not be started (cannot create \(inputPath))", stderr: "")
            }
        }
        // posix_spawn has no portable way to change the child's folder: a shell does it, then
        // replaces itself with the program, which keeps its pid and resource usage.
        let argv = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0] + command } ?? command

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, input == nil ? "/dev/null" : inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if mergingErrors {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        let arguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        let variables: [UnsafeMutablePointer<CChar>?] = (environment ?? Self.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { variables.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, arguments, variables)
        guard spawned == 0 else {
            throw Failure(command: command, reason: "could not be started (\(String(cString: strerror(spawned))))", stderr: "")
        }

        var status: Int32 = 0
        var usage = rusage()
        let deadline = timeout.map { Date() + $0 }
        var pause: useconds_t = 1_000
        while true {
            let reaped = wait4(pid, &status, deadline == nil ? 0 : WNOHANG, &usage)
            if reaped == pid { break }
            if reaped < 0 {
                guard errno == EINTR else { throw Failure(command: command, reason: "could not be waited for (\(String(cString: strerror(errno))))", stderr: "") }
                continue
            }
            if let deadline, Date() >= deadline {
                kill(pid, SIGTERM)
                while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
                throw Failure(command: command, reason: "timed out after \(Int(timeout ?? 0)) s",
                              stderr: tail((try? Data(contentsOf: URL(fileURLWithPath: mergingErrors ? outputPath : errorPath))) ?? Data()))
            }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
        // wait(2) status: the low seven bits are the terminating signal, 0 for a normal exit.
        let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Outcome(status: exitStatus, output: (try? Data(contentsOf: URL(fileURLWithPath: outputPath))) ?? Data(),
                       errors: mergingErrors ? Data() : (try? Data(contentsOf: URL(fileURLWithPath: errorPath))) ?? Data(),
                       peakMemoryKiB: Int(usage.ru_maxrss))
    }

    /// Starts `command` (an absolute path and its arguments) in `directory` without waiting
    /// for it; standard output goes to `output` (`/dev/null` when nil), standard error to
    /// `errors` (default: where the output goes). For servers and runs the test stops itself.
    package static func start(_ command: [String], in directory: String, output: FileHandle? = nil,
                              errors: FileHandle? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output ?? .nullDevice
        process.standardError = errors ?? output ?? .nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(command: command, reason: "could not be started (\(error))", stderr: "")
        }
        return process
    }

    /// Creates an empty file at `path` and opens it for a child to write to.
    package static func captureFile(_ path: String, for command: [String]) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw Failure(command: command, reason: "could not be started (cannot create \(path))", stderr: "")
        }
        return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    /// The last 4 KB of a text file: enough to show an error without flooding the test log.
    package static func tail(of path: String) -> String {
        tail(FileManager.default.contents(atPath: path) ?? Data())
    }

    private static func tail(_ data: Data) -> String {
        String(decoding: data.suffix(4096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
