import Foundation

/// Checks one COPY block of a mapped plain dump on two threads.
///
/// The block is cut into chunks at row starts: a first small one, read alone (most blocks end in
/// it), then chunks of ``chunkSize`` that this thread and a helper take in turn. Each chunk is
/// checked with its own ``TableTally``, lines numbered from its start; the tallies are added up
/// in chunk order as chunks finish, so the findings, line numbers included, are those of reading
/// the block row by row. The chunk holding the `\.` line ends the block; chunks after it (past
/// the block's end, where the text is not rows) are abandoned and their findings dropped.
///
/// Chunk boundaries are found without reading what comes before: a boundary is the first line
/// start at or after a nominal offset whose preceding line does not end in an unpaired backslash
/// (which would make the newline data, ``CopyText/LineEnd/continues``).
final class CopyBlockInspection {
    /// Bytes of the first chunk and of the others.
    struct ChunkSizes {
        var first = 1 << 20
        var rest = 8 << 20
    }

    private let sizes: ChunkSizes
    private let block: CopyBlock
    private let base: UnsafePointer<UInt8>
    private let fileEnd: Int
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
        base = block.file.bytes.baseAddress!
        fileEnd = block.file.bytes.count
        self.checker = checker
        self.helperChecker = helperChecker
        self.progress = progress
        total = tally
    }

    /// Checks the block; returns where it ended and the table's tally with the block's rows
    /// added, or throws the error reading it row by row would have thrown.
    func run() throws -> (CopyBlockEnd, TableTally) {
        let reader = ChunkReader(block: block, checker: checker)
        let firstEnd = boundary(after: block.start + sizes.first)
        add(reader.read(chunk: 0, from: block.start, to: firstEnd, inspection: self), index: 0)
        if outcome == nil, firstEnd < fileEnd {
            let done = DispatchSemaphore(value: 0)
            let helperChecker = helperChecker
            let thread = Thread { [self] in
                work(ChunkReader(block: block, checker: helperChecker))
                done.signal()
            }
            thread.stackSize = 1 << 22
            thread.start()
            work(reader)
            done.wait()
        }
        if let outcome {
            if let error = outcome.error { throw rebased(error, lineOffset: block.startLine + lines - outcome.lines) }
            return (CopyBlockEnd(rows: rows, bytes: bytes, lines: lines, offset: outcome.terminatorEnd!), total)
        }
        throw MediabaseError.malformedInput(
            SourceLocation(file: block.fileName, table: block.table.qualifiedName, line: block.startLine + lines + 1, byteOffset: Int64(fileEnd)),
            expected: "more rows or the end-of-data marker \\. (the COPY block that starts after line \(block.startLine) is cut short: truncated file?)")
    }

    /// Takes chunks until the block or the file ends.
    private func work(_ reader: ChunkReader) {
        while let chunk = claim() {
            add(reader.read(chunk: chunk.index, from: chunk.start, to: chunk.end, inspection: self), index: chunk.index)
            block.file.release(from: chunk.start, to: chunk.end)
        }
    }

    private func nominalStart(_ index: Int) -> Int { block.start + sizes.first + (index - 1) * sizes.rest }

    private func claim() -> (index: Int, start: Int, end: Int)? {
        lock.lock()
        let index = nextChunk
        guard index < lastChunk, nominalStart(index) < fileEnd else {
            lock.unlock()
            return nil
        }
        nextChunk += 1
        lock.unlock()
        return (index, boundary(after: nominalStart(index)), boundary(after: nominalStart(index + 1)))
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
        block.file.advance(to: min(nominalStart(nextToAdd), fileEnd))
        progress?.draw(final: false)
    }

    /// The first row start at or after `offset`, or the end of the file.
    func boundary(after offset: Int) -> Int {
        guard offset > block.start else { return block.start }
        var position = offset - 1
        while position < fileEnd {
            guard let hit = memchr(base + position, 0x0A, fileEnd - position) else { return fileEnd }
            let newline = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            var lineEnd = newline
            if lineEnd > 0, base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            if CopyText.backslashRun(base, before: lineEnd, from: 0) & 1 == 0 { return newline + 1 }
            position = newline + 1
        }
        return fileEnd
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
final class ChunkReader {
    private let block: CopyBlock
    private let base: UnsafePointer<UInt8>
    private let fileEnd: Int
    private let checker: ValueChecker
    private let columns: Int
    private let starts: UnsafeMutablePointer<Int>
    private let ends: UnsafeMutablePointer<Int>
    /// The previous valid value of each column (raw bytes in the file) and what it counted.
    private let previous: UnsafeMutablePointer<UnsafePointer<UInt8>?>
    private let previousCount: UnsafeMutablePointer<Int>
    private let previousFacts: UnsafeMutablePointer<ValueFacts>
    /// The gene id (raw bytes) of the previous row, when it was read raw.
    private var previousGene: UnsafeBufferPointer<UInt8>?
    private let geneIndex: Int?
    /// Decoded values of escaped fields; ids get their own, as they are needed together.
    private let scratch = RowBuffer()
    private let idScratch: [RowBuffer]
    private let row = RowBuffer()
    private var continued: [UInt8] = []

    init(block: CopyBlock, checker: ValueChecker) {
        self.block = block
        base = block.file.bytes.baseAddress!
        fileEnd = block.file.bytes.count
        self.checker = checker
        columns = block.table.columns.count
        starts = .allocate(capacity: columns + 1)
        ends = .allocate(capacity: columns + 1)
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
        starts.deallocate()
        ends.deallocate()
        previous.deallocate()
        previousCount.deallocate()
        previousFacts.deallocate()
    }

    /// Reads the rows of `start..<end` (both row starts) as ``CopyData/readRows`` would, up to the
    /// `\.` line or the first error.
    func read(chunk index: Int, from start: Int, to end: Int, inspection: CopyBlockInspection) -> CopyBlockInspection.ChunkResult {
        var result = CopyBlockInspection.ChunkResult(tally: TableTally(table: block.table, isPart: true))
        // Values of an earlier chunk may have been released; compare within the chunk only.
        previous.update(repeating: nil, count: columns)
        previousGene = nil
        var position = start
        do {
            while position < end {
                if result.lines & 63 == 0, inspection.isPastEnd(index) {
                    result.abandoned = true
                    return result
                }
                let newline = memchr(base + position, 0x0A, end - position).map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) - base }
                let lineEnd = newline ?? end
                result.lines += 1
                var count = lineEnd - position
                if count > 0, base[lineEnd - 1] == 0x0D { count -= 1 }
                let line = base + position
                if count >= 2, line[0] == 0x5C, line[1] == 0x2E {
                    guard count == 2 else {
                        throw malformed(line: result.lines, offset: position, "the end-of-data marker \\. alone on its line")
                    }
                    result.terminatorEnd = newline.map { $0 + 1 } ?? end
                    return result
                }
                guard let fields = CopyText.splitRawFields(line, count: count, starts: starts, ends: ends, capacity: columns + 1) else {
                    position = try readContinuedRow(from: position, lineCount: count, end: end, result: &result)
                    continue
                }
                if newline == nil, end == fileEnd {
                    throw malformed(line: result.lines, offset: position, "a complete row, but the input ends inside it (truncated file?)")
                }
                guard fields == columns else { throw fieldCount(fields, line: result.lines, offset: position) }
                try inspectRaw(line, line: result.lines, offset: Int64(position), tally: &result.tally)
                result.rows += 1
                result.bytes += Int64(lineEnd - position + 1)
                position = lineEnd + 1
            }
        } catch {
            result.error = error
        }
        return result
    }

    /// Checks a row whose fields `starts`/`ends` hold, from its raw text.
    private func inspectRaw(_ line: UnsafePointer<UInt8>, line number: Int, offset: Int64, tally: inout TableTally) throws {
        for column in 0..<columns {
            let value = line + starts[column]
            let count = ends[column] - starts[column]
            if count == 2, value[0] == 0x5C, value[1] == 0x4E { continue }
            if let earlier = previous[column], previousCount[column] == count, memcmp(earlier, value, count) == 0 {
                tally.count(previousFacts[column], column: column)
                continue
            }
            let field = decoded(value, count: count, into: scratch)
            switch try checker.check(field, column: column) {
            case let .valid(facts):
                tally.count(facts, column: column)
                previous[column] = value
                previousCount[column] = count
                previousFacts[column] = facts
            case let .invalid(at, expected):
                previous[column] = nil
                tally.badValue(column: column, line: number, byteOffset: offset, offset: at, expected: expected)
            }
        }
        guard tally.legacy != nil else { return }
        var sameGene = false
        if let geneIndex {
            let gene = UnsafeBufferPointer(start: line + starts[geneIndex], count: ends[geneIndex] - starts[geneIndex])
            if let earlier = previousGene, earlier.count == gene.count, memcmp(earlier.baseAddress!, gene.baseAddress!, gene.count) == 0 {
                sameGene = true
            }
            previousGene = gene
        }
        tally.legacy?.countIds(sameGene: sameGene) { column in
            let value = line + starts[column]
            let count = ends[column] - starts[column]
            if count == 2, value[0] == 0x5C, value[1] == 0x4E { return nil }
            return decoded(value, count: count, into: idScratch[column])
        }
    }

    /// The decoded bytes of a raw non-NULL field: the raw bytes themselves when unescaped.
    private func decoded(_ value: UnsafePointer<UInt8>, count: Int, into buffer: RowBuffer) -> UnsafeBufferPointer<UInt8> {
        let raw = UnsafeBufferPointer(start: value, count: count)
        guard memchr(value, 0x5C, count) != nil else { return raw }
        buffer.reset()
        CopyText.decodeLine(raw, into: buffer)
        return buffer.field(0)!
    }

    /// Joins the lines of a row whose newlines are data and checks it decoded, as
    /// ``CopyData/readRows`` does; returns the offset after its last line.
    private func readContinuedRow(from start: Int, lineCount: Int, end: Int, result: inout CopyBlockInspection.ChunkResult) throws -> Int {
        let rowLine = result.lines
        continued.removeAll(keepingCapacity: true)
        continued.append(contentsOf: UnsafeBufferPointer(start: base + start, count: lineCount))
        var position = memchr(base + start, 0x0A, end - start).map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) - base + 1 } ?? end
        var ended = false
        while !ended {
            guard position < end else {
                throw malformed(line: rowLine, offset: start, "a character after the backslash at the end of the row")
            }
            let newline = memchr(base + position, 0x0A, end - position).map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) - base }
            let lineEnd = newline ?? end
            result.lines += 1
            continued.append(0x0A)
            continued.append(contentsOf: UnsafeBufferPointer(start: base + position, count: lineEnd - position).droppingCR())
            position = newline.map { $0 + 1 } ?? end
            try continued.withUnsafeBufferPointer { joined in
                row.reset()
                row.raw = joined
                ended = CopyText.decodeLine(joined, into: row) == .complete
                guard ended else { return }
                guard row.count == columns else { throw fieldCount(row.count, line: rowLine, offset: start) }
                row.line = rowLine
                row.byteOffset = Int64(start)
                try Inspector.inspect(row, checker: checker, tally: &result.tally)
                previousGene = nil
            }
        }
        result.rows += 1
        result.bytes += Int64(continued.count + 1)
        return position
    }

    private func malformed(line: Int, offset: Int, _ expected: String) -> MediabaseError {
        .malformedInput(SourceLocation(file: block.fileName, table: block.table.qualifiedName, line: line, byteOffset: Int64(offset)), expected: expected)
    }

    private func fieldCount(_ found: Int, line: Int, offset: Int) -> MediabaseError {
        let table = block.table
        return malformed(line: line, offset: offset, "\(table.columns.count) tab-separated fields (\(table.columns.map(\.name).joined(separator: ", "))), found \(found)")
    }
}
