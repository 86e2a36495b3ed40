import Foundation

/// PostgreSQL COPY text format: one row per line, TAB between fields, `\N` for NULL.
///
/// Rules from the PostgreSQL COPY documentation ("Text Format") and `CopyReadAttributesText`
/// in `src/backend/commands/copyfromparse.c`: the NULL marker is matched on the raw field
/// before backslash processing; `\b \f \n \r \t \v \\` are the letter escapes; `\` followed by
/// one to three octal digits or by `x` and one or two hex digits gives that byte (octal values
/// keep their low 8 bits); a backslash before any other character stands for that character.
package enum CopyText {
    /// What ``decodeLine(_:into:)`` found at the end of a line.
    package enum LineEnd: Equatable {
        /// The row is complete.
        case complete
        /// The line ends in an unpaired backslash: PostgreSQL takes the newline after it as data,
        /// so the row continues on the next line. The caller appends `\n` and the next line and
        /// decodes again.
        case continues
    }

    /// Splits one COPY text line (without its newline) into fields, unescaping each, and appends
    /// them to `row` (which the caller resets).
    ///
    /// Fields without a backslash, the common case, are not copied: the row borrows them from
    /// `line`, which must therefore stay valid while the row is used.
    @discardableResult
    static func decodeLine(_ line: UnsafeBufferPointer<UInt8>, into row: RowBuffer) -> LineEnd {
        guard let base = line.baseAddress, line.count > 0 else {
            row.endField()
            return .complete
        }
        row.borrow(base)
        let end = line.count
        var fieldStart = 0
        while true {
            let tab = memchr(base + fieldStart, 0x09, end - fieldStart)
            let candidateEnd = tab.map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) - base } ?? end
            let length = candidateEnd - fieldStart
            if memchr(base + fieldStart, 0x5C, length) == nil {
                row.appendBorrowedField(offset: fieldStart, count: length)
            } else if length == 2, base[fieldStart + 1] == 0x4E {
                // The NULL marker is matched on the raw field, before backslash processing.
                row.appendNull()
            } else {
                guard let fieldEnd = decodeEscapedField(base, from: fieldStart, end: end, into: row) else { return .continues }
                if fieldEnd == end { return .complete }
                fieldStart = fieldEnd + 1
                if fieldStart == end {
                    row.endField()
                    return .complete
                }
                continue
            }
            if candidateEnd == end { return .complete }
            fieldStart = candidateEnd + 1
            if fieldStart == end {
                row.endField()
                return .complete
            }
        }
    }

    /// Counts the fields of one COPY text line (without its newline) without decoding them: a TAB
    /// is data when an odd run of backslashes precedes it in its field (the last one escapes it),
    /// which is how ``decodeLine(_:into:)`` reads the line.
    ///
    /// - Returns: the number of fields, or nil when the line ends in an unpaired backslash (the
    ///   newline is data: the row continues on the next line, see ``LineEnd/continues``).
    static func countRawFields(_ base: UnsafePointer<UInt8>, count end: Int) -> Int? {
        var fields = 1
        var fieldStart = 0
        var searchFrom = 0
        while let hit = memchr(base + searchFrom, 0x09, end - searchFrom) {
            let tab = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            searchFrom = tab + 1
            if tab > fieldStart, base[tab - 1] == 0x5C, copyBackslashRun(base, before: tab, from: fieldStart) & 1 == 1 { continue }
            fields += 1
            fieldStart = tab + 1
        }
        if end > fieldStart, base[end - 1] == 0x5C, copyBackslashRun(base, before: end, from: fieldStart) & 1 == 1 { return nil }
        return fields
    }

    /// Decodes one field containing backslash escapes, starting at `start`, into `row`; returns
    /// the offset of the TAB that ends it (or `end`), or nil when the line ends in an unpaired
    /// backslash. A backslash before a TAB makes the TAB data, so the field's end is found here.
    private static func decodeEscapedField(_ base: UnsafePointer<UInt8>, from start: Int, end: Int, into row: RowBuffer) -> Int? {
        var i = start
        // The TAB that ends the field unless a backslash escapes it; searched again if one does.
        var tab = memchr(base + i, 0x09, end - i).map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) - base } ?? end
        while true {
            let backslash = memchr(base + i, 0x5C, tab - i).map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) - base } ?? tab
            if backslash > i { row.appendBytes(UnsafeBufferPointer(start: base + i, count: backslash - i)) }
            i = backslash
            if i == tab {
                row.endField()
                return i
            }
            i += 1
            if i == end { return nil }
            let code = base[i]
            i += 1
            if i > tab {
                tab = memchr(base + i, 0x09, end - i).map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) - base } ?? end
            }
            switch code {
            case UInt8(ascii: "b"): row.appendByte(0x08)
            case UInt8(ascii: "f"): row.appendByte(0x0C)
            case UInt8(ascii: "n"): row.appendByte(0x0A)
            case UInt8(ascii: "r"): row.appendByte(0x0D)
            case UInt8(ascii: "t"): row.appendByte(0x09)
            case UInt8(ascii: "v"): row.appendByte(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(code - 0x30)
                var digits = 1
                while digits < 3, i < end, base[i] >= 0x30, base[i] <= 0x37 {
                    value = value * 8 + Int(base[i] - 0x30)
                    i += 1
                    digits += 1
                }
                row.appendByte(UInt8(value & 0xFF))
            case UInt8(ascii: "x"):
                if i < end, let first = hexValue(base[i]) {
                    var value = first
                    i += 1
                    if i < end, let second = hexValue(base[i]) {
                        value = value * 16 + second
                        i += 1
                    }
                    row.appendByte(UInt8(value))
                } else {
                    row.appendByte(code)
                }
            default:
                row.appendByte(code)
            }
        }
    }

    @inline(__always) package static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte - 0x30)
        case 0x41...0x46: return Int(byte - 0x41 + 10)
        case 0x61...0x66: return Int(byte - 0x61 + 10)
        default: return nil
        }
    }

    /// Appends `bytes` escaped for COPY text to `out` (see the pointer variant).
    package static func encodeField(_ bytes: Span<UInt8>, into out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { encodeField($0, into: &out) }
    }

    /// Appends `bytes` escaped for COPY text to `out`, or `\N` for nil.
    ///
    /// Backslash, TAB, LF and CR (and the other letter escapes) are escaped, so the encoded field
    /// never contains a raw TAB or newline and no line of data can read as the `\.` terminator.
    /// Text between escapes is copied in runs (most fields have no escape at all), found eight
    /// bytes at a time. The bundle export uses ``encodeText(_:into:)``, which also checks UTF-8.
    static func encodeField(_ bytes: UnsafeBufferPointer<UInt8>?, into out: inout [UInt8]) {
        guard let bytes else { return encodeNull(into: &out) }
        guard let base = bytes.baseAddress else { return }
        let end = bytes.count
        var runStart = 0
        var i = 0
        while i < end {
            if i + 8 <= end, !mayNeedEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                i += 8
            } else if i + 8 > end, end >= 8, !mayNeedEscape(UnsafeRawPointer(base + end - 8).loadUnaligned(as: UInt64.self)) {
                // The word that ends the field covers the bytes left (and some already taken).
                i = end
            } else if let letter = escapeLetter(base[i]) {
                if i > runStart { out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart)) }
                out.append(0x5C)
                out.append(letter)
                i += 1
                runStart = i
            } else {
                i += 1
            }
        }
        if end > runStart { out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: end - runStart)) }
    }

    /// Appends `bytes` escaped for COPY text to `out`, as ``encodeField(_:into:)`` does, if they
    /// are acceptable text (``UTF8Validation``: well-formed UTF-8 without NUL); otherwise returns
    /// the offset ``UTF8Validation/firstInvalidOffset(_:)-(UnsafeBufferPointer<UInt8>)`` gives,
    /// and `out` holds part of the field. One pass for both: eight bytes of ASCII that need no
    /// escape are taken at a time, and the last bytes of a field as the eight that end it.
    static func encodeText(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let end = bytes.count
        var runStart = 0
        var i = 0
        while i < end {
            if i + 8 <= end {
                if isPlainASCII(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                    i += 8
                    continue
                }
            } else if end >= 8, isPlainASCII(UnsafeRawPointer(base + end - 8).loadUnaligned(as: UInt64.self)) {
                // The bytes before `i` were taken already; the word that ends the field covers the rest.
                i = end
                continue
            }
            let byte = base[i]
            if byte >= 0x80 {
                let length = UTF8Validation.sequenceLength(base, i, end)
                if length == 0 { return i }
                i += length
            } else if let letter = escapeLetter(byte) {
                if i > runStart { out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart)) }
                out.append(0x5C)
                out.append(letter)
                i += 1
                runStart = i
            } else if byte == 0 {
                return i
            } else {
                i += 1
            }
        }
        if end > runStart { out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: end - runStart)) }
        return nil
    }

    /// Whether the eight bytes of `word` are ASCII that COPY text takes as it is: no high bit,
    /// and nothing ``mayNeedEscape(_:)`` would stop at (which covers the NUL byte).
    @inline(__always) static func isPlainASCII(_ word: UInt64) -> Bool {
        word & 0x8080_8080_8080_8080 == 0 && !mayNeedEscape(word)
    }

    /// The letter after the backslash that escapes `byte` in COPY text, nil for a byte written as
    /// it is.
    @inline(__always) static func escapeLetter(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x5C: return 0x5C
        case 0x09: return UInt8(ascii: "t")
        case 0x0A: return UInt8(ascii: "n")
        case 0x0D: return UInt8(ascii: "r")
        case 0x08: return UInt8(ascii: "b")
        case 0x0C: return UInt8(ascii: "f")
        case 0x0B: return UInt8(ascii: "v")
        default: return nil
        }
    }

    /// Whether one of the eight bytes of `word` may need an escape: a backslash or a byte below
    /// 0x0E (control bytes 0x00–0x07 give a false alarm, settled byte by byte). A zero byte of
    /// `x` is found exactly by `(x - 0x01…) & ~x & 0x80…`, a byte below 0x0E (< 0x80) by the same
    /// with 0x0E…; a byte that has its high bit set never counts.
    @inline(__always) static func mayNeedEscape(_ word: UInt64) -> Bool {
        let backslashes = word ^ 0x5C5C_5C5C_5C5C_5C5C
        let zeroBytes = (backslashes &- 0x0101_0101_0101_0101) & ~backslashes
        let lowBytes = (word &- 0x0E0E_0E0E_0E0E_0E0E) & ~word
        return (zeroBytes | lowBytes) & 0x8080_8080_8080_8080 != 0
    }
}

