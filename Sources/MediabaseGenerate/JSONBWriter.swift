import MediabaseBytes

/// Writes JSON text exactly as PostgreSQL's `jsonb_out` prints it, so that a generated dump
/// survives a load into PostgreSQL and a new dump byte for byte.
///
/// The form (PostgreSQL `src/backend/utils/adt/jsonb.c`, `JsonbToCStringWorker`, and
/// `escape_json` in `json.c`):
/// * `": "` between a key and its value, `", "` between members and elements;
/// * object keys unique and ordered as jsonb stores them: shorter keys first, equal lengths
///   by bytes (`lengthCompareJsonbString`);
/// * strings escape `"`, `\`, `\b \f \n \r \t`, other control characters as `\u00xx`, and
///   nothing else (non-ASCII stays raw UTF-8, `/` is not escaped);
/// * numbers as `numeric` prints them: plain decimals, never an exponent.
///
/// Keys must be written in jsonb order; debug builds check it. Objects whose keys are data
/// (GO ids, drug ids) sort them first with ``JSONBWriter/keyPrecedes(_:_:)``.
struct JSONBWriter {
    /// The JSON text written so far.
    var bytes: [UInt8] = []
    private var needsSeparator = false
    #if DEBUG
    private var lastKeys: [[UInt8]?] = []
    #endif

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Whether key `a` sorts before key `b` in a jsonb object.
    static func keyPrecedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        if a.count != b.count { return a.count < b.count }
        return a.lexicographicallyPrecedes(b)
    }

    @inline(__always) private mutating func separate() {
        if needsSeparator {
            bytes.append(0x2C)
            bytes.append(0x20)
        }
        needsSeparator = true
    }

    mutating func beginObject() {
        separate()
        bytes.append(0x7B)
        needsSeparator = false
        #if DEBUG
        lastKeys.append(nil)
        #endif
    }

    mutating func endObject() {
        bytes.append(0x7D)
        needsSeparator = true
        #if DEBUG
        lastKeys.removeLast()
        #endif
    }

    mutating func beginArray() {
        separate()
        bytes.append(0x5B)
        needsSeparator = false
    }

    mutating func endArray() {
        bytes.append(0x5D)
        needsSeparator = true
    }

    /// Writes an object key and the `": "` after it; the next write is its value.
    mutating func key(_ name: StaticString) {
        name.withBytes { key(bytes: $0) }
    }

    /// Writes an object key given as bytes.
    mutating func key(_ name: [UInt8]) {
        key(bytes: name.span)
    }

    /// Writes an object key given as a string.
    mutating func key(_ name: String) {
        key(bytes: name.utf8.span)
    }

    private mutating func key(bytes name: Span<UInt8>) {
        #if DEBUG
        let current = [UInt8](name)
        if let previous = lastKeys[lastKeys.count - 1] {
            assert(Self.keyPrecedes(previous, current),
                   "jsonb key order: \(String(decoding: previous, as: UTF8.self)) before \(String(decoding: current, as: UTF8.self))")
        }
        lastKeys[lastKeys.count - 1] = current
        #endif
        separate()
        appendEscaped(name)
        bytes.append(0x3A)
        bytes.append(0x20)
        needsSeparator = false
    }

    mutating func string(_ value: StaticString) {
        separate()
        value.withBytes { appendEscaped($0) }
    }

    mutating func string(_ value: [UInt8]) {
        separate()
        appendEscaped(value.span)
    }

    mutating func string(_ value: String) {
        separate()
        appendEscaped(value.utf8.span)
    }

    mutating func int(_ value: Int) {
        separate()
        bytes.append(decimal: value)
    }

    /// Writes `mantissa / 10^scale` (see `append(fixed:scale:)`).
    mutating func decimal(_ mantissa: Int, scale: Int) {
        separate()
        bytes.append(fixed: mantissa, scale: scale)
    }

    mutating func bool(_ value: Bool) {
        separate()
        if value { bytes.append(literal: "true") } else { bytes.append(literal: "false") }
    }

    mutating func null() {
        separate()
        bytes.append(literal: "null")
    }

    /// Writes already-formed JSON text (a nested value built by another writer) as one value.
    mutating func raw(_ json: [UInt8]) {
        separate()
        bytes.append(contentsOf: json)
    }

    /// Appends `text` as a quoted JSON string with jsonb's escapes.
    private mutating func appendEscaped(_ text: Span<UInt8>) {
        bytes.append(0x22)
        var runStart = 0
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte >= 0x20, byte != 0x22, byte != 0x5C {
                index += 1
                continue
            }
            if index > runStart { bytes.append(text.extracting(runStart..<index)) }
            bytes.append(0x5C)
            switch byte {
            case 0x22: bytes.append(0x22)
            case 0x5C: bytes.append(0x5C)
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            default:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            }
            index += 1
            runStart = index
        }
        if index > runStart { bytes.append(text.extracting(runStart..<index)) }
        bytes.append(0x22)
    }
}
