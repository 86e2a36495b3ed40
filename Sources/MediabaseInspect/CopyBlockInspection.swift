import Foundation
import Synchronization
import MediabaseBytes
import MediabaseConcurrency
import MediabaseModel
import MediabaseInput

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
    /// Bytes of the first chunk and of the others, and of the buffer a chunk is read into. The
    /// last `tail` bytes of the file are cut into chunks of `first` bytes, so that the thread
    /// that finishes first waits for at most a small chunk of the other's at the end.
    struct ChunkSizes {
        var first = 1 << 20
        var rest = 8 << 20
        var buffer = 1 << 20
        var tail = 16 << 20
    }

    private let sizes: ChunkSizes
    private let block: CopyBlock
    private let checker: ValueChecker
    private let helperChecker: ValueChecker
    private let progress: ProgressReporter?

    /// What the two threads share: which chunks are taken, and the results added up so far.
    private struct Bookkeeping {
        var nextChunk = 1
        var finished: [Int: ChunkResult] = [:]
        var nextToAdd = 0
        var total: TableTally
        var rows = 0
        var bytes: Int64 = 0
        var lines = 0
        var outcome: ChunkResult?
        var failure: Error?
    }

    private let state: Guarded<Bookkeeping>
    /// The first chunk known to end the block (by its `\.` line or an error); later ones are not
    /// started. Written under ``state``'s lock, read without it by ``isPastEnd(_:)`` (every 64
    /// rows): a thread adding up chunks holds that lock while it adds a chunk's ids to the sets,
    /// and the other thread, waiting for it there, sat idle.
    private let lastChunk = Atomic<Int>(Int.max)

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
        state = Guarded(Bookkeeping(total: tally))
    }

    /// Checks the block; returns where it ended and the table's tally with the block's rows
    /// added, or throws the error reading it row by row would have thrown.
    func run() throws -> (CopyBlockEnd, TableTally) {
        let runs = SharedGeneRuns(table: block.table)
        let reader = ChunkReader(block: block, checker: checker, runs: runs, bufferSize: sizes.buffer)
        let firstEnd = try boundary(after: block.start + sizes.first)
        add(reader.read(chunk: 0, from: block.start, to: firstEnd, inspection: self), index: 0)
        if state.withLock({ $0.outcome == nil }), firstEnd < block.size {
            let helperChecker = helperChecker
            let helper = BackgroundTask { [self] in
                work(ChunkReader(block: block, checker: helperChecker, runs: runs, bufferSize: sizes.buffer))
            }
            work(reader)
            try helper.wait()
        }
        let done = state.withLock { $0 }
        if let failure = done.failure { throw failure }
        if let outcome = done.outcome {
            if let error = outcome.error { throw rebased(error, lineOffset: block.startLine + done.lines - outcome.lines) }
            return (CopyBlockEnd(rows: done.rows, bytes: done.bytes, lines: done.lines, offset: outcome.terminatorEnd!), done.total)
        }
        throw MediabaseError.malformedInput(
            SourceLocation(file: block.fileName, table: block.table.qualifiedName, line: block.startLine + done.lines + 1, byteOffset: Int64(block.size)),
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
            state.withLock { state in
                state.failure = state.failure ?? error
                lastChunk.store(0, ordering: .relaxed)
            }
        }
    }

    /// Where chunk `index` (≥ 1) starts before moving to a row start: after the first chunk, chunks
    /// of `rest` bytes up to the last `tail` bytes of the file, then chunks of `first` bytes.
    private func nominalStart(_ index: Int) -> Int {
        let second = block.start + sizes.first
        let large = max(0, (block.size - sizes.tail - second) / sizes.rest)
        let earlier = index - 1
        return second + min(earlier, large) * sizes.rest + max(0, earlier - large) * sizes.first
    }

    private func claim() throws -> (index: Int, start: Int, end: Int)? {
        let claimed: Int? = state.withLock { state in
            let index = state.nextChunk
            guard index < lastChunk.load(ordering: .relaxed), nominalStart(index) < block.size else { return nil }
            state.nextChunk += 1
            return index
        }
        guard let index = claimed else { return nil }
        return (index, try boundary(after: nominalStart(index)), try boundary(after: nominalStart(index + 1)))
    }

    /// Whether a chunk before `index` ended the block, so chunk `index` is not part of it.
    func isPastEnd(_ index: Int) -> Bool {
        lastChunk.load(ordering: .relaxed) < index
    }

    /// Records a chunk's result and adds up, in order, every chunk that can be.
    private func add(_ result: ChunkResult, index: Int) {
        state.withLock { state in
            if result.endsBlock { lastChunk.store(min(lastChunk.load(ordering: .relaxed), index), ordering: .relaxed) }
            guard !result.abandoned else { return }
            state.finished[index] = result
            while state.outcome == nil, let next = state.finished.removeValue(forKey: state.nextToAdd) {
                state.total.absorb(next.tally, lineOffset: block.startLine + state.lines)
                state.rows += next.rows
                state.bytes += next.bytes
                state.lines += next.lines
                state.nextToAdd += 1
                if next.endsBlock {
                    state.outcome = next
                    state.finished.removeAll()
                }
            }
            if let progress {
                // The stream's position is what progress shows; the reader moves it past the block after.
                try? block.file.seek(to: Int64(min(nominalStart(state.nextToAdd), block.size)))
                progress.draw(final: false)
            }
        }
    }

    /// The first row start at or after `offset`, or the end of the file.
    func boundary(after offset: Int) throws -> Int {
        guard offset > block.start else { return block.start }
        guard offset < block.size else { return block.size }
        // A few rows' worth: zero-filling a larger window cost more than the reads it saves.
        var window = [UInt8](repeating: 0, count: 8 * 1024)
        var position = offset - 1
        while position < block.size {
            let count = try block.file.read(at: Int64(position), into: &window, count: window.count)
            guard count > 0 else { break }
            guard let hit = window.span.firstIndex(of: 0x0A, to: count) else {
                position += count
                continue
            }
            let newline = position + hit
            var lineEnd = newline
            if lineEnd > block.start, try byte(at: lineEnd - 1) == 0x0D { lineEnd -= 1 }
            if try backslashRun(before: lineEnd) & 1 == 0 { return newline + 1 }
            position = newline + 1
        }
        return block.size
    }

    /// The byte at `offset` of the file (0 past its end).
    private func byte(at offset: Int) throws -> UInt8 {
        try block.file.byte(at: Int64(offset)) ?? 0
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
