/// A validating cursor over one JSON document, shared by every entry point of ``JSON``.
///
/// The grammar is RFC 8259 exactly: whitespace is space, TAB, LF and CR (section 2); numbers are
/// `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?` (section 6), so no leading zeros, `NaN`,
/// `Infinity`, `+1` or `.5`; strings hold no raw control characters, only the escapes of section 7,
/// and must be valid UTF-8 (section 8.1); a `\u` high surrogate must be followed by a `\u` low
/// surrogate and a low surrogate may not stand alone (section 8.2 leaves lone surrogates
/// unspecified; PostgreSQL's jsonb refuses them, so we do too).
///
/// Every error is a ``DecodeError`` at the offset of the offending byte, or at the end of the
/// input when it ends early. Nothing here allocates.
struct JSONScanner {
    let base: UnsafePointer<UInt8>
    let end: Int
    var position = 0

    /// Nil for an empty buffer without storage, which is never a valid document.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return nil }
        self.base = base
        end = bytes.count
    }

    /// The byte at the cursor, or 0 at the end (0 is never valid where a token is expected).
    @inline(__always) var current: UInt8 { position < end ? base[position] : 0 }

    @inline(__always) mutating func skipWhitespace() {
        while position < end {
            switch base[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Requires that only whitespace is left.
    mutating func expectEnd() throws {
        skipWhitespace()
        guard position == end else { throw DecodeError(offset: position, expected: "end of input") }
    }

    // MARK: Values

    /// Validates the value at the cursor and moves past it. `depth` counts the enclosing arrays
    /// and objects.
    mutating func scanValue(depth: Int) throws -> JSONValueType {
        switch current {
        case ASCII.quote:
            _ = try scanString()
            return .string
        case ASCII.openBrace:
            try scanObject(depth: depth)
            return .object
        case ASCII.openBracket:
            try scanArray(depth: depth)
            return .array
        case ASCII.t:
            try scanLiteral("true")
            return .bool
        case ASCII.f:
            try scanLiteral("false")
            return .bool
        case ASCII.n:
            try scanLiteral("null")
            return .null
        case ASCII.minus, ASCII.zero...ASCII.nine:
            try scanNumber()
            return .number
        default:
            throw DecodeError(offset: position, expected: "a JSON value")
        }
    }

    mutating func scanObject(depth: Int) throws {
        guard try enterContainer(closedBy: ASCII.closeBrace, depth: depth) else { return }
        repeat {
            _ = try scanKey()
            _ = try scanValue(depth: depth + 1)
        } while try nextItem(closedBy: ASCII.closeBrace)
    }

    mutating func scanArray(depth: Int) throws {
        guard try enterContainer(closedBy: ASCII.closeBracket, depth: depth) else { return }
        repeat {
            skipWhitespace()
            _ = try scanValue(depth: depth + 1)
        } while try nextItem(closedBy: ASCII.closeBracket)
    }

    /// Moves past the opening bracket or brace at the cursor; returns false (having consumed the
    /// closing one too) when the container is empty.
    mutating func enterContainer(closedBy close: UInt8, depth: Int) throws -> Bool {
        guard depth < JSON.maxDepth else {
            throw DecodeError(offset: position, expected: "at most \(JSON.maxDepth) levels of nesting")
        }
        position += 1
        skipWhitespace()
        guard current == close else { return true }
        position += 1
        return false
    }

    /// After an item of a container: consumes `,` (true, another item follows) or the closing
    /// bracket or brace (false).
    mutating func nextItem(closedBy close: UInt8) throws -> Bool {
        skipWhitespace()
        switch current {
        case ASCII.comma:
            position += 1
            return true
        case close:
            position += 1
            return false
        default:
            throw DecodeError(offset: position, expected: close == ASCII.closeBrace ? "\",\" or \"}\"" : "\",\" or \"]\"")
        }
    }

    /// Scans `"key" :` and the whitespace after the colon; returns the key token's range (quotes
    /// included) and whether it contains escapes.
    mutating func scanKey() throws -> (start: Int, end: Int, escaped: Bool) {
        skipWhitespace()
        guard current == ASCII.quote else { throw DecodeError(offset: position, expected: "a string key") }
        let start = position
        let escaped = try scanString()
        let keyEnd = position
        skipWhitespace()
        guard current == ASCII.colon else { throw DecodeError(offset: position, expected: "\":\"") }
        position += 1
        skipWhitespace()
        return (start, keyEnd, escaped)
    }

    mutating func scanLiteral(_ word: StaticString) throws {
        let letters = word.utf8Start
        for k in 0..<word.utf8CodeUnitCount {
            guard position + k < end, base[position + k] == letters[k] else {
                throw DecodeError(offset: position + k, expected: "\"\(word)\"")
            }
        }
        position += word.utf8CodeUnitCount
    }

    mutating func scanNumber() throws {
        var i = position
        if base[i] == ASCII.minus { i += 1 }
        guard i < end, isDigit(base[i]) else { throw DecodeError(offset: i, expected: "a digit") }
        if base[i] == ASCII.zero {
            i += 1
            if i < end, isDigit(base[i]) {
                throw DecodeError(offset: i, expected: "a number without leading zeros")
            }
        } else {
            while i < end, isDigit(base[i]) { i += 1 }
        }
        if i < end, base[i] == ASCII.dot {
            i += 1
            guard i < end, isDigit(base[i]) else { throw DecodeError(offset: i, expected: "a digit after \".\"") }
            while i < end, isDigit(base[i]) { i += 1 }
        }
        if i < end, base[i] | 0x20 == ASCII.e {
            i += 1
            if i < end, base[i] == ASCII.plus || base[i] == ASCII.minus { i += 1 }
            guard i < end, isDigit(base[i]) else { throw DecodeError(offset: i, expected: "a digit in the exponent") }
            while i < end, isDigit(base[i]) { i += 1 }
        }
        position = i
    }

    @inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte &- ASCII.zero < 10 }

    // MARK: Strings

    /// Validates the string token at the cursor (which is on its opening quote) and moves past
    /// its closing quote. Returns whether the string contains escapes.
    mutating func scanString() throws -> Bool {
        var i = position + 1
        var escaped = false
        while true {
            // Straight to the first quote, backslash, control or non-ASCII byte, 16 bytes at a time.
            i = JSONScanner.skipPlain(base, from: i, end: end)
            guard i < end else { throw DecodeError(offset: end, expected: "a closing quote") }
            let byte = base[i]
            if byte == ASCII.quote {
                position = i + 1
                return escaped
            } else if byte == ASCII.backslash {
                escaped = true
                i = try scanEscape(at: i).next
            } else if byte < 0x20 {
                throw DecodeError(offset: i, expected: "an escaped control character")
            } else if byte < 0x80 {
                i += 1
            } else {
                let length = UTF8Validation.sequenceLength(base, i, end)
                guard length > 0 else { throw DecodeError(offset: i, expected: "valid UTF-8") }
                i += length
            }
        }
    }

    /// Skips the 8-byte words from `start` that hold no byte ``attentionBits(_:)`` flags: the
    /// position of the first flagged byte, or, with fewer than 8 bytes left before `end`, where
    /// the last whole word ended (the caller goes on byte by byte from there).
    @inline(__always) static func skipPlainWords(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        var i = start
        while i + 8 <= end {
            let attention = attentionBits(UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)))
            if attention != 0 { return i + attention.trailingZeroBitCount >> 3 }
            i += 8
        }
        return i
    }

    /// The high bits of the bytes of `word` that are `"`, `\`, below 0x20 or above 0x7F (SWAR
    /// tests from "Bit Twiddling Hacks", "Determine if a word has a byte less than n"). Exact as a
    /// yes/no, and the lowest set bit marks the first such byte: a borrow only flags bytes above
    /// the one that caused it.
    @inline(__always) static func attentionBits(_ word: UInt64) -> UInt64 {
        let low = UTF8Validation.lowBits
        let high = UTF8Validation.highBits
        let quote = word ^ (low &* 0x22)
        let backslash = word ^ (low &* 0x5C)
        let hasQuote = (quote &- low) & ~quote
        let hasBackslash = (backslash &- low) & ~backslash
        let hasControl = (word &- low &* 0x20) & ~word
        return (hasQuote | hasBackslash | hasControl | word) & high
    }

    /// Validates the escape whose backslash is at `i`; returns where it ends and the Unicode
    /// scalar it stands for (a surrogate pair counts as one escape).
    func scanEscape(at i: Int) throws -> (next: Int, scalar: UInt32) {
        guard i + 1 < end else { throw DecodeError(offset: end, expected: "an escape character") }
        switch base[i + 1] {
        case ASCII.quote: return (i + 2, 0x22)
        case ASCII.backslash: return (i + 2, 0x5C)
        case ASCII.slash: return (i + 2, 0x2F)
        case ASCII.b: return (i + 2, 0x08)
        case ASCII.f: return (i + 2, 0x0C)
        case ASCII.n: return (i + 2, 0x0A)
        case ASCII.r: return (i + 2, 0x0D)
        case ASCII.t: return (i + 2, 0x09)
        case ASCII.u:
            let unit = try hex4(at: i + 2)
            switch unit {
            case 0xD800...0xDBFF:
                let low = i + 6
                guard low + 1 < end, base[low] == ASCII.backslash, base[low + 1] == ASCII.u else {
                    throw DecodeError(offset: low, expected: "a \\u low surrogate escape after a high surrogate")
                }
                let second = try hex4(at: low + 2)
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw DecodeError(offset: low, expected: "a \\u low surrogate escape (DC00-DFFF) after a high surrogate")
                }
                return (low + 6, 0x10000 + ((unit - 0xD800) << 10) + (second - 0xDC00))
            case 0xDC00...0xDFFF:
                throw DecodeError(offset: i, expected: "a high surrogate escape before a low surrogate")
            default:
                return (i + 6, unit)
            }
        default:
            throw DecodeError(offset: i + 1, expected: "an escape character (\" \\ / b f n r t u)")
        }
    }

    /// The value of the four hex digits at `i`.
    func hex4(at i: Int) throws -> UInt32 {
        var value: UInt32 = 0
        for k in i..<(i + 4) {
            guard k < end, let digit = CopyText.hexValue(base[k]) else {
                throw DecodeError(offset: min(k, end), expected: "a hex digit")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Writes the decoded UTF-8 of the already validated string token `start..<tokenEnd` (quotes
    /// included) to `out`, which must have room for `tokenEnd - start - 2` bytes (no escape
    /// decodes to more bytes than it is written with). Returns the number of bytes written.
    func decodeString(from start: Int, to tokenEnd: Int, into out: UnsafeMutablePointer<UInt8>) throws -> Int {
        var i = start + 1
        let last = tokenEnd - 1
        var count = 0
        while i < last {
            var j = i
            while j < last, base[j] != ASCII.backslash { j += 1 }
            (out + count).initialize(from: base + i, count: j - i)
            count += j - i
            guard j < last else { break }
            let escape = try scanEscape(at: j)
            count += JSONScanner.encodeUTF8(escape.scalar, into: out + count)
            i = escape.next
        }
        return count
    }

    /// Writes `scalar` as UTF-8 and returns its length.
    static func encodeUTF8(_ scalar: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            out[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | scalar >> 6)
            out[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | scalar >> 12)
            out[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            out[0] = UInt8(0xF0 | scalar >> 18)
            out[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }
}
