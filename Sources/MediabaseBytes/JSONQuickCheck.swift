import Foundation

/// A one-pass JSON validator for the common case, without the error reporting of ``JSONScanner``:
/// it answers "valid, of this type" or "not sure", never "valid" for a document the scanner
/// refuses. Documents it is not sure about — invalid ones, and valid ones it leaves to the
/// scanner (more than ``maxDepth`` levels of nesting, `\u` surrogate escapes) — are validated
/// again by ``JSON/validate(_:)``, which gives the error and its offset.
///
/// It is one loop with the open containers kept as bits of a word instead of one call per value,
/// member and token, and strings skipped 16 bytes at a time
/// (``JSONScanner/skipPlain(_:from:end:)``): about 40 % fewer instructions than the scanner on the
/// short values of lean legacy rows (docs/benchmarks.md, "inspect per row, second pass", and
/// "vector scans"). The grammar is the scanner's (RFC 8259,
/// strict UTF-8 in strings; see ``JSONScanner``).
enum JSONQuickCheck {
    /// Deeper documents are left to the scanner (which allows ``JSON/maxDepth``).
    static let maxDepth = 64

    /// The type of the valid document `bytes` (surrounding whitespace allowed), or nil when it is
    /// not valid or not checked here.
    static func type(of bytes: UnsafeBufferPointer<UInt8>) -> JSONValueType? {
        var found = false
        return type(of: bytes, member: nil, found: &found)
    }

    /// As ``type(of:)``, and sets `found` when a member of the top-level object is named `member`.
    /// A top-level key written with escapes is not compared: nil (not checked here) instead.
    @inline(__always)
    static func type(of bytes: UnsafeBufferPointer<UInt8>, member: StaticString?, found: inout Bool) -> JSONValueType? {
        guard let p = bytes.baseAddress else { return nil }
        return scan(p, bytes.count, member: member, found: &found, rawField: false)?.type
    }

