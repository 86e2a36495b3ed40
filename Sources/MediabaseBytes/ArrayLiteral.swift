/// PostgreSQL array literals in their text form (`array_out` output, after COPY unescaping):
/// `{a,b,"c, d",NULL}`, `{{1,2},{3,4}}`, `[0:1]={x,y}`.
///
/// Reading follows `array_in` of PostgreSQL 17 (src/backend/utils/adt/arrayfuncs.c,
/// `ReadArrayDimensions`, `ReadArrayStr`, `ReadArrayToken`):
/// * whitespace (`scanner_isspace`: space, `\t \n \r \v \f`) is skipped around tokens and trimmed
///   from the end of an unquoted element, but kept inside quotes;
/// * a backslash, quoted or not, makes the next byte literal (`\"`, `\\`, `\,` …), and an escaped
///   byte is never trimmed;
/// * an unquoted `NULL` in any case and without escapes is a NULL element; `"NULL"` and `N\ULL`
///   are the text `NULL`;
/// * an unquoted element may not contain `{` or `"`; after a closing quote only whitespace may
///   come before the delimiter or brace;
/// * nested braces are dimensions (at most 6, PostgreSQL's `MAXDIM`); sub-arrays must all have the
///   same length and elements must all sit at the innermost level;
/// * an optional `[lower:upper]` (or `[upper]`) prefix per dimension, then `=`, fixes the lengths,
///   which the contents must match;
/// * only whitespace may follow the outer `}`.
///
/// Malformed literals throw a ``DecodeError`` at the offending byte, or at the end of the input
/// when it ends early.
package enum ArrayLiteral {
    /// PostgreSQL's `MAXDIM` (src/include/utils/array.h).
    static let maxDimensions = 6

    /// Calls `body` for every element, in order, flattening nested dimensions; nil is a NULL element.
    ///
    /// The bytes passed are valid only during the call: they point into the input when the element
    /// has no escapes, and into one scratch buffer (allocated once per call, on the first escape)
    /// otherwise. The literal is checked as it is read, so `body` may have seen the elements before
    /// a malformed spot when this throws.
    package static func forEachElement(
        _ bytes: UnsafeBufferPointer<UInt8>,
        delimiter: UInt8 = UInt8(ascii: ","),
        _ body: (UnsafeBufferPointer<UInt8>?) throws -> Void
    ) throws {
        try read(bytes, delimiter: delimiter) { event in
            if case let .element(value) = event { try body(value) }
        }
    }

    /// The elements of a literal in the plain ASCII form (``isPlainASCII(_:delimiter:)``) as ranges
    /// of `bytes` (nil: a NULL element), in order: such a literal has no escape, so each element's
    /// text is the bytes of its range. Returns false, `ranges` then meaningless, for a literal in
    /// any other form (read it with ``forEachElement(_:delimiter:_:)``).
    package static func plainASCIIElements(_ bytes: Span<UInt8>, into ranges: inout [Range<Int>?]) -> Bool {
        ranges.removeAll(keepingCapacity: true)
        return bytes.withUnsafeBufferPointer { buffer in
            plainEnd(buffer, delimiter: ASCII.comma, quotedText: false, rawField: false) { range, quoted in
                ranges.append(!quoted && isNullWord(UnsafeBufferPointer(rebasing: buffer[range])) ? nil : range)
            } != nil
        }
    }

    /// Whether `bytes` is a one-dimensional literal in the plain form `array_out` writes for ASCII
    /// text: `{}` or `{a,"b c",NULL}`, with no whitespace outside quotes, no backslash, no empty
    /// unquoted element and every byte in 0x01...0x7F. Such bytes are valid text without NUL and a
    /// valid literal (``forEachElement(_:delimiter:_:)`` reads them without error), so a checker
    /// can accept them in one pass; false says nothing about validity (read them fully then).
    static func isPlainASCII(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8 = UInt8(ascii: ",")) -> Bool {
        plainEnd(bytes, delimiter: delimiter, quotedText: false, rawField: false) != nil
    }

    /// Whether `bytes` is a one-dimensional literal in the plain form `array_out` writes: as
    /// ``isPlainASCII(_:delimiter:)``, except that a quoted element may also hold backslash escapes
    /// (`"\"de novo\" folding"`) and any well-formed multi-byte UTF-8 (`"β-catenin binding"`).
    /// Such bytes too are valid text without NUL and a valid literal: an escaped byte is literal
    /// wherever it is (`array_in`), and bytes ≥ 0x80 are never structural.
    static func isPlainText(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8 = UInt8(ascii: ",")) -> Bool {
        plainEnd(bytes, delimiter: delimiter, quotedText: true, rawField: false) != nil
    }

    /// ``isPlainASCII(_:delimiter:)`` (`quotedText` false) or ``isPlainText(_:delimiter:)`` (true):
    /// where the literal ends (the end of `bytes`), or nil when it is not plain. With `rawField`,
    /// `bytes` is a raw COPY text field followed by more of its line
    /// (``plainRawFieldEnd(_:from:)``): the literal may end before `bytes` do, and a backslash
    /// (a COPY escape, so the raw bytes are not the value) or a control byte (a TAB ends the field)
    /// in a quoted element makes it not plain.
    @inline(__always)
    private static func plainEnd(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, quotedText: Bool, rawField: Bool,
                                 element: (_ range: Range<Int>, _ quoted: Bool) -> Void = { _, _ in }) -> Int? {
        guard let base = bytes.baseAddress, bytes.count >= 2, base[0] == ASCII.openBrace else { return nil }
        let end = bytes.count
        if base[1] == ASCII.closeBrace { return rawField || end == 2 ? 2 : nil }
        var i = 1
        while true {
            if base[i] == ASCII.quote {
                i += 1
                let start = i
                while true {
                    // 8 bytes at a time while none is a quote, a backslash, a control or non-ASCII byte.
                    i = JSONScanner.skipPlainWords(base, from: i, end: end)
                    guard i < end else { return nil }
                    var byte = base[i]
                    if byte == ASCII.quote { break }
                    if rawField, byte == ASCII.backslash || byte < 0x20 { return nil }
                    if quotedText, byte == ASCII.backslash {
                        // The next byte is literal, checked as text like any other.
                        i += 1
                        guard i < end else { return nil }
                        byte = base[i]
                    }
                    if byte == 0 || (!quotedText && byte == ASCII.backslash) { return nil }
                    if byte < 0x80 {
                        i += 1
                    } else {
                        let length = quotedText ? UTF8Validation.sequenceLength(base, i, end) : 0
                        guard length > 0 else { return nil }
                        i += length
                    }
                }
                element(start..<i, true)
                i += 1
            } else {
                let start = i
                while i < end {
                    // 8 bytes at a time while none is one the byte test below stops at.
                    while i + 8 <= end {
                        let attention = unquotedAttentionBits(UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)), delimiter: delimiter)
                        if attention != 0 {
                            i += attention.trailingZeroBitCount >> 3
                            break
                        }
                        i += 8
                    }
                    guard i < end else { break }
                    let byte = base[i]
                    if byte == delimiter || byte == ASCII.closeBrace { break }
                    // Whitespace and control bytes (trimmed or kept), braces, quotes and escapes
                    // are left to the full reader.
                    if byte <= ASCII.space || byte >= 0x80 || byte == ASCII.openBrace || byte == ASCII.quote || byte == ASCII.backslash {
                        return nil
                    }
                    i += 1
                }
                guard i > start else { return nil }
                element(start..<i, false)
            }
            guard i < end else { return nil }
            if base[i] == ASCII.closeBrace { return rawField || i + 1 == end ? i + 1 : nil }
            guard base[i] == delimiter else { return nil }
            i += 1
            guard i < end else { return nil }
        }
    }

    /// The high bits of the bytes of `word` that end or spoil a plain unquoted element: the
    /// delimiter, braces, a quote, a backslash, space and control bytes, non-ASCII bytes (SWAR tests
    /// as in ``JSONScanner/attentionBits(_:)``: the lowest set bit marks the first such byte).
    @inline(__always) static func unquotedAttentionBits(_ word: UInt64, delimiter: UInt8) -> UInt64 {
        let low = UTF8Validation.lowBits
        @inline(__always) func equal(_ byte: UInt8) -> UInt64 {
            let masked = word ^ (low &* UInt64(byte))
            return (masked &- low) & ~masked
        }
        let belowBang = (word &- low &* 0x21) & ~word
        return (belowBang | word | equal(delimiter) | equal(ASCII.openBrace) | equal(ASCII.closeBrace) | equal(ASCII.quote)
            | equal(ASCII.backslash)) & UTF8Validation.highBits
    }

    /// The elements of `text` as strings (nil for NULL), flattened. For tests and cold paths.
    package static func elements(_ text: String) throws -> [String?] {
        var text = text
        var result: [String?] = []
        try text.withUTF8 { bytes in
            try forEachElement(bytes) { element in
                result.append(element.map { String(decoding: $0, as: UTF8.self) })
            }
        }
        return result
    }

    /// Appends the array as JSON text, the form arrays take in SQLite: `{a,NULL,{b}}` becomes
    /// `["a",null,["b"]]`. Nested dimensions stay nested, every element is a JSON string, and a
    /// dimension prefix is dropped. On error `out` is left as it was.
    package static func appendJSON(
        _ bytes: UnsafeBufferPointer<UInt8>,
        delimiter: UInt8 = UInt8(ascii: ","),
        to out: inout [UInt8]
    ) throws {
        let originalCount = out.count
        var needsComma = false
        do {
            try read(bytes, delimiter: delimiter) { event in
                switch event {
                case .open:
                    if needsComma { out.append(ASCII.comma) }
                    out.append(ASCII.openBracket)
                    needsComma = false
                case .close:
                    out.append(ASCII.closeBracket)
                    needsComma = true
                case let .element(value):
                    if needsComma { out.append(ASCII.comma) }
                    if let value {
                        JSON.appendString(value, to: &out)
                    } else {
                        out.append(contentsOf: "null".utf8)
                    }
                    needsComma = true
                }
            }
        } catch {
            out.removeSubrange(originalCount...)
            throw error
        }
    }

    /// Appends the one-dimensional array literal of `elements` (nil is NULL), quoting exactly as
    /// `array_out` does: an element is double-quoted when it is empty, equals `NULL` in any case,
    /// or contains `{`, `}`, `,`, `"`, `\` or whitespace; inside quotes `"` and `\` get a backslash.
    package static func appendLiteral(_ elements: [[UInt8]?], to out: inout [UInt8]) {
        out.append(ASCII.openBrace)
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(ASCII.comma) }
            guard let element else {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            appendQuotedElement(element, to: &out)
        }
        out.append(ASCII.closeBrace)
    }

    /// Appends one element as `array_out` writes it: double-quoted when ``needsQuotes(_:)``,
    /// with `"` and `\` backslash-escaped inside the quotes.
    package static func appendQuotedElement(_ element: [UInt8], to out: inout [UInt8]) {
        guard needsQuotes(element) else {
            out.append(contentsOf: element)
            return
        }
        out.append(ASCII.quote)
        for byte in element {
            if byte == ASCII.quote || byte == ASCII.backslash { out.append(ASCII.backslash) }
            out.append(byte)
        }
        out.append(ASCII.quote)
    }

    private static func needsQuotes(_ element: [UInt8]) -> Bool {
        if element.isEmpty { return true }
        if element.withUnsafeBufferPointer(isNullWord) { return true }
        return element.contains { byte in
            byte == ASCII.openBrace || byte == ASCII.closeBrace || byte == ASCII.comma
                || byte == ASCII.quote || byte == ASCII.backslash || isSpace(byte)
        }
    }

    /// Whether the bytes are `NULL` in any case.
    static func isNullWord(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count == 4 && bytes[0] | 0x20 == UInt8(ascii: "n") && bytes[1] | 0x20 == UInt8(ascii: "u")
            && bytes[2] | 0x20 == UInt8(ascii: "l") && bytes[3] | 0x20 == UInt8(ascii: "l")
    }

    /// PostgreSQL's `scanner_isspace` (src/backend/parser/scansup.c).
    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
        byte == ASCII.space || (byte >= 0x09 && byte <= 0x0D)
    }

    /// What the reader reports to its consumer, in input order.
    enum Event {
        /// A `{`: a new dimension level starts.
        case open
        /// A `}`.
        case close
        /// An element; nil is NULL.
        case element(UnsafeBufferPointer<UInt8>?)
    }

    /// Reads a whole literal, checking its structure as `ReadArrayStr` does, and reports it.
    static func read(
        _ bytes: UnsafeBufferPointer<UInt8>,
        delimiter: UInt8,
        _ handle: (Event) throws -> Void
    ) throws {
        guard let base = bytes.baseAddress else { throw DecodeError(offset: 0, expected: "\"{\" or \"[\"") }
        var scanner = ArrayLiteralScanner(base: base, end: bytes.count, delimiter: delimiter)
        defer { scanner.scratch?.deallocate() }
        // Per level: the length the level must have (-1 until known) and the items seen so far.
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * maxDimensions) { levels in
            try scanner.readArray(lengths: levels.baseAddress!, counts: levels.baseAddress! + maxDimensions, handle)
        }
    }
}

