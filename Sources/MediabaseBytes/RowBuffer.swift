/// One decoded row: the fields' bytes stored back to back in a reusable buffer, or borrowed
/// from the line they were read from.
///
/// Readers fill it and hand it to a ``DumpSink``; the bytes stay valid only until the sink
/// returns, so a sink copies what it keeps. NULL is distinct from an empty field.
///
/// The field table is kept in raw memory rather than arrays: appending to an array property of a
/// class costs a dynamic exclusivity check per field, a measurable share of reading a file.
package final class RowBuffer {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Number of bytes used in storage.
    package private(set) var byteCount = 0
    /// Where each field's bytes are: `starts[i] >= 0` is an offset in storage, `starts[i] < 0` is
    /// `-(offset + 1)` in the borrowed line (``borrow(_:)``); `counts[i] == -1` is NULL.
    private var starts: UnsafeMutablePointer<Int>
    private var counts: UnsafeMutablePointer<Int>
    private var fieldCapacity = 64
    /// Number of fields in the row.
    package private(set) var count = 0
    private var fieldStart = 0
    private var borrowed: UnsafePointer<UInt8>?

    /// 1-based line of the row in the decoded text stream (0 when not known).
    package var line = 0
    /// Byte offset of the row in the decoded text stream.
    package var byteOffset: Int64 = 0
    /// The row as it appeared in the input (a COPY line, an INSERT tuple, a CSV record);
    /// valid only inside the sink callback. Used for rejects.
    var raw = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

    package init(capacity: Int = 64 * 1024) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
        starts = .allocate(capacity: fieldCapacity)
        counts = .allocate(capacity: fieldCapacity)
    }

    deinit {
        storage.deallocate()
        starts.deallocate()
        counts.deallocate()
    }

    /// Forgets all fields, keeping the allocated memory.
    @inline(__always) package func reset() {
        byteCount = 0
        fieldStart = 0
        count = 0
        borrowed = nil
    }

    /// Records a field; the table doubles when full.
    @inline(__always) private func appendSpan(start: Int, count length: Int) {
        if count == fieldCapacity { growFieldTable() }
        starts[count] = start
        counts[count] = length
        count += 1
    }

    private func growFieldTable() {
        let grownStarts = UnsafeMutablePointer<Int>.allocate(capacity: fieldCapacity * 2)
        grownStarts.update(from: starts, count: count)
        starts.deallocate()
        starts = grownStarts
        let grownCounts = UnsafeMutablePointer<Int>.allocate(capacity: fieldCapacity * 2)
        grownCounts.update(from: counts, count: count)
        counts.deallocate()
        counts = grownCounts
        fieldCapacity *= 2
    }

    /// Lets fields refer to bytes of `line` without copying (see ``appendBorrowedField(offset:count:)``);
    /// the line must stay valid as long as the row is used.
    @inline(__always) func borrow(_ line: UnsafePointer<UInt8>) { borrowed = line }

    /// Appends a field made of `count` bytes at `offset` in the borrowed line.
    @inline(__always) package func appendBorrowedField(offset: Int, count length: Int) {
        appendSpan(start: -(offset + 1), count: length)
    }

    @inline(__always) private func reserve(_ extra: Int) {
        let needed = byteCount + extra
        guard needed > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: storage, count: byteCount)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }

    /// Appends one byte to the field being built.
    @inline(__always) package func appendByte(_ byte: UInt8) {
        if byteCount == capacity { reserve(1) }
        storage[byteCount] = byte
        byteCount += 1
    }

    /// Appends bytes to the field being built.
    @inline(__always) func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage + byteCount).update(from: base, count: bytes.count)
        byteCount += bytes.count
    }

    /// Appends the UTF-8 bytes of `text` to the field being built.
    package func appendString(_ text: String) {
        var text = text
        text.withUTF8 { appendBytes($0) }
    }

    /// Ends the field being built (all bytes appended since the previous field ended).
    @inline(__always) package func endField() {
        appendSpan(start: fieldStart, count: byteCount - fieldStart)
        fieldStart = byteCount
    }

    /// Appends a NULL field. Any bytes appended since the last field are discarded.
    @inline(__always) package func appendNull() {
        byteCount = fieldStart
        appendSpan(start: 0, count: -1)
    }

    /// Appends a complete non-NULL field.
    @inline(__always) func appendField(_ bytes: UnsafeBufferPointer<UInt8>) {
        appendBytes(bytes)
        endField()
    }

    /// Bytes appended to the field being built so far.
    @inline(__always) package var pendingFieldLength: Int { byteCount - fieldStart }

    /// Whether field `index` is NULL.
    @inline(__always) package func isNull(_ index: Int) -> Bool {
        precondition(index >= 0 && index < count, "field index out of range")
        return counts[index] < 0
    }

    /// The bytes of field `index`, or nil for NULL. Valid until the buffer changes.
    @inline(__always) func field(_ index: Int) -> UnsafeBufferPointer<UInt8>? {
        precondition(index >= 0 && index < count, "field index out of range")
        let length = counts[index]
        if length < 0 { return nil }
        let start = starts[index]
        if start >= 0 { return UnsafeBufferPointer(start: storage + start, count: length) }
        return UnsafeBufferPointer(start: borrowed! + (-start - 1), count: length)
    }

    /// The bytes of field `index`, or nil for NULL; the compiler keeps the span from outliving
    /// the row's use, and the row must not change while it is read.
    @_lifetime(borrow self)
    @inline(__always) package func bytes(_ index: Int) -> Span<UInt8>? {
        guard let field = field(index) else { return nil }
        return _overrideLifetime(Span(_unsafeElements: field), borrowing: self)
    }

    /// The row as it appeared in the input (see ``raw``).
    package var rawBytes: Span<UInt8> {
        @_lifetime(borrow self)
        get { _overrideLifetime(Span(_unsafeElements: raw), borrowing: self) }
    }

    /// Appends bytes to the field being built.
    @inline(__always) package func appendBytes(_ bytes: Span<UInt8>) {
        bytes.withUnsafeBufferPointer { appendBytes($0) }
    }

    /// Appends a complete non-NULL field.
    @inline(__always) package func appendField(_ bytes: Span<UInt8>) {
        appendBytes(bytes)
        endField()
    }

    /// Field `index` decoded as UTF-8 (invalid sequences repaired), or nil for NULL.
    package func string(_ index: Int) -> String? {
        guard let bytes = field(index) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Field values as strings, for tests and diagnostics.
    package var strings: [String?] { (0..<count).map { string($0) } }
}

