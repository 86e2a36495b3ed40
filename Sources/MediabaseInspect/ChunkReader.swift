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
/// its rows are split and checked (``FileChunkLines``, which keeps the previous row's bytes when it
/// refills; where its values are is kept here as file offsets).
final class ChunkReader {
    private let block: CopyBlock
    private let checker: ValueChecker
    private let columns: Int
    /// The chunk's lines.
    private let lines: FileChunkLines
    /// Per column: where the field of the row being read starts and ends in its line, and the
    /// file offset (-1: none), length and findings of the column's previous valid value. An offset
    /// before the buffer's (``FileChunkLines/bufferOffset``) is a value a refill dropped.
    ///
    /// A column whose values seldom equal the previous row's (a transcript's own values, or a
    /// gene's when its rows are scattered over the table) stops being compared for the rest of the
    /// chunk: after ``ChunkReader/trialMisses`` misses, when they were more than
    /// ``ChunkReader/minimumHitShare`` times the hits. The findings are the same either way.
    private struct ColumnState {
        var start = 0
        var end = 0
        var previous = -1
        var previousCount = 0
        var previousFacts = ValueFacts()
        var misses = 0
        var hits = 0
        var comparing = true
        /// Values of ``CheckedValueCache/minimumLength`` bytes or more read in the chunk: once
        /// there is one, the column's fields are searched for their end before they are tried in
        /// one pass (``ValueChecker/quickCheck(_:from:column:mayBeLong:)``).
        var longValues = 0
    }

    static let trialMisses = 128
    static let minimumHitShare = 16

    /// Taken out of the reader while a row is read (``inspectRaw(_:at:line:offset:tally:)``), so
    /// that writes to it are to a local array, not checked for uniqueness through the class.
    private var state: [ColumnState]
    /// File offset (-1: none) and length of the gene id of the previous row, when it was read raw.
    private var previousGene = -1
    private var previousGeneCount = 0
    private let geneIndex: Int?
    /// Decoded values of escaped fields; the ids get their own, as they are needed together.
    private let scratch = RowBuffer()
    private let transcriptScratch = RowBuffer(capacity: 256)
    private let geneScratch = RowBuffer(capacity: 256)
    private let symbolScratch = RowBuffer(capacity: 256)
    private let row = RowBuffer()
    private var continued: [UInt8] = []
    /// Runs of gene-level columns checked as one value.
    private let segments: RowSegments
    /// Per column: the facts of the row's valid fields, while a run is read field by field.
    private var recordedFacts: [ValueFacts]

    /// `runs`: the gene-level runs the threads reading the block share.
    init(block: CopyBlock, checker: ValueChecker, runs: SharedGeneRuns, bufferSize: Int) {
        self.block = block
        self.checker = checker
        columns = block.table.columns.count
        lines = FileChunkLines(file: block.file, fileName: block.fileName, capacity: bufferSize)
        state = Array(repeating: ColumnState(), count: columns)
        geneIndex = LegacyColumns.isLegacy(block.table) ? block.table.columnIndex("gene_id") : nil
        segments = RowSegments(table: block.table, shared: runs)
        recordedFacts = Array(repeating: ValueFacts(), count: columns)
    }

    /// Reads the rows of `start..<end` (both row starts) as ``CopyData/readRows`` would, up to the
    /// `\.` line or the first error.
    func read(chunk index: Int, from start: Int, to end: Int, inspection: CopyBlockInspection) -> CopyBlockInspection.ChunkResult {
        var result = CopyBlockInspection.ChunkResult(tally: TableTally(table: block.table, isPart: true))
        let lines = lines
        lines.start(at: start)
        for column in state.indices { state[column] = ColumnState() }
        segments.startChunk()
        previousGene = -1
        do {
            while let line = try lines.nextLine(end: end) {
                if result.lines & 63 == 0, inspection.isPastEnd(index) {
                    result.abandoned = true
                    return result
                }
                result.lines += 1
                let offset = lines.bufferOffset + line.start
                let text = lines.bytes.extracting(line.start..<line.end).droppingCR()
                let count = text.count
                if count >= 2, text[0] == 0x5C, text[1] == 0x2E {
                    guard count == 2 else {
                        throw malformed(line: result.lines, offset: offset, "the end-of-data marker \\. alone on its line")
                    }
                    result.terminatorEnd = lines.bufferOffset + (line.terminated ? line.end + 1 : line.end)
                    return result
                }
                if CopyText.endsInEscape(text) {
                    try readContinuedRow(text, offset: offset, end: end, result: &result)
                    lines.keepFrom = lines.position
                    continue
                }
                if !line.terminated, end == block.size {
                    throw malformed(line: result.lines, offset: offset, "a complete row, but the input ends inside it (truncated file?)")
                }
                try inspectRaw(text, at: line.start, line: result.lines, offset: offset, tally: &result.tally)
                lines.keepFrom = line.start
                result.rows += 1
                result.bytes += Int64(line.end - line.start + 1)
            }
        } catch {
            result.error = error
        }
        return result
    }

