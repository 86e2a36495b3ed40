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
    private enum Operation: UInt8 { case begin = 1, row, end }

    static let batchSize = 4 << 20
    static let queueCapacity = 3

    private let next: DumpSink
    private var batch: [UInt8]
    private var tables: [(schema: TableSchema, rows: Int, bytes: Int64)] = []
    private let tablesLock = NSLock()
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

    package func beginTable(_ table: TableSchema) throws {
        tablesLock.lock()
        tables.append((table, 0, 0))
        let index = tables.count - 1
        tablesLock.unlock()
        batch.append(Operation.begin.rawValue)
        appendWord(UInt64(index))
    }

    package func row(_ row: RowBuffer) throws {
        batch.append(Operation.row.rawValue)
        appendWord(UInt64(row.line))
        appendWord(UInt64(bitPattern: row.byteOffset))
        appendWord(UInt64(row.count))
        for index in 0..<row.count {
            if let field = row.field(index) {
                appendWord(UInt64(field.count))
                batch.append(contentsOf: field)
            } else {
                appendWord(UInt64.max)
            }
        }
        if batch.count >= Self.batchSize { try pipe.submit(&batch) }
    }

    package func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {
        tablesLock.lock()
        let index = tables.lastIndex { $0.schema == table } ?? tables.count - 1
        tables[index].rows = rows
        tables[index].bytes = bytes
        tablesLock.unlock()
        batch.append(Operation.end.rawValue)
        appendWord(UInt64(index))
    }

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

    @inline(__always) private func appendWord(_ word: UInt64) {
        withUnsafeBytes(of: word.littleEndian) { batch.append(contentsOf: $0) }
    }

    private func replay(_ batch: [UInt8], row: RowBuffer) throws {
        try batch.withUnsafeBufferPointer { bytes in
            let base = bytes.baseAddress!
            var offset = 0
            func word() -> UInt64 {
                let value = UInt64(littleEndian: UnsafeRawPointer(base).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
                return value
            }
            while offset < bytes.count {
                let operation = Operation(rawValue: bytes[offset])!
                offset += 1
                switch operation {
                case .begin, .end:
                    let index = Int(word())
                    tablesLock.lock()
                    let table = tables[index]
                    tablesLock.unlock()
                    if operation == .begin {
                        try next.beginTable(table.schema)
                    } else {
                        try next.endTable(table.schema, rows: table.rows, bytes: table.bytes)
                    }
                case .row:
                    row.reset()
                    row.line = Int(word())
                    row.byteOffset = Int64(bitPattern: word())
                    // The fields are borrowed from the batch, which outlives the call.
                    row.borrow(base)
                    let count = Int(word())
                    for _ in 0..<count {
                        let length = word()
                        if length == UInt64.max {
                            row.appendNull()
                        } else {
                            row.appendBorrowedField(offset: offset, count: Int(length))
                            offset += Int(length)
                        }
                    }
                    try next.row(row)
                }
            }
        }
    }
}
