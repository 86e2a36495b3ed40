import Foundation

/// Rows of fields written one after another into a byte batch (`[UInt8]`) and read back, in the
/// same order, with ``RowBatchReader``: how one thread hands rows to another (the threaded sink
/// and output) and how a record is kept as bytes (a spilled gene state).
///
/// The encoding is a sequence of items a caller writes and reads in the same order: single bytes
/// (say an operation code), 64-bit little-endian words, and fields. A field is a word, then
/// payload: its length and its bytes for text, ``nullMark`` for NULL, ``integerMark`` or
/// ``realMark`` and the number's bit pattern. A row is its field count, then its fields. The
/// batch stays in memory within one process, so nothing is versioned.
package enum RowBatch {
    /// The word of a NULL field.
    package static let nullMark = UInt64.max
    /// The word before an integer field's value.
    package static let integerMark = UInt64.max - 1
    /// The word before a real field's bit pattern.
    package static let realMark = UInt64.max - 2

    /// Grows `batch` by `count` bytes that `write` initializes, with one capacity check: an
    /// `append(contentsOf:)` per item cost about 100 instructions even for a word (callgrind).
    @inlinable @inline(__always)
    static func append(_ count: Int, to batch: inout [UInt8], _ write: (UnsafeMutableRawPointer) -> Void) {
        batch.append(addingCapacity: count) { out in
            out.withUnsafeMutableBufferPointer { buffer, initialized in
                write(UnsafeMutableRawPointer(buffer.baseAddress! + initialized))
                initialized += count
            }
        }
    }

    /// A word followed by `bytes`.
    @inlinable @inline(__always)
    static func append(_ word: UInt64, _ bytes: UnsafeBufferPointer<UInt8>, to batch: inout [UInt8]) {
        append(8 + bytes.count, to: &batch) { out in
            out.storeBytes(of: word.littleEndian, as: UInt64.self)
            if let base = bytes.baseAddress, bytes.count > 0 { (out + 8).copyMemory(from: base, byteCount: bytes.count) }
        }
    }

    /// Appends a word, little-endian.
    @inlinable @inline(__always) package static func appendWord(_ word: UInt64, to batch: inout [UInt8]) {
        append(8, to: &batch) { $0.storeBytes(of: word.littleEndian, as: UInt64.self) }
    }

    /// Appends `words`, each little-endian, with one capacity check.
    @inlinable package static func appendWords(_ words: Span<UInt64>, to batch: inout [UInt8]) {
        words.withUnsafeBufferPointer { buffer in
            append(8 * buffer.count, to: &batch) { out in
                for index in buffer.indices { out.storeBytes(of: buffer[index].littleEndian, toByteOffset: 8 * index, as: UInt64.self) }
            }
        }
    }

    /// Appends a text field (nil: NULL).
    @inlinable @inline(__always) package static func appendField(_ bytes: Span<UInt8>?, to batch: inout [UInt8]) {
        guard let bytes else { return appendWord(nullMark, to: &batch) }
        bytes.withUnsafeBufferPointer { append(UInt64($0.count), $0, to: &batch) }
    }

    /// Appends a text field holding `text`'s UTF-8 bytes.
    @inlinable package static func appendField(_ text: String, to batch: inout [UInt8]) {
        var text = text
        text.withUTF8 { append(UInt64($0.count), $0, to: &batch) }
    }

    /// Appends a NULL field.
    @inlinable @inline(__always) package static func appendNull(to batch: inout [UInt8]) {
        appendWord(nullMark, to: &batch)
    }

    /// Appends an integer field.
    @inlinable @inline(__always) package static func appendInteger(_ value: Int64, to batch: inout [UInt8]) {
        appendPair(integerMark, UInt64(bitPattern: value), to: &batch)
    }

    /// Appends a real field.
    @inlinable @inline(__always) package static func appendReal(_ value: Double, to batch: inout [UInt8]) {
        appendPair(realMark, value.bitPattern, to: &batch)
    }

    @inlinable @inline(__always) static func appendPair(_ first: UInt64, _ second: UInt64, to batch: inout [UInt8]) {
        append(16, to: &batch) { out in
            out.storeBytes(of: first.littleEndian, as: UInt64.self)
            out.storeBytes(of: second.littleEndian, toByteOffset: 8, as: UInt64.self)
        }
    }

    /// Appends `row`'s fields (text or NULL): the count, then each field.
    @inlinable package static func appendRow(_ row: RowBuffer, to batch: inout [UInt8]) {
        appendWord(UInt64(row.count), to: &batch)
        for index in 0..<row.count {
            if let field = row.field(index) {
                append(UInt64(field.count), field, to: &batch)
            } else {
                appendWord(nullMark, to: &batch)
            }
        }
    }
}

