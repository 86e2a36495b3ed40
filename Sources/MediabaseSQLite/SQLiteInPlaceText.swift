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
