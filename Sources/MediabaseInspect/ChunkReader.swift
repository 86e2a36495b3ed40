import Foundation
import MediabaseBytes
import MediabaseModel
import MediabaseInput

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
