import MediabaseBytes
import MediabaseModel

/// A ``CoreOutput`` that keeps every row the normalizer sends out, as text, in order: tests that
/// convert one value two ways compare what each sent.
package final class RecordingOutput: CoreOutput {
    package var lines: [String] = []

    package init() {}

    package func insert(_ table: CoreTable, _ values: [SQLValue]) throws { lines.append("\(table) \(values)") }
    package func insert(_ table: CoreTable, first: SQLValue, tails: RowTails) throws {
        for row in tails.rows { lines.append("\(table) \([first] + row)") }
    }
    package func markMayHoldDuplicates(_ table: CoreTable, id: String) throws { lines.append("mark \(table) \(id)") }
    package func transcriptsComplete() throws {}
    package func beginCarriedTable(_ table: TableSchema) throws {}
    package func carriedRow(_ row: RowBuffer) throws {}
    package func endCarriedTable() throws {}
    package func carriedPrimaryKey(_ table: TableSchema) throws { lines.append("primary key \(table.qualifiedName) \(table.primaryKey)") }
}
