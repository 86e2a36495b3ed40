/// A strict, byte-level JSON reader for the `jsonb` columns of a dump (RFC 8259, UTF-8).
///
/// Validation and member iteration never allocate and never build a `String`; `parse`
/// materializes a ``JSONValue`` for cold paths and tests. The grammar, its strictness and the
/// error offsets are described on the internal `JSONScanner`: no trailing commas, no `NaN`, no
/// leading zeros, no raw control characters in strings, no lone surrogate escapes, at most
/// ``maxDepth`` nested arrays and objects. The reader never crashes and is linear in the input
/// on any bytes.
///
/// ```swift
/// try JSON.forEachMember(drugsField) { key, value in
///     // key: decoded key bytes; value: the raw bytes of the member's value
/// }
/// ```
package enum JSON {
    /// How deeply arrays and objects may nest. Deeper documents are rejected rather than risking
    /// the stack (PostgreSQL stops at its `max_stack_depth` instead).
    package static let maxDepth = 512

    /// Validates a whole document (surrounding whitespace allowed) and returns the top-level type.
    static func validate(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValueType {
        var scanner = try documentScanner(bytes)
        let type = try scanner.scanValue(depth: 0)
        try scanner.expectEnd()
        return type
    }

    /// Parses a whole document (surrounding whitespace allowed).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
        var parser = JSONParser(scanner: try documentScanner(bytes))
        let value = try parser.parseValue(depth: 0)
        try parser.scanner.expectEnd()
        return value
    }

    /// Validates a whole document (surrounding whitespace allowed) and returns the top-level type.
    package static func validate(_ bytes: Span<UInt8>) throws -> JSONValueType {
        try bytes.withUnsafeBufferPointer { try validate($0) }
    }

    /// Parses a whole document (surrounding whitespace allowed).
    package static func parse(_ bytes: Span<UInt8>) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { try parse($0) }
    }

    /// Parses a whole document given as text.
    package static func parse(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { try parse($0) }
    }

    /// Calls `body` for each member of a top-level object, in input order (duplicate keys
    /// included), without materializing values.
    ///
    /// `key` is the decoded key; `value` is exactly the bytes of the member's value, without
    /// surrounding whitespace. Both are valid only during the call. The whole document is
    /// validated: it throws when the document is not an object or is malformed anywhere, but
    /// because it reads in one pass, `body` may already have been called for the members before
    /// the malformed spot. Callers that need all-or-nothing collect first and commit after.
    package static func forEachMember(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ body: (_ key: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        var scanner = try documentScanner(bytes)
        guard scanner.current == ASCII.openBrace else {
            throw DecodeError(offset: scanner.position, expected: "a JSON object")
        }
        if try scanner.enterContainer(closedBy: ASCII.closeBrace, depth: 0) {
            repeat {
                let key = try scanner.scanKey()
                let valueStart = scanner.position
                _ = try scanner.scanValue(depth: 1)
                let value = UnsafeBufferPointer(start: scanner.base + valueStart, count: scanner.position - valueStart)
                if key.escaped {
                    try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: key.end - key.start) { buffer in
                        let start = buffer.baseAddress!
                        let count = try scanner.decodeString(from: key.start, to: key.end, into: start)
                        try body(UnsafeBufferPointer(start: start, count: count), value)
                    }
                } else {
                    try body(UnsafeBufferPointer(start: scanner.base + key.start + 1, count: key.end - key.start - 2), value)
                }
            } while try scanner.nextItem(closedBy: ASCII.closeBrace)
        }
        try scanner.expectEnd()
    }

    /// Calls `body` with the raw bytes of each element of a top-level array, in order. Validation
    /// and the timing of `body` calls are as in ``forEachMember(_:_:)``.
    package static func forEachElement(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ body: (_ value: UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        var scanner = try documentScanner(bytes)
        guard scanner.current == ASCII.openBracket else {
            throw DecodeError(offset: scanner.position, expected: "a JSON array")
        }
        if try scanner.enterContainer(closedBy: ASCII.closeBracket, depth: 0) {
            repeat {
                scanner.skipWhitespace()
                let valueStart = scanner.position
                _ = try scanner.scanValue(depth: 1)
                try body(UnsafeBufferPointer(start: scanner.base + valueStart, count: scanner.position - valueStart))
            } while try scanner.nextItem(closedBy: ASCII.closeBracket)
        }
        try scanner.expectEnd()
    }

    /// Validates a raw string token (quotes included, nothing around them) and appends its
    /// decoded UTF-8 bytes to `out`. `\u0000` decodes to a NUL byte, which text validation then
    /// refuses where it matters.
    static func decodeString(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) throws {
        guard var scanner = JSONScanner(raw), scanner.current == ASCII.quote else {
            throw DecodeError(offset: 0, expected: "\"\\\"\"")
        }
        let escaped = try scanner.scanString()
        guard scanner.position == raw.count else {
            throw DecodeError(offset: scanner.position, expected: "end of the string token")
        }
        let room = raw.count - 2
        guard escaped else {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[1..<(raw.count - 1)]))
            return
        }
        let oldCount = out.count
        out.append(contentsOf: repeatElement(0, count: room))
        let written = try out.withUnsafeMutableBufferPointer { buffer in
            try scanner.decodeString(from: 0, to: raw.count, into: buffer.baseAddress! + oldCount)
        }
        out.removeLast(room - written)
    }

    /// Validates a raw string token and appends its decoded bytes (see the pointer variant).
    package static func decodeString(_ raw: Span<UInt8>, into out: inout [UInt8]) throws {
        try raw.withUnsafeBufferPointer { try decodeString($0, into: &out) }
    }

    /// Appends `bytes` as a JSON string token (see the pointer variant).
    package static func appendString(_ bytes: Span<UInt8>, to out: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { appendString($0, to: &out) }
    }

    /// A scanner positioned on the first non-whitespace byte of the document.
    static func documentScanner(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JSONScanner {
        guard var scanner = JSONScanner(bytes) else { throw DecodeError(offset: 0, expected: "a JSON value") }
        scanner.skipWhitespace()
        return scanner
    }

    /// Appends `bytes` as a JSON string token: `"` and `\` are backslash-escaped, the control
    /// characters with a short form (`\b \f \n \r \t`) use it and the others are written `\u00xx`
    /// (RFC 8259 section 7); every other byte is copied as is, so valid UTF-8 in gives valid JSON out.
    static func appendString(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(ASCII.quote)
        guard let base = bytes.baseAddress else { return out.append(ASCII.quote) }
        var runStart = 0
        var i = 0
        while true {
            // Words of plain bytes are passed 8 at a time (ids and symbols mostly are plain);
            // a flagged byte may be non-ASCII, which is copied as is.
            i = JSONScanner.skipPlainWords(base, from: i, end: bytes.count)
            guard i < bytes.count else { break }
            let byte = base[i]
            guard byte < 0x20 || byte == ASCII.quote || byte == ASCII.backslash else {
                i += 1
                continue
            }
            if i > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            out.append(ASCII.backslash)
            switch byte {
            case ASCII.quote, ASCII.backslash: out.append(byte)
            case 0x08: out.append(ASCII.b)
            case 0x0C: out.append(ASCII.f)
            case 0x0A: out.append(ASCII.n)
            case 0x0D: out.append(ASCII.r)
            case 0x09: out.append(ASCII.t)
            default:
                let hexDigits: StaticString = "0123456789abcdef"
                out.append(ASCII.u)
                out.append(ASCII.zero)
                out.append(ASCII.zero)
                out.append(hexDigits.utf8Start[Int(byte >> 4)])
                out.append(hexDigits.utf8Start[Int(byte & 0x0F)])
            }
            runStart = i + 1
            i += 1
        }
        if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        out.append(ASCII.quote)
    }
}

