import XCTest
@testable import MediabaseBytes
@testable import MediabaseGenerate

/// ``JSONTape`` against the tree ``JSON/parse(_:)-(Span<UInt8>)`` builds: whatever the tape takes,
/// rebuilt as a tree from its nodes, is the tree's value, and serializes to the tree's text;
/// everything unusual is left to the tree.
final class JSONTapeTests: XCTestCase {
    /// The tree the tape's nodes describe, with strings and numbers taken from their bytes.
    private func rebuilt(_ tape: JSONTape, _ index: Int, _ bytes: [UInt8]) -> JSONValue {
        let node = tape.nodes[index]
        let text = String(decoding: bytes[node.range], as: UTF8.self)
        switch node.type {
        case .object:
            var members: [(key: String, value: JSONValue)] = []
            var child = tape.firstChild(index)
            while child < node.next {
                XCTAssertEqual(tape.nodes[child].type, .string)
                members.append((String(decoding: bytes[tape.nodes[child].range], as: UTF8.self), rebuilt(tape, child + 1, bytes)))
                child = tape.nodes[child + 1].next
            }
            return .object(members)
        case .array:
            var elements: [JSONValue] = []
            var child = tape.firstChild(index)
            while child < node.next {
                elements.append(rebuilt(tape, child, bytes))
                child = tape.nodes[child].next
            }
            return .array(elements)
        case .string:
            XCTAssertEqual(node.ascii, bytes[node.range].allSatisfy { $0 < 0x80 })
            return .string(text)
        case .number: return .number(text)
        case .bool: return .bool(text == "true")
        case .null: return .null
        }
    }

    /// The tape's tree and compact text, or nil when it leaves the document to the tree.
    private func tape(_ text: String) -> (value: JSONValue, serialized: String)? {
        var tape = JSONTape()
        let bytes = Array(text.utf8)
        guard tape.read(bytes.span) else { return nil }
        return (rebuilt(tape, 0, bytes), tape.serialized(0, in: bytes.span))
    }

    private func assertSameAsTree(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let read = tape(text) else { return XCTFail("left to the tree: \(text)", file: file, line: line) }
        guard let tree = try? JSON.parse(text) else { return XCTFail("the tree refuses \(text)", file: file, line: line) }
        XCTAssertEqual(read.value, tree, text, file: file, line: line)
        XCTAssertEqual(read.serialized, tree.serialized(), text, file: file, line: line)
    }

    func testReadsEveryShapeWithoutEscapes() {
        let documents = [
            #"{"pharmgkb_data": {"source": "PharmGKB", "vip_info": null, "pathway_data": {"PA1": {"reactions": [{"to": "a b", "drugs": ["x"], "pmids": []}], "pathway_name": "P, Q"}}}}"#,
            #"{"drugs": [], "uniprot": [], "publications": [{"pmid": "28608896", "year": 2008, "citation_count": 1}]}"#,
            "{}", "[]", " [ ] ", "\t{ }\r\n", "null", "true", "false", "0", "-1.5e+3", #""""#, #"" a ""#, #""é α-actinin 🙂""#,
            #"{"a": {"b": {"c": [[], [[]], {}]}}}"#, #"[1, "2", null, true, false, {"k": "v"}]"#,
            #"{"a": 1, "a": 2, "": "", " k ": " v "}"#, "{\"a\"\n:\n[ 1 ,2\t]}", #"{"K": "\#u{212A}"}"#, "{\"\u{212A}\": 1}",
            #"{"s": " : , { } [ ] "}"#, #"{"x": "\#u{7F}"}"#,
        ]
        for text in documents { assertSameAsTree(text) }
    }

