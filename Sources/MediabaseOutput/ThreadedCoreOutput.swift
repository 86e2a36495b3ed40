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

    static let batchSize = 1 << 20
    static let queueCapacity = 4

    private let writer: SQLiteCoreWriter
    private var batch: [UInt8]
    /// The carried tables' schemas, by the index their batches name: the producer adds them,
    /// the writer's thread reads them.
    private let carriedSchemas = Guarded<[TableSchema]>([])
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

    package func insert(_ table: CoreTable, _ first: SQLValue, _ second: SQLValue, _ third: SQLValue) throws {
        assert(table.columns.count == 3, "\(table) does not have three columns")
        batch.append(Operation.insert.rawValue)
        batch.append(UInt8(table.ordinal))
        Self.append(first, to: &batch)
        Self.append(second, to: &batch)
        Self.append(third, to: &batch)
        if batch.count >= Self.batchSize { try pipe.submit(&batch) }
    }

    /// The shared tails are encoded once (kept in `tails`) and copied in whole: the writer's
    /// thread, which has time to spare during the load, takes the rows apart.
    package func insert(_ table: CoreTable, first: SQLValue, tails: RowTails) throws {
        let encoded = tails.encoded ?? {
            var encoded: [UInt8] = []
            for row in tails.rows { for value in row { Self.append(value, to: &encoded) } }
            tails.encoded = encoded
            return encoded
        }()
        batch.append(Operation.insertTails.rawValue)
        batch.append(UInt8(table.ordinal))
        Self.append(first, to: &batch)
        RowBatch.appendWord(UInt64(tails.rows.count), to: &batch)
        RowBatch.appendField(encoded.span, to: &batch)
        if batch.count >= Self.batchSize { try pipe.submit(&batch) }
    }

    private static func append(_ value: SQLValue, to batch: inout [UInt8]) {
        switch value {
        case .null: RowBatch.appendNull(to: &batch)
        case let .integer(number): RowBatch.appendInteger(number, to: &batch)
        case let .real(number): RowBatch.appendReal(number, to: &batch)
        case let .text(text): RowBatch.appendField(text, to: &batch)
        }
    }

    package func markMayHoldDuplicates(_ table: CoreTable, id: String) throws {
        batch.append(Operation.markDuplicates.rawValue)
        batch.append(UInt8(table.ordinal))
        RowBatch.appendField(id, to: &batch)
    }

    package func beginCarriedTable(_ table: TableSchema) throws {
        let index = carriedSchemas.withLock { schemas in
            schemas.append(table)
            return schemas.count - 1
        }
        batch.append(Operation.beginCarried.rawValue)
        RowBatch.appendWord(UInt64(index), to: &batch)
    }

    package func carriedRow(_ row: RowBuffer) throws {
        batch.append(Operation.carriedRow.rawValue)
        RowBatch.appendRow(row, to: &batch)
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

    private func apply(_ batch: [UInt8], row: RowBuffer) throws {
        // The batch outlives every step: SQLite reads the text in place.
        try SQLiteStatement.withInPlaceText(in: batch.span) { binder in
            var reader = RowBatchReader(batch.span)
            while !reader.isAtEnd {
                let operation = Operation(rawValue: reader.byte())!
                switch operation {
                case .insert:
                    let table = CoreTable.allCases[Int(reader.byte())]
                    let statement = writer.statement(for: table)
                    for column in 1...table.columns.count { try Self.bindValue(statement, column, &reader, &binder) }
                    try writer.stepInsert(table)
                case .insertTails:
                    let table = CoreTable.allCases[Int(reader.byte())]
                    let statement = writer.statement(for: table)
                    // A binding outlives the statement's reset: the first column is bound once.
                    try Self.bindValue(statement, 1, &reader, &binder)
                    let rows = Int(reader.word())
                    _ = reader.word()  // the tails' length: their values follow
                    for _ in 0..<rows {
                        for column in 2...table.columns.count { try Self.bindValue(statement, column, &reader, &binder) }
                        try writer.stepInsert(table)
                    }
                case .markDuplicates:
                    let table = CoreTable.allCases[Int(reader.byte())]
                    try writer.markMayHoldDuplicates(table, id: reader.string() ?? "")
                case .beginCarried:
                    let index = Int(reader.word())
                    let schema = carriedSchemas.withLock { $0[index] }
                    try writer.beginCarriedTable(schema)
                case .carriedRow:
                    reader.row(into: row)
                    try writer.carriedRow(row)
                case .endCarried:
                    try writer.endCarriedTable()
                }
            }
        }
    }

    /// Binds the reader's next value to `column`.
    @inline(__always) private static func bindValue(
        _ statement: SQLiteStatement, _ column: Int, _ reader: inout RowBatchReader, _ binder: inout SQLiteInPlaceBinder
    ) throws {
        switch reader.nextFieldKind {
        case .null:
            _ = reader.field()
            try statement.bindNull(column)
        case .integer: try statement.bind(column, reader.integer())
        case .real: try statement.bind(column, reader.real())
        case .text: try binder.bind(statement, column, text: reader.field()!)
        }
    }
}