/// What the next field of a ``RowBatchReader`` holds.
package enum RowBatchFieldKind: Equatable, Sendable {
    case null, integer, real, text
}

/// Reads a batch ``RowBatch`` wrote, item by item in the order written. The spans it returns
/// borrow the batch; reading past the end, or an item of another kind than was written, traps.
package struct RowBatchReader: ~Escapable {
    @usableFromInline let bytes: Span<UInt8>
    /// Where the next item starts.
    @usableFromInline package private(set) var offset = 0

    @_lifetime(copy bytes)
    @inlinable package init(_ bytes: Span<UInt8>) { self.bytes = bytes }

    /// Whether every item has been read.
    @inlinable package var isAtEnd: Bool { offset >= bytes.count }

    /// Reads a single byte.
    @inlinable @inline(__always) package mutating func byte() -> UInt8 {
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads a word.
    @inlinable @inline(__always) package mutating func word() -> UInt64 {
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.bytes.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Reads `count` words (``RowBatch/appendWords(_:to:)``) into an array made for them.
    @inlinable package mutating func words(_ count: Int) -> [UInt64] {
        let start = offset
        offset += 8 * count
        precondition(offset <= bytes.count, "words past the end")
        return bytes.bytes.withUnsafeBytes { raw in
            [UInt64](unsafeUninitializedCapacity: count) { buffer, initialized in
                for index in 0..<count {
                    buffer[index] = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * index, as: UInt64.self))
                }
                initialized = count
            }
        }
    }

    /// What the next field holds, without reading it.
    @inlinable package var nextFieldKind: RowBatchFieldKind {
        switch UInt64(littleEndian: bytes.bytes.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt64.self)) {
        case RowBatch.nullMark: return .null
        case RowBatch.integerMark: return .integer
        case RowBatch.realMark: return .real
        default: return .text
        }
    }

    /// Reads a text field's bytes, nil for NULL.
    @_lifetime(copy self)
    @inlinable @inline(__always) package mutating func field() -> Span<UInt8>? {
        let length = word()
        if length == RowBatch.nullMark { return nil }
        precondition(length < RowBatch.realMark, "not a text field")
        let start = offset
        offset += Int(length)
        return bytes.extracting(start..<offset)
    }

    /// Reads a text field as a string (invalid UTF-8 repaired), nil for NULL.
    @inlinable package mutating func string() -> String? {
        guard let field = field() else { return nil }
        return String(utf8: field)
    }

    /// Reads an integer field.
    @inlinable package mutating func integer() -> Int64 {
        precondition(word() == RowBatch.integerMark, "not an integer field")
        return Int64(bitPattern: word())
    }

    /// Reads a real field.
    @inlinable package mutating func real() -> Double {
        precondition(word() == RowBatch.realMark, "not a real field")
        return Double(bitPattern: word())
    }

    /// Reads a row ``RowBatch/appendRow(_:to:)`` wrote into `row` (reset first), whose fields
    /// then borrow the batch's bytes without a copy: use the row only while the batch is read.
    @inlinable package mutating func row(into row: RowBuffer) {
        row.reset()
        let count = Int(word())
        guard count > 0 else { return }
        bytes.withUnsafeBufferPointer { buffer in row.borrow(buffer.baseAddress!) }
        for _ in 0..<count {
            let length = word()
            if length == RowBatch.nullMark {
                row.appendNull()
            } else {
                precondition(length <= UInt64(bytes.count - offset), "field beyond the batch")
                row.appendBorrowedField(offset: offset, count: Int(length))
                offset += Int(length)
            }
        }
    }
}
