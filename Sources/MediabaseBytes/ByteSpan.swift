import Foundation

// Safe byte views for the layers above this one (docs/architecture.md, "Unsafe code").
//
// The feature targets read bytes through `Span<UInt8>`: bounds-checked, and the compiler keeps a
// span from outliving what it borrows (a function cannot return a span that depends on nothing,
// and `@_lifetime` says what a returned span depends on). The operations that need a raw pointer
// (`memchr`, `memcmp`, building a `String`) are written once here.

extension Span where Element == UInt8 {
    /// The index of the first `byte` in `start..<end` (`end` nil: to the end), found with `memchr`.
    @inlinable package func firstIndex(of byte: UInt8, from start: Int = 0, to end: Int? = nil) -> Int? {
        let end = end ?? count
        precondition(start >= 0 && start <= end && end <= count, "range out of bounds")
        guard start < end else { return nil }
        return withUnsafeBufferPointer { buffer in
            guard let hit = memchr(buffer.baseAddress! + start, Int32(byte), end - start) else { return nil }
            return UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - buffer.baseAddress!
        }
    }

    /// Whether the bytes equal `other`'s.
    @inlinable package func elementsEqual(_ other: Span<UInt8>) -> Bool {
        guard count == other.count else { return false }
        return compare(other) == 0
    }

    /// Whether the bytes equal `other`'s.
    @inlinable package func elementsEqual(_ other: [UInt8]) -> Bool { elementsEqual(other.span) }

    /// Whether the bytes equal the ASCII text `literal`.
    @inlinable package func equals(_ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        return hasPrefix(literal)
    }

    /// Whether the bytes start with the ASCII text `literal`.
    @inlinable package func hasPrefix(_ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard count >= length else { return false }
        guard length > 0 else { return true }
        return withUnsafeBufferPointer { memcmp($0.baseAddress!, literal.utf8Start, length) == 0 }
    }

    /// Compares bytewise, as `memcmp` and then the length: negative, zero or positive.
    @inlinable package func compare(_ other: Span<UInt8>) -> Int {
        let common = Swift.min(count, other.count)
        if common > 0 {
            let order = withUnsafeBufferPointer { left in
                other.withUnsafeBufferPointer { right in memcmp(left.baseAddress!, right.baseAddress!, common) }
            }
            if order != 0 { return Int(order) }
        }
        return count - other.count
    }

    /// The bytes without a final carriage return.
    @_lifetime(copy self)
    @inlinable package func droppingCR() -> Span<UInt8> {
        if count > 0, self[count - 1] == 0x0D { return extracting(0..<(count - 1)) }
        return self
    }
}

extension String {
    /// The bytes decoded as UTF-8, invalid sequences repaired (as `String(decoding:as:)`).
    @inlinable package init(utf8 bytes: Span<UInt8>) {
        self = bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }
}

extension Array where Element == UInt8 {
    /// A copy of the bytes.
    @inlinable package init(_ bytes: Span<UInt8>) {
        self = bytes.withUnsafeBufferPointer { Array($0) }
    }

    /// Appends a copy of the bytes.
    @inlinable package mutating func append(_ bytes: Span<UInt8>) {
        bytes.withUnsafeBufferPointer { append(contentsOf: $0) }
    }

    /// Appends `value`'s four bytes, least significant first (read back by
    /// ``Swift/Span/littleEndianUInt32(at:)``).
    @inlinable package mutating func appendLittleEndian(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 24))
    }

    /// Appends `value`'s eight bytes, least significant first (read back by
    /// ``Swift/Span/littleEndianUInt64(at:)``).
    @inlinable package mutating func appendLittleEndian(_ value: UInt64) {
        appendLittleEndian(UInt32(truncatingIfNeeded: value))
        appendLittleEndian(UInt32(truncatingIfNeeded: value >> 32))
    }

    /// The four bytes at `offset`, least significant first.
    @inlinable package func littleEndianUInt32(at offset: Int) -> UInt32 { span.littleEndianUInt32(at: offset) }

    /// The eight bytes at `offset`, least significant first.
    @inlinable package func littleEndianUInt64(at offset: Int) -> UInt64 { span.littleEndianUInt64(at: offset) }
}

extension Span where Element == UInt8 {
    /// The four bytes at `offset`, least significant first (as ``Swift/Array/appendLittleEndian(_:)``
    /// writes them).
    @inlinable package func littleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }

    /// The eight bytes at `offset`, least significant first.
    @inlinable package func littleEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(littleEndianUInt32(at: offset)) | UInt64(littleEndianUInt32(at: offset + 4)) << 32
    }
}

extension Hasher {
    /// Feeds the bytes (not their count) to the hasher.
    @inlinable package mutating func combine(_ bytes: Span<UInt8>) {
        bytes.withUnsafeBytes { combine(bytes: $0) }
    }
}
