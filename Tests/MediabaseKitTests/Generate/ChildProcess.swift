import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with `posix_spawn` and waits for it with `wait4`, returning its output and
/// resource usage.
///
/// Foundation's `Process` is not used: on Linux its exit detection can hang when the child
/// leaves a daemon behind (`pg_ctl start`), and it does not report a child's peak memory.
enum ChildProcess {
    struct Result {
        let status: Int32
        let output: Data
        let errors: Data
        /// Peak resident set size of the child, in KiB.
        let peakMemoryKiB: Int
    }

    struct Failure: Error, CustomStringConvertible {
        let command: String
        let status: Int32
        let errors: String
        var description: String { "\(command) exited with \(status): \(errors)" }
    }

    /// Runs `arguments` (the first is the program's path); throws unless it exits with 0.
    @discardableResult
    static func run(_ arguments: [String]) throws -> Result {
        let result = try spawn(arguments)
        guard result.status == 0 else {
            throw Failure(command: arguments.joined(separator: " "), status: result.status,
                          errors: String(decoding: result.errors, as: UTF8.self))
        }
        return result
    }

    /// Runs `arguments` and returns however it ended; `environment` replaces the test's own.
    static func spawn(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        // Output goes to files, not pipes: a daemon the child starts cannot hold them open.
        let folder = FileManager.default.temporaryDirectory
        let outputPath = folder.appendingPathComponent("mediabase-child-out-\(UUID().uuidString)").path
        let errorPath = folder.appendingPathComponent("mediabase-child-err-\(UUID().uuidString)").path
        defer {
            unlink(outputPath)
            unlink(errorPath)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { envp?.forEach { free($0) } }
        let spawned = envp.map { posix_spawn(&pid, arguments[0], &actions, nil, argv, $0) } ?? posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw Failure(command: arguments.joined(separator: " "), status: -1, errors: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw Failure(command: arguments[0], status: -1, errors: String(cString: strerror(errno))) }
        }
        // wait(2) status: the low seven bits are the terminating signal, 0 for a normal exit.
        let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Result(status: exitStatus, output: (try? Data(contentsOf: URL(fileURLWithPath: outputPath))) ?? Data(),
                      errors: (try? Data(contentsOf: URL(fileURLWithPath: errorPath))) ?? Data(),
                      peakMemoryKiB: Int(usage.ru_maxrss))
    }
}
