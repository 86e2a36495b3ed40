/// Sorts byte strings (records) in byte order, shorter first where one is a prefix of the other,
/// within a memory budget: records are kept end to end in one buffer and sorted there; once the
/// budget is full they are sorted and written as a run to a ``ScratchFile``, and the runs are
/// merged as they are read back (runs beyond ``maximumFanIn`` are first merged into longer ones).
/// Equal records are equal bytes, so the order is the same whatever the budget: a caller that
/// puts its sort key first, encoded so that byte order is the order it wants
/// (``appendOrderedField(_:to:)``), gets its records in that order, and in the same order from
/// one run to the next.
///
/// One use: append, then ``forEachSorted(_:)`` once.
package final class ExternalSorter {
    /// Where a record is in ``bytes``, with its first 16 bytes as two big-endian words (zeros past
    /// its end) to compare most records without reading the buffer: the records' first field is
    /// often shared by many (a cross-reference's database, 8 bytes with its tag), so one word
    /// left most comparisons to the buffer.
    private struct Entry {
        var prefix: UInt64
        var second: UInt64
        var start: UInt32
        var count: UInt32
    }

    /// Runs merged at once (at most), each through a read buffer of ``readBufferBytes``.
    static let maximumFanIn = 64
    /// A run's read buffer, and the writes of a run: a share of the budget, within these bounds.
    private let readBufferBytes: Int
    /// The least memory used, whatever the budget.
    static let minimumMemoryBytes = 4096

    private var bytes: [UInt8] = []
    private var entries: [Entry] = []
    /// Made at the first run's write.
    private let file: ScratchFile
    /// The runs written, as ranges of the file.
    private var runs: [Range<Int64>] = []
    /// Records appended.
    package private(set) var count = 0
    /// Runs written to the file (0: everything was sorted in memory).
    package var spilledRuns: Int { runs.count }

    private let fanIn: Int

    /// `scratchBeside`: a path whose directory takes the runs' file, if any (``ScratchFile``).
    /// `memoryBytes`: what the records and their entries may take in memory (at least
    /// ``minimumMemoryBytes``). `fanIn`: runs merged at once (tests make it small).
    package init(scratchBeside path: String, memoryBytes: Int, fanIn: Int = ExternalSorter.maximumFanIn) {
        precondition(fanIn >= 2, "a merge takes two runs or more")
        self.fanIn = fanIn
        let memoryBytes = max(Self.minimumMemoryBytes, memoryBytes)
        readBufferBytes = max(4096, min(256 << 10, memoryBytes / fanIn))
        file = ScratchFile(beside: path, bufferBytes: readBufferBytes)
        // Reserved, not touched: pages count only once written.
        bytes.reserveCapacity(memoryBytes - memoryBytes / 5)
        entries.reserveCapacity(memoryBytes / 5 / MemoryLayout<Entry>.stride)
    }

    /// Adds a record (fewer than 4 GiB of bytes).
    package func append(_ record: Span<UInt8>) throws {
        if bytes.count + record.count > bytes.capacity || entries.count == entries.capacity, !entries.isEmpty {
            try spill()
        }
        let start = bytes.count
        bytes.append(record)
        entries.append(Entry(prefix: Self.word(record, at: 0), second: Self.word(record, at: 8), start: UInt32(start), count: UInt32(record.count)))
        count += 1
    }

    /// Calls `body` with every record, in order; the sorter is empty afterwards.
    package func forEachSorted(_ body: (Span<UInt8>) throws -> Void) throws {
        defer { release() }
        sortEntries()
        guard !runs.isEmpty else {
            let bytes = bytes
            let all = bytes.span
            for entry in entries { try body(all.extracting(Int(entry.start)..<Int(entry.start + entry.count))) }
            return
        }
        if !entries.isEmpty { try writeEntries() }
        release()
        while runs.count > fanIn {
            // The first runs, merged into one at the end of the file.
            let merged = Array(runs.prefix(fanIn))
            runs.removeFirst(merged.count)
            try writeRun { write in try merge(merged, write) }
        }
        try merge(runs, body)
    }

    private func release() {
        bytes = []
        entries = []
    }

    /// Bytes `offset..<offset + 8` of `record` as a big-endian word, zeros past its end.
    private static func word(_ record: Span<UInt8>, at offset: Int) -> UInt64 {
        guard record.count > offset else { return 0 }
        if record.count >= offset + 8 { return record.littleEndianUInt64(at: offset).byteSwapped }
        var word: UInt64 = 0
        for index in offset..<record.count { word |= UInt64(record[index]) << UInt64(56 - 8 * (index - offset)) }
        return word
    }

    private func sortEntries() {
        let bytes = bytes
        let all = bytes.span
        entries.sort { left, right in
            if left.prefix != right.prefix { return left.prefix < right.prefix }
            if left.second != right.second { return left.second < right.second }
            // Equal first 16 bytes (zeros past a shorter record's end): the rest, then the shorter.
            if left.count <= 16 || right.count <= 16 { return left.count < right.count }
            let order = all.extracting(Int(left.start) + 16..<Int(left.start + left.count))
                .compare(all.extracting(Int(right.start) + 16..<Int(right.start + right.count)))
            return order != 0 ? order < 0 : left.count < right.count
        }
    }

    private func spill() throws {
        sortEntries()
        try writeEntries()
        bytes.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// Writes the sorted entries as a run.
    private func writeEntries() throws {
        let bytes = bytes
        let all = bytes.span
        try writeRun { write in
            for entry in entries { try write(all.extracting(Int(entry.start)..<Int(entry.start + entry.count))) }
        }
    }

    /// Writes as a new run at the end of the file the records `produce` hands its `write`, in
    /// order, each as a record of the file (after its length), gathered in writes of ``readBufferBytes``.
    private func writeRun(_ produce: (_ write: (Span<UInt8>) throws -> Void) throws -> Void) throws {
        let start = file.size
        try produce { record in try file.appendRecord(record) }
        runs.append(start..<file.size)
    }

    /// Reads `runs` merged, calling `body` with each record in order.
    private func merge(_ runs: [Range<Int64>], _ body: (Span<UInt8>) throws -> Void) throws {
        var readers = runs.map { ScratchFile.RecordReader(range: $0, bufferBytes: readBufferBytes) }
        var heap: [Int] = []
        for index in readers.indices where try readers[index].advance(file) { heap.append(index) }
        func precedes(_ left: Int, _ right: Int) -> Bool {
            readers[left].precedes(readers[right])
        }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { return }
                var child = left
                if left + 1 < heap.count, precedes(heap[left + 1], heap[left]) { child = left + 1 }
                guard precedes(heap[child], heap[parent]) else { return }
                heap.swapAt(child, parent)
                parent = child
            }
        }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
        while let top = heap.first {
            try readers[top].withCurrent(body)
            if try readers[top].advance(file) {
                siftDown(0)
            } else {
                heap[0] = heap[heap.count - 1]
                heap.removeLast()
                siftDown(0)
            }
        }
    }
}

