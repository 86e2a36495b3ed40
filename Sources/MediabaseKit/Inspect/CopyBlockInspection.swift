import Foundation

/// Checks one COPY block of a plain dump file on two threads.
///
/// The block is cut into chunks at row starts: a first small one, read alone (most blocks end in
/// it), then chunks that this thread and a helper take in turn, each reading its own with
/// `pread(2)`. Each chunk is checked with its own ``TableTally``, lines numbered from its start;
/// the tallies are added up in chunk order as chunks finish, so the findings, line numbers
/// included, are those of reading the block row by row. The chunk holding the `\.` line ends the
/// block; chunks after it (past the block's end, where the text is not rows) are abandoned and
/// their findings dropped.
///
/// Chunk boundaries are found without reading what comes before: a boundary is the first line
/// start at or after a nominal offset whose preceding line does not end in an unpaired backslash
/// (which would make the newline data, ``CopyText/LineEnd/continues``).
final class CopyBlockInspection {
    /// Bytes of the first chunk and of the others, and of the buffer a chunk is read into.
    struct ChunkSizes {
        var first = 1 << 20
        var rest = 8 << 20
        var buffer = 1 << 20
    }

    private let sizes: ChunkSizes
    private let block: CopyBlock
    private let checker: ValueChecker
    private let helperChecker: ValueChecker
    private let progress: ProgressReporter?

    private let lock = NSLock()
    private var nextChunk = 1
    /// The first chunk known to end the block (by its `\.` line or an error); later ones are not started.
    private var lastChunk = Int.max
    private var finished: [Int: ChunkResult] = [:]
    private var nextToAdd = 0
    private var total: TableTally
    private var rows = 0
    private var bytes: Int64 = 0
    private var lines = 0
    private var outcome: ChunkResult?
    private var failure: Error?

    /// What a chunk held, with lines numbered from 1 at its start.
    struct ChunkResult {
        var tally: TableTally
        var rows = 0
        var bytes: Int64 = 0
        var lines = 0
        /// Offset past the `\.` line, when the chunk holds the block's end.
        var terminatorEnd: Int?
        var error: Error?
        /// Whether the chunk was given up because an earlier one ended the block.
        var abandoned = false

        var endsBlock: Bool { terminatorEnd != nil || error != nil }
    }

    /// `tally` is the table's so far; the block's rows are added to it.
    init(
        block: CopyBlock, tally: TableTally, checker: ValueChecker, helperChecker: ValueChecker, progress: ProgressReporter?,
        sizes: ChunkSizes = ChunkSizes()
    ) {
        self.sizes = sizes
        self.block = block
        self.checker = checker
        self.helperChecker = helperChecker
        self.progress = progress
        total = tally
    }

    /// Checks the block; returns where it ended and the table's tally with the block's rows
    /// added, or throws the error reading it row by row would have thrown.
    func run() throws -> (CopyBlockEnd, TableTally) {
        let reader = ChunkReader(block: block, checker: checker, bufferSize: sizes.buffer)
        let firstEnd = try boundary(after: block.start + sizes.first)
        add(reader.read(chunk: 0, from: block.start, to: firstEnd, inspection: self), index: 0)
        if outcome == nil, firstEnd < block.size {
            let done = DispatchSemaphore(value: 0)
            let helperChecker = helperChecker
            let thread = Thread { [self] in
                work(ChunkReader(block: block, checker: helperChecker, bufferSize: sizes.buffer))
                done.signal()
            }
            thread.stackSize = 1 << 22
            thread.start()
            work(reader)
            done.wait()
        }
        if let failure { throw failure }
        if let outcome {
            if let error = outcome.error { throw rebased(error, lineOffset: block.startLine + lines - outcome.lines) }
            return (CopyBlockEnd(rows: rows, bytes: bytes, lines: lines, offset: outcome.terminatorEnd!), total)
        }
        throw MediabaseError.malformedInput(
            SourceLocation(file: block.fileName, table: block.table.qualifiedName, line: block.startLine + lines + 1, byteOffset: Int64(block.size)),
            expected: "more rows or the end-of-data marker \\. (the COPY block that starts after line \(block.startLine) is cut short: truncated file?)")
    }

