/// One decoded row: the fields' bytes stored back to back in a reusable buffer.
///
/// Readers fill it and hand it to a ``DumpSink``; the bytes stay valid only until the sink
/// returns, so a sink copies what it keeps. NULL is distinct from an empty field.
///
/// The field table is kept in raw memory rather than arrays: appending to an array property of a
/// class costs a dynamic exclusivity check per field, a measurable share of reading a CSV file.
public final class RowBuffer {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Number of bytes used in storage.
    public private(set) var byteCount = 0
    /// End offset of each field (a field starts where the previous one ends) and whether it is
    /// NULL, for `count` fields of `fieldCapacity`.
    private var ends: UnsafeMutablePointer<Int>
    private var nulls: UnsafeMutablePointer<Bool>
    private var fieldCapacity = 64
    /// Number of fields in the row.
    public private(set) var count = 0
    private var fieldStart = 0

    /// 1-based line of the row in the decoded text stream (0 when not known).
    public var line = 0
    /// Byte offset of the row in the decoded text stream.
    public var byteOffset: Int64 = 0
    /// The row as it appeared in the input (a COPY line, an INSERT tuple, a CSV record);
    /// valid only inside the sink callback. Used for rejects.
    public var raw = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

    public init(capacity: Int = 64 * 1024) {
        self.capacity = max(capacity, 16)
        storage = .allocate(capacity: self.capacity)
        ends = .allocate(capacity: fieldCapacity)
        nulls = .allocate(capacity: fieldCapacity)
    }

    deinit {
        storage.deallocate()
        ends.deallocate()
        nulls.deallocate()
    }

    /// Forgets all fields, keeping the allocated memory.
    @inline(__always) public func reset() {
        byteCount = 0
        fieldStart = 0
        count = 0
    }

    /// Records the end of a field; the table doubles when full.
    @inline(__always) private func appendFieldEnd(_ end: Int, isNull: Bool) {
        if count == fieldCapacity { growFieldTable() }
        ends[count] = end
        nulls[count] = isNull
        count += 1
    }

    private func growFieldTable() {
        let grownEnds = UnsafeMutablePointer<Int>.allocate(capacity: fieldCapacity * 2)
        grownEnds.update(from: ends, count: count)
        ends.deallocate()
        ends = grownEnds
        let grownNulls = UnsafeMutablePointer<Bool>.allocate(capacity: fieldCapacity * 2)
        grownNulls.update(from: nulls, count: count)
        nulls.deallocate()
        nulls = grownNulls
        fieldCapacity *= 2
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
    @inline(__always) public func appendByte(_ byte: UInt8) {
        if byteCount == capacity { reserve(1) }
        storage[byteCount] = byte
        byteCount += 1
    }

    /// Appends bytes to the field being built.
    @inline(__always) public func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage + byteCount).update(from: base, count: bytes.count)
        byteCount += bytes.count
    }

    /// Appends the UTF-8 bytes of `text` to the field being built.
    public func appendString(_ text: String) {
        var text = text
        text.withUTF8 { appendBytes($0) }
    }

    /// Ends the field being built (all bytes appended since the previous field ended).
    @inline(__always) public func endField() {
        appendFieldEnd(byteCount, isNull: false)
        fieldStart = byteCount
    }

    /// Appends a NULL field. Any bytes appended since the last field are discarded.
    @inline(__always) public func appendNull() {
        byteCount = fieldStart
        appendFieldEnd(byteCount, isNull: true)
    }

    /// Appends a complete non-NULL field.
    @inline(__always) public func appendField(_ bytes: UnsafeBufferPointer<UInt8>) {
        appendBytes(bytes)
        endField()
    }

    /// Bytes appended to the field being built so far.
    @inline(__always) public var pendingFieldLength: Int { byteCount - fieldStart }

    /// Drops bytes appended since the last completed field.
    @inline(__always) public func discardPartialField() { byteCount = fieldStart }

    /// Whether field `index` is NULL.
    @inline(__always) public func isNull(_ index: Int) -> Bool {
        precondition(index >= 0 && index < count, "field index out of range")
        return nulls[index]
    }

    /// The bytes of field `index`, or nil for NULL. Valid until the buffer changes.
    @inline(__always) public func field(_ index: Int) -> UnsafeBufferPointer<UInt8>? {
        precondition(index >= 0 && index < count, "field index out of range")
        if nulls[index] { return nil }
        let start = index == 0 ? 0 : ends[index - 1]
        return UnsafeBufferPointer(start: storage + start, count: ends[index] - start)
    }

    /// Field `index` decoded as UTF-8 (invalid sequences repaired), or nil for NULL.
    public func string(_ index: Int) -> String? {
        guard let bytes = field(index) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Field values as strings, for tests and diagnostics.
    public var strings: [String?] { (0..<count).map { string($0) } }
}