    /// The type of the valid document at `p` and where it ends. With `rawField`, `p` is a raw COPY
    /// text field followed by more of its line (``JSON/quickRawField(_:from:limit:member:)``): the
    /// document ends where its value and the spaces after it do, a TAB is not whitespace (it ends
    /// the field) and a backslash anywhere is "not checked here" (it is a COPY escape, so the raw
    /// bytes are not the value). Without it, the document must fill the `end` bytes.
    @inline(__always)
    static func scan(
        _ p: UnsafePointer<UInt8>, _ end: Int, member: StaticString?, found: inout Bool, rawField: Bool
    ) -> (type: JSONValueType, end: Int)? {
        @inline(__always) func skipWhitespace(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int {
            JSONQuickCheck.skipWhitespace(p, start, end, tab: !rawField)
        }
        var i = skipWhitespace(p, 0, end)
        guard i < end else { return nil }
        let type: JSONValueType
        switch p[i] {
        case ASCII.openBrace: type = .object
        case ASCII.openBracket: type = .array
        case ASCII.quote: type = .string
        case ASCII.t, ASCII.f: type = .bool
        case ASCII.n: type = .null
        default: type = .number
        }
        // Bit k set: the container open at depth k + 1 (counted from the innermost) is an object.
        var objects: UInt64 = 0
        var depth = 0
        // Whether the token at `i` is a member's key. Keys and string values are scanned by the
        // same code, written once so that it is inlined in this loop.
        var isKey = false
        while true {
            // A value or key starts at `i`, whitespace skipped.
            guard i < end else { return nil }
            let first = p[i]
            if first == ASCII.quote {
                i += 1
                let tokenStart = i
                var escaped = false
                scan: while true {
                    i = JSONScanner.skipPlain(p, from: i, end: end)
                    guard i < end else { return nil }
                    let byte = p[i]
                    if byte == ASCII.quote {
                        i += 1
                        break scan
                    }
                    if byte == ASCII.backslash {
                        if rawField { return nil }
                        escaped = true
                        guard let next = escapeEnd(p, i, end) else { return nil }
                        i = next
                    } else if byte < 0x20 {
                        return nil
                    } else if byte < 0x80 {
                        i += 1
                    } else {
                        let length = UTF8Validation.sequenceLength(p, i, end)
                        guard length > 0 else { return nil }
                        i += length
                    }
                }
                if isKey {
                    if let member, depth == 1 {
                        guard !escaped else { return nil }
                        let length = i - 1 - tokenStart
                        if length == member.utf8CodeUnitCount, memcmp(p + tokenStart, member.utf8Start, length) == 0 { found = true }
                    }
                    // PostgreSQL writes jsonb with `": "` after a key: checked as a pair.
                    if i + 1 < end, p[i] == ASCII.colon, p[i + 1] == ASCII.space {
                        i += 2
                        if i < end, p[i] <= ASCII.space { i = skipWhitespace(p, i, end) }
                    } else {
                        i = skipWhitespace(p, i, end)
                        guard i < end, p[i] == ASCII.colon else { return nil }
                        i = skipWhitespace(p, i + 1, end)
                    }
                    isKey = false
                    continue
                }
            } else {
                guard !isKey else { return nil }
                switch first {
                case ASCII.openBrace:
                    i = skipWhitespace(p, i + 1, end)
                    guard i < end else { return nil }
                    if p[i] == ASCII.closeBrace {
                        i += 1
                    } else {
                        guard depth < maxDepth else { return nil }
                        objects = objects << 1 | 1
                        depth += 1
                        isKey = true
                        continue
                    }
                case ASCII.openBracket:
                    i = skipWhitespace(p, i + 1, end)
                    guard i < end else { return nil }
                    if p[i] == ASCII.closeBracket {
                        i += 1
                    } else {
                        guard depth < maxDepth else { return nil }
                        objects <<= 1
                        depth += 1
                        continue
                    }
                case ASCII.t:
                    guard matches(p, i, end, "true") else { return nil }
                    i += 4
                case ASCII.f:
                    guard matches(p, i, end, "false") else { return nil }
                    i += 5
                case ASCII.n:
                    guard matches(p, i, end, "null") else { return nil }
                    i += 4
                case ASCII.minus, ASCII.zero...ASCII.nine:
                    guard let next = numberEnd(p, i, end) else { return nil }
                    i = next
                default:
                    return nil
                }
            }
            // After a value: close containers until another item follows.
            while true {
                i = skipWhitespace(p, i, end)
                if depth == 0 { return rawField || i == end ? (type, i) : nil }
                guard i < end else { return nil }
                let byte = p[i]
                let inObject = objects & 1 == 1
                if byte == ASCII.comma {
                    // `", "` between items, as PostgreSQL writes jsonb, checked as a pair.
                    i = i + 2 < end && p[i + 1] == ASCII.space && p[i + 2] > ASCII.space ? i + 2 : skipWhitespace(p, i + 1, end)
                    isKey = inObject
                    break
                }
                guard byte == (inObject ? ASCII.closeBrace : ASCII.closeBracket) else { return nil }
                i += 1
                objects >>= 1
                depth -= 1
            }
        }
    }

    /// Past the JSON whitespace at `start`; TAB counts only with `tab`.
    @inline(__always)
    private static func skipWhitespace(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, tab: Bool) -> Int {
        var i = start
        while i < end {
            let byte = p[i]
            guard byte <= ASCII.space, byte == ASCII.space || byte == 0x0A || (tab && byte == 0x09) || byte == 0x0D else { break }
            i += 1
        }
        return i
    }

    @inline(__always)
    private static func matches(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard end - i >= count else { return false }
        let letters = word.utf8Start
        for k in 0..<count where p[i + k] != letters[k] { return false }
        return true
    }

    /// Past the escape whose backslash is at `i`; nil when it is not valid or is a `\u`
    /// surrogate escape (paired or not, those are the scanner's).
    private static func escapeEnd(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int? {
        guard i + 1 < end else { return nil }
        switch p[i + 1] {
        case ASCII.quote, ASCII.backslash, ASCII.slash, ASCII.b, ASCII.f, ASCII.n, ASCII.r, ASCII.t:
            return i + 2
        case ASCII.u:
            guard i + 6 <= end else { return nil }
            var unit: UInt32 = 0
            for k in (i + 2)..<(i + 6) {
                guard let digit = CopyText.hexValue(p[k]) else { return nil }
                unit = unit << 4 | UInt32(digit)
            }
            return unit & 0xF800 == 0xD800 ? nil : i + 6
        default:
            return nil
        }
    }

    /// Past the number at `i` (RFC 8259 section 6); nil when it is not one.
    @inline(__always)
    private static func numberEnd(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int? {
        var i = start
        if p[i] == ASCII.minus { i += 1 }
        guard i < end, isDigit(p[i]) else { return nil }
        if p[i] == ASCII.zero {
            i += 1
            if i < end, isDigit(p[i]) { return nil }
        } else {
            i += 1
            while i < end, isDigit(p[i]) { i += 1 }
        }
        if i < end, p[i] == ASCII.dot {
            i += 1
            guard i < end, isDigit(p[i]) else { return nil }
            while i < end, isDigit(p[i]) { i += 1 }
        }
        if i < end, p[i] | 0x20 == ASCII.e {
            i += 1
            if i < end, p[i] == ASCII.plus || p[i] == ASCII.minus { i += 1 }
            guard i < end, isDigit(p[i]) else { return nil }
            while i < end, isDigit(p[i]) { i += 1 }
        }
        return i
    }

    @inline(__always) private static func isDigit(_ byte: UInt8) -> Bool { byte &- ASCII.zero < 10 }
}

extension JSON {
    /// The type of the valid document `bytes`, found in one quick pass, or nil when it is invalid
    /// or the quick pass leaves it to ``validate(_:)`` (deep nesting, surrogate escapes): never a
    /// type for a document ``validate(_:)`` refuses, so nil is followed by ``validate(_:)`` for
    /// the answer and, when invalid, the error.
    package static func quickType(_ bytes: Span<UInt8>) -> JSONValueType? {
        bytes.withUnsafeBufferPointer { JSONQuickCheck.type(of: $0) }
    }

    /// The JSON value of the raw COPY text field that starts at `start` of `line` (a line without
    /// its newline), checked in the quick pass when it is in the common form: no backslash (so the
    /// raw bytes are the value: neither escaped nor `\N`) and shorter than `limit` bytes. Gives
    /// the value's type, where it ends (after the spaces that follow it: the caller checks that a
    /// TAB or the line's end is there, so that the value is the whole field) and, with `member`,
    /// whether a top-level object has a member of that name (as
    /// ``quickObjectHoldsMember(_:named:)``); nil when the field is not in that form or is not
    /// valid, to be checked decoded.
    package static func quickRawField(
        _ line: Span<UInt8>, from start: Int, limit: Int, member: StaticString?
    ) -> (type: JSONValueType, end: Int, holdsMember: Bool)? {
        precondition(start >= 0 && start <= line.count && limit >= 0, "range out of bounds")
        return line.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            var found = false
            guard let value = JSONQuickCheck.scan(base + start, min(buffer.count - start, limit), member: member, found: &found, rawField: true) else { return nil }
            return (value.type, start + value.end, found)
        }
    }

    /// Whether the valid object `bytes` has a top-level member named `name` (duplicates
    /// included), found in the quick pass of ``quickType(_:)``; nil when `bytes` is not an object,
    /// is invalid, or the quick pass leaves it to ``forEachMember(_:_:)`` (as for
    /// ``quickType(_:)``, or a top-level key written with escapes).
    package static func quickObjectHoldsMember(_ bytes: Span<UInt8>, named name: StaticString) -> Bool? {
        bytes.withUnsafeBufferPointer { buffer in
            var found = false
            guard JSONQuickCheck.type(of: buffer, member: name, found: &found) == .object else { return nil }
            return found
        }
    }
}
