import MediabaseBytes
import MediabaseModel

/// Copies every table and row a reader produces, for assertions.
final class CollectingSink: DumpSink {
    struct Table {
        var schema: TableSchema
        var rows: [[String?]] = []
        var lines: [Int] = []
        var endedWithRows: Int?
    }

    var tables: [Table] = []

    func beginTable(_ table: TableSchema) throws { tables.append(Table(schema: table)) }

    func row(_ row: RowBuffer) throws {
        tables[tables.count - 1].rows.append(row.strings)
        tables[tables.count - 1].lines.append(row.line)
    }

    func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws { tables[tables.count - 1].endedWithRows = rows }

    func table(_ qualifiedName: String) -> Table? { tables.first { $0.schema.qualifiedName == qualifiedName } }
}