    /// Takes chunks until the block or the file ends.
    private func work(_ reader: ChunkReader) {
        do {
            while let chunk = try claim() {
                add(reader.read(chunk: chunk.index, from: chunk.start, to: chunk.end, inspection: self), index: chunk.index)
            }
        } catch {
            // The file could not be read: stop both threads and report it.
            lock.lock()
            failure = failure ?? error
            lastChunk = 0
            lock.unlock()
        }
    }

    private func nominalStart(_ index: Int) -> Int { block.start + sizes.first + (index - 1) * sizes.rest }

    private func claim() throws -> (index: Int, start: Int, end: Int)? {
        lock.lock()
        let index = nextChunk
        guard index < lastChunk, nominalStart(index) < block.size else {
            lock.unlock()
            return nil
        }
        nextChunk += 1
        lock.unlock()
        return (index, try boundary(after: nominalStart(index)), try boundary(after: nominalStart(index + 1)))
    }

    /// Whether a chunk before `index` ended the block, so chunk `index` is not part of it.
    func isPastEnd(_ index: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return lastChunk < index
    }

    /// Records a chunk's result and adds up, in order, every chunk that can be.
    private func add(_ result: ChunkResult, index: Int) {
        lock.lock()
        defer { lock.unlock() }
        if result.endsBlock { lastChunk = min(lastChunk, index) }
        guard !result.abandoned else { return }
        finished[index] = result
        while outcome == nil, let next = finished.removeValue(forKey: nextToAdd) {
            total.absorb(next.tally, lineOffset: block.startLine + lines)
            rows += next.rows
            bytes += next.bytes
            lines += next.lines
            nextToAdd += 1
            if next.endsBlock {
                outcome = next
                finished.removeAll()
            }
        }
        if let progress {
            // The stream's position is what progress shows; the reader moves it past the block after.
            try? block.file.seek(to: Int64(min(nominalStart(nextToAdd), block.size)))
            progress.draw(final: false)
        }
    }

    /// The first row start at or after `offset`, or the end of the file.
    func boundary(after offset: Int) throws -> Int {
        guard offset > block.start else { return block.start }
        guard offset < block.size else { return block.size }
        let windowSize = 64 * 1024
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: windowSize) { window in
            let base = window.baseAddress!
            var position = offset - 1
            while position < block.size {
                let count = try block.file.read(at: Int64(position), into: UnsafeMutableRawBufferPointer(window))
                guard count > 0 else { break }
                guard let hit = memchr(base, 0x0A, count) else {
                    position += count
                    continue
                }
                let newline = position + (UnsafeMutableRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base)
                var lineEnd = newline
                if lineEnd > block.start, try byte(at: lineEnd - 1) == 0x0D { lineEnd -= 1 }
                if try backslashRun(before: lineEnd) & 1 == 0 { return newline + 1 }
                position = newline + 1
            }
            return block.size
        }
    }

    private func byte(at offset: Int) throws -> UInt8 {
        var value: UInt8 = 0
        _ = try withUnsafeMutableBytes(of: &value) { try block.file.read(at: Int64(offset), into: $0) }
        return value
    }

    /// Length of the run of backslashes that ends just before `offset` in the block.
    private func backslashRun(before offset: Int) throws -> Int {
        var start = offset
        while start > block.start, try byte(at: start - 1) == 0x5C { start -= 1 }
        return offset - start
    }

    /// `error` with its line moved from chunk numbering to file numbering.
    private func rebased(_ error: Error, lineOffset: Int) -> Error {
        guard case let .malformedInput(location, expected)? = error as? MediabaseError, let line = location.line else { return error }
        var moved = location
        moved.line = line + lineOffset
        return MediabaseError.malformedInput(moved, expected: expected)
    }
}

