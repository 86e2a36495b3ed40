import Foundation

/// Runs another ``DumpSink`` on a thread of its own: rows are copied into batches on the reading
/// thread and replayed, in order, on the sink's. Reading and decoding then use one core and the
/// sink's work (validation, hashing) the other. The sink sees exactly the calls it would have
/// seen directly, with each row's bytes, line and offset.
///
/// Memory is bounded: at most ``queueCapacity`` batches of about ``batchSize`` bytes wait.
public final class ThreadedDumpSink: DumpSink {
    private enum Operation: UInt8 { case begin = 1, row, end }

    static let batchSize = 4 << 20
    static let queueCapacity = 3

    private let next: DumpSink
    private var batch: [UInt8] = []
    private var tables: [(schema: TableSchema, rows: Int, bytes: Int64)] = []
    private let condition = NSCondition()
    private var queue: [[UInt8]] = []
    private var spare: [[UInt8]] = []
    private var closed = false
    private var finished = false
    private var failure: Error?

    public init(next: DumpSink) {
        self.next = next
        batch.reserveCapacity(Self.batchSize + 64 * 1024)
        let thread = Thread { [unowned self] in self.drain() }
        thread.stackSize = 1 << 22
        thread.start()
    }

    public func beginTable(_ table: TableSchema) throws {
        condition.lock()
        tables.append((table, 0, 0))
        let index = tables.count - 1
        condition.unlock()
        batch.append(Operation.begin.rawValue)
        appendWord(UInt64(index))
    }

    public func row(_ row: RowBuffer) throws {
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
        if batch.count >= Self.batchSize { try flush() }
    }

    public func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {
        condition.lock()
        let index = tables.lastIndex { $0.schema == table } ?? tables.count - 1
        tables[index].rows = rows
        tables[index].bytes = bytes
        condition.unlock()
        batch.append(Operation.end.rawValue)
        appendWord(UInt64(index))
    }

    /// Replays the remaining rows, waits for the sink's thread and rethrows its failure.
    /// Later calls do nothing; call it on every path, so the thread never outlives the read.
    public func close() throws {
        condition.lock()
        let alreadyClosed = closed
        condition.unlock()
        if alreadyClosed { return }
        var flushError: Error?
        do { try flush() } catch { flushError = error }
        condition.lock()
        closed = true
        condition.broadcast()
        while !finished { condition.wait() }
        let failure = self.failure
        condition.unlock()
        if let error = failure ?? flushError { throw error }
    }

    @inline(__always) private func appendWord(_ word: UInt64) {
        withUnsafeBytes(of: word.littleEndian) { batch.append(contentsOf: $0) }
    }

    private func flush() throws {
        guard !batch.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.queueCapacity && failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append(batch)
        condition.broadcast()
        batch = spare.popLast() ?? []
        batch.reserveCapacity(Self.batchSize + 64 * 1024)
    }

    private func drain() {
        let row = RowBuffer()
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            var next = queue.removeFirst()
            condition.broadcast()
            condition.unlock()
            do {
                try replay(next, row: row)
                next.removeAll(keepingCapacity: true)
                condition.lock()
                spare.append(next)
                condition.unlock()
            } catch {
                condition.lock()
                failure = error
                while !closed {
                    queue.removeAll()
                    condition.broadcast()
                    condition.wait()
                }
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
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
                    condition.lock()
                    let table = tables[index]
                    condition.unlock()
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