// Entry points without pointers, for the layers above this one (docs/architecture.md, "Unsafe
// code"): the same code; the spans it hands to a callback are valid only during the call.
extension CopyText {
    /// Appends `bytes` as checked, escaped COPY text (see the pointer variant); the offset of the
    /// first byte that is not acceptable text, or nil.
    @inline(__always) package static func encodeText(_ bytes: Span<UInt8>, into out: inout [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { encodeText($0, into: &out) }
    }

    /// Appends the COPY text of a NULL field, `\N`.
    @inline(__always) package static func encodeNull(into out: inout [UInt8]) {
        out.append(0x5C)
        out.append(0x4E)
    }

    /// Splits one COPY text line (without its newline) into fields and appends them to `row`, as
    /// ``decodeLine(_:into:)`` does, and sets the row's ``RowBuffer/raw`` to the line. Fields
    /// without a backslash are borrowed from `line`: the row is used before the line's bytes
    /// change (a reader hands it to its sink before it reads on).
    @discardableResult
    @inline(__always) package static func decodeRow(_ line: Span<UInt8>, into row: RowBuffer) -> LineEnd {
        line.withUnsafeBufferPointer { bytes in
            row.raw = bytes
            return decodeLine(bytes, into: row)
        }
    }
}

/// Length of the run of backslashes that ends just before `position`, not looking before `from`.
/// Escapes pair backslashes from the left of a run (no escape consumes a backslash as one of its
/// digits), so an odd run ends in a backslash that escapes the byte at `position`. A free
/// function, usable from inlinable code (``Swift/Span/copyFieldEnd(from:)``), which cannot name the
/// package's ``CopyText``.
@inline(__always) @usableFromInline
func copyBackslashRun(_ base: UnsafePointer<UInt8>, before position: Int, from: Int) -> Int {
    var index = position
    while index > from, base[index - 1] == 0x5C { index -= 1 }
    return position - index
}