/// The tokenizer and structure checks behind ``ArrayLiteral``.
struct ArrayLiteralScanner {
    enum Token {
        case open, close, delimiter, end
        case element(UnsafeBufferPointer<UInt8>?)
    }

    let base: UnsafePointer<UInt8>
    let end: Int
    let delimiter: UInt8
    var position = 0
    /// Offset of the last token read, for errors about it.
    var tokenStart = 0
    /// Where elements with escapes are decoded; allocated on first use with room for the whole
    /// input, since an element never decodes to more bytes than it is written with. The owner
    /// deallocates it.
    var scratch: UnsafeMutablePointer<UInt8>?

    init(base: UnsafePointer<UInt8>, end: Int, delimiter: UInt8) {
        self.base = base
        self.end = end
        self.delimiter = delimiter
    }

    @inline(__always) var current: UInt8? { position < end ? base[position] : nil }

    mutating func skipWhitespace() {
        while position < end, ArrayLiteral.isSpace(base[position]) { position += 1 }
    }

    /// `","` or `"}"`, with the delimiter in use.
    var delimiterOrClose: String { "\"\(Character(Unicode.Scalar(delimiter)))\" or \"}\"" }

    /// What may come where an element is due: `}` too while the level is still empty.
    func elementExpectation(_ itemsInLevel: Int) -> String {
        itemsInLevel == 0 ? "an element or \"}\"" : "an element"
    }