/// Builds ``JSONValue``s on top of ``JSONScanner``, which does all the validating.
struct JSONParser {
    var scanner: JSONScanner

    mutating func parseValue(depth: Int) throws -> JSONValue {
        switch scanner.current {
        case ASCII.quote:
            let start = scanner.position
            let escaped = try scanner.scanString()
            return .string(try string(from: start, to: scanner.position, escaped: escaped))
        case ASCII.openBrace:
            var members: [(key: String, value: JSONValue)] = []
            if try scanner.enterContainer(closedBy: ASCII.closeBrace, depth: depth) {
                repeat {
                    let key = try scanner.scanKey()
                    let name = try string(from: key.start, to: key.end, escaped: key.escaped)
                    members.append((name, try parseValue(depth: depth + 1)))
                } while try scanner.nextItem(closedBy: ASCII.closeBrace)
            }
            return .object(members)
        case ASCII.openBracket:
            var elements: [JSONValue] = []
            if try scanner.enterContainer(closedBy: ASCII.closeBracket, depth: depth) {
                repeat {
                    scanner.skipWhitespace()
                    elements.append(try parseValue(depth: depth + 1))
                } while try scanner.nextItem(closedBy: ASCII.closeBracket)
            }
            return .array(elements)
        case ASCII.minus, ASCII.zero...ASCII.nine:
            let start = scanner.position
            try scanner.scanNumber()
            return .number(String(decoding: UnsafeBufferPointer(start: scanner.base + start, count: scanner.position - start), as: UTF8.self))
        case ASCII.t:
            try scanner.scanLiteral("true")
            return .bool(true)
        case ASCII.f:
            try scanner.scanLiteral("false")
            return .bool(false)
        case ASCII.n:
            try scanner.scanLiteral("null")
            return .null
        default:
            throw DecodeError(offset: scanner.position, expected: "a JSON value")
        }
    }

    /// The text of the validated string token `start..<end`.
    func string(from start: Int, to end: Int, escaped: Bool) throws -> String {
        guard escaped else {
            return String(decoding: UnsafeBufferPointer(start: scanner.base + start + 1, count: end - start - 2), as: UTF8.self)
        }
        return try String(unsafeUninitializedCapacity: end - start - 2) { buffer in
            try scanner.decodeString(from: start, to: end, into: buffer.baseAddress!)
        }
    }
}

// Entry points without pointers, for the layers above this one (docs/architecture.md, "Unsafe
// code"): the same code; the spans it hands to a callback are valid only during the call.
extension JSON {
    /// Calls `body` with the raw bytes of each element of a top-level array, in order (see the
    /// pointer variant).
    package static func forEachElement(_ bytes: Span<UInt8>, _ body: (_ value: Span<UInt8>) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { buffer in
            try forEachElement(buffer) { value in try body(Span(_unsafeElements: value)) }
        }
    }

    /// Calls `body` with each member of a top-level object (see the pointer variant).
    package static func forEachMember(_ bytes: Span<UInt8>, _ body: (_ key: Span<UInt8>, _ value: Span<UInt8>) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { buffer in
            try forEachMember(buffer) { key, value in try body(key.span, value.span) }
        }
    }
}
