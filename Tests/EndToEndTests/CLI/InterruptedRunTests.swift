import Foundation
import MediabaseTestSupport
import XCTest
@testable import MediabaseModel
@testable import MediabaseGenerate
@testable import MediabasePipeline

/// `mediabase convert` as a user runs it: a run killed outright (SIGKILL) leaves temporaries
/// named for its process; the next run on the same target removes them and says so, but never
/// those of a process that still runs (docs/spec.md §6).
final class InterruptedRunTests: ScratchFolderTestCase {
    /// The generated dump a conversion takes seconds on (debug build): killed while it runs.
    private static let dump: String = {
        let (generated, _) = try! GeneratedData.generate(GenerateOptions(seed: 3, genes: 600, threads: 2), name: "interrupted")
        atexit { try? FileManager.default.removeItem(at: InterruptedRunTests.dumpFolder!) }
        dumpFolder = generated.deletingLastPathComponent()
        return generated.appendingPathComponent("mbase.sql").path
    }()
    nonisolated(unsafe) private static var dumpFolder: URL?


    private func entries() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: folder).sorted() }

    /// Starts `mediabase ARGUMENTS` with stderr going to a file.
    private func start(_ arguments: [String], errors: String) throws -> Process {
        XCTAssertTrue(FileManager.default.createFile(atPath: errors, contents: nil))
        return try Subprocess.start([Repository.binary] + arguments, in: folder, errors: FileHandle(forWritingTo: URL(fileURLWithPath: errors)))
    }

    /// A process id that is certainly not running: a child that has exited and been reaped.
    /// A live process to own temporaries: `sleep 600`, which the caller terminates.
    private func startSleeper() throws -> Process {
        try Subprocess.start(["/bin/sleep", "600"], in: folder)
    }

    private func deadPid() throws -> pid_t {
        let process = try Subprocess.start(["/bin/true"], in: folder)
        process.waitUntilExit()
        return process.processIdentifier
    }

    func testTheNextRunRemovesWhatAKilledRunLeft() throws {
        for target in ["sqlite", "bundle"] {
            let output = path("core-\(target)")
            let firstErrors = path("first-\(target).err")
            let first = try start(["convert", Self.dump, "--to", target, output, "--progress", "never"], errors: firstErrors)
            let pid = first.processIdentifier
            // Kill it once its build file exists and it has had time to fill some of it.
            let building = target == "bundle" ? "\(output).tmp-\(pid).sqlite" : "\(output).tmp-\(pid)"
            let deadline = Date().addingTimeInterval(120)
            while !FileManager.default.fileExists(atPath: building), first.isRunning, Date() < deadline { usleep(10_000) }
            usleep(300_000)
            let ended = first.isRunning ? "" : try String(contentsOfFile: firstErrors, encoding: .utf8)
            XCTAssertTrue(first.isRunning, "the conversion ended before it could be killed: \(ended)")
            kill(pid, SIGKILL)
            first.waitUntilExit()
            XCTAssertEqual(first.terminationReason, .uncaughtSignal)

            let left = try entries().filter { $0.hasPrefix("core-\(target)") }
            XCTAssertTrue(left.contains((building as NSString).lastPathComponent), "\(left)")
            XCTAssertTrue(left.contains("core-\(target).rejects.jsonl.tmp-\(pid)"), "\(left)")
            XCTAssertFalse(left.contains("core-\(target)"), "no output at the target after a kill")

            let secondErrors = path("second-\(target).err")
            let second = try start(["convert", Self.dump, "--to", target, output, "--progress", "never"], errors: secondErrors)
            second.waitUntilExit()
            let stderr = try String(contentsOfFile: secondErrors, encoding: .utf8)
            XCTAssertEqual(second.terminationStatus, 0, stderr)
            for name in left {
                XCTAssertTrue(stderr.contains("removed \(path(name)), left by process \(pid), which is no longer running"), "\(name): \(stderr)")
            }
            let after = try entries().filter { $0.hasPrefix("core-\(target)") }
            XCTAssertEqual(after.filter { $0.contains(".tmp-") }, [], "\(after)")
            XCTAssertTrue(after.contains("core-\(target)"))
        }
    }

    /// SIGTERM, SIGINT and SIGHUP end a run after it removed its temporaries itself (a file for
    /// SQLite, a folder for a bundle), with status 128 + the signal's number.
    func testAnInterruptedRunRemovesItsTemporaries() throws {
        for (target, signal) in [("sqlite", SIGTERM), ("bundle", SIGINT), ("bundle", SIGHUP)] {
            let output = path("core-\(target)-\(signal)")
            let errors = path("run-\(target)-\(signal).err")
            let run = try start(["convert", Self.dump, "--to", target, output, "--progress", "never"], errors: errors)
            let pid = run.processIdentifier
            let building = target == "bundle" ? "\(output).tmp-\(pid).sqlite" : "\(output).tmp-\(pid)"
            let deadline = Date().addingTimeInterval(120)
            while !FileManager.default.fileExists(atPath: building), run.isRunning, Date() < deadline { usleep(10_000) }
            usleep(300_000)
            let ended = run.isRunning ? "" : try String(contentsOfFile: errors, encoding: .utf8)
            XCTAssertTrue(run.isRunning, "the conversion ended before it could be interrupted: \(ended)")
            XCTAssertTrue(try entries().contains { $0.hasPrefix("core-\(target)-\(signal)") && $0.contains(".tmp-\(pid)") })
            kill(pid, signal)
            run.waitUntilExit()
            XCTAssertEqual(run.terminationReason, .exit)
            XCTAssertEqual(run.terminationStatus, 128 + signal)
            let left = try entries().filter { $0.hasPrefix("core-\(target)-\(signal)") }
            XCTAssertEqual(left, [], "an interrupted \(target) run leaves nothing at or beside its target")
        }
    }


    func testOnlyTemporariesOfProcessesThatAreGoneAreRemoved() throws {
        let dead = try deadPid()
        let sleeper = try startSleeper()
        defer {
            sleeper.terminate()
            sleeper.waitUntilExit()
        }
        let live = sleeper.processIdentifier
        let own = getpid()
        let stale = [
            "out.sqlite.tmp-\(dead)", "out.sqlite.tmp-\(dead).views-sql", "out.sqlite.tmp-\(dead).views-filled",
            "out.sqlite.tmp-\(dead)-journal", "out.sqlite.tmp-\(dead).old", "out.sqlite.rejects.jsonl.tmp-\(dead)",
        ]
        let kept = [
            "out.sqlite.tmp-\(own)", "out.sqlite.tmp-\(live).views-sql", "out.sqlite.rejects.jsonl.tmp-\(live)",
            "out.sqlite.tmp-\(dead)x", "out.sqlite.tmp-", "out.sqlite.bak", "other.sqlite.tmp-\(dead)", "out.sqlite2.tmp-\(dead)",
        ]
        for name in stale + kept { XCTAssertTrue(FileManager.default.createFile(atPath: path(name), contents: Data("x".utf8))) }
        // A folder too, as a bundle's temporaries are.
        try FileManager.default.createDirectory(atPath: path("out.sqlite.tmp-\(dead).dir/sub"), withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: path("out.sqlite.tmp-\(dead).dir/sub/part.gz"), contents: Data("x".utf8)))

        let errors = path("run.err")
        let run = try start(["convert", Fixtures.path("legacy/corruption_cases.sql"), "--to", "sqlite", path("out.sqlite"), "--progress", "never"], errors: errors)
        run.waitUntilExit()
        let stderr = try String(contentsOfFile: errors, encoding: .utf8)
        XCTAssertEqual(run.terminationStatus, 0, stderr)
        for name in stale + ["out.sqlite.tmp-\(dead).dir"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path(name)), name)
            XCTAssertTrue(stderr.contains("removed \(path(name)), left by process \(dead)"), "\(name): \(stderr)")
        }
        for name in kept {
            XCTAssertTrue(FileManager.default.fileExists(atPath: path(name)), name)
            XCTAssertFalse(stderr.contains(path(name) + ","), "\(name): \(stderr)")
        }
    }

    /// A live process whose id a killed run had: it started after the temporary was last
    /// written, so it cannot own it (Linux: start time from /proc).
    func testAReusedProcessIdDoesNotKeepATemporary() throws {
        #if os(Linux)
        let sleeper = try startSleeper()
        defer {
            sleeper.terminate()
            sleeper.waitUntilExit()
        }
        let pid = sleeper.processIdentifier
        let old = path("out.sqlite.tmp-\(pid)")
        let recent = path("out.sqlite.tmp-\(pid).views-sql")
        for file in [old, recent] { XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data("x".utf8))) }
        // Last written a day before the process started; the other one an hour before it, within
        // the margin a clock step may account for.
        var times = [timeval(tv_sec: time(nil) - 86_400, tv_usec: 0), timeval(tv_sec: time(nil) - 86_400, tv_usec: 0)]
        var within = [timeval(tv_sec: time(nil) - 3_000, tv_usec: 0), timeval(tv_sec: time(nil) - 3_000, tv_usec: 0)]
        XCTAssertEqual(utimes(recent, &within), 0)
        XCTAssertEqual(utimes(old, &times), 0)
        var logged: [String] = []
        TemporaryOutputs.removeStale(of: [path("out.sqlite")]) { logged.append($0) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: old))
        XCTAssertTrue(FileManager.default.fileExists(atPath: recent), "within the margin: it may be the process's own")
        XCTAssertEqual(logged, ["removed \(old), left by process \(pid), which is no longer running"])
        #else
        throw XCTSkip("process start times are read from /proc")
        #endif
    }

    /// `patients` and `generate` name their temporaries the same way and clean up the same way.
    func testPatientsAndGenerateRemoveWhatKilledRunsLeft() throws {
        let dead = try deadPid()
        let output = path("out")
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: false)
        let stale = ["out/patient_a.sqlite.tmp-\(dead)", "out/patient_a.sqlite.tmp-\(dead)-journal", "out/rejects.jsonl.patient_a.tmp-\(dead)",
                     "out/rejects.jsonl.tmp-\(dead)"]
        let kept = ["out/patient_b.sqlite.tmp-\(dead)", "out/patient_a.sqlite.bak"]
        for name in stale + kept { XCTAssertTrue(FileManager.default.createFile(atPath: path(name), contents: Data("x".utf8))) }
        var options = PatientBatchOptions(core: PatientFixtures.corePath, output: output)
        options.files = try PatientFixtures.write(["A.csv": "transcript_id,fc\nENST00000269305,2\nNOPE,3\n"], in: folder)
        options.progress = .never
        var logged: [String] = []
        let report = try PatientBatch.run(options) { logged.append($0) }
        XCTAssertEqual(report.failed, [])
        for name in stale {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path(name)), name)
            XCTAssertTrue(logged.contains("removed \(path(name)), left by process \(dead), which is no longer running"), "\(name): \(logged)")
        }
        for name in kept { XCTAssertTrue(FileManager.default.fileExists(atPath: path(name)), "not a temporary of this run's targets: \(name)") }

        let generated = path("data")
        let leftovers = ["data.tmp-\(dead)", "data.tmp-\(dead).old"]
        for name in leftovers { try FileManager.default.createDirectory(atPath: path(name + "/patients"), withIntermediateDirectories: true) }
        logged = []
        try DatasetGenerator(options: GenerateOptions(seed: 1, genes: 3)).generate(into: generated, replace: false) { logged.append($0) }
        XCTAssertEqual(logged, leftovers.map { "removed \(path($0)), left by process \(dead), which is no longer running" })
        XCTAssertEqual(try entries().filter { $0.hasPrefix("data") }, ["data"])
    }

    /// A killed process nobody has reaped yet still answers `kill(pid, 0)`; it is gone all the same.
    func testAZombiesTemporariesAreRemoved() throws {
        #if os(Linux)
        var pid: pid_t = 0
        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { arguments.forEach { free($0) } }
        XCTAssertEqual(posix_spawn(&pid, "/bin/true", nil, nil, arguments, nil), 0)
        defer { waitpid(pid, nil, 0) }
        // Not reaped: wait until it has exited and is a zombie.
        var state = ""
        for _ in 0..<500 where state != "Z" {
            usleep(10_000)
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            state = stat.lastIndex(of: ")").map { String(stat[stat.index($0, offsetBy: 2)]) } ?? ""
        }
        XCTAssertEqual(state, "Z")
        XCTAssertEqual(kill(pid, 0), 0, "a zombie still answers kill(pid, 0)")
        let temporary = path("out.sqlite.tmp-\(pid)")
        XCTAssertTrue(FileManager.default.createFile(atPath: temporary, contents: Data("x".utf8)))
        var logged: [String] = []
        TemporaryOutputs.removeStale(of: [path("out.sqlite")]) { logged.append($0) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary))
        XCTAssertEqual(logged, ["removed \(temporary), left by process \(pid), which is no longer running"])
        #else
        throw XCTSkip("process states are read from /proc")
        #endif
    }

    func testTheOwnerIsReadFromTheName() {
        XCTAssertEqual(TemporaryOutputs.owner(of: ".tmp-123"), 123)
        XCTAssertEqual(TemporaryOutputs.owner(of: ".tmp-123.sqlite"), 123)
        XCTAssertEqual(TemporaryOutputs.owner(of: ".tmp-123-journal"), 123)
        XCTAssertEqual(TemporaryOutputs.owner(of: ".patient_a.sql.gz.tmp-77"), 77)
        XCTAssertNil(TemporaryOutputs.owner(of: ".tmp-"))
        XCTAssertNil(TemporaryOutputs.owner(of: ".tmp-12a"))
        XCTAssertNil(TemporaryOutputs.owner(of: "2.tmp-12"))
        XCTAssertNil(TemporaryOutputs.owner(of: ".old-12"))
        XCTAssertNil(TemporaryOutputs.owner(of: ".tmp-0"))
    }
}
