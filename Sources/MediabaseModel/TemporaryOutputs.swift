import Foundation
import MediabaseBytes

/// The temporaries of a run: how they are named, removal on interruption, and removal of those
/// a killed run left behind.
///
/// Every output is built beside its target under a name that carries the process id —
/// `TARGET.tmp-PID` (and what SQLite or the view builder add after it: `TARGET.tmp-PID.sqlite`,
/// `….views-sql`, `…-journal`), `TARGET.SCHEMA.tmp-PID` for a patient's part,
/// `TARGET.tmp-PID.old` for an old output moved aside while it is replaced — and renamed into
/// place only once complete, so the target itself is never half-written. SIGINT, SIGTERM and
/// SIGHUP remove the registered temporaries; SIGKILL cannot be caught, so the next run on the
/// same target removes those whose process is gone (docs/spec.md §6) with ``removeStale(of:log:)``.
package enum TemporaryOutputs {
    /// Where this process builds `target`: `target.tmp-PID`.
    package static func temporary(for target: String) -> String { "\(target).tmp-\(getpid())" }

    /// Where this process moves an old `target` while replacing it: `target.tmp-PID.old`.
    package static func aside(for target: String) -> String { temporary(for: target) + ".old" }

    /// Removes the temporaries of each target (files or folders beside it named
    /// `NAME[.PART].tmp-PID[.…|-…]`) whose process is gone, and logs each removal.
    ///
    /// A process counts as gone when `kill(pid, 0)` fails with ESRCH, or (on Linux) when it is a
    /// zombie no parent has reaped yet (a killed child of a shell that has exited). A live
    /// process with that id keeps its temporaries, unless (on Linux) it started more than
    /// ``reuseMargin`` after the temporary was last modified: then the id was reused by an
    /// unrelated process, since the owner wrote the temporary while it ran. The margin is wide
    /// because the start time is read against the wall clock as it is now: a clock stepped
    /// forward during a run would otherwise make its own temporaries look older than it.
    /// Temporaries of this process are never touched.
    package static func removeStale(of targets: [String], log: (String) -> Void) {
        let fileManager = FileManager.default
        var seen = Set<String>()
        for target in targets {
            let (folder, name) = Paths.split(target)
            guard !name.isEmpty, let entries = try? fileManager.contentsOfDirectory(atPath: folder) else { continue }
            for entry in entries.sorted() where entry.hasPrefix(name) {
                guard let pid = owner(of: entry.dropFirst(name.count)), pid != getpid() else { continue }
                let path = folder == "." ? entry : folder == "/" ? "/" + entry : folder + "/" + entry
                guard seen.insert(path).inserted, !isRunning(pid, owning: path) else { continue }
                do {
                    try fileManager.removeItem(atPath: path)
                    log("removed \(path), left by process \(pid), which is no longer running")
                } catch {
                    log("cannot remove \(path), left by process \(pid): \(error.localizedDescription)")
                }
            }
        }
    }

    /// The process id in what follows a target's name: `.tmp-PID`, after an optional `.PART`
    /// and followed by nothing, `.` or `-`.
    static func owner(of suffix: Substring) -> pid_t? {
        guard suffix.first == "." else { return nil }
        var rest = suffix[...]
        while let range = rest.range(of: ".tmp-") {
            let digits = rest[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
            let after = rest[range.upperBound...].dropFirst(digits.count).first
            if !digits.isEmpty, after == nil || after == "." || after == "-", let pid = pid_t(digits), pid > 0 { return pid }
            rest = rest[range.upperBound...]
        }
        return nil
    }

    /// How much later than a temporary's last change a live process with its id must have
    /// started to count as another process that reused the id (seconds).
    static let reuseMargin = 3600.0

    /// Whether `pid` is a running process that may own `path`.
    static func isRunning(_ pid: pid_t, owning path: String) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return errno != ESRCH }
        #if os(Linux)
        guard let process = processStatus(pid) else { return true }
        if process.state == "Z" || process.state == "X" { return false }
        if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date {
            return process.started <= modified.timeIntervalSince1970 + reuseMargin
        }
        #endif
        return true
    }

    #if os(Linux)
    /// The state of `pid` (field 3 of `/proc/PID/stat`: `Z` for a zombie) and when it started,
    /// in seconds since 1970 (field 22, clock ticks after boot, plus `btime` of `/proc/stat`).
    static func processStatus(_ pid: pid_t) -> (state: Substring, started: Double)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name (which may hold spaces) start at field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]),
              let boot = try? String(contentsOfFile: "/proc/stat", encoding: .utf8)
                  .split(separator: "\n").first(where: { $0.hasPrefix("btime ") })
                  .flatMap({ Double($0.dropFirst(6)) }) else { return nil }
        return (fields[0], boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK))))
    }
    #endif

    /// Registers a file or folder to remove on interruption.
    package static func register(_ path: String) { InterruptCleanup.register(path) }

    /// Forgets a path (it was renamed into place or removed).
    package static func unregister(_ path: String) { InterruptCleanup.unregister(path) }
}
