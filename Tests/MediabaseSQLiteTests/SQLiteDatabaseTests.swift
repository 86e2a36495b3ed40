import Foundation
import MediabaseTestSupport
import XCTest
@testable import MediabaseSQLite

/// The SQLite wrapper: failures carry SQLite's result code, message and SQL; binds are checked;
/// transactions roll back on a throw; bound bytes and blobs read back as written.
final class SQLiteDatabaseTests: ScratchFolderTestCase {
    private var database: SQLiteDatabase!

    // SQLite's documented result codes (https://sqlite.org/rescode.html), written out here rather
    // than taken from the code under test.
    private let sqliteGeneric: Int32 = 1, sqliteCantOpen: Int32 = 14, sqliteConstraint: Int32 = 19, sqliteRange: Int32 = 25
    private let sqliteConstraintUnique: Int32 = 2067, sqliteConstraintNotNull: Int32 = 1299

    override func setUpWithError() throws {
        try super.setUpWithError()
        database = try SQLiteDatabase(path: path("t.sqlite"))
        try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, data BLOB)")
    }

    override func tearDownWithError() throws {
        database = nil
        try super.tearDownWithError()
    }

    private func sqliteError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> SQLiteError? {
        do {
            try body()
            XCTFail("no error", file: file, line: line)
        } catch let error as SQLiteError {
            return error
        } catch {
            XCTFail("not a SQLiteError: \(error)", file: file, line: line)
        }
        return nil
    }

    func testFailingPrepareCarriesCodeMessageAndSQL() throws {
        let error = try XCTUnwrap(sqliteError { _ = try database.prepare("SELECT nope FROM t") })
        XCTAssertEqual(error.resultCode, sqliteGeneric)
        XCTAssertEqual(error.message, "no such column: nope")
        XCTAssertEqual(error.sql, "SELECT nope FROM t")
        XCTAssertEqual(error.path, database.path)
        let description = try XCTUnwrap(error.errorDescription)
        XCTAssertTrue(description.hasPrefix("\(database.path): SQLite error 1 "), description)
        XCTAssertTrue(description.contains("no such column: nope"), description)
        XCTAssertTrue(description.contains("SELECT nope FROM t"), description)
    }

    func testConstraintFailureOnStepCarriesExtendedCode() throws {
        let insert = try database.prepare("INSERT INTO t (name) VALUES (?)")
        try insert.bind(1, "a")
        try insert.run()
        try insert.bind(1, "a")
        let unique = try XCTUnwrap(sqliteError { try insert.step() })
        insert.reset()
        XCTAssertEqual(unique.resultCode, sqliteConstraint)
        XCTAssertEqual(unique.extendedResultCode, sqliteConstraintUnique)
        XCTAssertEqual(unique.message, "UNIQUE constraint failed: t.name")
        XCTAssertEqual(unique.sql, "INSERT INTO t (name) VALUES (?)")
        XCTAssertTrue(unique.errorDescription!.contains("SQLite error 19/2067"), unique.errorDescription!)

        try insert.bindNull(1)
        let notNull = try XCTUnwrap(sqliteError { try insert.step() })
        XCTAssertEqual(notNull.extendedResultCode, sqliteConstraintNotNull)
        XCTAssertEqual(notNull.message, "NOT NULL constraint failed: t.name")
    }

    func testFailingExecuteCarriesCode() throws {
        let error = try XCTUnwrap(sqliteError { try database.execute("INSERT INTO t (name) VALUES ('x'); INSERT INTO t (name) VALUES ('x')") })
        XCTAssertEqual(error.extendedResultCode, sqliteConstraintUnique)
        XCTAssertEqual(error.message, "UNIQUE constraint failed: t.name")
    }

    func testOpenFailureCarriesCode() throws {
        let path = self.path("missing/folder/x.sqlite")
        let error = try XCTUnwrap(sqliteError { _ = try SQLiteDatabase(path: path) })
        XCTAssertEqual(error.resultCode, sqliteCantOpen)
        XCTAssertEqual(error.path, path)
    }

    func testBindFailureIsAnError() throws {
        let select = try database.prepare("SELECT ?")
        let binds: [() throws -> Void] = [{ try select.bind(2, "x") }, { try select.bind(0, Int64(1)) }, { try select.bind(3, 1.5) }, { try select.bindNull(2) },
                     { try [UInt8(1)].withUnsafeBytes { try select.bind(2, blob: $0) } }]
        for bind in binds {
            let error = try XCTUnwrap(sqliteError(bind))
            XCTAssertEqual(error.resultCode, sqliteRange)
            XCTAssertEqual(error.sql, "SELECT ?")
            XCTAssertTrue(error.operation.contains("binding parameter"), error.operation)
        }
    }

    func testTransactionCommitsOrRollsBack() throws {
        let count = { try self.database.integer("SELECT count(*) FROM t") }
        let value = try database.transaction { () throws -> Int in
            try database.execute("INSERT INTO t (name) VALUES ('kept')")
            return 7
        }
        XCTAssertEqual(value, 7)
        XCTAssertEqual(try count(), 1)
        XCTAssertFalse(database.inTransaction)

        struct Stop: Error {}
        XCTAssertThrowsError(try database.transaction {
            try database.execute("INSERT INTO t (name) VALUES ('gone')")
            XCTAssertTrue(database.inTransaction)
            throw Stop()
        }) { XCTAssertTrue($0 is Stop, "\($0)") }
        XCTAssertFalse(database.inTransaction)
        XCTAssertEqual(try count(), 1)

        // A SQLite failure inside rolls back the earlier statements too, and is the error thrown.
        let error = try XCTUnwrap(sqliteError {
            try database.transaction {
                try database.execute("INSERT INTO t (name) VALUES ('gone too')")
                try database.execute("INSERT INTO t (name) VALUES ('kept')")
            }
        })
        XCTAssertEqual(error.extendedResultCode, sqliteConstraintUnique)
        XCTAssertFalse(database.inTransaction)
        XCTAssertEqual(try database.rows("SELECT name FROM t"), [["kept"]])
    }

    func testValuesReadBackAsBound() throws {
        let insert = try database.prepare("INSERT INTO t (id, name, data) VALUES (?, ?, ?)")
        let blob: [UInt8] = [0, 1, 0xFF, 0]
        let text = Array("naïve".utf8)
        try text.withUnsafeBytes { name in
            try blob.withUnsafeBytes { data in
                try insert.bind(1, Int64(5))
                try insert.bind(2, text: name, copy: false)
                try insert.bind(3, blob: data, copy: false)
                try insert.step()
                insert.reset()
            }
        }
        // Empty text and an empty blob are values, not NULL.
        try insert.bind(1, Int64(6))
        try [UInt8]().withUnsafeBytes { try insert.bind(2, text: $0) }
        try [UInt8]().withUnsafeBytes { try insert.bind(3, blob: $0) }
        try insert.run()

        let select = try database.prepare("SELECT id, name, data, 2.5 FROM t ORDER BY id")
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.storageClass(0), .integer)
        XCTAssertEqual(select.int64(0), 5)
        XCTAssertEqual(select.storageClass(1), .text)
        XCTAssertEqual(select.text(1), "naïve")
        XCTAssertEqual(select.storageClass(2), .blob)
        XCTAssertEqual(select.blob(2), blob)
        XCTAssertEqual(select.withBlob(2) { $0.count }, 4)
        XCTAssertEqual(select.storageClass(3), .float)
        XCTAssertEqual(select.double(3), 2.5)
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.text(1), "")
        XCTAssertEqual(select.storageClass(2), .blob)
        XCTAssertEqual(select.blob(2), [])
        XCTAssertFalse(try select.step())
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM t WHERE data IS NULL OR name IS NULL"), "0")
    }

    func testStoredTextBytesTellNullFromEmptyAndGiveNumbersAsText() throws {
        try database.execute("CREATE TABLE v (k INTEGER PRIMARY KEY, value)")
        try database.execute("INSERT INTO v (k, value) VALUES (1, 'naïve'), (2, ''), (3, NULL), (4, 42), (5, -2.5), (6, x'00ff'), (7, x'')")
        let select = try database.prepare("SELECT value FROM v ORDER BY k")
        // What each value should read as, written out here: UTF-8 text, numbers as SQLite's text
        // of them, blobs as their bytes; nil only for NULL.
        let expected: [[UInt8]?] = [Array("naïve".utf8), [], nil, Array("42".utf8), Array("-2.5".utf8), [0x00, 0xFF], []]
        var read: [[UInt8]?] = []
        while try select.step() {
            if let bytes = select.storedTextBytes(0) { read.append(Array(bytes)) } else { read.append(nil) }
        }
        XCTAssertEqual(read, expected)
    }

    func testResetKeepingBindingsReusesValues() throws {
        let insert = try database.prepare("INSERT INTO t (id, name) VALUES (?, ?)")
        try insert.bind(2, "same")
        try insert.bind(1, Int64(1))
        try insert.step()
        insert.reset(clearingBindings: false)
        try database.execute("UPDATE t SET name = 'renamed'")
        try insert.bind(1, Int64(2))
        try insert.step()
        insert.reset()
        XCTAssertEqual(try database.rows("SELECT id, name FROM t ORDER BY id"), [["1", "renamed"], ["2", "same"]])
        // Cleared: the NOT NULL name fails.
        try insert.bind(1, Int64(3))
        XCTAssertEqual(sqliteError { try insert.step() }?.extendedResultCode, sqliteConstraintNotNull)
    }
}

/// Text bound in place: SQLite reads it where it lies while the scope runs, and the bindings
/// are cleared when it ends.
final class SQLiteInPlaceTextTests: XCTestCase {
    func testInPlaceTextIsInsertedAndItsBindingsClearedAfterwards() throws {
        let database = try SQLiteDatabase(path: ":memory:")
        try database.execute("CREATE TABLE t (a TEXT, b TEXT)")
        let insert = try database.prepare("INSERT INTO t (a, b) VALUES (?, ?)")
        let region = Array("firstsecond".utf8)
        try SQLiteStatement.withInPlaceText(in: region.span) { binder in
            let bytes = region.span
            try binder.bind(insert, 1, text: bytes.extracting(0..<5))
            try binder.bind(insert, 2, text: bytes.extracting(5..<11))
            try insert.step()
            insert.reset(clearingBindings: false)
            try binder.bind(insert, 2, text: bytes.extracting(5..<5))
            try insert.step()
            insert.reset(clearingBindings: false)
        }
        try insert.step()
        XCTAssertEqual(try database.rows("SELECT a, b FROM t ORDER BY rowid"), [["first", "second"], ["first", ""], [nil, nil]])
    }
}
