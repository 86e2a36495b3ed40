/// One value of a flat JSON object as ``FlatJSON/scanObject(_:arrays:into:)`` reports it: where
/// its key and its value are in the document.
package struct FlatJSONMember: Equatable, Sendable {
    package enum Kind: Equatable, Sendable { case string, number }

    /// The key's bytes, without the quotes.
    package var key: Range<Int>
    /// A string's bytes without the quotes, or a number's text as written.
    package var value: Range<Int>
    package var kind: Kind

    package init(key: Range<Int>, value: Range<Int>, kind: Kind) {
        self.key = key
        self.value = value
        self.kind = kind
    }
}

/// One member of an object of flat objects (``FlatJSON/scanObjectOfObjects(_:into:groups:)``):
/// its key and which of the members read are its object's.
package struct FlatJSONGroup: Equatable, Sendable {
    /// The key's bytes, without the quotes.
    package var key: Range<Int>
    /// Indexes into the members list.
    package var members: Range<Int>

    package init(key: Range<Int>, members: Range<Int>) {
        self.key = key
        self.members = members
    }
}

/// A fast reader for the common shape of small `jsonb` values such as `alt_transcript_ids` or
/// `coordinates`: an object whose members are strings, numbers or (when asked for) arrays of
/// those, every string printable ASCII without escapes.
///
/// It builds no ``JSONValue`` and allocates nothing beyond the caller's reusable list. It accepts
/// a subset of what ``JSON/parse(_:)-(Span<UInt8>)`` accepts, with the same meaning: a string's
/// decoded text is then exactly its bytes, and numbers are checked by the same grammar. Anything
/// else (escapes, non-ASCII or control bytes in strings, `true`/`false`/`null`, nesting, invalid
/// JSON) gives false, and the caller takes the general path, which also words the errors.
///
/// ```swift
/// var members: [FlatJSONMember] = []
/// let bytes = Array(#"{"UCSC": "uc1.1", "RefSeq": ["NM_1", 2]}"#.utf8)
/// FlatJSON.scanObject(bytes.span, arrays: true, into: &members)
/// // true; members: UCSC "uc1.1", RefSeq "NM_1", RefSeq 2 (a number), as byte ranges
/// ```
package enum FlatJSON {
    /// Reads a whole document (surrounding whitespace allowed) that is such an object: fills
    /// `members` (emptied first) in input order, duplicate keys included, one entry per element
    /// of an array value (an empty array gives none). Returns false, `members` then meaningless,
    /// for any other document; arrays make it false unless `arrays` is true.
    package static func scanObject(_ bytes: Span<UInt8>, arrays: Bool, into members: inout [FlatJSONMember]) -> Bool {
        members.removeAll(keepingCapacity: true)
        return bytes.withUnsafeBufferPointer { buffer in
            guard var scanner = JSONScanner(buffer) else { return false }
            return scanObject(&scanner, arrays: arrays, into: &members)
        }
    }

    /// Reads a whole document (surrounding whitespace allowed) that is an object whose member
    /// values are all such objects without arrays, as `go_terms` is: `groups` (emptied first) gets
    /// each outer member's key and where its members are in `members`, in input order.
    package static func scanObjectOfObjects(_ bytes: Span<UInt8>, into members: inout [FlatJSONMember],
                                            groups: inout [FlatJSONGroup]) -> Bool {
        members.removeAll(keepingCapacity: true)
        groups.removeAll(keepingCapacity: true)
        return bytes.withUnsafeBufferPointer { buffer in
            guard var scanner = JSONScanner(buffer) else { return false }
            scanner.skipWhitespace()
            let object = forEachMember(&scanner) { scanner, key in
                let first = members.count
                guard scanMembers(&scanner, arrays: false, into: &members) else { return false }
                groups.append(FlatJSONGroup(key: key, members: first..<members.count))
                return true
            }
            guard object else { return false }
            scanner.skipWhitespace()
            return scanner.position == scanner.end
        }
    }

    private static func scanObject(_ scanner: inout JSONScanner, arrays: Bool, into members: inout [FlatJSONMember]) -> Bool {
        scanner.skipWhitespace()
        guard scanMembers(&scanner, arrays: arrays, into: &members) else { return false }
        scanner.skipWhitespace()
        return scanner.position == scanner.end
    }

    /// A flat object at the cursor, moved past its closing brace, its members appended.
    private static func scanMembers(_ scanner: inout JSONScanner, arrays: Bool, into members: inout [FlatJSONMember]) -> Bool {
        forEachMember(&scanner) { scanner, key in
            if scanner.current == ASCII.openBracket { return arrays && scanArray(&scanner, key: key, into: &members) }
            guard let value = scalar(&scanner) else { return false }
            members.append(FlatJSONMember(key: key, value: value.range, kind: value.kind))
            return true
        }
    }

    /// An object at the cursor with plain keys, moved past its closing brace: `value` reads each
    /// member's value, the cursor at its first byte; false when it or the object is not as expected.
    @inline(__always)
    private static func forEachMember(_ scanner: inout JSONScanner, _ value: (inout JSONScanner, Range<Int>) -> Bool) -> Bool {
        guard scanner.current == ASCII.openBrace else { return false }
        scanner.position += 1
        scanner.skipWhitespace()
        if scanner.current == ASCII.closeBrace {
            scanner.position += 1
            return true
        }
        while true {
            guard let key = plainString(&scanner) else { return false }
            scanner.skipWhitespace()
            guard scanner.current == ASCII.colon else { return false }
            scanner.position += 1
            scanner.skipWhitespace()
            guard value(&scanner, key) else { return false }
            guard let more = next(&scanner, closedBy: ASCII.closeBrace) else { return false }
            if !more { return true }
            scanner.skipWhitespace()
        }
    }

    /// An array of strings and numbers at the cursor, each element a member under `key`.
    private static func scanArray(_ scanner: inout JSONScanner, key: Range<Int>, into members: inout [FlatJSONMember]) -> Bool {
        scanner.position += 1
        scanner.skipWhitespace()
        if scanner.current == ASCII.closeBracket {
            scanner.position += 1
            return true
        }
        while true {
            guard let value = scalar(&scanner) else { return false }
            members.append(FlatJSONMember(key: key, value: value.range, kind: value.kind))
            guard let more = next(&scanner, closedBy: ASCII.closeBracket) else { return false }
            if !more { return true }
            scanner.skipWhitespace()
        }
    }

    /// After an item: true past a `,`, false past `close`, nil for anything else.
    private static func next(_ scanner: inout JSONScanner, closedBy close: UInt8) -> Bool? {
        scanner.skipWhitespace()
        switch scanner.current {
        case ASCII.comma:
            scanner.position += 1
            return true
        case close:
            scanner.position += 1
            return false
        default:
            return nil
        }
    }

    /// A plain string or a number at the cursor, moved past.
    private static func scalar(_ scanner: inout JSONScanner) -> (range: Range<Int>, kind: FlatJSONMember.Kind)? {
        switch scanner.current {
        case ASCII.quote:
            return plainString(&scanner).map { ($0, .string) }
        case ASCII.minus, ASCII.zero...ASCII.nine:
            let start = scanner.position
            guard (try? scanner.scanNumber()) != nil else { return nil }
            return (start..<scanner.position, .number)
        default:
            return nil
        }
    }

    /// The bytes between the quotes of the string at the cursor, moved past, when every one of
    /// them is printable ASCII other than `"` and `\`; nil otherwise.
    private static func plainString(_ scanner: inout JSONScanner) -> Range<Int>? {
        guard scanner.current == ASCII.quote else { return nil }
        let start = scanner.position + 1
        var i = start
        // ``JSONScanner/attentionBits(_:)`` flags quotes, backslashes, control and non-ASCII
        // bytes; the first flagged byte must be the closing quote.
        i = JSONScanner.skipPlainWords(scanner.base, from: i, end: scanner.end)
        while i < scanner.end {
            let byte = scanner.base[i]
            if byte == ASCII.quote {
                scanner.position = i + 1
                return start..<i
            }
            guard byte >= 0x20, byte < 0x80, byte != ASCII.backslash else { return nil }
            i += 1
        }
        return nil
    }
}