extension RowBuffer {
    /// Sets ``raw``, the row as it appeared in the input, to `bytes`. Like the fields
    /// ``CopyText/decodeRow(_:into:)`` borrows, the row refers to those bytes without copying
    /// them: a reader hands the row to its sink before it reads on.
    @inline(__always) package func setRaw(_ bytes: Span<UInt8>) {
        raw = bytes.withUnsafeBufferPointer { $0 }
    }

    /// Forgets ``raw`` (a record whose text is not kept in one piece).
    @inline(__always) package func clearRaw() {
        raw = UnsafeBufferPointer(start: nil, count: 0)
    }
}

extension RowBuffer {
    /// The checks every field of a row gets, in one pass: adds one to `counts[i]` for each
    /// non-empty field `i`, and returns the first field that is not acceptable text
    /// (``UTF8Validation/firstInvalidOffset(_:)-(UnsafeBufferPointer<UInt8>)``) with the offset of
    /// the offending byte in it, or nil. Every field is counted, also after an invalid one.
    package func countNonEmptyFields(into counts: inout [Int]) -> (field: Int, offset: Int)? {
        var invalid: (field: Int, offset: Int)?
        for index in 0..<count {
            guard let bytes = field(index), bytes.count > 0 else { continue }
            counts[index] += 1
            // Most fields are short ASCII: checked here without the general validator's call.
            if invalid == nil, !UTF8Validation.isASCIIWithoutNUL(bytes), let offset = UTF8Validation.firstInvalidOffset(bytes) {
                invalid = (index, offset)
            }
        }
        return invalid
    }
}
