import XCTest
@testable import MediabaseBytes
@testable import MediabaseGenerate

/// ``FlatJSON`` against the tree ``JSON/parse(_:)-(Span<UInt8>)`` builds: whatever the flat reader
/// takes, the tree must hold the same members with the same text, and everything unusual must be
/// left to the tree.
final class FlatJSONTests: XCTestCase {
    private struct Member: Equatable, CustomStringConvertible {
        let key: String
        let value: String
        let isNumber: Bool
        var description: String { "\(key)=\(isNumber ? value : "\"\(value)\"")" }
    }

    private func flat(_ text: String, arrays: Bool = true) -> [Member]? {
        var members: [FlatJSONMember] = [FlatJSONMember(key: 0..<0, value: 0..<0, kind: .string)]
        let bytes = Array(text.utf8)
        guard FlatJSON.scanObject(bytes.span, arrays: arrays, into: &members) else { return nil }
        return members.map {
            Member(key: String(decoding: bytes[$0.key], as: UTF8.self), value: String(decoding: bytes[$0.value], as: UTF8.self),
                   isNumber: $0.kind == .number)
        }
    }

    /// The same members read from the tree, or nil when the tree is not a flat object.
    private func tree(_ text: String) -> [Member]? {
        guard case let .object(members)? = try? JSON.parse(text) else { return nil }
        var result: [Member] = []
        func scalar(_ key: String, _ value: JSONValue) -> Bool {
            switch value {
            case let .string(text): result.append(Member(key: key, value: text, isNumber: false))
            case let .number(text): result.append(Member(key: key, value: text, isNumber: true))
            default: return false
            }
            return true
        }
        for (key, value) in members {
            if case let .array(elements) = value {
                for element in elements where !scalar(key, element) { return nil }
            } else if !scalar(key, value) {
                return nil
            }
        }
        return result
    }

