import CSQLite
import Foundation

/// Binds text to statement parameters without a copy: SQLite reads the bytes where they are, in
/// a region (say a batch of rows) that stays valid for the whole of
/// ``SQLiteStatement/withInPlaceText(in:_:)``. When that returns, the statements bound through
/// it have their bindings cleared, so SQLite never reads the bytes afterwards.
package struct SQLiteInPlaceBinder: ~Escapable {
    @usableFromInline let region: Span<UInt8>
    /// The statements bound so far, cleared at the end.
    @usableFromInline var bound: [SQLiteStatement] = []

    @_lifetime(copy region)
    @usableFromInline init(region: Span<UInt8>) { self.region = region }

    /// Binds `text`, which must lie in the region, to parameter `index` of `statement` in place.
    @inlinable package mutating func bind(_ statement: SQLiteStatement, _ index: Int, text: Span<UInt8>) throws {
        if bound.last !== statement, !bound.contains(where: { $0 === statement }) { bound.append(statement) }
        try region.withUnsafeBufferPointer { region in
            try text.withUnsafeBufferPointer { text in
                let start = text.baseAddress ?? region.baseAddress
                precondition(text.isEmpty || (start! >= region.baseAddress! && start! + text.count <= region.baseAddress! + region.count),
                             "text outside the in-place region")
                try statement.bind(index, text: UnsafeRawBufferPointer(text), copy: false)
            }
        }
    }
}

extension SQLiteStatement {
    /// Calls `body` with a binder that binds text lying in `region` without copying it; every
    /// statement bound through it has its bindings cleared when `body` returns or throws.
    package static func withInPlaceText<Result>(
        in region: Span<UInt8>, _ body: (inout SQLiteInPlaceBinder) throws -> Result
    ) rethrows -> Result {
        var binder = SQLiteInPlaceBinder(region: region)
        defer { for statement in binder.bound { sqlite3_clear_bindings(statement.handle) } }
        return try body(&binder)
    }
}

/// Binds the parameters of one run of a statement (``SQLiteStatement/run(inPlace:_:)``): text
/// lying in the run's region is bound without a copy, SQLite reading it where it is while the
/// statement steps; other values are bound as by the statement's own methods.
package struct SQLiteRunBinder: ~Escapable {
    @usableFromInline let statement: SQLiteStatement
    @usableFromInline let region: Span<UInt8>

    @_lifetime(copy region)
    @usableFromInline init(statement: SQLiteStatement, region: Span<UInt8>) {
        self.statement = statement
        self.region = region
    }

    /// Binds the bytes `range` of the region as text, in place.
    @inlinable package func bind(_ index: Int, text range: Range<Int>) throws {
        precondition(range.lowerBound >= 0 && range.upperBound <= region.count, "text outside the in-place region")
        try region.withUnsafeBytes { region in
            try statement.bind(index, text: UnsafeRawBufferPointer(rebasing: region[range]), copy: false)
        }
    }

    /// Binds NULL.
    @inlinable package func bindNull(_ index: Int) throws { try statement.bindNull(index) }

    @inlinable package func bind(_ index: Int, _ value: Int64?) throws { try statement.bind(index, value) }

    @inlinable package func bind(_ index: Int, _ value: Double?) throws { try statement.bind(index, value) }

    /// Binds bytes from elsewhere as text (nil binds NULL); SQLite copies them.
    @inlinable package func bind(_ index: Int, copying bytes: Span<UInt8>?) throws { try statement.bind(index, bytes: bytes) }

    /// Binds the value of `column` of `source`'s current row as it is stored (integer, real,
    /// text, blob or NULL), as `INSERT ... SELECT` would pass it; SQLite copies text and blobs.
    @inlinable package func bind(_ index: Int, copying column: Int, of source: SQLiteStatement) throws {
        try statement.check(sqlite3_bind_value(statement.handle, Int32(index), sqlite3_column_value(source.handle, Int32(column))), binding: index)
    }
}

extension SQLiteStatement {
    /// Binds the parameters through `bind`, runs the statement to completion and readies it for
    /// new bindings. Text bound from `region` is not copied, per row of a view table the copy
    /// (and the allocation SQLite makes for it) that a plain bind costs: SQLite reads it only
    /// while this call steps the statement, and the bindings are cleared before it returns.
    @inlinable package func run(inPlace region: Span<UInt8>, _ bind: (borrowing SQLiteRunBinder) throws -> Void) throws {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        try bind(SQLiteRunBinder(statement: self, region: region))
        while try step() {}
    }
}
