import Foundation
import MediabaseBytes
import MediabaseConcurrency
import MediabaseModel
import MediabaseSQLite

/// Runs a ``SQLiteCoreWriter`` on a thread of its own: the normalizer's rows are encoded into
/// batches on the calling thread and inserted on the writer's, so reading and normalizing use
/// one core and SQLite the other. Batches are applied in order, so every table holds the rows
/// the writer called directly gives it, in the same order.
///
/// Memory is bounded: at most ``queueCapacity`` batches of about ``batchSize`` bytes wait.
///
/// The writer inserts a batch's rows of each table in runs, with one multi-row INSERT per run
/// (``rowsPerInsert`` rows): each execution has a fixed cost (sqlite3_step's start and halt, the
/// table's cursor, the reset) that a run pays once. Each table gets its rows in the order they came,
/// so every table's rows and rowids are what one INSERT per row gives; only how the tables'
/// pages interleave in the file differs.
package final class ThreadedCoreOutput: CoreOutput {
    private enum Operation: UInt8 {
        case insert = 1, insertTails, markDuplicates, beginCarried, carriedRow, endCarried, transcriptsComplete, carriedPrimaryKey
    }

    static let batchSize = 1 << 20
    static let queueCapacity = 4
    /// Rows per multi-row INSERT (fewer where SQLite's parameter limit says so). Measured on
    /// lean rows (callgrind, the writer's thread): 16 rows 651 M instructions, 32 rows 638 M,
    /// 48 rows 641 M, 64 rows 643 M, against 917 M with one INSERT per row; longer runs leave
    /// more rows for the shorter runs of a batch's end.
    static let rowsPerInsert = 32
    private static let transcriptsOrdinal = CoreTable.transcripts.ordinal

    private let writer: SQLiteCoreWriter
    private let batchSize: Int
    /// The writer thread's waiting rows and run statements (see ``apply(_:row:waiting:)``).
    private let waiting: WaitingRows
    private var batch: [UInt8]
    /// The carried tables' schemas, by the index their batches name: the producer adds them,
    /// the writer's thread reads them.
    private let carriedSchemas = Guarded<[TableSchema]>([])
    private var pipe: BatchPipe!

    /// Seconds the producer waited for the writer, and the writer for the producer.
    package var producerWaitSeconds: Double { pipe.producerWaitSeconds }
    package var writerWaitSeconds: Double { pipe.consumerWaitSeconds }

    /// - Parameters:
    ///   - whileIdle: work for the writer's thread when no batch waits (see ``BatchPipe``).
    ///   - rowsPerInsert: rows per INSERT statement; 1 inserts each row on its own.
    ///   - batchSize: the bytes of rows the producer collects before handing them over.
    package init(writer: SQLiteCoreWriter, whileIdle: (@Sendable () -> Bool)? = nil, rowsPerInsert: Int = ThreadedCoreOutput.rowsPerInsert,
                 batchSize: Int = ThreadedCoreOutput.batchSize) {
        self.writer = writer
        self.batchSize = batchSize
        let row = RowBuffer()
        let waiting = WaitingRows(runLengths: CoreTable.allCases.map { min(max(1, rowsPerInsert), writer.maxRowsPerInsert($0)) })
        self.waiting = waiting
        batch = []
        pipe = BatchPipe(capacity: Self.queueCapacity, batchSize: batchSize, whileIdle: whileIdle) { [unowned self] batch in
            try self.apply(batch, row: row, waiting: waiting)
        }
        batch = pipe.emptyBatch()
    }

    // MARK: Producer side

    package func insert(_ table: CoreTable, _ values: [SQLValue]) throws {
        try append(.insert, table) { batch in
            for value in values { value.append(to: &batch) }
        }
    }

    package func insert(_ table: CoreTable, _ first: SQLValue, _ second: SQLValue, _ third: SQLValue) throws {
        assert(table.columns.count == 3, "\(table) does not have three columns")
        try append(.insert, table) { batch in
            first.append(to: &batch)
            second.append(to: &batch)
            third.append(to: &batch)
        }
    }

    package func insert(_ table: CoreTable, _ first: String, utf8 second: Span<UInt8>, utf8 third: Span<UInt8>) throws {
        assert(table.columns.count == 3, "\(table) does not have three columns")
        try append(.insert, table) { batch in
            RowBatch.appendField(first, to: &batch)
            RowBatch.appendField(second, to: &batch)
            RowBatch.appendField(third, to: &batch)
        }
    }

    package func insert(_ table: CoreTable, _ first: String, utf8 second: Span<UInt8>) throws {
        assert(table.columns.count == 2, "\(table) does not have two columns")
        try append(.insert, table) { batch in
            RowBatch.appendField(first, to: &batch)
            RowBatch.appendField(second, to: &batch)
        }
    }

    /// The shared tails are encoded once (kept in `tails`) and copied in whole: the writer's
    /// thread, which has time to spare during the load, takes the rows apart.
    package func insert(_ table: CoreTable, first: SQLValue, tails: RowTails) throws {
        // The writer keeps transcripts as rows of values (``SQLiteCoreWriter/holdTranscript(_:)``).
        if table == .transcripts {
            for tail in tails.rows { try insert(table, [first] + tail) }
            return
        }
        let encoded = tails.encode()
        try append(.insertTails, table) { batch in
            first.append(to: &batch)
            RowBatch.appendWord(UInt64(tails.count), to: &batch)
            RowBatch.appendField(encoded.span, to: &batch)
        }
    }

    /// Appends `operation` on `table` with the operands `operands` writes, and hands the batch
    /// to the writer's thread once it is full.
    @inline(__always) private func append(_ operation: Operation, _ table: CoreTable, _ operands: (inout [UInt8]) -> Void) throws {
        batch.append(operation.rawValue)
        batch.append(UInt8(table.ordinal))
        operands(&batch)
        if batch.count >= batchSize { try pipe.submit(&batch) }
    }

    package func markMayHoldDuplicates(_ table: CoreTable, id: String) throws {
        batch.append(Operation.markDuplicates.rawValue)
        batch.append(UInt8(table.ordinal))
        RowBatch.appendField(id, to: &batch)
    }

    /// Hands the batch over at once: the writer's thread writes the transcripts while the
    /// normalizer gathers its genes.
    package func transcriptsComplete() throws {
        batch.append(Operation.transcriptsComplete.rawValue)
        try pipe.submit(&batch)
    }

    package func beginCarriedTable(_ table: TableSchema) throws { appendCarried(.beginCarried, table) }

    /// Appends `operation` on the carried table `table`, which the batch names by its place in
    /// `carriedSchemas`.
    private func appendCarried(_ operation: Operation, _ table: TableSchema) {
        let index = carriedSchemas.withLock { schemas in
            schemas.append(table)
            return schemas.count - 1
        }
        batch.append(operation.rawValue)
        RowBatch.appendWord(UInt64(index), to: &batch)
    }

    package func carriedRow(_ row: RowBuffer) throws {
        batch.append(Operation.carriedRow.rawValue)
        RowBatch.appendRow(row, to: &batch)
        if batch.count >= batchSize { try pipe.submit(&batch) }
    }

    package func endCarriedTable() throws {
        batch.append(Operation.endCarried.rawValue)
    }

    package func carriedPrimaryKey(_ table: TableSchema) throws { appendCarried(.carriedPrimaryKey, table) }

    /// Sends the remaining rows, waits for the writer thread and rethrows its failure, if any.
    /// Later calls do nothing; call it on every path, so the thread never outlives the run.
    package func close() throws {
        var submitError: Error?
        do { try pipe.submit(&batch) } catch { submitError = error }
        try pipe.close()
        // The writer's thread has ended: its statements go, so that the writer's `finish`
        // finalizes every statement of the load before it commits.
        waiting.releaseStatements()
        if let submitError { throw submitError }
    }

    /// The rows of the batch being applied that wait for their table's next multi-row INSERT;
    /// used on the writer's thread only, and by ``close()`` once that thread has ended.
    private final class WaitingRows {
        let tables = CoreTable.allCases
        /// Rows per INSERT, by ``CoreTable/ordinal``.
        let runLengths: [Int]
        /// Columns, by ``CoreTable/ordinal``.
        let columnCounts = CoreTable.allCases.map(\.columns.count)
        /// The INSERT of a whole run, by ``CoreTable/ordinal``, prepared when first used.
        private var runStatements: [SQLiteStatement?]
        /// Per table, from `table.ordinal * stride`, two batch offsets per waiting row: where its
        /// first value starts and where its other values do (apart for the rows of shared
        /// tails, whose first value the batch holds once).
        var offsets: [Int]
        /// Rows waiting, by ``CoreTable/ordinal``.
        var counts = [Int](repeating: 0, count: CoreTable.allCases.count)
        let stride: Int

        init(runLengths: [Int]) {
            self.runLengths = runLengths
            runStatements = [SQLiteStatement?](repeating: nil, count: runLengths.count)
            stride = 2 * runLengths.max()!
            offsets = [Int](repeating: 0, count: stride * runLengths.count)
        }

        /// The INSERT of a whole run of `table`'s rows.
        @inline(__always) func runStatement(_ table: Int, of writer: SQLiteCoreWriter) throws -> SQLiteStatement {
            if let statement = runStatements[table] { return statement }
            let statement = try writer.statement(for: tables[table], rows: runLengths[table])
            runStatements[table] = statement
            return statement
        }

        /// Drops the run statements (once no batch is left to apply).
        func releaseStatements() { runStatements = [SQLiteStatement?](repeating: nil, count: runStatements.count) }

        /// Adds a row of `table`; true when the table has a full run waiting.
        @inline(__always) func add(_ table: Int, first: Int, rest: Int) -> Bool {
            let slot = table * stride + 2 * counts[table]
            offsets[slot] = first
            offsets[slot + 1] = rest
            counts[table] += 1
            return counts[table] == runLengths[table]
        }
    }

    /// Applies a batch's operations in order, except that the core tables' rows wait to be
    /// inserted a run at a time, each table's in the order they came; every waiting row is
    /// inserted before the batch is done. The other operations may go first: they touch other
    /// tables (`temp.duplicate_marks`, the carried tables, whose names never are a core
    /// table's), which are read only at the end (``SQLiteCoreWriter/finish(appliedAt:forQueries:threads:onceIndexesAreCommitted:onceCommitted:progress:)``).
    ///
    /// A row's values are bound as they are read, to their place in its table's INSERT of a
    /// whole run, which runs once the run is full; the rows left at the batch's end are read
    /// again and inserted in shorter runs (``insertRest(_:_:_:_:)``).
    private func apply(_ batch: [UInt8], row: RowBuffer, waiting: WaitingRows) throws {
        // The batch outlives every step: SQLite reads the text in place.
        try SQLiteStatement.withInPlaceText(in: batch.span) { binder in
            let bytes = batch.span
            var reader = RowBatchReader(bytes)
            while !reader.isAtEnd {
                let operation = Operation(rawValue: reader.byte())!
                switch operation {
                case .insert:
                    let table = Int(reader.byte())
                    let columns = waiting.columnCounts[table]
                    if table == Self.transcriptsOrdinal {
                        // Kept by the writer, to be written in id order.
                        let start = reader.offset
                        for _ in 0..<columns { Self.skipValue(&reader) }
                        try writer.holdTranscript(bytes.extracting(start..<reader.offset))
                        continue
                    }
                    let statement = try waiting.runStatement(table, of: writer)
                    let parameter = waiting.counts[table] * columns + 1
                    let first = reader.offset
                    try Self.bindValue(statement, parameter, &reader, &binder)
                    let rest = reader.offset
                    for column in 1..<columns { try Self.bindValue(statement, parameter + column, &reader, &binder) }
                    if waiting.add(table, first: first, rest: rest) { try insertRun(table, statement, waiting) }
                case .insertTails:
                    let table = Int(reader.byte())
                    let columns = waiting.columnCounts[table]
                    let statement = try waiting.runStatement(table, of: writer)
                    let first = reader.offset
                    Self.skipValue(&reader)
                    let rows = Int(reader.word())
                    _ = reader.word()  // the tails' length: their values follow
                    for _ in 0..<rows {
                        let parameter = waiting.counts[table] * columns + 1
                        var shared = RowBatchReader(bytes.extracting(droppingFirst: first))
                        try Self.bindValue(statement, parameter, &shared, &binder)
                        let rest = reader.offset
                        for column in 1..<columns { try Self.bindValue(statement, parameter + column, &reader, &binder) }
                        if waiting.add(table, first: first, rest: rest) { try insertRun(table, statement, waiting) }
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
                case .carriedPrimaryKey:
                    let index = Int(reader.word())
                    try writer.carriedPrimaryKey(carriedSchemas.withLock { $0[index] })
                case .transcriptsComplete:
                    try writer.writeHeldTranscripts()
                }
            }
            for table in waiting.counts.indices where waiting.counts[table] > 0 { try insertRest(table, waiting, bytes, &binder) }
        }
    }

    /// Runs `statement`, the INSERT of a whole run of the table with ordinal `table`, bound.
    @inline(__always) private func insertRun(_ table: Int, _ statement: SQLiteStatement, _ waiting: WaitingRows) throws {
        try writer.stepInsert(statement, of: waiting.tables[table], rows: waiting.runLengths[table])
        waiting.counts[table] = 0
    }

    /// Inserts the rows of the table with ordinal `table` that wait in `waiting`, fewer than a
    /// run, in their order: one INSERT per power of two (29 rows: 16, 8, 4, 1).
    private func insertRest(_ table: Int, _ waiting: WaitingRows, _ bytes: Span<UInt8>, _ binder: inout SQLiteInPlaceBinder) throws {
        let count = waiting.counts[table]
        let (coreTable, columns) = (waiting.tables[table], waiting.columnCounts[table])
        var slot = table * waiting.stride
        var done = 0
        while done < count {
            let rows = MultiRowInsert.shorterRun(of: count - done)
            let statement = try writer.statement(for: coreTable, rows: rows)
            var parameter = 1
            for _ in 0..<rows {
                var values = RowBatchReader(bytes.extracting(droppingFirst: waiting.offsets[slot]))
                try Self.bindValue(statement, parameter, &values, &binder)
                values = RowBatchReader(bytes.extracting(droppingFirst: waiting.offsets[slot + 1]))
                for column in 1..<columns { try Self.bindValue(statement, parameter + column, &values, &binder) }
                parameter += columns
                slot += 2
            }
            try writer.stepInsert(statement, of: coreTable, rows: rows)
            done += rows
        }
        waiting.counts[table] = 0
    }

    /// Steps over the reader's next value.
    @inline(__always) private static func skipValue(_ reader: inout RowBatchReader) {
        switch reader.nextFieldKind {
        case .integer: _ = reader.integer()
        case .real: _ = reader.real()
        case .null, .text: _ = reader.field()
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