    /// Reads the optional dimensions, then the braces and elements (`ReadArrayStr`'s state
    /// machine), then checks that nothing but whitespace follows.
    mutating func readArray(
        lengths: UnsafeMutablePointer<Int>,
        counts: UnsafeMutablePointer<Int>,
        _ handle: (ArrayLiteral.Event) throws -> Void
    ) throws {
        skipWhitespace()
        var dimensions = try readDimensions(into: lengths)
        let dimensionsGiven = dimensions > 0
        for level in dimensions..<ArrayLiteral.maxDimensions { lengths[level] = -1 }
        guard current == ASCII.openBrace else {
            throw DecodeError(offset: position, expected: dimensionsGiven ? "\"{\"" : "\"{\" or \"[\"")
        }
        let dimensionMismatch = dimensionsGiven
            ? "array contents matching the given dimensions"
            : "sub-arrays with matching dimensions"
        // Once an element is seen (or dimensions are given), the number of dimensions is fixed.
        var dimensionsFixed = dimensionsGiven
        var depth = 0
        var expectDelimiter = false
        repeat {
            switch try nextToken() {
            case .open:
                if expectDelimiter { throw DecodeError(offset: tokenStart, expected: delimiterOrClose) }
                guard depth < ArrayLiteral.maxDimensions else {
                    throw DecodeError(offset: tokenStart, expected: "at most \(ArrayLiteral.maxDimensions) array dimensions")
                }
                counts[depth] = 0
                depth += 1
                if depth > dimensions {
                    if dimensionsFixed { throw DecodeError(offset: tokenStart, expected: dimensionMismatch) }
                    dimensions = depth
                }
                try handle(.open)
            case .close:
                // `}` may close an empty level; otherwise it must come where a delimiter could.
                if counts[depth - 1] > 0, !expectDelimiter { throw DecodeError(offset: tokenStart, expected: "an element") }
                depth -= 1
                if depth > 0 { counts[depth - 1] += 1 }
                if lengths[depth] < 0 {
                    lengths[depth] = counts[depth]
                } else if counts[depth] != lengths[depth] {
                    throw DecodeError(offset: tokenStart, expected: dimensionMismatch)
                }
                expectDelimiter = true
                try handle(.close)
            case .delimiter:
                guard expectDelimiter else {
                    throw DecodeError(offset: tokenStart, expected: elementExpectation(counts[depth - 1]))
                }
                expectDelimiter = false
            case let .element(value):
                if expectDelimiter { throw DecodeError(offset: tokenStart, expected: delimiterOrClose) }
                counts[depth - 1] += 1
                dimensionsFixed = true
                if depth != dimensions { throw DecodeError(offset: tokenStart, expected: dimensionMismatch) }
                expectDelimiter = true
                try handle(.element(value))
            case .end:
                throw DecodeError(offset: end, expected: expectDelimiter ? delimiterOrClose : elementExpectation(counts[depth - 1]))
            }
        } while depth > 0
        skipWhitespace()
        guard position == end else { throw DecodeError(offset: position, expected: "end of input after \"}\"") }
    }