    /// Splits a complete row (`line`, at `lineStart` in the chunk's buffer, not ending in an
    /// unpaired backslash) into fields and checks them from their raw text. A field is first
    /// compared with the same column's previous value: the same bytes followed by a TAB (or by the
    /// end of the row, in the last column) are that value, as a TAB after them is a separator as it
    /// was there, so the field's end need not be searched for and its value not checked.
    private func inspectRaw(_ line: Span<UInt8>, at lineStart: Int, line number: Int, offset: Int, tally: inout TableTally) throws {
        let count = line.count
        // Every line has a field, even an empty one.
        guard columns > 0 else { throw fieldCount(CopyText.countRawFields(line)!, line: number, offset: offset) }
        let lines = lines
        let scratch = scratch
        var state: [ColumnState] = []
        swap(&state, &self.state)
        defer { swap(&state, &self.state) }
        // The first backslash at or after the field being read (`count`: none; -1: not searched
        // yet, as most rows are read without: ``ValueChecker/quickCheck(_:from:column:mayBeLong:)``
        // takes no field with one). A field that ends before it holds no escape and is not `\N`,
        // so it is not searched for one nor decoded: one search per backslash of the row, not one
        // per field.
        var backslash = -1
        // File offsets of this buffer's first byte and of the line's.
        let bufferOffset = lines.bufferOffset
        let lineOffset = bufferOffset + lineStart
        var fieldStart = 0
        let segments = segments
        segments.startRow()
        // The segment whose run is being read field by field, as it was not found
        // (``RowSegments``; -1: none): the row's gene, where the run starts in the line, and
        // whether its fields were all valid so far, their facts in ``recordedFacts``.
        var recording = -1
        var recordingGene = 0
        var recordingStart = 0
        var recordingValid = true
        // A hash of the raw gene id, once a segment needs it.
        var geneKey: Int?
        // Written through a span: one uniqueness check of the array per row, not one per write.
        do {
            var states = state.mutableSpan
            var nextColumn = 0
            while nextColumn < columns {
                let column = nextColumn
                nextColumn += 1
                if recording >= 0, column == segments.columns[recording].upperBound {
                    remember(recording, gene: recordingGene, line, from: recordingStart, to: fieldStart - 1, offset: lineOffset, valid: recordingValid)
                    recording = -1
                }
                let segment = segments.startingAt[column]
                if segment >= 0 {
                    let run = segments.columns[segment]
                    let endsLine = segments.endsLine(segment)
                    // Whether a run ending at `runEnd` ends where the segment must: the line's end
                    // for a segment that ends it, else a TAB.
                    func runFits(_ runEnd: Int) -> Bool {
                        runEnd <= count && (runEnd == count ? endsLine : !endsLine && line[runEnd] == 0x09)
                    }
                    var found: (end: Int, facts: [ValueFacts]?)?
                    let previous = segments.previousRun(segment)
                    if previous.offset >= bufferOffset {
                        let runEnd = fieldStart + previous.count
                        if runFits(runEnd), lines.bytesEqual(previous.offset - bufferOffset, lineStart + fieldStart, count: previous.count) {
                            found = (runEnd, previous.facts)
                        }
                        segments.countComparison(segment, equal: found != nil)
                    }
                    if found == nil, let geneIndex, geneIndex < column {
                        let gene = geneKey ?? LegacyTally.hash(line.extracting(states[geneIndex].start..<states[geneIndex].end))
                        geneKey = gene
                        if let known = segments.run(of: gene, segment: segment) {
                            let runEnd = fieldStart + known.count
                            if runFits(runEnd), ContentHash(line.extracting(fieldStart..<runEnd)) == known.hash {
                                segments.setPrevious(segment, RowSegments.PreviousRun(offset: lineOffset + fieldStart, count: known.count, facts: known.facts))
                                found = (runEnd, known.facts)
                            }
                        }
                        if found == nil {
                            recording = segment
                            recordingGene = gene
                            recordingStart = fieldStart
                            recordingValid = true
                        }
                    }
                    if let found {
                        if let facts = found.facts {
                            for (index, facts) in facts.enumerated() where !facts.isEmpty {
                                tally.count(facts, column: run.lowerBound + index)
                            }
                        }
                        fieldStart = found.end + 1
                        nextColumn = run.upperBound
                        continue
                    }
                }
                let isLast = column == columns - 1
                if states[column].comparing, states[column].previous >= bufferOffset {
                    let earlier = states[column].previous - bufferOffset
                    let fieldEnd = fieldStart + states[column].previousCount
                    if fieldEnd <= count, fieldEnd == count ? isLast : !isLast && line[fieldEnd] == 0x09,
                       lines.bytesEqual(earlier, lineStart + fieldStart, count: fieldEnd - fieldStart) {
                        states[column].start = fieldStart
                        states[column].end = fieldEnd
                        states[column].hits += 1
                        tally.count(states[column].previousFacts, column: column)
                        if recording >= 0 { recordedFacts[column] = states[column].previousFacts }
                        fieldStart = fieldEnd + 1
                        continue
                    }
                    states[column].misses += 1
                    if states[column].misses == Self.trialMisses, states[column].hits * Self.minimumHitShare < Self.trialMisses {
                        states[column].comparing = false
                        states[column].previous = -1
                    }
                }
                if let quick = checker.quickCheck(line, from: fieldStart, column: column, mayBeLong: states[column].longValues > 0),
                   quick.end == count ? isLast : !isLast && line[quick.end] == 0x09 {
                    states[column].start = fieldStart
                    states[column].end = quick.end
                    tally.count(quick.facts, column: column)
                    if recording >= 0 { recordedFacts[column] = quick.facts }
                    if states[column].comparing {
                        states[column].previous = lineOffset + fieldStart
                        states[column].previousCount = quick.end - fieldStart
                        states[column].previousFacts = quick.facts
                    }
                    fieldStart = quick.end + 1
                    continue
                }
                let fieldEnd = line.copyFieldEnd(from: fieldStart)
                if fieldEnd - fieldStart >= CheckedValueCache.minimumLength { states[column].longValues += 1 }
                if fieldEnd == count ? !isLast : isLast {
                    throw fieldCount(CopyText.countRawFields(line)!, line: number, offset: offset)
                }
                states[column].start = fieldStart
                states[column].end = fieldEnd
                if backslash < fieldStart { backslash = line.firstIndex(of: 0x5C, from: fieldStart) ?? count }
                let escaped = backslash < fieldEnd
                let value = line.extracting(fieldStart..<fieldEnd)
                if escaped, Self.isNull(value) {
                    if recording >= 0 { recordedFacts[column] = ValueFacts() }
                    fieldStart = fieldEnd + 1
                    continue
                }
                switch try checker.check(escaped ? Self.unescaped(value, into: scratch) : value, column: column, threadCache: !segments.inRun[column]) {
                case let .valid(facts):
                    tally.count(facts, column: column)
                    if recording >= 0 { recordedFacts[column] = facts }
                    if states[column].comparing {
                        states[column].previous = lineOffset + fieldStart
                        states[column].previousCount = value.count
                        states[column].previousFacts = facts
                    }
                case let .invalid(at, expected):
                    recordingValid = false
                    states[column].previous = -1
                    tally.badValue(column: column, line: number, byteOffset: Int64(offset), offset: at, expected: expected)
                }
                fieldStart = fieldEnd + 1
            }
        }
        if recording >= 0 {
            remember(recording, gene: recordingGene, line, from: recordingStart, to: fieldStart - 1, offset: lineOffset, valid: recordingValid)
        }
        guard tally.legacy != nil else { return }
        var sameGene = false
        if let geneIndex {
            let gene = lineStart + state[geneIndex].start
            let count = state[geneIndex].end - state[geneIndex].start
            if previousGene >= bufferOffset, previousGeneCount == count, lines.bytesEqual(previousGene - bufferOffset, gene, count: count) {
                sameGene = true
            }
            previousGene = bufferOffset + gene
            previousGeneCount = count
        }
        let transcriptScratch = transcriptScratch
        let geneScratch = geneScratch
        let symbolScratch = symbolScratch
        let transcriptIndex = tally.legacy?.transcriptIndex
        let symbolIndex = tally.legacy?.symbolIndex
        tally.legacy?.countIds(
            sameGene: sameGene, transcript: Self.idField(line, transcriptIndex, state, into: transcriptScratch),
            gene: sameGene ? nil : Self.idField(line, geneIndex, state, into: geneScratch),
            symbol: sameGene ? nil : Self.idField(line, symbolIndex, state, into: symbolScratch))
    }

