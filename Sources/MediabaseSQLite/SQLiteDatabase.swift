import CSQLite
import Foundation
import MediabaseBytes

/// `SQLITE_TRANSIENT`: SQLite copies bound bytes before the call returns.
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A NUL-terminated empty string, bound for empty (not NULL) text.
private let emptyText: UnsafePointer<CChar> = {
    let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    pointer.pointee = 0
    return UnsafePointer(pointer)
}()

/// A thin wrapper over one SQLite connection: execute SQL text, prepare statements, read rows.
package final class SQLiteDatabase {
    let handle: OpaquePointer
    /// The file path, for error messages.
    package let path: String

    /// Turns off SQLite's memory statistics, whose global mutex every allocation takes; must run
    /// before the first connection opens.
    private static let configured: Void = {
        _ = mediabase_sqlite3_disable_memstatus()
    }()

    /// Opens (creating if needed) the database at `path`.
    package init(path: String, readOnly: Bool = false) throws {
        Self.configured
        var db: OpaquePointer?
        // One connection is used by one thread at a time: SQLite's per-call mutex is not needed.
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw MediabaseError.io(path: path, message: "SQLite: \(message)")
        }
        handle = db
        self.path = path
    }

    deinit { sqlite3_close_v2(handle) }

    func error(_ context: String) -> MediabaseError {
        .io(path: path, message: "SQLite: \(String(cString: sqlite3_errmsg(handle))) (\(context))")
    }

    /// Runs one or more SQL statements separated by `;`.
    package func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw MediabaseError.io(path: path, message: "SQLite: \(text) in: \(sql.prefix(200))")
        }
    }

    /// Prepares a statement for repeated use.
    package func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK, let statement else {
            throw error("preparing \(sql.prefix(200))")
        }
        return SQLiteStatement(statement: statement, database: self)
    }

    /// Runs a query and returns every row as text (NULL as nil).
    package func rows(_ sql: String, _ arguments: [String?] = []) throws -> [[String?]] {
        let statement = try prepare(sql)
        for (index, argument) in arguments.enumerated() { statement.bind(index + 1, argument) }
        var result: [[String?]] = []
        while try statement.step() {
            result.append((0..<statement.columnCount).map { statement.text($0) })
        }
        return result
    }

    /// The first column of the first row, as text.
    package func scalar(_ sql: String, _ arguments: [String?] = []) throws -> String? {
        try rows(sql, arguments).first?.first ?? nil
    }

    /// The first column of the first row, as an integer (0 when NULL or no row).
    package func integer(_ sql: String, _ arguments: [String?] = []) throws -> Int {
        Int(try scalar(sql, arguments) ?? "0") ?? 0
    }

    /// The handler of ``interrupt(every:when:)``, kept alive as long as it is installed.
    private var progressHandler: ProgressHandler?

    /// Calls `stop` every `instructions` virtual-machine steps of a running statement; when it
    /// returns true the statement stops and its step throws ("interrupted"). A time limit that
    /// is checked inside SQLite (sqlite3_progress_handler), in the thread running the query.
    package func interrupt(every instructions: Int32, when stop: @escaping () -> Bool) {
        let handler = ProgressHandler(stop: stop)
        progressHandler = handler
        sqlite3_progress_handler(handle, instructions, { context in
            guard let context else { return 0 }
            return Unmanaged<ProgressHandler>.fromOpaque(context).takeUnretainedValue().stop() ? 1 : 0
        }, Unmanaged.passUnretained(handler).toOpaque())
    }
}

private final class ProgressHandler {
    let stop: () -> Bool
    init(stop: @escaping () -> Bool) { self.stop = stop }
}

/// A prepared statement. Bind, ``step()``, then ``reset()`` to run it again.
package final class SQLiteStatement {
    package let statement: OpaquePointer
    private unowned let database: SQLiteDatabase

    init(statement: OpaquePointer, database: SQLiteDatabase) {
        self.statement = statement
        self.database = database
    }

    deinit { sqlite3_finalize(statement) }

    package var columnCount: Int { Int(sqlite3_column_count(statement)) }

    package func columnName(_ index: Int) -> String { String(cString: sqlite3_column_name(statement, Int32(index))) }

    /// Binds text (nil binds NULL). SQLite copies the bytes.
    package func bind(_ index: Int, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(statement, Int32(index))
            return
        }
        value.withUTF8 { bytes in
            let pointer = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) } ?? emptyText
            _ = sqlite3_bind_text(statement, Int32(index), pointer, Int32(bytes.count), sqliteTransient)
        }
    }

    /// Binds bytes as text (nil binds NULL). SQLite copies the bytes.
    package func bind(_ index: Int, bytes: UnsafeBufferPointer<UInt8>?) {
        guard let bytes else {
            sqlite3_bind_null(statement, Int32(index))
            return
        }
        let pointer = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
        _ = sqlite3_bind_text(statement, Int32(index), pointer ?? emptyText, Int32(bytes.count), sqliteTransient)
    }

    /// Binds bytes as text (nil binds NULL). SQLite copies the bytes.
    package func bind(_ index: Int, bytes: [UInt8]?) {
        guard let bytes else {
            sqlite3_bind_null(statement, Int32(index))
            return
        }
        bytes.withUnsafeBufferPointer { bind(index, bytes: $0) }
    }

    package func bind(_ index: Int, _ value: Int64?) {
        if let value { sqlite3_bind_int64(statement, Int32(index), value) } else { sqlite3_bind_null(statement, Int32(index)) }
    }

    package func bind(_ index: Int, _ value: Double?) {
        if let value { sqlite3_bind_double(statement, Int32(index), value) } else { sqlite3_bind_null(statement, Int32(index)) }
    }

    /// Advances; true while a row is available, false when done.
    @discardableResult
    package func step() throws -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error("executing \(String(cString: sqlite3_sql(statement)).prefix(200))")
        }
    }

    /// Runs the statement to completion and readies it for new bindings.
    package func run() throws {
        defer { reset() }
        while try step() {}
    }

    package func reset() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    package func isNull(_ column: Int) -> Bool { sqlite3_column_type(statement, Int32(column)) == SQLITE_NULL }

    /// Column value as text; nil for NULL.
    package func text(_ column: Int) -> String? {
        guard let pointer = sqlite3_column_text(statement, Int32(column)) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, Int32(column)))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Column value as bytes, valid until the next step; nil for NULL.
    package func bytes(_ column: Int) -> UnsafeBufferPointer<UInt8>? {
        guard sqlite3_column_type(statement, Int32(column)) != SQLITE_NULL else { return nil }
        let pointer = sqlite3_column_text(statement, Int32(column))
        let count = Int(sqlite3_column_bytes(statement, Int32(column)))
        return UnsafeBufferPointer(start: pointer, count: count)
    }

    package func int64(_ column: Int) -> Int64 { sqlite3_column_int64(statement, Int32(column)) }
    package func double(_ column: Int) -> Double { sqlite3_column_double(statement, Int32(column)) }
    /// SQLite's storage class of the column value (SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, ...).
    package func storageClass(_ column: Int) -> Int32 { sqlite3_column_type(statement, Int32(column)) }
}