    /// Reads `[lower:upper]` or `[upper]` items and the `=` after them (`ReadArrayDimensions`),
    /// storing each dimension's length; returns how many there were (0 without a prefix).
    mutating func readDimensions(into lengths: UnsafeMutablePointer<Int>) throws -> Int {
        var count = 0
        while current == ASCII.openBracket {
            guard count < ArrayLiteral.maxDimensions else {
                throw DecodeError(offset: position, expected: "at most \(ArrayLiteral.maxDimensions) array dimensions")
            }
            position += 1
            var lower = 1
            var upper = try readBound()
            if current == ASCII.colon {
                position += 1
                lower = upper
                upper = try readBound()
            }
            guard current == ASCII.closeBracket else { throw DecodeError(offset: position, expected: "\"]\"") }
            // PostgreSQL allows upper = lower - 1, an empty dimension.
            guard upper >= lower - 1 else {
                throw DecodeError(offset: position, expected: "an upper bound not below the lower bound minus one")
            }
            position += 1
            lengths[count] = upper - lower + 1
            count += 1
            skipWhitespace()
        }
        guard count > 0 else { return 0 }
        guard current == ASCII.equals else { throw DecodeError(offset: position, expected: "\"=\" after the array dimensions") }
        position += 1
        skipWhitespace()
        return count
    }