    /// Keeps the run of `segment` just read field by field, `start..<end` of `line` (at file
    /// offset `lineOffset`), when its fields were all `valid`.
    private func remember(_ segment: Int, gene: Int, _ line: Span<UInt8>, from start: Int, to end: Int, offset lineOffset: Int, valid: Bool) {
        guard valid else { return }
        let run = segments.columns[segment]
        let facts = recordedFacts[run].contains { !$0.isEmpty } ? Array(recordedFacts[run]) : nil
        segments.remember(
            ContentHash(line.extracting(start..<end)), gene: gene, segment: segment, offset: lineOffset + start, count: end - start, facts: facts)
    }

    /// The decoded value of column `column` of the row just split, nil for NULL or no column.
    @_lifetime(copy line, borrow buffer)
    private static func idField(_ line: Span<UInt8>, _ column: Int?, _ state: [ColumnState], into buffer: RowBuffer) -> Span<UInt8>? {
        guard let column else { return nil }
        let value = line.extracting(state[column].start..<state[column].end)
        if Self.isNull(value) { return nil }
        return Self.decoded(value, into: buffer)
    }

    /// Whether a raw field is `\N`, a NULL.
    @inline(__always) private static func isNull(_ value: Span<UInt8>) -> Bool {
        value.count == 2 && value[0] == 0x5C && value[1] == 0x4E
    }

