import MediabaseBytes
import MediabaseModel

/// Copies every table and row a reader produces as raw bytes, with each row's line, so tests
/// can compare them byte for byte with NULL kept apart from the empty string.
///
/// It also checks the call sequence a reader owes a sink: rows only between `beginTable` and
/// `endTable` of the same table, each row with one field per column, and (as pg_dump writes
/// each table's data in one piece) every table once.
package final class CollectingSink: DumpSink {
    /// A table as the reader delivered it.
    package struct Table {
        package var schema: TableSchema
        /// Fields' bytes, nil for NULL.
        package var fields: [[[UInt8]?]] = []
        /// The line (or record) each row started on.
        package var lines: [Int] = []
        /// The row count the reader passed to `endTable`; nil until then.
        package var reportedRows: Int?

        /// The rows' fields as text (`RowBuffer.strings`), nil for NULL.
        package var rows: [[String?]] { fields.map { $0.map { $0.map { String(decoding: $0, as: UTF8.self) } } } }
    }

    /// A call sequence that breaks the sink contract.
    package struct UnexpectedCall: Error, CustomStringConvertible {
        package var description: String
    }

    /// Tables in the order they were delivered.
    package private(set) var tables: [Table] = []
    /// Index in ``tables`` of the table between `beginTable` and `endTable`.
    private var current: Int?
    /// The primary keys declared after a table's data (`primaryKeyDeclared`), in order: the
    /// table's qualified name and the key's columns.
    package private(set) var keysDeclaredAfterData: [(table: String, key: [String])] = []

    package init() {}

    /// The delivered table called `qualifiedName` (`public.hostile`, `other.t2`).
    package func table(_ qualifiedName: String) -> Table? {
        tables.first { $0.schema.qualifiedName == qualifiedName }
    }

    package func beginTable(_ table: TableSchema) throws {
        if let current {
            throw UnexpectedCall(description: "beginTable(\(table.qualifiedName)) before endTable(\(tables[current].schema.qualifiedName))")
        }
        if self.table(table.qualifiedName) != nil {
            throw UnexpectedCall(description: "table \(table.qualifiedName) delivered twice")
        }
        tables.append(Table(schema: table))
        current = tables.count - 1
    }

    package func row(_ row: RowBuffer) throws {
        guard let current else {
            throw UnexpectedCall(description: "row at line \(row.line) outside beginTable/endTable")
        }
        let columns = tables[current].schema.columns.count
        guard row.count == columns else {
            throw UnexpectedCall(description: "row at line \(row.line) of \(tables[current].schema.qualifiedName) "
                + "has \(row.count) fields for \(columns) columns")
        }
        tables[current].fields.append((0..<row.count).map { index -> [UInt8]? in
            guard let bytes = row.bytes(index) else { return nil }
            return Array(bytes)
        })
        tables[current].lines.append(row.line)
    }

    package func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {
        guard let current, tables[current].schema.qualifiedName == table.qualifiedName else {
            throw UnexpectedCall(description: "endTable(\(table.qualifiedName)) without its beginTable")
        }
        tables[current].reportedRows = rows
        self.current = nil
    }

    package func primaryKeyDeclared(_ table: TableSchema) throws {
        guard current == nil, let delivered = self.table(table.qualifiedName), delivered.reportedRows != nil else {
            throw UnexpectedCall(description: "primaryKeyDeclared(\(table.qualifiedName)) before the end of its data")
        }
        keysDeclaredAfterData.append((table.qualifiedName, table.primaryKey))
    }
}
