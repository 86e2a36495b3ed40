import Foundation
import XCTest
@testable import MediabaseBytes
@testable import MediabaseGenerate
import MediabaseTestSupport

final class JSONTests: XCTestCase {
    private func validate(_ text: String) throws -> JSONValueType { try withBytes(text, JSON.validate) }

    private func assertInvalid(_ marked: String, expected: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        assertDecodeError(marked, expected: expected, file: file, line: line) { _ = try JSON.validate($0) }
        // parse must find the same error as validate.
        assertDecodeError(marked, expected: expected, file: file, line: line) { _ = try JSON.parse($0) }
    }

    private func members(_ text: String) throws -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        try withBytes(text) { bytes in
            try JSON.forEachMember(bytes) { key, value in
                result.append((String(decoding: key, as: UTF8.self), String(decoding: value, as: UTF8.self)))
            }
        }
        return result
    }

    private func decodedString(_ raw: String) throws -> String {
        var out: [UInt8] = []
        try withBytes(raw) { try JSON.decodeString($0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Valid documents

    func testTopLevelTypes() throws {
        XCTAssertEqual(try validate(#"{"start": 7661779, "end": 7687538, "strand": -1}"#), .object)
        XCTAssertEqual(try validate("[1, \"a\", [], {}]"), .array)
        XCTAssertEqual(try validate(#""TP53""#), .string)
        XCTAssertEqual(try validate("-12.5e+3"), .number)
        XCTAssertEqual(try validate("true"), .bool)
        XCTAssertEqual(try validate("false"), .bool)
        XCTAssertEqual(try validate("null"), .null)
        XCTAssertEqual(try validate(" \t\r\n{}\n "), .object)
    }

    func testNumbersFollowTheRFCGrammar() throws {
        for text in ["0", "-0", "7", "-10", "0.5", "10.25", "1e5", "1E5", "1e+5", "1e-5", "-0.0e-0", "123456789012345678901234567890", "1.4e-322"] {
            XCTAssertEqual(try JSON.parse(text), .number(text), text)
        }
    }

    func testParsesStringsWithEveryEscape() throws {
        XCTAssertEqual(try JSON.parse(#""\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u65E5 \ud83d\ude00""#),
                       .string("\" \\ / \u{8} \u{C} \n \r \t A é 日 😀"))
        XCTAssertEqual(try JSON.parse("\"raw ü 日本 😀 \u{7F}\""), .string("raw ü 日本 😀 \u{7F}"))
        XCTAssertEqual(try JSON.parse(#""\u0000""#), .string("\u{0}"))
    }

    func testParsesNestedDocumentsKeepingMemberOrderAndDuplicates() throws {
        let value = try JSON.parse(#"{"b": [1, {"x": null}], "a": true, "b": "again", "": false}"#)
        XCTAssertEqual(value, .object([
            (key: "b", value: .array([.number("1"), .object([(key: "x", value: .null)])])),
            (key: "a", value: .bool(true)),
            (key: "b", value: .string("again")),
            (key: "", value: .bool(false)),
        ]))
    }

    func testNestingUpToTheDepthLimit() throws {
        let deepest = String(repeating: "[", count: JSON.maxDepth) + String(repeating: "]", count: JSON.maxDepth)
        XCTAssertEqual(try validate(deepest), .array)
        XCTAssertNoThrow(try JSON.parse(deepest))
        let objects = String(repeating: #"{"a":"#, count: JSON.maxDepth) + "1" + String(repeating: "}", count: JSON.maxDepth)
        XCTAssertEqual(try validate(objects), .object)
    }

    // MARK: Malformed documents

    func testEmptyAndTrailingInput() {
        assertInvalid("1️⃣", expected: "a JSON value")
        assertInvalid(" \n 1️⃣", expected: "a JSON value")
        assertInvalid("{}1️⃣}", expected: "end of input")
        assertInvalid("1 1️⃣2", expected: "end of input")
        assertInvalid("11️⃣x", expected: "end of input")
        assertInvalid("1️⃣]", expected: "a JSON value")
        assertInvalid("1️⃣\u{FEFF}1", expected: "a JSON value")
        assertInvalid("1️⃣é", expected: "a JSON value")
        assertInvalid("1️⃣\u{0C}1", expected: "a JSON value")
    }

    func testNoTrailingCommas() {
        assertInvalid("[1,1️⃣]", expected: "a JSON value")
        assertInvalid("[1, 1️⃣]", expected: "a JSON value")
        assertInvalid(#"{"a":1,1️⃣}"#, expected: "a string key")
        assertInvalid("[1️⃣,1]", expected: "a JSON value")
    }

    func testStructuralErrors() {
        assertInvalid("[1 1️⃣2]", expected: "\",\" or \"]\"")
        assertInvalid("[true1️⃣x]", expected: "\",\" or \"]\"")
        assertInvalid(#"{"a" 1️⃣1}"#, expected: "\":\"")
        assertInvalid("{1️⃣1:2}", expected: "a string key")
        assertInvalid("{1️⃣'a':2}", expected: "a string key")
        assertInvalid(#"{"a":1 1️⃣"b":2}"#, expected: "\",\" or \"}\"")
        assertInvalid(#"{"a":1️⃣}"#, expected: "a JSON value")
        assertInvalid("[1️⃣", expected: "a JSON value")
        assertInvalid("[1 1️⃣", expected: "\",\" or \"]\"")
        assertInvalid("{1️⃣", expected: "a string key")
        assertInvalid("[11️⃣}", expected: "\",\" or \"]\"")
    }

    func testLiterals() {
        assertInvalid("tru1️⃣", expected: "\"true\"")
        assertInvalid("tru1️⃣E", expected: "\"true\"")
        assertInvalid("nul1️⃣L", expected: "\"null\"")
        assertInvalid("f1️⃣", expected: "\"false\"")
        assertInvalid("1️⃣NaN", expected: "a JSON value")
        assertInvalid("1️⃣True", expected: "a JSON value")
        assertInvalid("-1️⃣Infinity", expected: "a digit")
    }

    func testNumberErrors() {
        assertInvalid("01️⃣1", expected: "without leading zeros")
        assertInvalid("-01️⃣1", expected: "without leading zeros")
        assertInvalid("[01️⃣0]", expected: "without leading zeros")
        assertInvalid("1️⃣+1", expected: "a JSON value")
        assertInvalid("1️⃣.5", expected: "a JSON value")
        assertInvalid("-1️⃣", expected: "a digit")
        assertInvalid("-1️⃣.5", expected: "a digit")
        assertInvalid("1.1️⃣", expected: "a digit after")
        assertInvalid("1.1️⃣e5", expected: "a digit after")
        assertInvalid("1e1️⃣", expected: "exponent")
        assertInvalid("1E+1️⃣", expected: "exponent")
        assertInvalid("1e1️⃣.5", expected: "exponent")
        assertInvalid("01️⃣x1", expected: "end of input")
    }

    func testStringErrors() {
        assertInvalid("\"a1️⃣\tb\"", expected: "an escaped control character")
        assertInvalid("\"a1️⃣\nb\"", expected: "an escaped control character")
        assertInvalid("\"1️⃣\u{0}\"", expected: "an escaped control character")
        assertInvalid("\"abc1️⃣", expected: "a closing quote")
        assertInvalid("\"abcdefghijklmnop1️⃣", expected: "a closing quote")
        assertInvalid(#""\1️⃣x""#, expected: "an escape character")
        assertInvalid(#""\1️⃣U0041""#, expected: "an escape character")
        assertInvalid("\"\\1️⃣", expected: "an escape character")
        assertInvalid(#""\u121️⃣g""#, expected: "a hex digit")
        assertInvalid(#""\u121️⃣"#, expected: "a hex digit")
        assertInvalid("[1️⃣'a']", expected: "a JSON value")
    }

    func testSurrogateEscapesMustPair() {
        assertInvalid(#""1️⃣\udc00""#, expected: "a high surrogate escape before")
        assertInvalid(#""a1️⃣\uDFFF\uD800""#, expected: "a high surrogate escape before")
        assertInvalid(#""\ud8001️⃣""#, expected: "low surrogate")
        assertInvalid(#""\ud8001️⃣\u0041""#, expected: "low surrogate")
        assertInvalid(#""\ud8001️⃣\ud800""#, expected: "low surrogate")
        assertInvalid(#""\ud8001️⃣\n""#, expected: "low surrogate")
        assertInvalid(#""\ud8001️⃣x\udc00""#, expected: "low surrogate")
        assertInvalid(#""\ud800\udc01️⃣""#, expected: "a hex digit")
    }

    func testStringsMustBeValidUTF8() {
        assertDecodeError([0x22, 0x61, 0xC3, 0x28, 0x22], at: 2, expected: "valid UTF-8") { _ = try JSON.validate($0) }
        assertDecodeError([0x22, 0xED, 0xA0, 0x80, 0x22], at: 1, expected: "valid UTF-8") { _ = try JSON.validate($0) }
        assertDecodeError([0x22, 0xC0, 0x80, 0x22], at: 1, expected: "valid UTF-8") { _ = try JSON.validate($0) }
        assertDecodeError(Array("\"abcdefghij".utf8) + [0xFF, 0x22], at: 11, expected: "valid UTF-8") { _ = try JSON.validate($0) }
        assertDecodeError([0x22, 0xE2, 0x82], at: 1, expected: "valid UTF-8") { _ = try JSON.validate($0) }
    }

    func testNestingBeyondTheDepthLimit() {
        let tooDeep = String(repeating: "[", count: JSON.maxDepth) + "1️⃣[" + String(repeating: "]", count: JSON.maxDepth + 1)
        assertInvalid(tooDeep, expected: "at most 512 levels")
        let objects = String(repeating: #"{"a":"#, count: JSON.maxDepth) + "1️⃣{}" + String(repeating: "}", count: JSON.maxDepth)
        assertInvalid(objects, expected: "at most 512 levels")
        // Far deeper input is refused at the limit, without exhausting the stack.
        let hostile = String(repeating: "[", count: 200_000)
        XCTAssertEqual(decodeError { _ = try validate(hostile) }?.offset, JSON.maxDepth)
        XCTAssertEqual(decodeError { _ = try JSON.parse(hostile) }?.offset, JSON.maxDepth)
    }

    // MARK: Members and elements

    func testForEachMemberGivesDecodedKeysAndRawValues() throws {
        let found = try members(#" { "a" : 1 , "b\"c": [1, 2] ,"d":{"x":null}, "\u00e9\ud83d\ude00":"s\n", "a": false } "#)
        XCTAssertEqual(found.map(\.key), ["a", "b\"c", "d", "é😀", "a"])
        XCTAssertEqual(found.map(\.value), ["1", "[1, 2]", #"{"x":null}"#, #""s\n""#, "false"])
        XCTAssertTrue(try members("{}").isEmpty)
        XCTAssertTrue(try members(" { \n } ").isEmpty)
    }

    func testForEachMemberRefusesOtherDocuments() {
        let forEachMember: (UnsafeBufferPointer<UInt8>) throws -> Void = { try JSON.forEachMember($0) { _, _ in } }
        assertDecodeError(" 1️⃣[1]", expected: "a JSON object", forEachMember)
        assertDecodeError("1️⃣\"{}\"", expected: "a JSON object", forEachMember)
        assertDecodeError("1️⃣", expected: "a JSON object", forEachMember)
        assertDecodeError(#"{"a":1}1️⃣x"#, expected: "end of input", forEachMember)
        assertDecodeError(#"{"a":1,"b":1️⃣x}"#, expected: "a JSON value", forEachMember)
        assertDecodeError(#"{"a":[1️⃣}"#, expected: "a JSON value", forEachMember)
        assertDecodeError(#"{"a\1️⃣q":1}"#, expected: "an escape character", forEachMember)
    }

    func testForEachMemberReportsEarlierMembersBeforeALaterError() {
        var keys: [String] = []
        XCTAssertThrowsError(try withBytes(#"{"a":1,"b":nul}"#) { bytes in
            try JSON.forEachMember(bytes) { key, _ in keys.append(String(decoding: key, as: UTF8.self)) }
        })
        XCTAssertEqual(keys, ["a"])
    }

    func testForEachElementGivesRawValues() throws {
        var values: [String] = []
        try withBytes(#" [ 1 , "a,b" ,{"k": [ ]},[] , null ] "#) { bytes in
            try JSON.forEachElement(bytes) { values.append(String(decoding: $0, as: UTF8.self)) }
        }
        XCTAssertEqual(values, ["1", #""a,b""#, #"{"k": [ ]}"#, "[]", "null"])
        let forEachElement: (UnsafeBufferPointer<UInt8>) throws -> Void = { try JSON.forEachElement($0) { _ in } }
        assertDecodeError("1️⃣{}", expected: "a JSON array", forEachElement)
        assertDecodeError("[1,1️⃣]", expected: "a JSON value", forEachElement)
        assertDecodeError("[]1️⃣]", expected: "end of input", forEachElement)
    }

    func testDecodeString() throws {
        XCTAssertEqual(try decodedString(#""plain""#), "plain")
        XCTAssertEqual(try decodedString(#""""#), "")
        XCTAssertEqual(try decodedString(#""line\nnext \"q\" \u00e9\ud83d\ude00""#), "line\nnext \"q\" é😀")
        var out = Array("keep:".utf8)
        try withBytes(#""a\tb""#) { try JSON.decodeString($0, into: &out) }
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "keep:a\tb")

        let decode: (UnsafeBufferPointer<UInt8>) throws -> Void = { var out: [UInt8] = []; try JSON.decodeString($0, into: &out) }
        assertDecodeError("1️⃣", decode)
        assertDecodeError("1️⃣abc", decode)
        assertDecodeError("1️⃣ \"a\"", decode)
        assertDecodeError("\"abc\"1️⃣ ", expected: "end of the string token", decode)
        assertDecodeError("\"abc1️⃣", expected: "a closing quote", decode)
        assertDecodeError(#""1️⃣\udc00""#, expected: "high surrogate", decode)
    }

    // MARK: Values

    func testSerializedIsCompactAndDeterministic() throws {
        let value = JSONValue.object([(key: "a", value: .number("1")), (key: "b", value: .array([.bool(true), .null]))])
        XCTAssertEqual(value.serialized(), #"{"a":1,"b":[true,null]}"#)
        XCTAssertEqual(try JSON.parse(" { \"a\" : [ 1.50 , { } , [ ] , \"x\" ] } ").serialized(), #"{"a":[1.50,{},[],"x"]}"#)
    }

    func testSerializedEscapesMinimally() {
        XCTAssertEqual(JSONValue.string("q\"b\\c/é😀\u{7F}").serialized(), "\"q\\\"b\\\\c/é😀\u{7F}\"")
        XCTAssertEqual(JSONValue.string("\u{8}\u{C}\n\r\t\u{0}\u{1}\u{1F}").serialized(), #""\b\f\n\r\t\u0000\u0001\u001f""#)
        var out = Array("x".utf8)
        JSONValue.string("k").appendSerialized(to: &out)
        XCTAssertEqual(out, Array("x\"k\"".utf8))
    }

    func testAccessors() throws {
        let value = try JSON.parse(#"{"drug": "tamoxifen", "score": 0.85, "text": " 2.5e1 ", "ids": [1], "drug": "x"}"#)
        XCTAssertEqual(value.type, .object)
        XCTAssertEqual(value["drug"], .string("x"), "the last duplicate wins, as in jsonb")
        XCTAssertNil(value["missing"])
        XCTAssertNil(value["ids"]?["drug"])
        XCTAssertEqual(value["drug"]?.stringValue, "x")
        XCTAssertNil(value["score"]?.stringValue)
        XCTAssertEqual(value["ids"]?.arrayValue, [.number("1")])
        XCTAssertNil(value.arrayValue)
        XCTAssertEqual(value.objectMembers?.map(\.key), ["drug", "score", "text", "ids", "drug"])
        XCTAssertNil(value["ids"]?.objectMembers)
        XCTAssertEqual(value["score"]?.doubleValue, 0.85)
        XCTAssertEqual(value["text"]?.doubleValue, 25)
        XCTAssertNil(value["drug"]?.doubleValue)
        XCTAssertEqual(JSONValue.null.type, .null)
        XCTAssertEqual(JSONValue.bool(false).type, .bool)
    }

    func testDoubleValueOfStringsAcceptsOnlyDecimalNumbers() {
        let numbers = ["1": 1.0, "-1.5": -1.5, "+2": 2, ".5": 0.5, "1.": 1, "1e3": 1000, "\t7 ": 7]
        for (text, number) in numbers {
            XCTAssertEqual(JSONValue.string(text).doubleValue, number, text)
        }
        for text in ["", " ", ".", "-", "1e", "e3", "abc", "0x10", "inf", "nan", "Infinity", "1 2", "1,5", "--1"] {
            XCTAssertNil(JSONValue.string(text).doubleValue, text)
        }
        XCTAssertNil(JSONValue.bool(true).doubleValue)
    }

    func testEqualityComparesOrderAndNumberText() {
        XCTAssertNotEqual(JSONValue.number("1"), .number("1.0"))
        XCTAssertNotEqual(JSONValue.object([(key: "a", value: .null), (key: "b", value: .null)]),
                          .object([(key: "b", value: .null), (key: "a", value: .null)]))
        XCTAssertNotEqual(JSONValue.string("1"), .number("1"))
        XCTAssertEqual(JSONValue.array([.null, .bool(true)]), .array([.null, .bool(true)]))
    }

    // MARK: Properties

    private static let stringPieces = ["a", "key", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "日本", "😀", " ", "null", "\u{FFFF}"]

    private func randomString(_ random: inout SplitMix64) -> String {
        String(decoding: random.text(from: Self.stringPieces, maxPieces: 5), as: UTF8.self)
    }

    private func randomNumber(_ random: inout SplitMix64) -> String {
        var text = random.oneIn(3) ? "-" : ""
        text += random.oneIn(4) ? "0" : String(Int.random(in: 1...99_999, using: &random))
        if random.oneIn(2) { text += "." + String(Int.random(in: 0...999, using: &random)) }
        if random.oneIn(3) { text += random.pick(["e", "E"]) + random.pick(["", "+", "-"]) + String(Int.random(in: 0...99, using: &random)) }
        return text
    }

    private func randomValue(_ random: inout SplitMix64, depth: Int = 0) -> JSONValue {
        switch Int.random(in: depth >= 4 ? 2...5 : 0...5, using: &random) {
        case 0: return .object((0..<Int.random(in: 0...4, using: &random)).map { _ in
            (key: randomString(&random), value: randomValue(&random, depth: depth + 1))
        })
        case 1: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in randomValue(&random, depth: depth + 1) })
        case 2: return .string(randomString(&random))
        case 3: return .number(randomNumber(&random))
        case 4: return .bool(random.oneIn(2))
        default: return .null
        }
    }

    func testRandomValuesRoundTripThroughText() throws {
        var random = SplitMix64(seed: 0x7503_0001)
        for _ in 0..<1500 {
            let value = randomValue(&random)
            let text = value.serialized()
            XCTAssertEqual(try JSON.parse(text), value, text)
            XCTAssertEqual(try validate(text), value.type)
            if case let .object(expected) = value {
                let found = try members(text)
                XCTAssertEqual(found.map(\.key), expected.map(\.key))
                XCTAssertEqual(try found.map { try JSON.parse($0.value) }, expected.map(\.value))
            }
        }
    }

    /// Acceptance must match Foundation's `JSONSerialization` on mutated documents, except where
    /// Foundation knowingly departs from RFC 8259. Excluded, because Foundation:
    /// * accepts a trailing comma in arrays and objects (`[1,]`, `{"a":1,}`);
    /// * accepts a leading byte order mark;
    /// * stops reading at a NUL byte, accepting `1\0garbage`;
    /// * refuses numbers beyond the range of `Double` (`1e400`), which RFC 8259 allows.
    func testAcceptanceMatchesFoundationOnMutatedDocuments() throws {
        var random = SplitMix64(seed: 0x7503_0002)
        let insertions = Array("{}[],:\" \\/0123456789.eE+-tfnulx\t\n".utf8) + [0x00, 0x80, 0xC3, 0xFF]
        var compared = 0
        var accepted = 0
        for _ in 0..<3000 {
            var bytes = Array(randomValue(&random).serialized().utf8)
            for _ in 0..<Int.random(in: 1...2, using: &random) {
                let position = Int.random(in: 0...bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0 where position < bytes.count: bytes.remove(at: position)
                case 1 where position < bytes.count: bytes[position] = random.pick(insertions)
                default: bytes.insert(random.pick(insertions), at: position)
                }
            }
            guard !isKnownFoundationDeparture(bytes) else { continue }
            compared += 1
            let ours = decodeError { _ = try bytes.withUnsafeBufferPointer(JSON.validate) } == nil
            let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)) != nil
            if ours { accepted += 1 }
            XCTAssertEqual(ours, foundation, String(decoding: bytes, as: UTF8.self).debugDescription)
        }
        XCTAssertGreaterThan(compared, 2000)
        XCTAssertTrue((compared / 10...compared * 9 / 10).contains(accepted), "a fair share of both answers")
    }

    private func isKnownFoundationDeparture(_ bytes: [UInt8]) -> Bool {
        if bytes.contains(0) || bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return true }
        // A comma followed by a closing bracket or brace, outside strings.
        var inString = false
        var escaped = false
        var lastStructural: UInt8 = 0
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: inString = true; lastStructural = byte
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case 0x5D where lastStructural == 0x2C, 0x7D where lastStructural == 0x2C: return true
            default: lastStructural = byte
            }
        }
        // Numbers beyond Double's range.
        guard let value = try? bytes.withUnsafeBufferPointer(JSON.parse) else { return false }
        return !allNumbersFinite(value)
    }

    private func allNumbersFinite(_ value: JSONValue) -> Bool {
        switch value {
        case let .number(text): return Double(text)?.isFinite ?? false
        case let .array(elements): return elements.allSatisfy(allNumbersFinite)
        case let .object(members): return members.allSatisfy { allNumbersFinite($0.value) }
        default: return true
        }
    }

    func testRandomBytesNeverCrashAndAllReadersAgree() {
        var random = SplitMix64(seed: 0x7503_0003)
        let pieces = ["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "d800", "dc00", "00e9", " ", "1", "0", "-", ".", "e", "true", "nul", "é"]
        for _ in 0..<4000 {
            var bytes = random.text(from: pieces, maxPieces: 16)
            if random.oneIn(6) { bytes.insert(contentsOf: random.bytes(count: 2), at: Int.random(in: 0...bytes.count, using: &random)) }
            let validateError = decodeError { _ = try bytes.withUnsafeBufferPointer(JSON.validate) }
            let parseError = decodeError { _ = try bytes.withUnsafeBufferPointer(JSON.parse) }
            XCTAssertEqual(validateError, parseError, String(decoding: bytes, as: UTF8.self).debugDescription)
            if let error = validateError { XCTAssertTrue((0...bytes.count).contains(error.offset)) }

            let isObject = (try? bytes.withUnsafeBufferPointer(JSON.validate)) == .object
            let memberError = decodeError { try bytes.withUnsafeBufferPointer { try JSON.forEachMember($0) { _, _ in } } }
            XCTAssertEqual(memberError == nil, isObject)
            let isArray = (try? bytes.withUnsafeBufferPointer(JSON.validate)) == .array
            let elementError = decodeError { try bytes.withUnsafeBufferPointer { try JSON.forEachElement($0) { _ in } } }
            XCTAssertEqual(elementError == nil, isArray)
            _ = decodeError { var out: [UInt8] = []; try bytes.withUnsafeBufferPointer { try JSON.decodeString($0, into: &out) } }
        }
    }

    /// appendString escapes exactly `"`, `\` and the control characters wherever they fall
    /// (before, inside and after the 8-byte words it passes whole) and copies every other byte,
    /// non-ASCII included: checked against a byte-at-a-time escaper written here.
    func testAppendStringEscapesAtEveryPosition() {
        func reference(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = [0x22]
            for byte in bytes {
                switch byte {
                case 0x22: out += Array("\\\"".utf8)
                case 0x5C: out += Array("\\\\".utf8)
                case 0x08: out += Array("\\b".utf8)
                case 0x0C: out += Array("\\f".utf8)
                case 0x0A: out += Array("\\n".utf8)
                case 0x0D: out += Array("\\r".utf8)
                case 0x09: out += Array("\\t".utf8)
                case ..<0x20: out += Array(String(format: "\\u%04x", Int(byte)).utf8)
                default: out.append(byte)
                }
            }
            return out + [0x22]
        }
        let specials: [[UInt8]] = [[0x22], [0x5C], [0x00], [0x01], [0x09], [0x0A], [0x1F], [0x7F], [0xC3, 0xA4], [0xE2, 0x82, 0xAC]]
        var cases: [[UInt8]] = [[]]
        for length in 0...20 {
            let plain = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            cases.append(plain)
            for special in specials {
                for position in 0...length { cases.append(Array(plain[..<position]) + special + Array(plain[position...])) }
            }
        }
        cases.append(specials.flatMap { $0 } + Array(repeating: 0x41, count: 17) + specials.flatMap { $0 })
        for bytes in cases {
            var out: [UInt8] = [0x78]
            JSON.appendString(bytes.span, to: &out)
            XCTAssertEqual(out, [0x78] + reference(bytes), "\(bytes)")
        }
    }
}