/// Reads the rows of chunks of a COPY block on one thread, checking values from their raw text:
/// a value whose bytes equal the same column's in the previous row counts as that one did,
/// without being decoded or checked again (the legacy table repeats each gene's values in every
/// transcript row).
///
/// A chunk is read with `pread(2)` into a buffer small enough to stay in the core's cache while
/// its rows are split and checked.
final class ChunkReader {
    private let block: CopyBlock
    private let checker: ValueChecker
    private let columns: Int
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Offset in the file of `buffer[0]`, bytes held, the next line's start and the previous row's.
    private var bufferOffset = 0
    private var filled = 0
    private var position = 0
    private var previousRowStart = 0
    private let starts: UnsafeMutablePointer<Int>
    private let ends: UnsafeMutablePointer<Int>
    /// The previous valid value of each column (raw bytes in the buffer) and what it counted.
    private let previous: UnsafeMutablePointer<UnsafePointer<UInt8>?>
    private let previousCount: UnsafeMutablePointer<Int>
    private let previousFacts: UnsafeMutablePointer<ValueFacts>
    /// The gene id (raw bytes) of the previous row, when it was read raw.
    private var previousGene: UnsafePointer<UInt8>?
    private var previousGeneCount = 0
    private let geneIndex: Int?
    /// Decoded values of escaped fields; ids get their own, as they are needed together.
    private let scratch = RowBuffer()
    private let idScratch: [RowBuffer]
    private let row = RowBuffer()
    private var continued: [UInt8] = []

    init(block: CopyBlock, checker: ValueChecker, bufferSize: Int) {
        self.block = block
        self.checker = checker
        capacity = max(bufferSize, 2)
        columns = block.table.columns.count
        buffer = .allocate(capacity: capacity)
        starts = .allocate(capacity: columns)
        ends = .allocate(capacity: columns)
        previous = .allocate(capacity: columns)
        previous.initialize(repeating: nil, count: columns)
        previousCount = .allocate(capacity: columns)
        previousCount.initialize(repeating: 0, count: columns)
        previousFacts = .allocate(capacity: columns)
        previousFacts.initialize(repeating: ValueFacts(), count: columns)
        idScratch = (0..<columns).map { _ in RowBuffer(capacity: 256) }
        geneIndex = LegacyColumns.isLegacy(block.table) ? block.table.columnIndex("gene_id") : nil
    }

    deinit {
        buffer.deallocate()
        starts.deallocate()
        ends.deallocate()
        previous.deallocate()
        previousCount.deallocate()
        previousFacts.deallocate()
    }

    /// A line of the chunk: its start in the buffer, its end (before the newline), and whether a
    /// newline ends it.
    private struct Line {
        var start: Int
        var end: Int
        var terminated: Bool
    }

    /// The next line of the chunk ending at file offset `end`, or nil when the chunk is read.
    private func nextLine(end: Int) throws -> Line? {
        var scanFrom = position
        while true {
            if scanFrom < filled, let hit = memchr(buffer + scanFrom, 0x0A, filled - scanFrom) {
                let newline = UnsafeMutableRawPointer(hit).assumingMemoryBound(to: UInt8.self) - buffer
                defer { position = newline + 1 }
                return Line(start: position, end: newline, terminated: true)
            }
            let unread = end - (bufferOffset + filled)
            if unread <= 0 {
                guard position < filled else { return nil }
                defer { position = filled }
                return Line(start: position, end: filled, terminated: false)
            }
            refill()
            scanFrom = filled
            let count = try block.file.read(
                at: Int64(bufferOffset + filled), into: UnsafeMutableRawBufferPointer(start: buffer + filled, count: min(capacity - filled, unread)))
            guard count > 0 else {
                throw MediabaseError.io(path: block.fileName, message: "the file ended at byte \(bufferOffset + filled) while being read")
            }
            filled += count
        }
    }

    /// Makes room after the bytes from the previous row on, moving them to the buffer's start
    /// (into a larger buffer when they fill more than half of it).
    private func refill() {
        let keep = min(previousRowStart, position)
        let kept = filled - keep
        var target = buffer
        if kept > capacity / 2 {
            capacity *= 2
            target = .allocate(capacity: capacity)
        }
        if kept > 0 { memmove(target, buffer + keep, kept) }
        // Values before the kept bytes are gone; the others moved.
        let shift = keep
        func moved(_ pointer: UnsafePointer<UInt8>?) -> UnsafePointer<UInt8>? {
            guard let pointer, pointer >= buffer + keep else { return nil }
            return UnsafePointer(target) + (pointer - UnsafePointer(buffer) - shift)
        }
        for column in 0..<columns { previous[column] = moved(previous[column]) }
        previousGene = moved(previousGene)
        if target != buffer {
            buffer.deallocate()
            buffer = target
        }
        bufferOffset += shift
        filled = kept
        position -= shift
        previousRowStart -= min(shift, previousRowStart)
    }

