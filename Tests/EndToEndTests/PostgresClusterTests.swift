import Foundation
import MediabaseTestSupport
import XCTest

/// Checks the test harness itself: that it starts a usable server, reports SQL errors with
/// the server's message, and leaves nothing behind when stopped.
final class PostgresClusterTests: XCTestCase {
    /// One cluster for the class; a failed start is kept so every test reports it.
    private static var shared: Result<PostgresCluster, Error>?
    private var cluster: PostgresCluster!

    override func setUpWithError() throws {
        if Self.shared == nil { Self.shared = Result { try PostgresCluster.start() } }
        cluster = try Self.shared!.get()
    }

    override class func tearDown() {
        (try? shared?.get())?.stop()
        shared = nil
        super.tearDown()
    }

    func testRunsSQLAndDumps() throws {
        XCTAssertEqual(try cluster.psql(sql: "SELECT 1;"), "1\n")
        try cluster.createDatabase("smoke test")
        try cluster.psql(sql: "CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1, 'x');", database: "smoke test")
        let output = cluster.workDirectory + "/smoke.sql"
        try cluster.pgDump(database: "smoke test", arguments: ["-Fp"], output: output)
        let dump = try String(contentsOfFile: output, encoding: .utf8)
        XCTAssertTrue(dump.contains("COPY public.t (a, b) FROM stdin;\n1\tx\n\\.\n"), dump)
    }

    func testFailedStatementReportsServerMessage() {
        XCTAssertThrowsError(try cluster.psql(sql: "SELECT 1;\nSELECT * FROM no_such_table;\nSELECT 2;")) { error in
            XCTAssertTrue("\(error)".contains("relation \"no_such_table\" does not exist"), "\(error)")
        }
    }

    func testStopShutsDownServerAndRemovesFolder() throws {
        let own = try PostgresCluster.start()
        let pidFile = try String(contentsOfFile: own.directory + "/data/postmaster.pid", encoding: .utf8)
        let serverPID = try XCTUnwrap(pid_t(pidFile.prefix { $0 != "\n" }))
        XCTAssertEqual(kill(serverPID, 0), 0, "server should be running")
        own.stop()
        XCTAssertFalse(FileManager.default.fileExists(atPath: own.directory))
        XCTAssertNotEqual(kill(serverPID, 0), 0, "server \(serverPID) still running after stop()")
    }
}