extension ExternalSorter {
    /// Appends `field` so that records compare field by field in byte order (NULL first, then
    /// shorter first where one is a prefix of the other): NULL is the byte 0; a value is the byte
    /// 1, its bytes with each 0 written as 0 1, then 0 0.
    package static func appendOrderedField(_ field: Span<UInt8>?, to record: inout [UInt8]) {
        guard let field else { return record.append(0) }
        record.append(1)
        var start = 0
        while let zero = field.firstIndex(of: 0, from: start) {
            record.append(field.extracting(start..<zero))
            record.append(0)
            record.append(1)
            start = zero + 1
        }
        record.append(field.extracting(start...))
        record.append(0)
        record.append(0)
    }

    /// Moves `position` past the field written by ``appendOrderedField(_:to:)`` there, without
    /// decoding it; gives whether its value holds an escaped 0.
    @discardableResult
    package static func skipOrderedField(_ record: Span<UInt8>, at position: inout Int) -> Bool {
        let tag = record[position]
        position += 1
        guard tag == 1 else { return false }
        // The end is the first 0 not followed by 1 (an escaped 0 is 0 1).
        var end = position
        var escaped = false
        while true {
            end = record.firstIndex(of: 0, from: end)!
            if record[end + 1] == 0 { break }
            escaped = true
            end += 2
        }
        position = end + 2
        return escaped
    }

    /// Reads a field written by ``appendOrderedField(_:to:)`` at `position` of `record`, moving
    /// `position` past it; calls `body` with its value (nil: NULL), which it gives back.
    package static func withOrderedField<Result>(_ record: Span<UInt8>, at position: inout Int, _ body: (Span<UInt8>?) throws -> Result) rethrows -> Result {
        let start = position + 1
        let escaped = skipOrderedField(record, at: &position)
        guard record[start - 1] == 1 else { return try body(nil) }
        let end = position - 2
        guard escaped else { return try body(record.extracting(start..<end)) }
        var value: [UInt8] = []
        var index = start
        while index < end {
            value.append(record[index])
            index += record[index] == 0 ? 2 : 1
        }
        return try body(value.span)
    }
}