    /// Reads the rows of `start..<end` (both row starts) as ``CopyData/readRows`` would, up to the
    /// `\.` line or the first error.
    func read(chunk index: Int, from start: Int, to end: Int, inspection: CopyBlockInspection) -> CopyBlockInspection.ChunkResult {
        var result = CopyBlockInspection.ChunkResult(tally: TableTally(table: block.table, isPart: true))
        bufferOffset = start
        filled = 0
        position = 0
        previousRowStart = 0
        previous.update(repeating: nil, count: columns)
        previousGene = nil
        do {
            while let line = try nextLine(end: end) {
                if result.lines & 63 == 0, inspection.isPastEnd(index) {
                    result.abandoned = true
                    return result
                }
                result.lines += 1
                let offset = bufferOffset + line.start
                var count = line.end - line.start
                if count > 0, buffer[line.end - 1] == 0x0D { count -= 1 }
                let text = UnsafePointer(buffer + line.start)
                if count >= 2, text[0] == 0x5C, text[1] == 0x2E {
                    guard count == 2 else {
                        throw malformed(line: result.lines, offset: offset, "the end-of-data marker \\. alone on its line")
                    }
                    result.terminatorEnd = bufferOffset + (line.terminated ? line.end + 1 : line.end)
                    return result
                }
                if count > 0, text[count - 1] == 0x5C, CopyText.backslashRun(text, before: count, from: 0) & 1 == 1 {
                    try readContinuedRow(UnsafeBufferPointer(start: text, count: count), offset: offset, end: end, result: &result)
                    previousRowStart = position
                    continue
                }
                if !line.terminated, end == block.size {
                    throw malformed(line: result.lines, offset: offset, "a complete row, but the input ends inside it (truncated file?)")
                }
                try inspectRaw(text, count: count, line: result.lines, offset: offset, tally: &result.tally)
                previousRowStart = line.start
                result.rows += 1
                result.bytes += Int64(line.end - line.start + 1)
            }
        } catch {
            result.error = error
        }
        return result
    }

    /// Splits a complete row (`count` bytes, not ending in an unpaired backslash) into fields and
    /// checks them from their raw text. A field is first compared with the same column's previous
    /// value: the same bytes followed by a TAB (or by the end of the row, in the last column) are
    /// that value, as a TAB after them is a separator as it was there, so the field's end need not
    /// be searched for and its value not checked.
    private func inspectRaw(_ line: UnsafePointer<UInt8>, count: Int, line number: Int, offset: Int, tally: inout TableTally) throws {
        // Every line has a field, even an empty one.
        guard columns > 0 else { throw fieldCount(CopyText.countRawFields(line, count: count)!, line: number, offset: offset) }
        var fieldStart = 0
        for column in 0..<columns {
            let isLast = column == columns - 1
            if let earlier = previous[column] {
                let fieldEnd = fieldStart + previousCount[column]
                if fieldEnd <= count, fieldEnd == count ? isLast : !isLast && line[fieldEnd] == 0x09,
                   memcmp(earlier, line + fieldStart, fieldEnd - fieldStart) == 0 {
                    starts[column] = fieldStart
                    ends[column] = fieldEnd
                    tally.count(previousFacts[column], column: column)
                    fieldStart = fieldEnd + 1
                    continue
                }
            }
            let fieldEnd = Self.fieldEnd(line, from: fieldStart, count: count)
            if fieldEnd == count ? !isLast : isLast {
                throw fieldCount(CopyText.countRawFields(line, count: count)!, line: number, offset: offset)
            }
            starts[column] = fieldStart
            ends[column] = fieldEnd
            fieldStart = fieldEnd + 1
            let value = line + starts[column]
            let length = fieldEnd - starts[column]
            if length == 2, value[0] == 0x5C, value[1] == 0x4E { continue }
            switch try checker.check(decoded(value, count: length, into: scratch), column: column) {
            case let .valid(facts):
                tally.count(facts, column: column)
                previous[column] = value
                previousCount[column] = length
                previousFacts[column] = facts
            case let .invalid(at, expected):
                previous[column] = nil
                tally.badValue(column: column, line: number, byteOffset: Int64(offset), offset: at, expected: expected)
            }
        }
        guard tally.legacy != nil else { return }
        var sameGene = false
        if let geneIndex {
            let gene = line + starts[geneIndex]
            let count = ends[geneIndex] - starts[geneIndex]
            if let earlier = previousGene, previousGeneCount == count, memcmp(earlier, gene, count) == 0 { sameGene = true }
            previousGene = gene
            previousGeneCount = count
        }
        tally.legacy?.countIds(sameGene: sameGene) { column in
            let value = line + starts[column]
            let count = ends[column] - starts[column]
            if count == 2, value[0] == 0x5C, value[1] == 0x4E { return nil }
            return decoded(value, count: count, into: idScratch[column])
        }
    }