    func testLeavesEverythingElseToTheTree() {
        let unusual = [
            // Escapes, including the NUL escape the normalizer rejects.
            #"{"a": "b\"c"}"#, #"{"a": "\u0041"}"#, #"{"a\n": "b"}"#, #"{"a": "\u0000"}"#, #"["x", "\\"]"#, #""\/""#,
            // Raw control characters, invalid UTF-8.
            "{\"a\": \"b\tc\"}", "{\"a\u{1}\": 1}",
            // Invalid JSON.
            "", "   ", "{", "{\"a\": 1", #"{"a": 1,}"#, #"{"a" 1}"#, #"{"a": 01}"#, #"{"a": 1.}"#, #"{"a": .5}"#, #"{"a": +1}"#,
            #"{"a": 1e}"#, #"{"a": -}"#, #"[1,]"#, #"[1 2]"#, #"{a: 1}"#, #"{"a": 'b'}"#, #"{"a": "b}"#, "tru", "nul", "[nulll]",
            #"{"a": 1} x"#, #"{"a": 1}}"#, #"{,}"#, #"{"a": NaN}"#, #"{"a":"b",}"#, "{\"a\": 1}\u{0}", "[] []", #"{1: 2}"#,
            // Deeper than the tape goes.
            String(repeating: "[", count: JSONTape.maxDepth + 1) + String(repeating: "]", count: JSONTape.maxDepth + 1),
        ]
        for text in unusual {
            XCTAssertNil(tape(text), text)
        }
        for bytes in [[0x22, 0xC3, 0x22], [0x22, 0xFF, 0x22], [0x5B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D]] as [[UInt8]] {
            var tape = JSONTape()
            XCTAssertFalse(tape.read(bytes.span), "\(bytes)")
        }
        let deepest = String(repeating: "[", count: JSONTape.maxDepth) + String(repeating: "]", count: JSONTape.maxDepth)
        assertSameAsTree(deepest)
    }

    func testMemberIsTheLastOfItsNameAsSwiftComparesKeys() {
        var tape = JSONTape()
        let bytes = Array("{\"a\": 1, \"b\": [2], \"a\": 3, \"\u{212A}\": 4, \"k\": 5}".utf8)
        XCTAssertTrue(tape.read(bytes.span))
        let tree = try! JSON.parse(bytes.span)
        for key: StaticString in ["a", "b", "K", "k", "c"] {
            let index = tape.member(0, key, in: bytes.span)
            XCTAssertEqual(index.map { rebuilt(tape, $0, bytes) }, tree["\(key)"], "\(key)")
        }
        // KELVIN SIGN is canonically equivalent to K.
        XCTAssertEqual(tape.member(0, "K", in: bytes.span).map { rebuilt(tape, $0, bytes) }, .number("4"))
        XCTAssertNil(tape.member(2, "a", in: bytes.span), "not an object")
    }

    /// Documents put together from pieces, valid and not: whenever the tape takes one, the tree
    /// parses it to the same value and text; whenever the tree takes one without escapes, so
    /// does the tape.
    func testAgreesWithTheTreeOnGeneratedDocuments() {
        let pieces = ["{", "}", "[", "]", ",", ":", " ", "\"a\"", "\"b c\"", "\" \"", "\"\"", "1", "-2.5e3", "0", "01", "\"é\"",
                      "\"\\n\"", "null", "true", "false", "\"pmid\"", "\"NM_1.2\"", "\n", "{}", "[]", "\"\u{212A}\""]
        var generator = SplitMix64(seed: 17)
        var accepted = 0
        for _ in 0..<80_000 {
            var text = Bool.random(using: &generator) ? "{" : "["
            for _ in 0..<Int.random(in: 0...10, using: &generator) { text += pieces.randomElement(using: &generator)! }
            if Bool.random(using: &generator) { text += text.first == "{" ? "}" : "]" }
            let tree = try? JSON.parse(text)
            guard let read = tape(text) else {
                XCTAssert(tree == nil || text.contains("\\"), text)
                continue
            }
            accepted += 1
            XCTAssertEqual(read.value, tree, text)
            XCTAssertEqual(read.serialized, tree?.serialized(), text)
        }
        XCTAssertGreaterThan(accepted, 1000, "too few generated documents were valid to compare")
    }
}
