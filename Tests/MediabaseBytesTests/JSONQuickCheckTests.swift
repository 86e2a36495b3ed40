import XCTest
@testable import MediabaseBytes
@testable import MediabaseGenerate
import MediabaseTestSupport

/// `JSON.quickType` against `JSON.validate`: it may leave a document to `validate` (nil), but
/// when it gives a type, `validate` must accept the document with that type.
final class JSONQuickCheckTests: XCTestCase {
    private func quick(_ bytes: [UInt8]) -> JSONValueType? { JSON.quickType(bytes.span) }

    private func validated(_ bytes: [UInt8]) -> JSONValueType? { try? JSON.validate(bytes.span) }

    /// Checks that both agree, and returns what the quick check said.
    @discardableResult
    private func assertAgree(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> JSONValueType? {
        let quick = quick(bytes)
        if let quick {
            XCTAssertEqual(validated(bytes), quick, String(decoding: bytes, as: UTF8.self).debugDescription, file: file, line: line)
        }
        return quick
    }

    func testValidDocumentsOfEveryKindGetTheirType() {
        let documents: [(String, JSONValueType)] = [
            ("{}", .object), ("[]", .array), ("\"\"", .string), ("0", .number), ("true", .bool), ("false", .bool),
            ("null", .null), (" \t\r\n{ } \n", .object), ("[ ]", .array), ("-0", .number), ("-0.5e+10", .number),
            ("12.25E-3", .number), ("1e5", .number), ("9007199254740993", .number),
            (#"{"a": 1, "b": [true, false, null], "c": {"d": "e"}, "f": []}"#, .object),
            (#"{"GO:0005515": {"term": "protein binding", "aspect": "molecular_function", "evidence": "IPI"}}"#, .object),
            (#"[1,2,[3,[4,[5]]],{"x":{}}]"#, .array),
            (#""escapes \" \\ \/ \b \f \n \r \t \u00e9 \u0000 \uFFFF \uE000""#, .string),
            ("\"α-actinin β-catenin 中文 😀\"", .string),
            (#"{"k" : "v" , "l":[ 1 , 2 ] }"#, .object),
            ("\"exactly eight\"", .string), ("\"12345678\"", .string), ("\"1234567\"", .string),
        ]
        for (text, type) in documents {
            let bytes = Array(text.utf8)
            XCTAssertEqual(validated(bytes), type, text)
            XCTAssertEqual(quick(bytes), type, text)
        }
    }

    func testInvalidDocumentsGetNoType() {
        let documents = [
            "", " ", "{", "}", "[", "]", "[1,]", "{\"a\":1,}", "{,}", "[,1]", "{\"a\" 1}", "{\"a\":}", "{1:2}", "{\"a\":1 \"b\":2}",
            "[1 2]", "[1}", "{\"a\":1]", "01", "-", "-a", "1.", ".5", "1e", "1e+", "+1", "NaN", "Infinity", "tru", "truex", "nul",
            "fals", "\"abc", "\"a\\\"", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"tab\there\"", "\"nl\nx\"", "1 2", "{} {}",
            "\"\\", "[\"a\",", "{\"a\"", "{\"a\":", "[[[]]", "\u{0}", "1\u{0}",
        ].map { Array($0.utf8) }
        let badUTF8: [[UInt8]] = [
            [0x22, 0xC3, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
            [0x22, 0xE2, 0x82, 0x22], [0x22, 0xFF, 0x22], [0x22, 0x80, 0x22], [0x22, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0xC3],
            [0xC3, 0xA9], [0x5B, 0xC3, 0xA9, 0x5D],
        ]
        for bytes in documents + badUTF8 {
            XCTAssertNil(validated(bytes), String(decoding: bytes, as: UTF8.self).debugDescription)
            XCTAssertNil(quick(bytes), String(decoding: bytes, as: UTF8.self).debugDescription)
        }
    }

    func testSurrogateEscapesAndDeepNestingAreLeftToTheFullValidator() {
        let pair = Array(#""\ud83d\ude00""#.utf8)
        XCTAssertEqual(validated(pair), .string)
        XCTAssertNil(quick(pair))
        for lone in [#""\ud83d""#, #""\ude00""#, #""\ud83dx""#, #""\ud83d\u0041""#] {
            XCTAssertNil(validated(Array(lone.utf8)), lone)
            XCTAssertNil(quick(Array(lone.utf8)), lone)
        }
        let limit = JSONQuickCheck.maxDepth
        let atLimit = Array((String(repeating: "[", count: limit) + String(repeating: "]", count: limit)).utf8)
        XCTAssertEqual(quick(atLimit), .array)
        let deeper = Array((String(repeating: "[{\"a\":", count: limit) + "1" + String(repeating: "}]", count: limit)).utf8)
        XCTAssertEqual(validated(deeper), .array)
        XCTAssertNil(quick(deeper))
    }

    /// Every byte string the quick check accepts, the full validator accepts with the same type;
    /// every valid one without a surrogate escape the quick check accepts too.
    func testMutatedDocumentsAgreeWithTheFullValidator() {
        var random = SplitMix64(seed: 0x7503_0A11)
        let insertions = Array("{}[],:\" \\/0123456789.eE+-tfnulx\t\n".utf8) + [0x00, 0x01, 0x7F, 0x80, 0xA9, 0xC3, 0xE2, 0xED, 0xF0, 0xFF]
        var valid = 0
        var invalid = 0
        for _ in 0..<20_000 {
            var bytes = Array(randomDocument(&random).utf8)
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                let position = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0 where position < bytes.count: bytes.remove(at: position)
                case 1 where position < bytes.count: bytes[position] = random.pick(insertions)
                default: bytes.insert(random.pick(insertions), at: position)
                }
            }
            let quick = assertAgree(bytes)
            if let type = validated(bytes) {
                valid += 1
                if !Self.hasSurrogateEscape(bytes) {
                    XCTAssertEqual(quick, type, String(decoding: bytes, as: UTF8.self).debugDescription)
                }
            } else {
                invalid += 1
                XCTAssertNil(quick, String(decoding: bytes, as: UTF8.self).debugDescription)
            }
        }
        XCTAssertGreaterThan(valid, 3000)
        XCTAssertGreaterThan(invalid, 3000)
    }

    func testRandomPiecesNeverGiveATypeTheFullValidatorRefuses() {
        var random = SplitMix64(seed: 0x7503_0A12)
        let pieces = ["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "d800", "dc00", "00e9", " ", "1", "0", "-", ".", "e", "true", "nul", "é", "abcdefgh"]
        for _ in 0..<20_000 {
            var bytes = random.text(from: pieces, maxPieces: 16)
            if random.oneIn(6) { bytes.insert(contentsOf: random.bytes(count: 2), at: Int.random(in: 0...bytes.count, using: &random)) }
            assertAgree(bytes)
        }
    }

    /// What `JSON.forEachMember` says: whether the object has a top-level member named `name`, nil
    /// when it is not a valid object.
    private func holdsMember(_ bytes: [UInt8], _ name: String) -> Bool? {
        var found = false
        do {
            try JSON.forEachMember(bytes.span) { key, _ in
                if key.withUnsafeBufferPointer({ Array($0) }) == Array(name.utf8) { found = true }
            }
        } catch {
            return nil
        }
        return found
    }

    func testTopLevelMembersAreFoundAsForEachMemberFindsThem() {
        let cases: [(String, Bool?)] = [
            (#"{"pharmgkb_data": {"a": 1}}"#, true), (#"{"a": 1, "pharmgkb_data": null, "pharmgkb_data": 2}"#, true),
            (#"{"a": {"pharmgkb_data": 1}}"#, false), (#"[{"pharmgkb_data": 1}]"#, nil), (#"{"pharmgkb_datax": 1}"#, false),
            (#"{"pharmgkb_dat": 1}"#, false), (#"{"x": "pharmgkb_data"}"#, false), ("{}", false), (#""pharmgkb_data""#, nil),
            (#"{"pharmgkb_data": }"#, nil),
        ]
        for (text, expected) in cases {
            let bytes = Array(text.utf8)
            XCTAssertEqual(holdsMember(bytes, "pharmgkb_data"), expected, text)
            XCTAssertEqual(JSON.quickObjectHoldsMember(bytes.span, named: "pharmgkb_data"), expected, text)
        }
        // An escaped top-level key is left to forEachMember, which decodes it.
        let escaped = Array(#"{"pharmgkb\u005fdata": 1}"#.utf8)
        XCTAssertEqual(holdsMember(escaped, "pharmgkb_data"), true)
        XCTAssertNil(JSON.quickObjectHoldsMember(escaped.span, named: "pharmgkb_data"))
    }

    func testTopLevelMembersOfRandomDocumentsAgreeWithForEachMember() {
        var random = SplitMix64(seed: 0x7503_0A13)
        var found = 0
        for _ in 0..<20_000 {
            var text = randomDocument(&random)
            if random.oneIn(2) {
                text = "{\"a\": " + text + (random.oneIn(2) ? ", \"term\": 1}" : "}")
            }
            let bytes = Array(text.utf8)
            guard let quick = JSON.quickObjectHoldsMember(bytes.span, named: "term") else { continue }
            XCTAssertEqual(holdsMember(bytes, "term"), quick, text)
            if quick { found += 1 }
        }
        XCTAssertGreaterThan(found, 1000)
    }

    /// Whether `bytes` hold `\u` followed by a surrogate's first hex digits (D8-DF).
    private static func hasSurrogateEscape(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        for i in 0..<(bytes.count - 3) where bytes[i] == 0x5C && bytes[i + 1] == 0x75 && bytes[i + 2] | 0x20 == 0x64 {
            if (0x38...0x39).contains(bytes[i + 3]) || (0x61...0x66).contains(bytes[i + 3] | 0x20) { return true }
        }
        return false
    }

    /// A random valid document as text, with the whitespace, escapes and UTF-8 of real values.
    private func randomDocument(_ random: inout SplitMix64, depth: Int = 0) -> String {
        switch Int.random(in: depth >= 4 ? 2...5 : 0...5, using: &random) {
        case 0:
            var text = "{" + space(&random)
            for index in 0..<Int.random(in: 0...4, using: &random) {
                if index > 0 { text += space(&random) + "," + space(&random) }
                let key = randomString(&random)
                let before = space(&random)
                let after = space(&random)
                text += key + before + ":" + after + randomDocument(&random, depth: depth + 1)
            }
            return text + space(&random) + "}"
        case 1:
            var text = "[" + space(&random)
            for index in 0..<Int.random(in: 0...4, using: &random) {
                if index > 0 { text += space(&random) + "," + space(&random) }
                text += randomDocument(&random, depth: depth + 1)
            }
            return text + space(&random) + "]"
        case 2:
            return randomString(&random)
        case 3:
            var text = random.oneIn(3) ? "-" : ""
            text += random.oneIn(4) ? "0" : String(Int.random(in: 1...99_999, using: &random))
            if random.oneIn(2) { text += "." + String(Int.random(in: 0...999, using: &random)) }
            if random.oneIn(3) {
                let sign: String = random.pick(["", "+", "-"])
                text += random.pick(["e", "E"]) + sign + String(Int.random(in: 0...99, using: &random))
            }
            return text
        case 4:
            return random.oneIn(2) ? "true" : "false"
        default:
            return "null"
        }
    }

    /// JSON whitespace, often none.
    private func space(_ random: inout SplitMix64) -> String {
        random.oneIn(3) ? random.pick(["", " ", "  ", "\n", "\t", "\r\n"]) : ""
    }

    private func randomString(_ random: inout SplitMix64) -> String {
        let pieces = ["a", "term", "GO:0005515", " ", "protein binding", "é", "β", "中", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t",
                      "\\u00e9", "\\u20AC", "\\ud83d\\ude00", "0123456789abcdef"]
        return "\"" + (0..<Int.random(in: 0...6, using: &random)).map { _ in random.pick(pieces) }.joined() + "\""
    }
}