    /// A signed decimal array bound within the range of a PostgreSQL `int4`.
    mutating func readBound() throws -> Int {
        let start = position
        let negative = current == ASCII.minus
        if negative || current == ASCII.plus { position += 1 }
        var magnitude = 0
        let digitsStart = position
        while let byte = current, byte &- ASCII.zero < 10 {
            magnitude = magnitude * 10 + Int(byte - ASCII.zero)
            guard magnitude <= Int(Int32.max) else {
                throw DecodeError(offset: start, expected: "an array bound within integer range")
            }
            position += 1
        }
        guard position > digitsStart else { throw DecodeError(offset: position, expected: "a digit") }
        return negative ? -magnitude : magnitude
    }

    /// The next token, after skipping whitespace (`ReadArrayToken`).
    mutating func nextToken() throws -> Token {
        skipWhitespace()
        tokenStart = position
        guard let byte = current else { return .end }
        switch byte {
        case ASCII.openBrace:
            position += 1
            return .open
        case ASCII.closeBrace:
            position += 1
            return .close
        case delimiter:
            position += 1
            return .delimiter
        case ASCII.quote:
            return .element(try readQuoted())
        default:
            return .element(try readUnquoted())
        }
    }

    mutating func scratchBuffer() -> UnsafeMutablePointer<UInt8> {
        if let scratch { return scratch }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: end)
        scratch = buffer
        return buffer
    }

    /// Reads a quoted element (the cursor is on its opening quote) and the whitespace after it.
    mutating func readQuoted() throws -> UnsafeBufferPointer<UInt8> {
        let start = position + 1
        var i = start
        while i < end, base[i] != ASCII.quote, base[i] != ASCII.backslash { i += 1 }
        let value: UnsafeBufferPointer<UInt8>
        if i < end, base[i] == ASCII.quote {
            value = UnsafeBufferPointer(start: base + start, count: i - start)
        } else {
            let out = scratchBuffer()
            var count = i - start
            out.initialize(from: base + start, count: count)
            while true {
                guard i < end else { throw DecodeError(offset: end, expected: "a closing quote") }
                if base[i] == ASCII.quote { break }
                if base[i] == ASCII.backslash {
                    i += 1
                    guard i < end else { throw DecodeError(offset: end, expected: "a character after \"\\\"") }
                }
                out[count] = base[i]
                count += 1
                i += 1
            }
            value = UnsafeBufferPointer(start: out, count: count)
        }
        i += 1
        while i < end, ArrayLiteral.isSpace(base[i]) { i += 1 }
        guard i < end else { throw DecodeError(offset: end, expected: delimiterOrClose) }
        // `{` is let through to be refused by the state machine, as PostgreSQL does.
        guard base[i] == delimiter || base[i] == ASCII.closeBrace || base[i] == ASCII.openBrace else {
            throw DecodeError(offset: i, expected: "\(delimiterOrClose) after a quoted element")
        }
        position = i
        return value
    }

    /// Reads an unquoted element (the cursor is on its first byte), dropping trailing whitespace
    /// that is not escaped. Returns nil for the NULL marker.
    mutating func readUnquoted() throws -> UnsafeBufferPointer<UInt8>? {
        let start = position
        var out: UnsafeMutablePointer<UInt8>?  // set at the first escape
        var count = 0  // decoded length so far
        var kept = 0  // decoded length without trailing unescaped whitespace
        var i = start
        while true {
            guard i < end else { throw DecodeError(offset: end, expected: delimiterOrClose) }
            let byte = base[i]
            if byte == delimiter || byte == ASCII.closeBrace { break }
            switch byte {
            case ASCII.openBrace:
                throw DecodeError(offset: i, expected: "no \"{\" inside an unquoted element")
            case ASCII.quote:
                throw DecodeError(offset: i, expected: "no '\"' inside an unquoted element (quote all of it or none)")
            case ASCII.backslash:
                if out == nil {
                    out = scratchBuffer()
                    out!.initialize(from: base + start, count: count)
                }
                i += 1
                guard i < end else { throw DecodeError(offset: end, expected: "a character after \"\\\"") }
                out![count] = base[i]
                count += 1
                kept = count
            default:
                out?[count] = byte
                count += 1
                if !ArrayLiteral.isSpace(byte) { kept = count }
            }
            i += 1
        }
        position = i
        if let out { return UnsafeBufferPointer(start: out, count: kept) }
        let value = UnsafeBufferPointer(start: base + start, count: kept)
        return ArrayLiteral.isNullWord(value) ? nil : value
    }
}

