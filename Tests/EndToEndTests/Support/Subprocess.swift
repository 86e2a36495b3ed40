import Foundation

/// Runs external programs for the end-to-end tests and reports failures with their stderr.
///
/// Standard output and error go to files rather than pipes, so a chatty child can never block
/// on a full pipe while the test waits for it, and standard input is `/dev/null`, so no child
/// ever waits on the terminal.
///
/// On Linux, `Foundation.Process` learns that a child exited when a socket it hands to the
/// child is closed (swift-corelibs-foundation#4795). A program that leaves a daemon behind
/// (`pg_ctl start`) passes that socket on to it and never seems to exit, so long-running
/// programs are started with ``start(_:in:output:)`` and stay our direct children.
enum Subprocess {
    /// A program that could not be started, exited non-zero, or ran too long.
    struct Failure: Error, CustomStringConvertible {
        /// The command line, for the message.
        var command: [String]
        /// What went wrong: the exit status, a timeout, or the launch error.
        var reason: String
        /// The program's standard error (or its last part).
        var stderr: String

        var description: String {
            "`\(command.joined(separator: " "))` \(reason)" + (stderr.isEmpty ? "" : ":\n\(stderr)")
        }
    }

    /// The environment every child gets: the test's own, minus the `PG*` variables, so a
    /// developer's `PGHOST`, `PGOPTIONS`, `PGTZ` or `PGDATESTYLE` can neither redirect a client
    /// to another server nor change how values are printed.
    static let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }

    /// Starts `command` (an absolute path and its arguments) in `directory` without waiting
    /// for it; standard output and error go to `output` (`/dev/null` when nil).
    static func start(_ command: [String], in directory: String, output: FileHandle? = nil) throws -> Process {
        let process = makeProcess(command, in: directory, output: output ?? .nullDevice, error: output ?? .nullDevice)
        try launch(process, command)
        return process
    }

    /// Runs `command` (an absolute path and its arguments) in `directory`, waits for it, and
    /// returns its standard output.
    ///
    /// - Parameters:
    ///   - scratch: a writable folder for the output capture files.
    ///   - timeout: seconds before the child is terminated and the call fails, so a stuck
    ///     server or client fails the test instead of hanging the suite.
    ///   - extraEnvironment: variables set on top of ``environment`` (`PATH`, `PGHOST`, ...).
    @discardableResult
    static func run(_ command: [String], in directory: String, scratch: String, timeout: TimeInterval = 120,
                    extraEnvironment: [String: String] = [:]) throws -> String {
        let capture = scratch + "/" + UUID().uuidString
        let outputPath = capture + ".out"
        let errorPath = capture + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        let process = makeProcess(
            command, in: directory,
            output: try captureFile(outputPath, for: command), error: try captureFile(errorPath, for: command)
        )
        process.environment = environment.merging(extraEnvironment) { $1 }
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try launch(process, command)
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            exited.wait()
            throw Failure(command: command, reason: "timed out after \(Int(timeout)) s", stderr: tail(of: errorPath))
        }
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit ? "exited with status" : "was killed by signal"
            throw Failure(command: command, reason: "\(how) \(process.terminationStatus)", stderr: tail(of: errorPath))
        }
        return String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
    }

    private static func makeProcess(
        _ command: [String], in directory: String, output: FileHandle, error: FileHandle
    ) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = error
        return process
    }

    private static func launch(_ process: Process, _ command: [String]) throws {
        do {
            try process.run()
        } catch {
            throw Failure(command: command, reason: "could not be started (\(error))", stderr: "")
        }
    }

    /// Creates an empty file at `path` and opens it for a child to write to.
    static func captureFile(_ path: String, for command: [String]) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw Failure(command: command, reason: "could not be started (cannot create \(path))", stderr: "")
        }
        return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    /// The last 4 KB of a text file: enough to show an error without flooding the test log.
    static func tail(of path: String) -> String {
        let data = FileManager.default.contents(atPath: path) ?? Data()
        return String(decoding: data.suffix(4096), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
