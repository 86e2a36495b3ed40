import XCTest
@testable import MediabaseBytes

final class CodecSpansTests: XCTestCase {
    func testJSONElementsAsSpans() throws {
        let json = Array(#" ["a\"b", null, 12, {"k": [1]}] "#.utf8)
        var elements: [String] = []
        try JSON.forEachElement(json.span) { elements.append(String(utf8: $0)) }
        XCTAssertEqual(elements, [#""a\"b""#, "null", "12", #"{"k": [1]}"#])
        XCTAssertThrowsError(try JSON.forEachElement(Array("{}".utf8).span) { _ in })
    }

    func testArrayLiteralAsJSONFromSpan() throws {
        var out = Array("x".utf8)
        try ArrayLiteral.appendJSON(Array(#"{{a,NULL},{"b c",d}}"#.utf8).span, to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #"x[["a",null],["b c","d"]]"#)
        XCTAssertThrowsError(try ArrayLiteral.appendJSON(Array("{a".utf8).span, to: &out))
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #"x[["a",null],["b c","d"]]"#, "left as it was")
    }

    func testCopyNull() {
        var out = Array("a\t".utf8)
        CopyText.encodeNull(into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "a\t\\N")
    }
}
