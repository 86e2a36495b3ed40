import Foundation
import MediabaseBytes
import MediabaseConcurrency
import MediabaseModel

/// Runs another ``DumpSink`` on a thread of its own: rows are copied into batches on the reading
/// thread and replayed, in order, on the sink's. Reading and decoding then use one core and the
/// sink's work (validation, hashing) the other. The sink sees exactly the calls it would have
/// seen directly, with each row's bytes, line and offset.
///
/// Memory is bounded: at most ``queueCapacity`` batches of about ``batchSize`` bytes wait.
///
/// When the sink is a ``CopyBlockSink``, so is this one: once the sink has caught up with the rows
/// before, it reads the block on the reading thread (and threads of its own) while its own waits.
package final class ThreadedDumpSink: DumpSink, CopyBlockSink {
    private enum Operation: UInt8 { case begin = 1, row, end, primaryKey }

    static let batchSize = 4 << 20
    static let queueCapacity = 3

    private let next: DumpSink
    private var batch: [UInt8]
    private let tables = Guarded<[(schema: TableSchema, rows: Int, bytes: Int64)]>([])
    private var pipe: BatchPipe!

    package init(next: DumpSink) {
        self.next = next
        let row = RowBuffer()
        batch = []
        pipe = BatchPipe(capacity: Self.queueCapacity, batchSize: Self.batchSize) { [unowned self] batch in
            try self.replay(batch, row: row)
        }
        batch = pipe.emptyBatch()
    }

    package func beginTable(_ table: TableSchema) throws { appendTable(.begin, table) }

    /// Appends `operation` on `table`, which the batch names by its place in `tables`.
    private func appendTable(_ operation: Operation, _ table: TableSchema) {
        let index = tables.withLock { tables in
            tables.append((table, 0, 0))
            return tables.count - 1
        }
        batch.append(operation.rawValue)
        RowBatch.appendWord(UInt64(index), to: &batch)
    }

    package func row(_ row: RowBuffer) throws {
        batch.append(Operation.row.rawValue)
        RowBatch.appendWord(UInt64(row.line), to: &batch)
        RowBatch.appendWord(UInt64(bitPattern: row.byteOffset), to: &batch)
        RowBatch.appendRow(row, to: &batch)
        if batch.count >= Self.batchSize { try pipe.submit(&batch) }
    }

    package func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {
        let index = tables.withLock { tables in
            let index = tables.lastIndex { $0.schema == table } ?? tables.count - 1
            tables[index].rows = rows
            tables[index].bytes = bytes
            return index
        }
        batch.append(Operation.end.rawValue)
        RowBatch.appendWord(UInt64(index), to: &batch)
    }

    package func primaryKeyDeclared(_ table: TableSchema) throws { appendTable(.primaryKey, table) }

    package func readCopyBlock(_ block: CopyBlock) throws -> CopyBlockEnd? {
        guard let blockSink = next as? CopyBlockSink else { return nil }
        try pipe.submit(&batch)
        try pipe.waitUntilIdle()
        return try blockSink.readCopyBlock(block)
    }

    /// Replays the remaining rows, waits for the sink's thread and rethrows its failure.
    /// Later calls do nothing; call it on every path, so the thread never outlives the read.
    package func close() throws {
        var submitError: Error?
        do { try pipe.submit(&batch) } catch { submitError = error }
        try pipe.close()
        if let submitError { throw submitError }
    }

    private func replay(_ batch: [UInt8], row: RowBuffer) throws {
        var reader = RowBatchReader(batch.span)
        while !reader.isAtEnd {
            let operation = Operation(rawValue: reader.byte())!
            switch operation {
            case .begin, .end, .primaryKey:
                let index = Int(reader.word())
                let table = tables.withLock { $0[index] }
                switch operation {
                case .begin: try next.beginTable(table.schema)
                case .end: try next.endTable(table.schema, rows: table.rows, bytes: table.bytes)
                default: try next.primaryKeyDeclared(table.schema)
                }
            case .row:
                let line = Int(reader.word())
                let byteOffset = Int64(bitPattern: reader.word())
                // The fields are borrowed from the batch, which outlives the call.
                reader.row(into: row)
                row.line = line
                row.byteOffset = byteOffset
                try next.row(row)
            }
        }
    }
}
