/// The type of a JSON value, as ``JSON/validate(_:)`` reports it.
package enum JSONValueType: String, Sendable {
    case object, array, string, number, bool, null
}

/// A parsed JSON document, for cold paths and tests; hot paths use ``JSON/forEachMember(_:_:)``.
///
/// Objects keep their members in input order, duplicate keys included (the consumer decides;
/// jsonb keeps the last one, as the ``subscript(_:)`` does). Numbers keep the text they were
/// written with, so `1.0` and `1` are different values and nothing is lost to `Double`
/// rounding; a `.number` built by hand must hold RFC 8259 number text.
package enum JSONValue: Sendable {
    /// Members in input order, duplicate keys kept.
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    /// The decoded text.
    case string(String)
    /// The number exactly as written, e.g. `-1.50e3`.
    case number(String)
    case bool(Bool)
    case null
}

extension JSONValue: Equatable {
    /// Structural equality: members compared in order, numbers compared by their text.
    package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case let (.object(left), .object(right)):
            return left.count == right.count
                && zip(left, right).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(left), .array(right)): return left == right
        case let (.string(left), .string(right)): return left == right
        case let (.number(left), .number(right)): return left == right
        case let (.bool(left), .bool(right)): return left == right
        case (.null, .null): return true
        default: return false
        }
    }
}

extension JSONValue {
    /// Compact JSON text, e.g. `{"a":1,"b":[true,null]}`: no whitespace, members in order, strings
    /// escaped minimally (see ``appendSerialized(to:)``), numbers written as their text.
    /// Deterministic: equal values give equal text.
    package func serialized() -> String {
        var out: [UInt8] = []
        appendSerialized(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the compact JSON text of ``serialized()`` to `out`. In strings only `"`, `\` and the
    /// control characters are escaped (`\b \f \n \r \t`, others as `\u00xx`).
    package func appendSerialized(to out: inout [UInt8]) {
        switch self {
        case let .object(members):
            out.append(ASCII.openBrace)
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(ASCII.comma) }
                JSONValue.appendString(member.key, to: &out)
                out.append(ASCII.colon)
                member.value.appendSerialized(to: &out)
            }
            out.append(ASCII.closeBrace)
        case let .array(elements):
            out.append(ASCII.openBracket)
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(ASCII.comma) }
                element.appendSerialized(to: &out)
            }
            out.append(ASCII.closeBracket)
        case let .string(text):
            JSONValue.appendString(text, to: &out)
        case let .number(text):
            out.append(contentsOf: text.utf8)
        case let .bool(value):
            out.append(contentsOf: (value ? "true" : "false").utf8)
        case .null:
            out.append(contentsOf: "null".utf8)
        }
    }

    private static func appendString(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { JSON.appendString($0, to: &out) }
    }

    /// The type of the value.
    package var type: JSONValueType {
        switch self {
        case .object: return .object
        case .array: return .array
        case .string: return .string
        case .number: return .number
        case .bool: return .bool
        case .null: return .null
        }
    }

    /// The value of the member named `key` of an object (the last one when the key is duplicated,
    /// as jsonb keeps it), or nil when there is none or this is not an object.
    package subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// The text of a string value.
    package var stringValue: String? {
        guard case let .string(text) = self else { return nil }
        return text
    }

    /// The elements of an array value.
    package var arrayValue: [JSONValue]? {
        guard case let .array(elements) = self else { return nil }
        return elements
    }

    /// The members of an object value, in input order.
    package var objectMembers: [(key: String, value: JSONValue)]? {
        guard case let .object(members) = self else { return nil }
        return members
    }

    /// A number value, or a string holding a decimal number (`"0.85"`, `" -1e3 "`: optional sign,
    /// digits with an optional fraction, optional exponent, surrounding whitespace ignored).
    /// Hexadecimal, `inf` and `nan` strings are not numbers here although `Double(_:)` takes them.
    /// Out-of-range magnitudes give ±infinity or 0, as `strtod` does.
    package var doubleValue: Double? {
        switch self {
        case let .number(text): return Double(text)
        case let .string(text): return JSONValue.decimalValue(text)
        default: return nil
        }
    }

    private static func decimalValue(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        func isSpace(_ byte: UInt8) -> Bool {
            byte == ASCII.space || byte == ASCII.tab || byte == ASCII.newline || byte == ASCII.carriageReturn
        }
        func isDigit(_ byte: UInt8) -> Bool { byte &- ASCII.zero < 10 }
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        var i = start
        if i < end, bytes[i] == ASCII.plus || bytes[i] == ASCII.minus { i += 1 }
        var mantissaDigits = 0
        while i < end, isDigit(bytes[i]) { i += 1; mantissaDigits += 1 }
        if i < end, bytes[i] == ASCII.dot {
            i += 1
            while i < end, isDigit(bytes[i]) { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return nil }
        if i < end, bytes[i] | 0x20 == ASCII.e {
            i += 1
            if i < end, bytes[i] == ASCII.plus || bytes[i] == ASCII.minus { i += 1 }
            let exponentStart = i
            while i < end, isDigit(bytes[i]) { i += 1 }
            guard i > exponentStart else { return nil }
        }
        guard i == end else { return nil }
        return Double(String(decoding: bytes[start..<end], as: UTF8.self))
    }
}
