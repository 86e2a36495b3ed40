import CSQLite

/// The multi-row INSERTs of the writer's load and of ``SQLiteRowRuns``.
package enum MultiRowInsert {
    /// `INSERT INTO table (names) VALUES (?, …), (?, …)` of `rows` rows of `columns` values
    /// (without `names`, the table's columns in order).
    package static func sql(into table: String, columns: Int, names: [String]? = nil, rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        let target = names.map { "\(table) (\($0.joined(separator: ", ")))" } ?? table
        return "INSERT INTO \(target) VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
    }

    /// The rows the next INSERT takes of `remaining` rows shorter than a run: the largest power
    /// of two not above it (29 rows go as 16, 8, 4, 1), so few statements serve every length.
    package static func shorterRun(of remaining: Int) -> Int {
        precondition(remaining > 0, "a run has a row")
        return 1 << (Int.bitWidth - 1 - remaining.leadingZeroBitCount)
    }
}

/// Inserts rows into one table a run at a time: one multi-row `INSERT ... VALUES (...), (...)`
/// per ``runLength`` rows, so the fixed cost of an execution (the statement's start and halt,
/// the table's cursor, the reset) is paid once per run, not once per row. The rows get their
/// rowids in the order they were added, as one INSERT per row gives them, so the table holds the
/// same records.
///
/// A row's values are kept as they are added (text copied into one buffer, a stored value
/// duplicated) and bound, text in place, when its run is inserted. Call ``finish()`` to insert
/// the rows of the last, shorter run.
package final class SQLiteRowRuns {
    private enum Value {
        case null
        case integer(Int64)
        case real(Double)
        /// A range of ``bytes``.
        case text(Range<Int>)
        /// A protected copy of a column's value (`sqlite3_value_dup`), freed once bound.
        case stored(OpaquePointer)
    }

    private let database: SQLiteDatabase
    private let table: String
    private let columns: Int
    /// Rows per INSERT: 32 (``defaultRunLength``), fewer where SQLite's parameter limit says so.
    package let runLength: Int
    /// The INSERT of `n` rows, prepared when first used.
    private var statements: [Int: SQLiteStatement] = [:]
    private var bytes: [UInt8] = []
    private var values: [Value] = []

    /// Rows per INSERT where the parameter limit allows: the writer's measurement
    /// (``ThreadedCoreOutput``'s `rowsPerInsert`) holds here too.
    package static let defaultRunLength = 32

    /// `table` is inserted into by position: `columns` values per row, in the table's column order.
    package init(database: SQLiteDatabase, table: String, columns: Int, runLength: Int = SQLiteRowRuns.defaultRunLength) {
        precondition(columns > 0, "a row has a value")
        self.database = database
        self.table = table
        self.columns = columns
        self.runLength = max(1, min(runLength, database.maxParameters / columns))
        values.reserveCapacity(self.runLength * columns)
    }

    deinit { freeStored() }

    /// Adds text (nil: NULL) as the next value of the row being added.
    package func appendText(_ text: Span<UInt8>?) {
        guard let text else { return values.append(.null) }
        let start = bytes.count
        bytes.append(text)
        values.append(.text(start..<bytes.count))
    }

    package func appendInteger(_ value: Int64) { values.append(.integer(value)) }

    package func appendReal(_ value: Double) { values.append(.real(value)) }

    package func appendNull() { values.append(.null) }

    /// Adds the value of `column` of `source`'s current row as it is stored (integer, real, text,
    /// blob or NULL), as `INSERT ... SELECT` would pass it.
    package func appendStored(column: Int, of source: SQLiteStatement) throws {
        guard let copy = sqlite3_value_dup(sqlite3_column_value(source.handle, Int32(column))) else {
            throw SQLiteError(path: database.path, extendedResultCode: SQLITE_NOMEM, message: "out of memory", operation: "copying a value for \(table)")
        }
        values.append(.stored(copy))
    }

    /// Ends the row being added (it must have `columns` values); inserts the run once full.
    package func endRow() throws {
        precondition(values.count % columns == 0, "a row of \(table) needs \(columns) values")
        if values.count == runLength * columns { try insert() }
    }

    /// Inserts the rows that wait, fewer than a run (``MultiRowInsert/shorterRun(of:)``).
    package func finish() throws {
        precondition(values.count % columns == 0, "a row of \(table) needs \(columns) values")
        try insert()
    }

    /// Inserts every waiting row, in order.
    private func insert() throws {
        defer {
            freeStored()
            values.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: true)
        }
        let rowCount = values.count / columns
        var done = 0
        let bytes = self.bytes
        try SQLiteStatement.withInPlaceText(in: bytes.span) { binder in
            while done < rowCount {
                let rows = rowCount - done == runLength ? runLength : MultiRowInsert.shorterRun(of: rowCount - done)
                let statement = try self.statement(rows: rows)
                let first = done * columns
                for parameter in 1...(rows * columns) {
                    switch values[first + parameter - 1] {
                    case .null: try statement.bindNull(parameter)
                    case let .integer(value): try statement.bind(parameter, value)
                    case let .real(value): try statement.bind(parameter, value)
                    case let .text(range): try binder.bind(statement, parameter, text: bytes.span.extracting(range))
                    case let .stored(value): try statement.check(sqlite3_bind_value(statement.handle, Int32(parameter), value), binding: parameter)
                    }
                }
                while try statement.step() {}
                statement.reset(clearingBindings: false)
                done += rows
            }
        }
    }

    private func statement(rows: Int) throws -> SQLiteStatement {
        if let statement = statements[rows] { return statement }
        let statement = try database.prepare(MultiRowInsert.sql(into: table, columns: columns, rows: rows))
        statements[rows] = statement
        return statement
    }

    private func freeStored() {
        for value in values {
            if case let .stored(copy) = value { sqlite3_value_free(copy) }
        }
    }
}