    /// Where the field starting at `start` ends: at the first TAB not escaped by an odd run of
    /// backslashes before it in the field (as ``CopyText/decodeLine(_:into:)`` reads it), or at `count`.
    private static func fieldEnd(_ line: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int {
        var searchFrom = start
        while let hit = memchr(line + searchFrom, 0x09, count - searchFrom) {
            let tab = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - line
            if tab > start, line[tab - 1] == 0x5C, CopyText.backslashRun(line, before: tab, from: start) & 1 == 1 {
                searchFrom = tab + 1
                continue
            }
            return tab
        }
        return count
    }

    /// The decoded bytes of a raw non-NULL field: the raw bytes themselves when unescaped.
    private func decoded(_ value: UnsafePointer<UInt8>, count: Int, into buffer: RowBuffer) -> UnsafeBufferPointer<UInt8> {
        let raw = UnsafeBufferPointer(start: value, count: count)
        guard memchr(value, 0x5C, count) != nil else { return raw }
        buffer.reset()
        CopyText.decodeLine(raw, into: buffer)
        return buffer.field(0)!
    }

    /// Joins the lines of a row whose newlines are data (`first` is its first line, without its
    /// newline) and checks it decoded, as ``CopyData/readRows`` does.
    private func readContinuedRow(
        _ first: UnsafeBufferPointer<UInt8>, offset: Int, end: Int, result: inout CopyBlockInspection.ChunkResult
    ) throws {
        let rowLine = result.lines
        continued.removeAll(keepingCapacity: true)
        continued.append(contentsOf: first)
        // The row's values are not kept in the buffer, so no later row is compared with them.
        previousGene = nil
        var ended = false
        while !ended {
            guard let line = try nextLine(end: end) else {
                throw malformed(line: rowLine, offset: offset, "a character after the backslash at the end of the row")
            }
            result.lines += 1
            continued.append(0x0A)
            continued.append(contentsOf: UnsafeBufferPointer(start: buffer + line.start, count: line.end - line.start).droppingCR())
            try continued.withUnsafeBufferPointer { joined in
                row.reset()
                row.raw = joined
                ended = CopyText.decodeLine(joined, into: row) == .complete
                guard ended else { return }
                guard row.count == columns else { throw fieldCount(row.count, line: rowLine, offset: offset) }
                row.line = rowLine
                row.byteOffset = Int64(offset)
                try Inspector.inspect(row, checker: checker, tally: &result.tally)
            }
        }
        result.rows += 1
        result.bytes += Int64(continued.count + 1)
    }

    private func malformed(line: Int, offset: Int, _ expected: String) -> MediabaseError {
        .malformedInput(SourceLocation(file: block.fileName, table: block.table.qualifiedName, line: line, byteOffset: Int64(offset)), expected: expected)
    }

    private func fieldCount(_ found: Int, line: Int, offset: Int) -> MediabaseError {
        let table = block.table
        return malformed(line: line, offset: offset, "\(table.columns.count) tab-separated fields (\(table.columns.map(\.name).joined(separator: ", "))), found \(found)")
    }
}
