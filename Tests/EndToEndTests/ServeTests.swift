import Foundation
import MediabaseTestSupport
import XCTest

/// Starts the built `mediabase serve` on a free loopback port over a generated core and 13
/// patients, and calls it over HTTP with python3's urllib:
/// * `fixtures/serve/serve_check.py` compares every endpoint with values it computes from the SQLite
///   files itself, adds a patient file while the server runs, and sends every bad input;
/// * `fixtures/serve/guide_api_client.py` is the second guide's `requests` example, rewritten with
///   urllib, run unchanged against `PATIENT123`.
/// The server is stopped with SIGTERM at the end of each test and must exit 0.
final class ServeTests: XCTestCase {
    private static var folder = ""
    private static var setupError: Error?
    private static var core: String { folder + "/core.sqlite" }
    private static var patients: String { folder + "/patients" }

    private var server: Process?
    private var logPath = ""
    /// What the server printed, read again when it is stopped.
    private var serverLog = ""

    /// Generates the data once: a core of 60 genes, 12 patients plus PATIENT123 (a copy of the
    /// first patient's table under the guide's id).
    override class func setUp() {
        super.setUp()
        folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("mediabase-serve-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let generated = folder + "/generated"
            try Subprocess.run([binary, "generate", "--seed", "16", "--genes", "60", "--patients", "12", "--clean", "--out", generated],
                               in: folder)
            try Subprocess.run([binary, "convert", generated + "/mbase.sql", "--to", "sqlite", core, "--progress", "never"],
                               in: folder)
            let manifest = generated + "/patients/patients.csv"
            var text = try String(contentsOfFile: manifest, encoding: .utf8)
            // The first patient's row again under the guide's id: same file, same metadata.
            let firstRow = text.split(separator: "\n")[1].split(separator: ",", maxSplits: 1)[1]
            text += (text.hasSuffix("\n") ? "" : "\n") + "PATIENT123,\(firstRow)\n"
            try text.write(toFile: manifest, atomically: true, encoding: .utf8)
            try Subprocess.run([binary, "patients", "--manifest", manifest, "--core", core, "--to", "sqlite", patients, "--progress", "never"],
                               in: generated + "/patients")
        } catch {
            setupError = error
        }
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(atPath: folder)
        super.tearDown()
    }

    override func setUpWithError() throws {
        if let error = Self.setupError { throw error }
    }

    override func tearDown() {
        if let server, server.isRunning {
            server.terminate()
            server.waitUntilExit()
        }
        super.tearDown()
    }

    func testEveryEndpointAgainstTheSQLiteFiles() throws {
        // The test's own patient folder: one patient held back to be added while serving, a
        // file that is not SQLite under a patient name, and a file that is not a patient's.
        let served = Self.folder + "/served-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: Self.patients, toPath: served)
        let names = try FileManager.default.contentsOfDirectory(atPath: served).filter { $0.hasPrefix("patient_") }.sorted()
        let spare = Self.folder + "/" + names.last!
        try? FileManager.default.removeItem(atPath: spare)
        try FileManager.default.moveItem(atPath: served + "/" + names.last!, toPath: spare)
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: served + "/patient_bad.sqlite"))
        try Data("notes".utf8).write(to: URL(fileURLWithPath: served + "/notes.txt"))

        let url = try startServer(patients: served)
        let output = try Subprocess.run(["/usr/bin/env", "python3", Self.resource("serve_check.py"), url, Self.core, served, spare],
                                        in: Self.folder, timeout: 90)
        XCTAssertTrue(output.contains(", 0 failures"), output)
        try stopServer()
        XCTAssertTrue(serverLog.contains("patient_bad.sqlite is not a valid patient file"), serverLog)
        XCTAssertFalse(serverLog.contains("notes.txt"), serverLog)
    }

    func testTheGuidesClientRunsUnchanged() throws {
        let url = try startServer(patients: Self.patients)
        let output = try Subprocess.run(["/usr/bin/env", "python3", Self.resource("guide_api_client.py"), url],
                                        in: Self.folder, timeout: 60)
        XCTAssertTrue(output.contains("guide client: ok"), output)
        try stopServer()
    }

    /// With a time limit far below any real page (1 µs: SQLite checks it every thousand
    /// instructions), the pages that run queries are stopped at once with 503 and a detail;
    /// what needs no query (or was computed once, outside the limit) is still answered.
    func testQueriesPastTheTimeLimitAreStoppedWith503() throws {
        let url = try startServer(patients: Self.patients, options: ["--time-limit-ms", "0.001"])
        let ids = try FileManager.default.contentsOfDirectory(atPath: Self.patients)
            .filter { $0.hasPrefix("patient_") && $0.hasSuffix(".sqlite") }.sorted()
            .map { String($0.dropFirst("patient_".count).dropLast(".sqlite".count)) }
        XCTAssertEqual(ids.count, 13)
        let output = try Subprocess.run(["/usr/bin/env", "python3", Self.resource("time_limit_check.py"), url, ids.joined(separator: ",")],
                                        in: Self.folder, timeout: 60)
        XCTAssertTrue(output.contains("time limit: ok"), output)
        try stopServer()
    }

    /// Starts the server on port 0 and returns its URL, read from the line it prints once
    /// listening.
    private func startServer(patients: String, options: [String] = []) throws -> String {
        logPath = Self.folder + "/serve-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let command = [Self.binary, "serve", "--core", Self.core, "--patients", patients, "--port", "0", "--threads", "2"] + options
        let process = try Subprocess.start(command, in: Self.folder, output: FileHandle(forWritingAtPath: logPath))
        server = process
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            serverLog = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = serverLog.range(of: #"listening on (http://127\.0\.0\.1:[0-9]+)"#, options: .regularExpression) {
                return String(serverLog[range].dropFirst("listening on ".count))
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Subprocess.Failure(command: command, reason: "printed no address to listen on within 30 s", stderr: serverLog)
    }

    /// SIGTERM; the server must exit 0 within 10 s. Keeps its output in `serverLog`.
    private func stopServer() throws {
        let server = try XCTUnwrap(server)
        server.terminate()
        let deadline = Date().addingTimeInterval(10)
        while server.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertFalse(server.isRunning, "the server did not stop within 10 s of SIGTERM")
        if server.isRunning { kill(server.processIdentifier, SIGKILL) }
        server.waitUntilExit()
        serverLog = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        XCTAssertEqual(server.terminationReason, .exit)
        XCTAssertEqual(server.terminationStatus, 0, serverLog)
    }

    private static func resource(_ name: String) -> String { Repository.path("fixtures/serve/\(name)") }

    private static var binary: String { Repository.binary }
}
