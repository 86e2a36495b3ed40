import Foundation
import MediabaseBytes
import MediabaseConcurrency
import MediabaseModel
import MediabaseSQLite

/// Runs a ``SQLiteCoreWriter`` on a thread of its own: the normalizer's rows are encoded into
/// batches on the calling thread and inserted on the writer's, so reading and normalizing use
/// one core and SQLite the other. Batches are applied in order, so the output is the same as
/// with the writer called directly.
///
/// Memory is bounded: at most ``queueCapacity`` batches of about ``batchSize`` bytes wait.
package final class ThreadedCoreOutput: CoreOutput {
    private enum Operation: UInt8 {
        case insert = 1, insertTails, markDuplicates, beginCarried, carriedRow, endCarried
    }

    private enum Tag: UInt8 {
        case null = 0, integer, real, text
    }

    static let batchSize = 1 << 20
    static let queueCapacity = 4

    private let writer: SQLiteCoreWriter
    private var batch: [UInt8]
    private var carriedSchemas: [TableSchema] = []
    private let schemasLock = NSLock()
    private var pipe: BatchPipe!

    /// Seconds the producer waited for the writer, and the writer for the producer.
    package var producerWaitSeconds: Double { pipe.producerWaitSeconds }
    package var writerWaitSeconds: Double { pipe.consumerWaitSeconds }

    /// - Parameter whileIdle: work for the writer's thread when no batch waits (see ``BatchPipe``).
    package init(writer: SQLiteCoreWriter, whileIdle: (() -> Bool)? = nil) {
        self.writer = writer
        let row = RowBuffer()
        batch = []
        pipe = BatchPipe(capacity: Self.queueCapacity, batchSize: Self.batchSize, whileIdle: whileIdle) { [unowned self] batch in
            try self.apply(batch, row: row)
        }
        batch = pipe.emptyBatch()
    }

    // MARK: Producer side

    package func insert(_ table: CoreTable, _ values: [SQLValue]) throws {
        batch.append(Operation.insert.rawValue)
        batch.append(UInt8(table.ordinal))
        for value in values { Self.append(value, to: &batch) }
        if batch.count >= Self.batchSize { try pipe.submit(&batch) }
    }

    /// The shared tails are encoded once (kept in `tails`) and copied in whole: the writer's
    /// thread, which has time to spare during the load, takes the rows apart.
    package func insert(_ table: CoreTable, first: SQLValue, tails: RowTails) throws {
        if tails.encoded == nil {
            var encoded: [UInt8] = []
            for row in tails.rows { for value in row { Self.append(value, to: &encoded) } }
            tails.encoded = encoded
        }
        batch.append(Operation.insertTails.rawValue)
        batch.append(UInt8(table.ordinal))
        Self.append(first, to: &batch)
        Self.appendWord(UInt64(tails.rows.count), to: &batch)
        tails.encoded!.withUnsafeBufferPointer { Self.appendBytes($0, to: &batch) }
        if batch.count >= Self.batchSize { try pipe.submit(&batch) }
    }

    private static func append(_ value: SQLValue, to bytes: inout [UInt8]) {
        switch value {
        case .null:
            bytes.append(Tag.null.rawValue)
        case let .integer(number):
            bytes.append(Tag.integer.rawValue)
            appendWord(UInt64(bitPattern: number), to: &bytes)
        case let .real(number):
            bytes.append(Tag.real.rawValue)
            appendWord(number.bitPattern, to: &bytes)
        case let .text(text):
            bytes.append(Tag.text.rawValue)
            var text = text
            text.withUTF8 { appendBytes($0, to: &bytes) }
        }
    }

    package func markMayHoldDuplicates(_ table: CoreTable, id: String) throws {
        batch.append(Operation.markDuplicates.rawValue)
        batch.append(UInt8(table.ordinal))
        var id = id
        id.withUTF8 { Self.appendBytes($0, to: &batch) }
    }

    package func beginCarriedTable(_ table: TableSchema) throws {
        schemasLock.lock()
        carriedSchemas.append(table)
        let index = carriedSchemas.count - 1
        schemasLock.unlock()
        batch.append(Operation.beginCarried.rawValue)
        Self.appendWord(UInt64(index), to: &batch)
    }

    package func carriedRow(_ row: RowBuffer) throws {
        batch.append(Operation.carriedRow.rawValue)
        Self.appendWord(UInt64(row.count), to: &batch)
        for index in 0..<row.count {
            if let field = row.field(index) {
                batch.append(Tag.text.rawValue)
                Self.appendBytes(field, to: &batch)
            } else {
                batch.append(Tag.null.rawValue)
            }
        }
        if batch.count >= Self.batchSize { try pipe.submit(&batch) }
    }

    package func endCarriedTable() throws {
        batch.append(Operation.endCarried.rawValue)
    }

    /// Sends the remaining rows, waits for the writer thread and rethrows its failure, if any.
    /// Later calls do nothing; call it on every path, so the thread never outlives the run.
    package func close() throws {
        var submitError: Error?
        do { try pipe.submit(&batch) } catch { submitError = error }
        try pipe.close()
        if let submitError { throw submitError }
    }

    @inline(__always) private static func appendWord(_ word: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// The length as a word, then the bytes.
    @inline(__always) private static func appendBytes(_ value: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        appendWord(UInt64(value.count), to: &bytes)
        bytes.append(contentsOf: value)
    }

    private func apply(_ batch: [UInt8], row: RowBuffer) throws {
        try batch.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!)
            var offset = 0
            func word() -> UInt64 {
                let value = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                offset += 8
                return value
            }
            func bindValue(_ statement: SQLiteStatement, _ column: Int) throws {
                let tag = Tag(rawValue: bytes[offset])!
                offset += 1
                switch tag {
                case .null: try statement.bindNull(column)
                case .integer: try statement.bind(column, Int64(bitPattern: word()))
                case .real: try statement.bind(column, Double(bitPattern: word()))
                case .text:
                    let count = Int(word())
                    // The batch outlives the step: SQLite may use the bytes in place.
                    try statement.bind(column, text: UnsafeRawBufferPointer(start: base.advanced(by: offset), count: count), copy: false)
                    offset += count
                }
            }
            while offset < bytes.count {
                let operation = Operation(rawValue: bytes[offset])!
                offset += 1
                switch operation {
                case .insert:
                    let table = CoreTable.allCases[Int(bytes[offset])]
                    offset += 1
                    let statement = writer.statement(for: table)
                    for column in 1...table.columns.count { try bindValue(statement, column) }
                    try writer.stepInsert(table)
                case .insertTails:
                    let table = CoreTable.allCases[Int(bytes[offset])]
                    offset += 1
                    let statement = writer.statement(for: table)
                    // A binding outlives the statement's reset: the first column is bound once.
                    try bindValue(statement, 1)
                    let rows = Int(word())
                    offset += 8  // the tails' length: their values follow
                    for _ in 0..<rows {
                        for column in 2...table.columns.count { try bindValue(statement, column) }
                        try writer.stepInsert(table)
                    }
                case .markDuplicates:
                    let table = CoreTable.allCases[Int(bytes[offset])]
                    offset += 1
                    let count = Int(word())
                    try writer.markMayHoldDuplicates(table, id: String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<(offset + count)]), as: UTF8.self))
                    offset += count
                case .beginCarried:
                    let index = Int(word())
                    schemasLock.lock()
                    let schema = carriedSchemas[index]
                    schemasLock.unlock()
                    try writer.beginCarriedTable(schema)
                case .carriedRow:
                    let count = Int(word())
                    row.reset()
                    for _ in 0..<count {
                        let tag = Tag(rawValue: bytes[offset])!
                        offset += 1
                        if tag == .null {
                            row.appendNull()
                        } else {
                            let length = Int(word())
                            row.appendField(UnsafeBufferPointer(start: bytes.baseAddress! + offset, count: length))
                            offset += length
                        }
                    }
                    try writer.carriedRow(row)
                case .endCarried:
                    try writer.endCarriedTable()
                }
            }
        }
    }
}
