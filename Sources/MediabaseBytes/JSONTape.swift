/// One value of a document read by ``JSONTape``.
package struct JSONTapeNode: Equatable, Sendable {
    package var type: JSONValueType
    /// A string's bytes without the quotes, a number's text as written, a literal's word, a
    /// container's bytes from its opening to its closing bracket or brace.
    package var range: Range<Int>
    /// The index of the node after this value and everything inside it.
    package var next: Int
    /// For a string: whether every byte is ASCII.
    package var ascii: Bool
}

/// A fast reader for `jsonb` values of any shape whose strings hold no escapes, such as the
/// `drugs`, `pharmgkb_pathways` and `source_references` columns: the document as a flat list of
/// nodes in input order (an object's members as key node then value), pointing into the bytes.
///
/// It builds no ``JSONValue`` and allocates nothing beyond its reusable node list. It accepts a
/// subset of what ``JSON/parse(_:)-(Span<UInt8>)`` accepts, with the same meaning: every string's
/// decoded text is exactly its bytes (valid UTF-8, no escapes, no control characters), numbers
/// are checked by the same grammar and duplicate keys are kept. Anything else (escapes, nesting
/// deeper than ``maxDepth``, invalid JSON) gives false, and the caller takes the tree, which
/// also words the errors.
///
/// ```swift
/// var tape = JSONTape()
/// let bytes = Array(#"{"a": [1, "b"]}"#.utf8)
/// tape.read(bytes.span)  // true; nodes: object, "a", array, 1, "b"
/// tape.member(0, "a", in: bytes.span)  // 2
/// ```
package struct JSONTape {
    /// How deeply arrays and objects may nest here; deeper documents are left to the tree.
    package static let maxDepth = 64

    /// The nodes of the last document read; the root is node 0.
    package private(set) var nodes: [JSONTapeNode] = []

    package init() {}

    /// Reads a whole document (surrounding whitespace allowed). Returns false, ``nodes`` then
    /// meaningless, for a document outside the subset described on the type.
    package mutating func read(_ bytes: Span<UInt8>) -> Bool {
        nodes.removeAll(keepingCapacity: true)
        return bytes.withUnsafeBufferPointer { buffer in
            guard var scanner = JSONScanner(buffer) else { return false }
            scanner.skipWhitespace()
            do {
                try value(&scanner, depth: 0)
                try scanner.expectEnd()
                return true
            } catch {
                return false
            }
        }
    }

    /// The index of the first node inside the container `index` (equal to its ``JSONTapeNode/next``
    /// when it is empty); then each node's `next` is the one after it.
    @inline(__always) package func firstChild(_ index: Int) -> Int { index + 1 }

    /// The value of the last member named `key` of the object `index` (as the tree's subscript
    /// and jsonb take it), or nil when there is none or `index` is not an object.
    package func member(_ index: Int, _ key: StaticString, in bytes: Span<UInt8>) -> Int? {
        guard nodes[index].type == .object else { return nil }
        var found: Int?
        var child = index + 1
        while child < nodes[index].next {
            let value = child + 1
            if keyEquals(child, key, in: bytes) { found = value }
            child = nodes[value].next
        }
        return found
    }

    /// Whether the string node `index` is `key` as Swift compares strings (canonical
    /// equivalence): bytewise for ASCII text, as a `String` otherwise.
    package func keyEquals(_ index: Int, _ key: StaticString, in bytes: Span<UInt8>) -> Bool {
        let text = bytes.extracting(nodes[index].range)
        if nodes[index].ascii { return text.equals(key) }
        return String(utf8: text) == key.description
    }

    /// The decoded text of the string node `index` (for any other node, its bytes).
    package func string(_ index: Int, in bytes: Span<UInt8>) -> String {
        String(utf8: bytes.extracting(nodes[index].range))
    }

    /// Appends the compact text of the value `index` as ``JSONValue/serialized()`` writes the
    /// tree: the bytes without the whitespace between tokens (strings hold no escapes, so a quote
    /// always opens or closes one).
    package func appendSerialized(_ index: Int, in bytes: Span<UInt8>, to out: inout [UInt8]) {
        let node = nodes[index]
        if node.type == .string {
            out.append(ASCII.quote)
            out.append(bytes.extracting(node.range))
            out.append(ASCII.quote)
            return
        }
        bytes.withUnsafeBufferPointer { buffer in
            var inString = false
            var runStart = node.range.lowerBound
            for i in node.range {
                let byte = buffer[i]
                if byte == ASCII.quote {
                    inString.toggle()
                } else if !inString, byte == ASCII.space || byte == ASCII.newline || byte == ASCII.tab || byte == ASCII.carriageReturn {
                    if i > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<i])) }
                    runStart = i + 1
                }
            }
            if runStart < node.range.upperBound {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[runStart..<node.range.upperBound]))
            }
        }
    }

    /// ``appendSerialized(_:in:to:)`` as text.
    package func serialized(_ index: Int, in bytes: Span<UInt8>) -> String {
        var out: [UInt8] = []
        appendSerialized(index, in: bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Outside the subset: the caller takes the tree.
    private struct Unusual: Error {}

    /// The value at the cursor and everything inside it, moved past.
    private mutating func value(_ scanner: inout JSONScanner, depth: Int) throws {
        let index = nodes.count
        let start = scanner.position
        switch scanner.current {
        case ASCII.quote:
            try readString(&scanner)
        case ASCII.openBrace, ASCII.openBracket:
            let isObject = scanner.current == ASCII.openBrace
            let close = isObject ? ASCII.closeBrace : ASCII.closeBracket
            guard depth < Self.maxDepth else { throw Unusual() }
            nodes.append(JSONTapeNode(type: isObject ? .object : .array, range: start..<start, next: 0, ascii: true))
            if try scanner.enterContainer(closedBy: close, depth: depth) {
                repeat {
                    scanner.skipWhitespace()
                    if isObject {
                        guard scanner.current == ASCII.quote else { throw Unusual() }
                        try readString(&scanner)
                        scanner.skipWhitespace()
                        guard scanner.current == ASCII.colon else { throw Unusual() }
                        scanner.position += 1
                        scanner.skipWhitespace()
                    }
                    try value(&scanner, depth: depth + 1)
                } while try scanner.nextItem(closedBy: close)
            }
            nodes[index].range = start..<scanner.position
            nodes[index].next = nodes.count
        case ASCII.minus, ASCII.zero...ASCII.nine:
            try scanner.scanNumber()
            nodes.append(JSONTapeNode(type: .number, range: start..<scanner.position, next: index + 1, ascii: true))
        case ASCII.t:
            try scanner.scanLiteral("true")
            nodes.append(JSONTapeNode(type: .bool, range: start..<scanner.position, next: index + 1, ascii: true))
        case ASCII.f:
            try scanner.scanLiteral("false")
            nodes.append(JSONTapeNode(type: .bool, range: start..<scanner.position, next: index + 1, ascii: true))
        case ASCII.n:
            try scanner.scanLiteral("null")
            nodes.append(JSONTapeNode(type: .null, range: start..<scanner.position, next: index + 1, ascii: true))
        default:
            throw Unusual()
        }
    }

    /// The string at the cursor as a node, moved past; it must hold no escape or control byte.
    private mutating func readString(_ scanner: inout JSONScanner) throws {
        let start = scanner.position + 1
        var i = start
        var ascii = true
        while true {
            // ``JSONScanner/attentionBits(_:)`` flags quotes, backslashes, control and non-ASCII
            // bytes: eight at a time up to the first such byte.
            i = JSONScanner.skipPlainWords(scanner.base, from: i, end: scanner.end)
            guard i < scanner.end else { throw Unusual() }
            let byte = scanner.base[i]
            if byte == ASCII.quote { break }
            if byte >= 0x80 {
                let length = UTF8Validation.sequenceLength(scanner.base, i, scanner.end)
                guard length > 0 else { throw Unusual() }
                ascii = false
                i += length
            } else if byte < 0x20 || byte == ASCII.backslash {
                throw Unusual()
            } else {
                i += 1
            }
        }
        nodes.append(JSONTapeNode(type: .string, range: start..<i, next: nodes.count + 1, ascii: ascii))
        scanner.position = i + 1
    }
}