    func testReadsTheUsualShapes() {
        XCTAssertEqual(flat(#"{"end": 218400805, "start": 218367544, "strand": -1}"#, arrays: false), [
            Member(key: "end", value: "218400805", isNumber: true), Member(key: "start", value: "218367544", isNumber: true),
            Member(key: "strand", value: "-1", isNumber: true),
        ])
        XCTAssertEqual(flat(#"{"CCDS": "CCDS39461.2", "HAVANA": "OTTHUMT00001590333", "RefSeq": ["NM_106184.1", "NM_106191.3"]}"#), [
            Member(key: "CCDS", value: "CCDS39461.2", isNumber: false), Member(key: "HAVANA", value: "OTTHUMT00001590333", isNumber: false),
            Member(key: "RefSeq", value: "NM_106184.1", isNumber: false), Member(key: "RefSeq", value: "NM_106191.3", isNumber: false),
        ])
        XCTAssertEqual(flat("{}"), [])
        XCTAssertEqual(flat(" \t\r\n{ }\n"), [])
        XCTAssertEqual(flat(#"{"OMIM": [], "x": [ ]}"#), [])
        XCTAssertEqual(flat(#"{"a":"","":"b","a":" c ","n":[0,-0.5e+3,"d"]}"#), [
            Member(key: "a", value: "", isNumber: false), Member(key: "", value: "b", isNumber: false),
            Member(key: "a", value: " c ", isNumber: false), Member(key: "n", value: "0", isNumber: true),
            Member(key: "n", value: "-0.5e+3", isNumber: true), Member(key: "n", value: "d", isNumber: false),
        ])
        // Strings of every length around the eight bytes read at a time, DEL included.
        for length in 0...20 {
            let text = String(repeating: "x", count: length) + (length > 0 ? "\u{7F}" : "")
            XCTAssertEqual(flat(#"{"k": ""# + text + #""}"#), [Member(key: "k", value: text, isNumber: false)], "\(length)")
        }
    }

    func testLeavesEverythingElseToTheTree() {
        let unusual = [
            // Escapes, including the NUL escape the normalizer rejects.
            #"{"a": "b\"c"}"#, #"{"a": "\u0041"}"#, #"{"a\n": "b"}"#, #"{"a": "\u0000"}"#, #"{"a": ["x", "\\"]}"#,
            // Non-ASCII text (its whitespace trims differently) and raw control characters.
            "{\"a\": \"é\"}", "{\"\u{3000}a\": \"b\"}", "{\"a\": \"\u{A0}b\"}", "{\"a\": \"b\tc\"}", "{\"a\u{1}\": 1}",
            // Values other than strings and numbers, nesting.
            #"{"a": null}"#, #"{"a": true}"#, #"{"a": false}"#, #"{"a": {}}"#, #"{"a": [[]]}"#, #"{"a": [null]}"#, #"{"a": [{"b": 1}]}"#,
            // Not an object.
            "null", "[]", #""a""#, "1", "", "   ",
            // Invalid JSON.
            "{", "{\"a\": 1", #"{"a": 1,}"#, #"{"a" 1}"#, #"{"a": 01}"#, #"{"a": 1.}"#, #"{"a": .5}"#, #"{"a": +1}"#,
            #"{"a": 1e}"#, #"{"a": -}"#, #"{"a": [1,]}"#, #"{"a": [1 2]}"#, #"{a: 1}"#, #"{"a": 'b'}"#, #"{"a": "b}"#,
            #"{"a": 1} x"#, #"{"a": 1}}"#, #"{,}"#, #"{"a": NaN}"#, #"{"a":"b",}"#, "{\"a\": 1}\u{0}",
        ]
        for text in unusual {
            XCTAssertNil(flat(text), text)
        }
        // Arrays only when asked for.
        XCTAssertNil(flat(#"{"start": [1]}"#, arrays: false))
        XCTAssertNil(flat(#"{"start": []}"#, arrays: false))
        XCTAssertEqual(flat(#"{"start": [1]}"#, arrays: true), [Member(key: "start", value: "1", isNumber: true)])
    }

    /// Documents put together from pieces, valid and not: whenever the flat reader takes one, the
    /// tree parses it to the same members.
    func testAgreesWithTheTreeOnGeneratedDocuments() {
        let pieces = ["{", "}", "[", "]", ",", ":", " ", "\"a\"", "\"b c\"", "\" \"", "\"\"", "1", "-2.5e3", "0", "01", "\"é\"",
                      "\"\\n\"", "null", "true", "\"RefSeq\"", "\"NM_1.2\"", "\n"]
        var generator = SplitMix64(seed: 13)
        var accepted = 0
        for _ in 0..<60_000 {
            var text = "{"
            for _ in 0..<Int.random(in: 0...9, using: &generator) { text += pieces.randomElement(using: &generator)! }
            if Bool.random(using: &generator) { text += "}" }
            guard let members = flat(text) else { continue }
            accepted += 1
            XCTAssertEqual(members, tree(text), text)
        }
        XCTAssertGreaterThan(accepted, 100, "too few generated documents were flat to compare")
    }

    private func groups(_ text: String) -> [[Member]]? {
        var members: [FlatJSONMember] = []
        var groups: [FlatJSONGroup] = [FlatJSONGroup(key: 0..<0, members: 0..<0)]
        let bytes = Array(text.utf8)
        guard FlatJSON.scanObjectOfObjects(bytes.span, into: &members, groups: &groups) else { return nil }
        return groups.map { group in
            [Member(key: String(decoding: bytes[group.key], as: UTF8.self), value: "", isNumber: false)] + members[group.members].map {
                Member(key: String(decoding: bytes[$0.key], as: UTF8.self), value: String(decoding: bytes[$0.value], as: UTF8.self),
                       isNumber: $0.kind == .number)
            }
        }
    }

    /// The same from the tree: each group led by its key.
    private func treeGroups(_ text: String) -> [[Member]]? {
        guard case let .object(outer)? = try? JSON.parse(text) else { return nil }
        var result: [[Member]] = []
        for (key, value) in outer {
            guard case let .object(inner) = value else { return nil }
            var group = [Member(key: key, value: "", isNumber: false)]
            for (name, member) in inner {
                switch member {
                case let .string(text): group.append(Member(key: name, value: text, isNumber: false))
                case let .number(text): group.append(Member(key: name, value: text, isNumber: true))
                default: return nil
                }
            }
            result.append(group)
        }
        return result
    }

    func testObjectsOfFlatObjectsMatchTheTree() {
        let documents = [
            "{}", " { } ", #"{"GO:1": {}}"#, #"{"GO:0006915": {"term": "apoptotic process", "aspect": "biological_process", "evidence": "IDA"}, "GO:2": {"n": 1.5}}"#,
            #"{"GO:1": {"term": "a"}, "GO:1": {"term": "b", "term": 2}}"#,
        ]
        for text in documents {
            XCTAssertNotNil(groups(text), text)
            XCTAssertEqual(groups(text), treeGroups(text), text)
        }
        XCTAssertEqual(groups(#"{"GO:1": {"term": "a", "x": -1}, "": {}}"#), [
            [Member(key: "GO:1", value: "", isNumber: false), Member(key: "term", value: "a", isNumber: false), Member(key: "x", value: "-1", isNumber: true)],
            [Member(key: "", value: "", isNumber: false)],
        ])
        let unusual = [
            #"{"GO:1": "text"}"#, #"{"GO:1": 1}"#, #"{"GO:1": null}"#, #"{"GO:1": {"a": [1]}}"#, #"{"GO:1": {"a": {"b": 1}}}"#,
            #"{"GO:1": {"a": "\n"}}"#, #"{"GO\u0031": {}}"#, "{\"GO:1\": {}", #"{"GO:1": {},}"#, #"{"GO:1": {}} {}"#, "[]", "null", "",
            "{\"GO:1\": {\"a\": \"é\"}}",
        ]
        for text in unusual {
            XCTAssertNil(groups(text), text)
        }
        var generator = SplitMix64(seed: 14)
        let pieces = ["{", "}", ",", ":", " ", "\"a\": 1", "\"b\": \"c\"", ", ", "}, \"g\": {", "\"t\": \"\\t\"", "\"n\": [1]", "null"]
        var accepted = 0
        for _ in 0..<40_000 {
            var text = "{\"a\": {"
            for _ in 0..<Int.random(in: 0...6, using: &generator) { text += pieces.randomElement(using: &generator)! }
            text += Bool.random(using: &generator) ? "}}" : "}"
            guard let found = groups(text) else { continue }
            accepted += 1
            XCTAssertEqual(found, treeGroups(text), text)
        }
        XCTAssertGreaterThan(accepted, 100, "too few generated documents were flat to compare")
    }

    func testEveryFlatDocumentOfTheUsualShapeMatchesTheTree() {
        let documents = [
            #"{"end": 218400805, "start": 218367544, "strand": -1}"#, #"{"start": "12", "end": 1e3, "strand": "+"}"#,
            #"{"HGNC": "HGNC:36610", "OMIM": ["245403"], "HAVANA": "OTTHUMG00000102398"}"#, #"{"a": 1, "a": [2, "3"]}"#,
            #"{ "ensembl" : [ " ENSG00000141510.2 " , 7 ] }"#,
        ]
        for text in documents {
            XCTAssertNotNil(flat(text), text)
            XCTAssertEqual(flat(text), tree(text), text)
        }
    }
}
