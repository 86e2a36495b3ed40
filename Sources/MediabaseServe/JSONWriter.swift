/// Writes JSON into bytes by hand, keys in the order the caller writes them.
///
/// The API's answers are assembled field by field from prepared statements; writing them here
/// rather than through `JSONEncoder` keeps the key order the one docs/spec.md §10 lists (the same bytes
/// for the same data) and avoids an intermediate `Codable` model per row.
///
///     var json = JSONWriter()
///     json.object { json.key("status"); json.string("healthy") }
///     json.bytes    // {"status":"healthy"}
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Per open container: whether a value was written in it (a comma goes before the next).
    private var hasValue: [Bool] = []
    /// A key was just written: the next value follows its colon, without a comma.
    private var afterKey = false

    init() { bytes.reserveCapacity(4096) }

    /// A writer that has opened an object: what it writes starts with `{` and is not closed, the
    /// head of a ``renderedObject(_:number:_:)``.
    static func openObject() -> JSONWriter {
        var json = JSONWriter()
        json.bytes.append(UInt8(ascii: "{"))
        json.hasValue = [false]
        return json
    }

    /// A writer that continues an object which already holds a field: what it writes starts
    /// with a comma and is not closed, a fragment for ``fragment(_:)``.
    static func continuingObject() -> JSONWriter {
        var json = JSONWriter()
        json.hasValue = [true]
        return json
    }

    private mutating func beginValue() {
        if afterKey {
            afterKey = false
            return
        }
        if let last = hasValue.last {
            if last { bytes.append(UInt8(ascii: ",")) }
            hasValue[hasValue.count - 1] = true
        }
    }

    mutating func object(_ body: (inout JSONWriter) throws -> Void) rethrows {
        beginValue()
        bytes.append(UInt8(ascii: "{"))
        hasValue.append(false)
        try body(&self)
        hasValue.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func array(_ body: (inout JSONWriter) throws -> Void) rethrows {
        beginValue()
        bytes.append(UInt8(ascii: "["))
        hasValue.append(false)
        try body(&self)
        hasValue.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func key(_ name: String) {
        beginValue()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    mutating func string(_ value: String?) {
        beginValue()
        if let value { appendQuoted(value) } else { appendLiteral("null") }
    }

    /// Text straight from a SQLite column: plain ASCII without escapes is copied as it is;
    /// anything else goes through ``string(_:)``, so the bytes are the same as for a `String`
    /// decoded from the column (invalid UTF-8 repaired).
    mutating func string(bytes value: Span<UInt8>?) {
        guard let value else { return string(nil) }
        guard Self.isPlain(value, asciiOnly: true) else { return string(String(utf8: value)) }
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether no byte of `text` needs an escape (quote, backslash, control characters, 0x7F),
    /// and with `asciiOnly` none is beyond ASCII either.
    private static func isPlain(_ text: Span<UInt8>, asciiOnly: Bool) -> Bool {
        for index in text.indices {
            let byte = text[index]
            if byte < 0x20 || byte == 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || asciiOnly && byte >= 0x80 {
                return false
            }
        }
        return true
    }

    /// A value rendered before (``openObject()`` fields up to a key, then continuing fields):
    /// `head`, `number` as ``number(_:)`` writes it, each of `tails`, and the closing brace.
    mutating func renderedObject(_ head: [UInt8], number value: Double, _ tails: [UInt8]...) {
        beginValue()
        bytes.append(contentsOf: head)
        if value.isFinite { appendLiteral(String(value)) } else { appendLiteral("null") }
        for tail in tails { bytes.append(contentsOf: tail) }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Fields written by a ``continuingObject()`` writer, appended inside the object open here
    /// (which holds a field already).
    mutating func fragment(_ fields: [UInt8]) { bytes.append(contentsOf: fields) }

    mutating func integer(_ value: Int64?) {
        beginValue()
        if let value { appendLiteral(String(value)) } else { appendLiteral("null") }
    }

    /// A number in Swift's shortest round-trip form (`8.0`, `2.8284271247461903`, as Python's
    /// `repr`); JSON has no infinity or NaN, so those are null.
    mutating func number(_ value: Double?) {
        beginValue()
        if let value, value.isFinite { appendLiteral(String(value)) } else { appendLiteral("null") }
    }

    mutating func bool(_ value: Bool) {
        beginValue()
        appendLiteral(value ? "true" : "false")
    }

    /// Bytes already in JSON form (a stored JSON document), written as they are.
    mutating func raw(_ json: String) {
        beginValue()
        appendLiteral(json)
    }

    mutating func field(_ name: String, _ value: String?) { key(name); string(value) }
    mutating func field(_ name: String, _ value: Int64?) { key(name); integer(value) }
    mutating func field(_ name: String, _ value: Double?) { key(name); number(value) }
    mutating func field(_ name: String, _ value: Bool) { key(name); bool(value) }
    mutating func field(_ name: String, bytes value: Span<UInt8>?) { key(name); string(bytes: value) }

    private mutating func appendLiteral(_ text: String) { bytes.append(contentsOf: text.utf8) }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// RFC 8259 escaping: quote, backslash and control characters; everything else as UTF-8.
    private mutating func appendQuoted(_ text: String) {
        let text = text.utf8.span
        bytes.append(UInt8(ascii: "\""))
        // Most text needs no escape: copied whole.
        if Self.isPlain(text, asciiOnly: false) {
            bytes.append(text)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for index in text.indices {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
