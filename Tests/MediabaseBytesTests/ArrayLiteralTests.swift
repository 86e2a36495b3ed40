import XCTest
@testable import MediabaseBytes
@testable import MediabaseGenerate
import MediabaseTestSupport

final class ArrayLiteralTests: XCTestCase {
    private func elements(_ text: String, delimiter: Character = ",", file: StaticString = #filePath, line: UInt = #line) -> [String?] {
        var result: [String?] = []
        XCTAssertNoThrow(
            try withBytes(text) { bytes in
                try ArrayLiteral.forEachElement(bytes, delimiter: delimiter.asciiValue!) { element in
                    result.append(element.map { String(decoding: $0, as: UTF8.self) })
                }
            },
            file: file, line: line
        )
        return result
    }

    private func json(_ text: String) throws -> String {
        var out: [UInt8] = []
        try withBytes(text) { try ArrayLiteral.appendJSON($0, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    private func literal(_ elements: [String?]) -> String {
        var out: [UInt8] = []
        ArrayLiteral.appendLiteral(elements.map { $0.map { Array($0.utf8) } }, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func assertMalformed(_ marked: String, expected: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        assertDecodeError(marked, expected: expected, file: file, line: line) { bytes in
            try ArrayLiteral.forEachElement(bytes) { _ in }
        }
    }

    // MARK: Elements

    func testSimpleElementsQuotedElementsAndNull() throws {
        XCTAssertEqual(elements("{a,b,\"c, d\",NULL}"), ["a", "b", "c, d", nil])
        XCTAssertEqual(try ArrayLiteral.elements("{Apoptosis [Reactome:R-HSA-109581],x}"), ["Apoptosis [Reactome:R-HSA-109581]", "x"])
    }

    func testEmptyArrayAndEmptyElement() {
        XCTAssertEqual(elements("{}"), [])
        XCTAssertEqual(elements("{ }"), [])
        XCTAssertEqual(elements("{\"\"}"), [""])
        XCTAssertEqual(elements("{\"\",\"\"}"), ["", ""])
    }

    func testUnquotedNullInAnyCaseIsNullButQuotedOrEscapedIsText() {
        XCTAssertEqual(elements("{NULL,null,NuLl, NULL ,\"NULL\",N\\ULL,NULLx}"), [nil, nil, nil, nil, "NULL", "NULL", "NULLx"])
    }

    func testBackslashEscapesInsideQuotes() {
        XCTAssertEqual(elements(#"{"a\"b","c\\d","\e","\,"}"#), ["a\"b", "c\\d", "e", ","])
    }

    func testBackslashEscapesInUnquotedElements() {
        XCTAssertEqual(elements(#"{a\,b,c\}d,e\\f,\"g}"#), ["a,b", "c}d", "e\\f", "\"g"])
    }

    func testWhitespaceAroundUnquotedElementsIsTrimmedButKeptInsideQuotes() {
        XCTAssertEqual(elements("{ a , b c ,\t\n\"  d  \" ,\u{0B}e\u{0C}\r}"), ["a", "b c", "  d  ", "e"])
    }

    func testEscapedTrailingWhitespaceIsKept() {
        XCTAssertEqual(elements(#"{a\ ,b\  }"#), ["a ", "b "])
    }

    func testWhitespaceAroundTheWholeLiteral() {
        XCTAssertEqual(elements("  {a}\n "), ["a"])
    }

    func testNonASCIIElements() {
        XCTAssertEqual(elements("{\"ü ñ\",日本,😀}"), ["ü ñ", "日本", "😀"])
    }

    func testManyEscapedElementsShareTheScratchBuffer() {
        let parts = (0..<50).map { "\"e\\\"\($0)\"" }
        XCTAssertEqual(elements("{" + parts.joined(separator: ",") + "}"), (0..<50).map { "e\"\($0)" })
    }

    func testMultiDimensionalArraysAreFlattened() {
        XCTAssertEqual(elements("{{1,2},{3,4}}"), ["1", "2", "3", "4"])
        XCTAssertEqual(elements("{{{a},{b}},{{c},{NULL}}}"), ["a", "b", "c", nil])
        XCTAssertEqual(elements("{ { 1 , 2 } , { 3 , 4 } }"), ["1", "2", "3", "4"])
        XCTAssertEqual(elements("{{},{}}"), [])
    }

    func testDimensionDecoration() {
        XCTAssertEqual(elements("[1:2]={a,b}"), ["a", "b"])
        XCTAssertEqual(elements("[0:1][1:2]={{a,b},{c,d}}"), ["a", "b", "c", "d"])
        XCTAssertEqual(elements("[2]={x,y}"), ["x", "y"])
        XCTAssertEqual(elements(" [-1:0] [+1:+1] = {{a},{b}}"), ["a", "b"])
        XCTAssertEqual(elements("[1:0]={}"), [])
    }

    func testOtherDelimiter() {
        XCTAssertEqual(elements("{(1,2);\"(3;4)\"}", delimiter: ";"), ["(1,2)", "(3;4)"])
    }

    // MARK: Malformed literals

    func testMissingBraces() {
        assertMalformed("1️⃣", expected: "\"{\" or \"[\"")
        assertMalformed("  1️⃣", expected: "\"{\"")
        assertMalformed("1️⃣abc", expected: "\"{\"")
        assertMalformed("1️⃣a,b}", expected: "\"{\"")
        assertMalformed("{a,b1️⃣", expected: "\",\" or \"}\"")
        assertMalformed("{1️⃣", expected: "an element or \"}\"")
        assertMalformed("{a,1️⃣", expected: "an element")
        assertMalformed("{{a}1️⃣", expected: "\",\" or \"}\"")
        assertMalformed("{{a},{b}1️⃣", expected: "\",\" or \"}\"")
    }

    func testUnbalancedQuotes() {
        assertMalformed("{\"abc1️⃣", expected: "a closing quote")
        assertMalformed("{\"a\\\"}1️⃣", expected: "a closing quote")
        assertMalformed("{\"a\"1️⃣", expected: "\",\" or \"}\"")
        assertMalformed("{\"a\\1️⃣", expected: "a character after")
        assertMalformed("{a\\1️⃣", expected: "a character after")
        assertMalformed("{\"a\"1️⃣b}", expected: "after a quoted element")
        assertMalformed("{\"a\" 1️⃣\"b\"}", expected: "after a quoted element")
        assertMalformed("{a1️⃣\"b\"}", expected: "inside an unquoted element")
        assertMalformed("{ab 1️⃣\"}", expected: "inside an unquoted element")
    }

    func testJunkAfterTheClosingBrace() {
        assertMalformed("{a}1️⃣x", expected: "end of input")
        assertMalformed("{a} 1️⃣x", expected: "end of input")
        assertMalformed("{a}1️⃣}", expected: "end of input")
        assertMalformed("{}1️⃣{}", expected: "end of input")
    }

    func testMisplacedDelimitersAndBraces() {
        assertMalformed("{1️⃣,a}", expected: "an element or \"}\"")
        assertMalformed("{a,1️⃣,b}", expected: "an element")
        assertMalformed("{a,1️⃣}", expected: "an element")
        assertMalformed("{a1️⃣{b}}", expected: "no \"{\" inside an unquoted element")
        assertMalformed("{\"a\"1️⃣{b}}", expected: "\",\" or \"}\"")
        assertMalformed("{{a}1️⃣{b}}", expected: "\",\" or \"}\"")
        assertMalformed("{{a},1️⃣}", expected: "an element")
    }

    func testMismatchedNesting() {
        assertMalformed("{{1,2},1️⃣3}", expected: "sub-arrays with matching dimensions")
        assertMalformed("{{1,2},{31️⃣}}", expected: "sub-arrays with matching dimensions")
        assertMalformed("{1,1️⃣{2}}", expected: "sub-arrays with matching dimensions")
        assertMalformed("{{},{11️⃣}}", expected: "sub-arrays with matching dimensions")
        assertMalformed("{{{1}},{1️⃣2}}", expected: "sub-arrays with matching dimensions")
        assertMalformed("{{{{{{1️⃣{}}}}}}}", expected: "at most 6 array dimensions")
        XCTAssertEqual(elements("{{{{{{x}}}}}}"), ["x"], "six dimensions are allowed")
    }

    func testDimensionDecorationErrors() {
        assertMalformed("[1:2]={a,b,c1️⃣}", expected: "matching the given dimensions")
        assertMalformed("[1:2]={1️⃣{a},{b}}", expected: "matching the given dimensions")
        assertMalformed("[1:2][1:1]={1️⃣a,b}", expected: "matching the given dimensions")
        assertMalformed("[1:2]1️⃣{a,b}", expected: "\"=\"")
        assertMalformed("[1:21️⃣={a,b}", expected: "\"]\"")
        assertMalformed("[1️⃣]={}", expected: "a digit")
        assertMalformed("[1:1️⃣]={}", expected: "a digit")
        assertMalformed("[3:11️⃣]={}", expected: "upper bound")
        assertMalformed("[1️⃣99999999999]={}", expected: "integer range")
        assertMalformed("[1:2]=1️⃣(a,b)", expected: "\"{\"")
        assertMalformed("[1][1][1][1][1][1]1️⃣[1]={}", expected: "at most 6")
    }

    // MARK: JSON form

    func testAppendJSON() throws {
        XCTAssertEqual(try json("{a,NULL,\"b \\\"q\\\"\"}"), #"["a",null,"b \"q\""]"#)
        XCTAssertEqual(try json("{}"), "[]")
        XCTAssertEqual(try json("{{1,2},{3,4}}"), #"[["1","2"],["3","4"]]"#)
        XCTAssertEqual(try json("{{},{}}"), "[[],[]]")
        XCTAssertEqual(try json("[0:1]={x,y}"), #"["x","y"]"#)
        XCTAssertEqual(try json("{\"a\tb\",c\\\\d}"), #"["a\tb","c\\d"]"#)
    }

    func testAppendJSONAppendsAndLeavesOutputUntouchedOnError() {
        var out = Array("prefix:".utf8)
        XCTAssertNoThrow(try withBytes("{a}") { try ArrayLiteral.appendJSON($0, to: &out) })
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #"prefix:["a"]"#)
        XCTAssertThrowsError(try withBytes("{a,b,{c}}") { try ArrayLiteral.appendJSON($0, to: &out) })
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #"prefix:["a"]"#)
    }

    // MARK: Writing literals

    func testAppendLiteralQuotesExactlyAsArrayOut() {
        XCTAssertEqual(literal([]), "{}")
        XCTAssertEqual(literal(["a", nil, "TP53"]), "{a,NULL,TP53}")
        XCTAssertEqual(literal(["", "NULL", "null", "nUlL"]), #"{"","NULL","null","nUlL"}"#)
        XCTAssertEqual(literal(["a b", "a,b", "{", "}", "x\ty", "x\ny", "x\u{0B}y", "x\u{0C}y", "x\ry"]),
                       "{\"a b\",\"a,b\",\"{\",\"}\",\"x\ty\",\"x\ny\",\"x\u{0B}y\",\"x\u{0C}y\",\"x\ry\"}")
        XCTAssertEqual(literal(["a\"b", "a\\b"]), #"{"a\"b","a\\b"}"#)
        XCTAssertEqual(literal(["NULLs", "ü", "[1]", "a:b", "x;y"]), "{NULLs,ü,[1],a:b,x;y}")
    }

    // MARK: Properties

    private static let elementPieces = [
        "", "a", "TP53", "NULL", "null", "\"", "\\", "{", "}", ",", " ", "\t", "\n", "\u{0B}", "ü", "日本", "😀",
        "x y", "[1:2]", "=", "\\N",
    ]

    private func randomElements(_ random: inout SplitMix64) -> [[UInt8]?] {
        (0..<Int.random(in: 0...8, using: &random)).map { _ in
            random.oneIn(6) ? nil : random.text(from: Self.elementPieces, maxPieces: 4)
        }
    }

    func testLiteralsRoundTrip() throws {
        var random = SplitMix64(seed: 0xA77A_0001)
        for _ in 0..<2000 {
            let original = randomElements(&random)
            var text: [UInt8] = []
            ArrayLiteral.appendLiteral(original, to: &text)
            var decoded: [[UInt8]?] = []
            try text.withUnsafeBufferPointer { bytes in
                try ArrayLiteral.forEachElement(bytes) { decoded.append($0.map(Array.init)) }
            }
            XCTAssertEqual(decoded, original, String(decoding: text, as: UTF8.self))

            // The JSON form holds the same elements.
            var json: [UInt8] = []
            try text.withUnsafeBufferPointer { try ArrayLiteral.appendJSON($0, to: &json) }
            let expected = JSONValue.array(original.map { $0.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null })
            XCTAssertEqual(try json.withUnsafeBufferPointer(JSON.parse), expected)
        }
    }

    func testRandomBytesNeverCrashAndBothReadersAgree() {
        var random = SplitMix64(seed: 0xA77A_0002)
        let pieces = ["{", "}", "{", "}", ",", "\"", "\\", " ", "a", "NULL", "[", "]", ":", "=", "1", "-", "é"]
        for _ in 0..<4000 {
            var bytes = random.text(from: pieces, maxPieces: 14)
            if random.oneIn(8) { bytes += random.bytes(count: 3) }
            var elementCount = 0
            let elementError = decodeError {
                try bytes.withUnsafeBufferPointer { try ArrayLiteral.forEachElement($0) { _ in elementCount += 1 } }
            }
            var json: [UInt8] = []
            let jsonError = decodeError {
                try bytes.withUnsafeBufferPointer { try ArrayLiteral.appendJSON($0, to: &json) }
            }
            XCTAssertEqual(elementError, jsonError, String(decoding: bytes, as: UTF8.self))
            if let error = elementError {
                XCTAssertTrue((0...bytes.count).contains(error.offset))
                XCTAssertTrue(json.isEmpty)
            }
        }
    }

    // MARK: Plain ASCII fast path

    private func isPlain(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { ArrayLiteral.isPlainASCII($0) }
    }

    func testPlainASCIIListsAreRecognized() {
        for text in ["{}", "{a}", "{a,b}", "{NULL,null}", #"{"a b","x,y",TP53}"#, #"{"","{","}"}"#, "{[1],a:b,x;y,=}",
                     "{\"x\ty\"}"] {
            XCTAssertTrue(isPlain(text), text)
        }
    }

    func testAnythingElseIsLeftToTheFullReader() {
        // Valid literals outside the plain form, and malformed ones.
        for text in [" {a}", "{a} ", "{ a}", "{a b}", "{a,\\b}", #"{"a\"b"}"#, "{{a},{b}}", "[1:1]={a}", "{ü}", #"{"ü"}"#,
                     "{a\u{0}}", "", "{", "}", "{,}", "{a,}", "{,a}", "{a,,b}", #"{"a"b}"#, #"{"a"}x"#, "{a}}", "{a{}", #"{a"}"#,
                     #"{"a}"#, "{}}", "{a}\n"] {
            XCTAssertFalse(isPlain(text), text)
        }
    }

    func testWhatThePlainPathAcceptsIsValidTextAndAValidLiteral() {
        var random = SplitMix64(seed: 0xA77A_0003)
        // Runs of 8 bytes and more too, which the fast path skips a word at a time.
        let pieces = ["a", "ABCDEFGHIJK", "NULL", ",", ",", "\"", "\"", "[", "=", "\u{7F}", "{", "}", "\\", " ", "\u{0}", "é", "\t"]
        var accepted = 0
        for _ in 0..<20000 {
            let bytes = Array("{".utf8) + random.text(from: pieces, maxPieces: 8) + Array("}".utf8)
            guard bytes.withUnsafeBufferPointer({ ArrayLiteral.isPlainASCII($0) }) else { continue }
            accepted += 1
            let text = String(decoding: bytes, as: UTF8.self)
            XCTAssertNil(bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset($0) }, text)
            XCTAssertNoThrow(try bytes.withUnsafeBufferPointer { try ArrayLiteral.forEachElement($0) { _ in } }, text)
        }
        XCTAssertGreaterThan(accepted, 100)

        // Literals written by `appendLiteral` from plain ASCII elements take the fast path.
        for _ in 0..<2000 {
            let elements: [[UInt8]?] = (0..<Int.random(in: 0...6, using: &random)).map { _ in
                random.oneIn(5) ? nil : random.text(from: ["a", "TP53", "x y", ",", "{", "}", "[1]", "-"], maxPieces: 3)
            }
            var text: [UInt8] = []
            ArrayLiteral.appendLiteral(elements, to: &text)
            XCTAssertTrue(text.withUnsafeBufferPointer { ArrayLiteral.isPlainASCII($0) }, String(decoding: text, as: UTF8.self))
        }
    }

    /// The elements `plainASCIIElements` gives as ranges of the literal, nil when it says no.
    private func plainElements(_ bytes: [UInt8]) -> [String?]? {
        var ranges: [Range<Int>?] = []
        guard ArrayLiteral.plainASCIIElements(bytes.span, into: &ranges) else { return nil }
        return ranges.map { $0.map { String(decoding: bytes[$0], as: UTF8.self) } }
    }

    func testPlainElementsAreTheFullReadersElementsAsRangesOfTheLiteral() {
        for text in ["{}", "{a}", "{a,b}", "{NULL,null,NuLl,\"NULL\"}", #"{"a b","x,y",TP53}"#, #"{"","{","}"}"#, "{[1],a:b,x;y,=}",
                     "{\"x\ty\"}", #"{" spaced ",NULLS,xNULL}"#] {
            XCTAssertEqual(plainElements(Array(text.utf8)), elements(text), text)
        }
        for text in [" {a}", "{a b}", "{a,\\b}", #"{"a\"b"}"#, "{{a},{b}}", "{ü}", "", "{", "{a,}", #"{"a"b}"#] {
            XCTAssertNil(plainElements(Array(text.utf8)), text)
        }
        // Random literals: where the plain path says yes, the full reader's elements; and it says yes
        // exactly where the plain ASCII check does.
        var random = SplitMix64(seed: 0xA77A_0005)
        let pieces = ["a", "ABCDEFGHIJK", "NULL", "null", ",", ",", "\"", "\"", "[", "\u{7F}", "{", "}", "\\", " ", "é", "\t"]
        var accepted = 0
        for _ in 0..<20000 {
            let bytes = Array("{".utf8) + random.text(from: pieces, maxPieces: 8) + Array("}".utf8)
            let text = String(decoding: bytes, as: UTF8.self)
            let plain = plainElements(bytes)
            XCTAssertEqual(plain != nil, bytes.withUnsafeBufferPointer { ArrayLiteral.isPlainASCII($0) }, text.debugDescription)
            guard let plain else { continue }
            accepted += 1
            XCTAssertEqual(plain, elements(text), text.debugDescription)
        }
        XCTAssertGreaterThan(accepted, 100)
    }

    // MARK: Plain text fast path

    private func isPlainText(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { ArrayLiteral.isPlainText($0) } }

    func testPlainTextListsWithEscapesAndUTF8InQuotesAreRecognized() {
        for text in ["{}", "{a,b}", #"{"zinc ion binding","β-catenin binding"}"#, #"{"hormone activity","\"de novo\" protein folding"}"#,
                     #"{"a\\b","\,","\é","中文 😀"}"#, "{\"x\ty\"}", #"{"\a\b\c"}"#] {
            XCTAssertTrue(isPlainText(Array(text.utf8)), text)
            XCTAssertNoThrow(try ArrayLiteral.elements(text), text)
        }
    }

    func testPlainTextLeavesTheRestToTheFullReader() {
        let texts = ["{ü}", "{a\\b}", #"{"a\"}"#, #"{"a\"#, "{\"a\u{0}\"}", "{\"\\\u{0}\"}", " {a}", "{a} ", "{{a}}", "{a,}", #"{"a"b}"#]
        var cases = texts.map { Array($0.utf8) }
        // Malformed UTF-8 inside quotes, escaped or not: truncated, overlong, surrogate, stray continuation.
        for bad: [UInt8] in [[0xC3], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80]] {
            cases.append(Array("{\"a".utf8) + bad + Array("\"}".utf8))
            cases.append(Array("{\"\\".utf8) + bad + Array("\"}".utf8))
        }
        for bytes in cases {
            XCTAssertFalse(isPlainText(bytes), String(decoding: bytes, as: UTF8.self).debugDescription)
        }
    }

    func testWhatThePlainTextPathAcceptsIsValidTextAndAValidLiteral() {
        var random = SplitMix64(seed: 0xA77A_0004)
        let pieces = ["a", "ABCDEFGHIJK", "NULL", ",", ",", "\"", "\"", "\"", "\\", "\\", "\\\"", "\u{7F}", "{", "}", " ", "\u{0}", "é", "β",
                      "😀", "\t", "\u{FFFD}"]
        var accepted = 0
        for _ in 0..<30000 {
            var bytes = Array("{".utf8) + random.text(from: pieces, maxPieces: 10) + Array("}".utf8)
            if random.oneIn(4) { bytes.insert(random.pick([0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xFF] as [UInt8]), at: Int.random(in: 1..<bytes.count, using: &random)) }
            let plainASCII = bytes.withUnsafeBufferPointer { ArrayLiteral.isPlainASCII($0) }
            guard isPlainText(bytes) else {
                XCTAssertFalse(plainASCII, String(decoding: bytes, as: UTF8.self).debugDescription)
                continue
            }
            accepted += 1
            let text = String(decoding: bytes, as: UTF8.self).debugDescription
            XCTAssertNil(bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset($0) }, text)
            XCTAssertNoThrow(try bytes.withUnsafeBufferPointer { try ArrayLiteral.forEachElement($0) { _ in } }, text)
        }
        XCTAssertGreaterThan(accepted, 1000)
    }
}
