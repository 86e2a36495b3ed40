/// Checks that decoded bytes are text PostgreSQL can hold: well-formed UTF-8 without NUL bytes.
///
/// Well-formedness is the Unicode Standard's Table 3-7 ("Well-Formed UTF-8 Byte Sequences"),
/// which PostgreSQL's `pg_utf8_islegal` (src/common/wchar.c) also applies: no overlong forms,
/// no surrogates (U+D800–U+DFFF), nothing above U+10FFFF, no truncated sequences. NUL is refused
/// because the server stores text as C strings ("invalid byte sequence for encoding UTF8: 0x00").
///
/// ```swift
/// try UTF8Validation.validateText(fieldBytes)   // throws DecodeError(offset: 3, ...) for "abc\0"
/// ```
package enum UTF8Validation {
    /// The offset at which the bytes stop being acceptable text, or nil when all of them are.
    ///
    /// The offset is where the offending sequence starts: the NUL byte, or the lead byte of the
    /// malformed, overlong, surrogate, out-of-range or truncated sequence (`"a\u{E2}\u{82}"` → 1,
    /// `"a\u{E2}A"` → 1). Everything before it is valid text; this is the convention of
    /// PostgreSQL's error report and of Rust's `Utf8Error::valid_up_to`.
    static func firstInvalidOffset(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let end = bytes.count
        var i = 0
        while i < end {
            // ASCII fast path: 32 bytes as two vectors (``ByteVector``), then single words, with no
            // high bit and no zero byte.
            while i + 32 <= end {
                let flags = ByteVector.nonASCIIOrZero(ByteVector.load(base, i)) .| ByteVector.nonASCIIOrZero(ByteVector.load(base, i + 16))
                if !ByteVector.isEmpty(flags) { break }
                i += 32
            }
            while i + 8 <= end {
                if nonASCIIOrZero(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) != 0 { break }
                i += 8
            }
            // Fewer than eight bytes left: the word that ends the value covers them (the bytes
            // it repeats only make the test stricter).
            if end - i < 8, end >= 8, i < end,
               nonASCIIOrZero(UnsafeRawPointer(base + end - 8).loadUnaligned(as: UInt64.self)) == 0 {
                return nil
            }
            guard i < end else { return nil }
            let byte = base[i]
            if byte < 0x80 {
                if byte == 0 { return i }
                i += 1
            } else {
                let length = sequenceLength(base, i, end)
                if length == 0 { return i }
                i += length
            }
        }
        return nil
    }

    /// The offset at which the bytes stop being acceptable text (see the pointer variant).
    package static func firstInvalidOffset(_ bytes: Span<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { firstInvalidOffset($0) }
    }

    /// Throws a ``DecodeError`` unless the bytes are acceptable text (see the pointer variant).
    package static func validateText(_ bytes: Span<UInt8>) throws {
        try bytes.withUnsafeBufferPointer { try validateText($0) }
    }

    /// Throws a ``DecodeError`` at ``firstInvalidOffset(_:)`` unless the bytes are acceptable text.
    static func validateText(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        if let offset = firstInvalidOffset(bytes) {
            throw DecodeError(offset: offset, expected: "valid UTF-8 text without NUL bytes")
        }
    }

    /// Where the raw COPY text field that starts at `start` of `line` (a line without its newline)
    /// ends, when its bytes are ASCII text without NUL and without a backslash (so the raw bytes
    /// are the value: neither escaped nor `\N`) up to the TAB or the line's end that ends it: such
    /// a field is acceptable text, found and checked in one pass of 16 bytes at a time
    /// (``ByteVector``). Nil for any other field, to be checked decoded.
    package static func plainRawTextFieldEnd(_ line: Span<UInt8>, from start: Int) -> Int? {
        precondition(start >= 0 && start <= line.count, "range out of bounds")
        return line.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            let end = buffer.count
            var i = start
            while i + ByteVector.width <= end {
                let lanes = ByteVector.load(base, i)
                let stop = ByteVector.nonASCIIOrZero(lanes) .| ByteVector.equal(lanes, ASCII.tab) .| ByteVector.equal(lanes, ASCII.backslash)
                if !ByteVector.isEmpty(stop) {
                    i += ByteVector.firstLane(stop)
                    return base[i] == ASCII.tab ? i : nil
                }
                i += ByteVector.width
            }
            while i < end {
                let byte = base[i]
                if byte == ASCII.tab { return i }
                if byte == ASCII.backslash || byte &- 1 >= 0x7F { return nil }
                i += 1
            }
            return end
        }
    }

    /// Whether every byte is in 1...0x7F, so that the bytes are acceptable text without
    /// ``firstInvalidOffset(_:)-(UnsafeBufferPointer<UInt8>)``'s call. Eight bytes at a time, the
    /// last word overlapping the one before it.
    @inline(__always) static func isASCIIWithoutNUL(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        guard count >= 8 else {
            for i in 0..<count where base[i] &- 1 >= 0x7F { return false }
            return true
        }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 < count {
            if nonASCIIOrZero(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) != 0 { return false }
            i += 8
        }
        return nonASCIIOrZero(raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) == 0
    }

    static let highBits: UInt64 = 0x8080_8080_8080_8080
    static let lowBits: UInt64 = 0x0101_0101_0101_0101

    /// Nonzero unless every byte of `word` is in 1...0x7F. Exact: with no high bit set, a byte
    /// minus one sets its high bit only when it is zero, and the lowest zero byte gets no borrow
    /// from below (the bytes below it are at least 1).
    @inline(__always) static func nonASCIIOrZero(_ word: UInt64) -> UInt64 {
        ((word &- lowBits) | word) & highBits
    }

    /// Length (2–4) of the well-formed multi-byte sequence starting at `base[i]`, or 0 when the
    /// bytes there are not one (Unicode Table 3-7). `base[i]` must be ≥ 0x80.
    @inline(__always)
    static func sequenceLength(_ base: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        let lead = base[i]
        switch lead {
        case 0xC2...0xDF:
            return i + 1 < end && isContinuation(base[i + 1]) ? 2 : 0
        case 0xE0...0xEF:
            guard i + 2 < end else { return 0 }
            // E0 needs A0..BF (no overlongs); ED needs 80..9F (no surrogates).
            let second = base[i + 1]
            let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80
            let high: UInt8 = lead == 0xED ? 0x9F : 0xBF
            return second >= low && second <= high && isContinuation(base[i + 2]) ? 3 : 0
        case 0xF0...0xF4:
            guard i + 3 < end else { return 0 }
            // F0 needs 90..BF (no overlongs); F4 needs 80..8F (nothing above U+10FFFF).
            let second = base[i + 1]
            let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80
            let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF
            return second >= low && second <= high && isContinuation(base[i + 2]) && isContinuation(base[i + 3])
                ? 4 : 0
        default:
            // 80..BF (a stray continuation), C0/C1 (overlong), F5..FF (beyond U+10FFFF).
            return 0
        }
    }

    @inline(__always) static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
