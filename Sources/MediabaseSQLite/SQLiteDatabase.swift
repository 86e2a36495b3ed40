import CSQLite
import Foundation
import MediabaseBytes

/// `SQLITE_TRANSIENT`: SQLite copies bound bytes before the call returns.
@inlinable var sqliteTransient: sqlite3_destructor_type { unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self) }

/// A NUL-terminated empty string, bound for empty (not NULL) text and blobs: SQLite binds NULL for
/// a nil pointer.
@usableFromInline let emptyBytes: UnsafePointer<CChar> = {
    let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    pointer.pointee = 0
    return UnsafePointer(pointer)
}()

/// A thin wrapper over one SQLite connection: execute SQL text, prepare statements, read rows,
/// run transactions. Every failure throws ``SQLiteError`` with SQLite's result code.
package final class SQLiteDatabase {
    @usableFromInline let handle: OpaquePointer
    /// The file path, for error messages.
    package let path: String

    /// Turns off SQLite's memory statistics, whose global mutex every allocation takes; must run
    /// before the first connection opens.
    private static let configured: Void = {
        _ = mediabase_sqlite3_disable_memstatus()
    }()

    /// How long a statement waits for another connection's lock (or its WAL recovery) before it
    /// fails with SQLITE_BUSY. Several connections of one run share a file while convert's end
    /// steps run at once; a lock is then held for moments, never for good.
    package static let busyTimeoutMilliseconds: Int32 = 60_000

    /// Opens (creating if needed) the database at `path`.
    package init(path: String, readOnly: Bool = false) throws {
        Self.configured
        var db: OpaquePointer?
        // One connection is used by one thread at a time: SQLite's per-call mutex is not needed.
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let code = db.map { sqlite3_extended_errcode($0) } ?? status
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(path: path, extendedResultCode: code, message: message, operation: "opening")
        }
        // Steps return the extended code (SQLITE_CONSTRAINT_UNIQUE, not SQLITE_CONSTRAINT).
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, Self.busyTimeoutMilliseconds)
        handle = db
        self.path = path
    }

    deinit { sqlite3_close_v2(handle) }

    /// The connection's last error, for a call that returned `status`.
    @usableFromInline func error(_ status: Int32, _ operation: String, sql: String?) -> SQLiteError {
        // The connection's code is the extended form of `status` unless another call overwrote it.
        let last = sqlite3_extended_errcode(handle)
        let code = last & 0xFF == status & 0xFF ? last : status
        let message = last == SQLITE_OK ? String(cString: sqlite3_errstr(status)) : String(cString: sqlite3_errmsg(handle))
        return SQLiteError(path: path, extendedResultCode: code, message: message, operation: operation, sql: sql)
    }

    /// Runs one or more SQL statements separated by `;`.
    package func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        guard status == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_free(message)
            throw SQLiteError(path: path, extendedResultCode: sqlite3_extended_errcode(handle), message: text, operation: "executing", sql: sql)
        }
    }

    /// Runs `body` inside `BEGIN` … `COMMIT`; rolls back and rethrows when `body` or the commit
    /// throws.
    package func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // A failed COMMIT may leave the transaction open; ROLLBACK then ends it. When SQLite
            // rolled back already, ROLLBACK fails harmlessly: the first error is the one to report.
            if sqlite3_get_autocommit(handle) == 0 { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// The most parameters one statement may have: the linked library's
    /// `SQLITE_LIMIT_VARIABLE_NUMBER` (999 before SQLite 3.32, 32766 since, unless built otherwise).
    package var maxParameters: Int { Int(sqlite3_limit(handle, SQLITE_LIMIT_VARIABLE_NUMBER, -1)) }

    /// Lowers ``maxParameters`` for this connection (SQLite never raises it past its build's
    /// limit): what sizes its statements by the limit is tested with a small one.
    package func limitParameters(to count: Int) { sqlite3_limit(handle, SQLITE_LIMIT_VARIABLE_NUMBER, Int32(count)) }

    /// True inside a transaction (between BEGIN and COMMIT or ROLLBACK).
    package var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Prepares a statement for repeated use.
    package func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else {
            throw error(status == SQLITE_OK ? SQLITE_MISUSE : status, "preparing", sql: sql)
        }
        return SQLiteStatement(handle: statement, database: self)
    }

    /// Runs a query and returns every row as text (NULL as nil).
    package func rows(_ sql: String, _ arguments: [String?] = []) throws -> [[String?]] {
        let statement = try prepare(sql)
        for (index, argument) in arguments.enumerated() { try statement.bind(index + 1, argument) }
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

/// SQLite's storage class of a value (https://sqlite.org/datatype3.html).
package enum SQLiteStorageClass: Int32, Sendable {
    case integer = 1, float = 2, text = 3, blob = 4, null = 5
}

/// A prepared statement. Bind, ``step()``, then ``reset(clearingBindings:)`` to run it again.
///
/// The small methods are inlinable: the converter's hot loops call them from other targets
/// millions of times, and a bind must cost what the `sqlite3_bind_*` call costs. Their failure
/// paths are out of line.
package final class SQLiteStatement {
    @usableFromInline let handle: OpaquePointer
    @usableFromInline unowned let database: SQLiteDatabase

    init(handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    package var columnCount: Int { Int(sqlite3_column_count(handle)) }

    package func columnName(_ index: Int) -> String { String(cString: sqlite3_column_name(handle, Int32(index))) }

    /// The SQL the statement was prepared from.
    package var sql: String { String(cString: sqlite3_sql(handle)) }

    // MARK: Binding (parameters are 1-based)

    /// Throws when a bind returned something else than SQLITE_OK (an index out of range, text
    /// over SQLite's length limit, a statement still running).
    @inlinable @inline(__always) func check(_ status: Int32, binding index: Int) throws {
        if _slowPath(status != SQLITE_OK) { throw bindFailure(status, index) }
    }

    @usableFromInline @inline(never) func bindFailure(_ status: Int32, _ index: Int) -> SQLiteError {
        database.error(status, "binding parameter \(index) of", sql: sql)
    }

    /// Binds NULL.
    @inlinable package func bindNull(_ index: Int) throws {
        try check(sqlite3_bind_null(handle, Int32(index)), binding: index)
    }

    /// Binds text (nil binds NULL). SQLite copies the bytes.
    @inlinable package func bind(_ index: Int, _ value: String?) throws {
        guard var value else { return try bindNull(index) }
        let status = value.withUTF8 { bytes in
            let pointer = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) } ?? emptyBytes
            return sqlite3_bind_text(handle, Int32(index), pointer, Int32(bytes.count), sqliteTransient)
        }
        try check(status, binding: index)
    }

    /// Binds bytes as text (nil binds NULL). With `copy` false SQLite reads the bytes in place,
    /// so they must stay valid and unchanged until the statement is stepped and reset or rebound.
    @inlinable func bind(_ index: Int, text bytes: UnsafeRawBufferPointer?, copy: Bool = true) throws {
        guard let bytes else { return try bindNull(index) }
        let pointer = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) ?? emptyBytes
        try check(sqlite3_bind_text(handle, Int32(index), pointer, Int32(bytes.count), copy ? sqliteTransient : nil), binding: index)
    }

    /// Binds bytes as a blob (nil binds NULL); `copy` as for text.
    @inlinable func bind(_ index: Int, blob bytes: UnsafeRawBufferPointer?, copy: Bool = true) throws {
        guard let bytes else { return try bindNull(index) }
        let pointer = bytes.baseAddress ?? UnsafeRawPointer(emptyBytes)
        try check(sqlite3_bind_blob(handle, Int32(index), pointer, Int32(bytes.count), copy ? sqliteTransient : nil), binding: index)
    }

    /// Binds bytes as text (nil binds NULL). SQLite copies the bytes.
    @inlinable func bind(_ index: Int, bytes: UnsafeBufferPointer<UInt8>?) throws {
        try bind(index, text: bytes.map { UnsafeRawBufferPointer($0) })
    }

    /// Binds bytes as text (nil binds NULL). SQLite copies the bytes.
    @inlinable package func bind(_ index: Int, bytes: Span<UInt8>?) throws {
        guard let bytes else { return try bindNull(index) }
        try bytes.withUnsafeBytes { try bind(index, text: $0) }
    }

    /// Binds bytes as a blob (nil binds NULL). SQLite copies the bytes.
    @inlinable package func bind(_ index: Int, blob bytes: Span<UInt8>?) throws {
        guard let bytes else { return try bindNull(index) }
        try bytes.withUnsafeBytes { try bind(index, blob: $0) }
    }

    /// Binds bytes as text (nil binds NULL). SQLite copies the bytes.
    @inlinable package func bind(_ index: Int, bytes: [UInt8]?) throws {
        guard let bytes else { return try bindNull(index) }
        try bytes.withUnsafeBytes { try bind(index, text: $0) }
    }

    @inlinable package func bind(_ index: Int, _ value: Int64?) throws {
        guard let value else { return try bindNull(index) }
        try check(sqlite3_bind_int64(handle, Int32(index), value), binding: index)
    }

    @inlinable package func bind(_ index: Int, _ value: Double?) throws {
        guard let value else { return try bindNull(index) }
        try check(sqlite3_bind_double(handle, Int32(index), value), binding: index)
    }

    // MARK: Running

    /// Advances; true while a row is available, false when done.
    @inlinable @discardableResult
    package func step() throws -> Bool {
        let status = sqlite3_step(handle)
        if _fastPath(status == SQLITE_DONE) { return false }
        if status == SQLITE_ROW { return true }
        throw stepFailure(status)
    }

    @usableFromInline @inline(never) func stepFailure(_ status: Int32) -> SQLiteError {
        database.error(status, "executing", sql: sql)
    }

    /// Runs the statement to completion and readies it for new bindings.
    package func run() throws {
        defer { reset() }
        while try step() {}
    }

    /// Readies the statement to run again. With `clearingBindings` false the bound values stay
    /// (a value bound once serves every run); step's error was thrown already, so reset's
    /// return code (the same error) is not looked at.
    @inlinable package func reset(clearingBindings: Bool = true) {
        sqlite3_reset(handle)
        if clearingBindings { sqlite3_clear_bindings(handle) }
    }

    // MARK: Reading the current row (columns are 0-based)

    /// SQLite's storage class of the column's value.
    @inlinable package func storageClass(_ column: Int) -> SQLiteStorageClass {
        SQLiteStorageClass(rawValue: sqlite3_column_type(handle, Int32(column))) ?? .null
    }

    @inlinable package func isNull(_ column: Int) -> Bool { sqlite3_column_type(handle, Int32(column)) == SQLITE_NULL }

    /// Column value as text; nil for NULL.
    package func text(_ column: Int) -> String? {
        guard let pointer = sqlite3_column_text(handle, Int32(column)) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, Int32(column)))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Column value as text bytes, valid until the next step or reset; nil for NULL.
    @inlinable func bytes(_ column: Int) -> UnsafeBufferPointer<UInt8>? {
        guard sqlite3_column_type(handle, Int32(column)) != SQLITE_NULL else { return nil }
        let pointer = sqlite3_column_text(handle, Int32(column))
        let count = Int(sqlite3_column_bytes(handle, Int32(column)))
        return UnsafeBufferPointer(start: pointer, count: count)
    }

    /// Column value as text bytes, nil for NULL; valid until the next step or reset, and the
    /// compiler keeps the span from outliving the statement's use.
    @_lifetime(borrow self)
    @inlinable package func textBytes(_ column: Int) -> Span<UInt8>? {
        guard let bytes = bytes(column) else { return nil }
        return _overrideLifetime(Span(_unsafeElements: bytes), borrowing: self)
    }

    /// ``textBytes(_:)`` in two SQLite calls rather than three for a value that is not empty, for
    /// a scan that reads every value of a table (the bundle export): `sqlite3_column_bytes` (which
    /// turns a number into its text first), then `sqlite3_column_blob`, which hands out the
    /// stored bytes as they are. So the database's encoding must be UTF-8, as every database this
    /// tool writes is; only an empty value needs `sqlite3_column_type` to tell NULL from empty
    /// text (nothing was converted then, so the type is meaningful).
    @_lifetime(borrow self)
    @inlinable package func storedTextBytes(_ column: Int) -> Span<UInt8>? {
        let index = Int32(column)
        let count = Int(sqlite3_column_bytes(handle, index))
        let pointer = count > 0 ? sqlite3_column_blob(handle, index)?.assumingMemoryBound(to: UInt8.self) : nil
        guard pointer != nil || sqlite3_column_type(handle, index) != SQLITE_NULL else { return nil }
        return _overrideLifetime(Span(_unsafeElements: UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count)), borrowing: self)
    }

    /// The column's value as blob bytes (empty for NULL), valid until the next step or reset.
    @_lifetime(borrow self)
    @inlinable package func blobBytes(_ column: Int) -> Span<UInt8> {
        let pointer = sqlite3_column_blob(handle, Int32(column))
        let count = pointer == nil ? 0 : Int(sqlite3_column_bytes(handle, Int32(column)))
        let bytes = UnsafeBufferPointer(start: pointer?.assumingMemoryBound(to: UInt8.self), count: count)
        return _overrideLifetime(Span(_unsafeElements: bytes), borrowing: self)
    }

    /// Calls `body` with the column's value as blob bytes (empty for NULL), valid only inside
    /// `body`.
    @inlinable func withBlob<Result>(_ column: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let pointer = sqlite3_column_blob(handle, Int32(column))
        let count = Int(sqlite3_column_bytes(handle, Int32(column)))
        return try body(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    /// The column's value as blob bytes (empty for NULL).
    package func blob(_ column: Int) -> [UInt8] { withBlob(column) { Array($0) } }

    @inlinable package func int64(_ column: Int) -> Int64 { sqlite3_column_int64(handle, Int32(column)) }
    @inlinable package func double(_ column: Int) -> Double { sqlite3_column_double(handle, Int32(column)) }
}