    /// The decoded bytes of a raw non-NULL field: the raw bytes themselves when unescaped.
    @_lifetime(copy value, borrow buffer)
    private static func decoded(_ value: Span<UInt8>, into buffer: RowBuffer) -> Span<UInt8> {
        guard value.firstIndex(of: 0x5C) != nil else { return value }
        return unescaped(value, into: buffer)
    }

    /// The decoded bytes of a raw non-NULL field holding a backslash.
    @_lifetime(borrow buffer)
    private static func unescaped(_ value: Span<UInt8>, into buffer: RowBuffer) -> Span<UInt8> {
        buffer.reset()
        CopyText.decodeRow(value, into: buffer)
        return buffer.bytes(0)!
    }

    /// Joins the lines of a row whose newlines are data (`first` is its first line, without its
    /// newline) and checks it decoded, as ``CopyData/readRows`` does.
    private func readContinuedRow(_ first: Span<UInt8>, offset: Int, end: Int, result: inout CopyBlockInspection.ChunkResult) throws {
        let rowLine = result.lines
        let lines = lines
        continued.removeAll(keepingCapacity: true)
        continued.append(first)
        // The row's values are not kept in the buffer, so no later row is compared with them.
        previousGene = -1
        var ended = false
        while !ended {
            guard let line = try lines.nextLine(end: end) else {
                throw malformed(line: rowLine, offset: offset, "a character after the backslash at the end of the row")
            }
            result.lines += 1
            continued.append(0x0A)
            continued.append(lines.bytes.extracting(line.start..<line.end).droppingCR())
            row.reset()
            // The row borrows the joined bytes; `continued` keeps them until the next line.
            let joined = continued
            ended = CopyText.decodeRow(joined.span, into: row) == .complete
            guard ended else { continue }
            guard row.count == columns else { throw fieldCount(row.count, line: rowLine, offset: offset) }
            row.line = rowLine
            row.byteOffset = Int64(offset)
            try Inspector.inspect(row, checker: checker, tally: &result.tally)
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