// Entry points without pointers, for the layers above this one (docs/architecture.md, "Unsafe
// code"): the same code; the spans it hands to a callback are valid only during the call.
extension ArrayLiteral {
    /// Appends the array as JSON text (see the pointer variant); on error `out` is left as it was.
    package static func appendJSON(_ bytes: Span<UInt8>, delimiter: UInt8 = UInt8(ascii: ","), to out: inout [UInt8]) throws {
        try bytes.withUnsafeBufferPointer { try appendJSON($0, delimiter: delimiter, to: &out) }
    }

    /// Whether `bytes` is a plain one-dimensional ASCII literal (see the pointer variant).
    package static func isPlainASCII(_ bytes: Span<UInt8>, delimiter: UInt8 = UInt8(ascii: ",")) -> Bool {
        bytes.withUnsafeBufferPointer { isPlainASCII($0, delimiter: delimiter) }
    }

    /// Whether `bytes` is a plain one-dimensional literal of valid text (see the pointer variant).
    package static func isPlainText(_ bytes: Span<UInt8>, delimiter: UInt8 = UInt8(ascii: ",")) -> Bool {
        bytes.withUnsafeBufferPointer { isPlainText($0, delimiter: delimiter) }
    }

    /// Where the array literal of the raw COPY text field that starts at `start` of `line` (a line
    /// without its newline) ends, when the field is in the common form: no backslash (so the raw
    /// bytes are the value: neither escaped nor `\N`) and a plain literal of valid text as
    /// ``isPlainText(_:delimiter:)`` accepts (no control byte in its quoted elements). The caller
    /// checks that a TAB or the line's end follows, so that the literal is the whole field; nil
    /// when the field is not in that form, to be checked decoded.
    package static func plainRawFieldEnd(_ line: Span<UInt8>, from start: Int) -> Int? {
        precondition(start >= 0 && start <= line.count, "range out of bounds")
        return line.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            let field = UnsafeBufferPointer(start: base + start, count: buffer.count - start)
            return plainEnd(field, delimiter: ASCII.comma, quotedText: true, rawField: true).map { start + $0 }
        }
    }

    /// Calls `body` for every element, in order, flattening nested dimensions; nil is a NULL
    /// element (see the pointer variant). The spans are valid only during the call.
    package static func forEachElement(
        _ bytes: Span<UInt8>,
        delimiter: UInt8 = UInt8(ascii: ","),
        _ body: (Span<UInt8>?) throws -> Void
    ) throws {
        try bytes.withUnsafeBufferPointer { buffer in
            try forEachElement(buffer, delimiter: delimiter) { element in
                guard let element else { return try body(nil) }
                try body(element.span)
            }
        }
    }
}
