import XCTest
@testable import MediabaseBytes

/// The one-pass checks of raw COPY fields (`UTF8Validation.plainRawTextFieldEnd`,
/// `ArrayLiteral.plainRawFieldEnd`, `JSON.quickRawField`) against the checks of decoded values:
/// when one takes a field, the bytes up to the end it gives hold no TAB nor backslash (so they are
/// the value), and the decoded check accepts them the same way.
final class RawFieldChecksTests: XCTestCase {
    private static let json = [
        #"{}"#, #"{"end": 219195516, "start": 219195186, "strand": 1}"#, #"{"low": [], "high": []}"#, "[1, 2.5e3, -0]",
        #""text""#, "true", "null", "12", " {} ", #"{"a": "é"}"#, #"{"pharmgkb_data": {"x": [1]}, "b": 2}"#, #"{"a":1,"b":[true,false]}"#,
        #"{"a": "x\"y"}"#, #"{"a": "\u00e9"}"#, "{", #"{"a": }"#, "[1,]", "01", #"{"a" 1}"#, "tru", #"{"a": "\#u{1}"}"#, "1 2",
        #"{"long": "\#(String(repeating: "z", count: 200))"}"#,
    ]
    private static let arrays = [
        "{}", "{a}", "{a,b,c}", #"{"a b","c, d",NULL}"#, #"{"é",x}"#, #"{"x\"y"}"#, "{a,}", "{,a}", "{a b}", "{{1},{2}}", "{", "{a",
        #"{"a"b}"#, "[1:1]={a}", " {a}", #"{"\#u{1}"}"#,
    ]
    private static let texts = ["", "ENST00000269305.4", "a b", "é", "x\\ny", "\u{7F}", "plain text that is longer than a vector of bytes"]
    /// What may follow a field in its line.
    private static let after = ["", "\tnext", "x\tnext", " \tnext", "\t", "\\N"]

    private func lines(_ field: String) -> [(line: [UInt8], start: Int)] {
        Self.after.flatMap { suffix in
            [(Array((field + suffix).utf8), 0), (Array(("prefix\t" + field + suffix).utf8), 7)]
        }
    }

    /// Whether `end` is where the field ends: a TAB or the line's end.
    private func endsField(_ line: [UInt8], _ end: Int) -> Bool { end == line.count || line[end] == 0x09 }

    private func assertRaw(_ line: [UInt8], _ start: Int, _ end: Int, file: StaticString = #filePath, lineNumber: UInt = #line) {
        XCTAssertGreaterThanOrEqual(end, start, file: file, line: lineNumber)
        XCTAssertLessThanOrEqual(end, line.count, file: file, line: lineNumber)
        XCTAssertFalse(line[start..<end].contains(0x09) || line[start..<end].contains(0x5C), "\(line)", file: file, line: lineNumber)
    }

    func testJSONTakesOnlyWhatTheDecodedCheckAccepts() {
        var taken = 0
        for document in Self.json {
            for (line, start) in lines(document) {
                var found = false
                let quick = JSON.quickRawField(line.span, from: start, limit: 128, member: "pharmgkb_data")
                guard let quick else { continue }
                assertRaw(line, start, quick.end)
                guard endsField(line, quick.end) else { continue }
                let field = Array(line[start..<quick.end])
                XCTAssertEqual(quick.type, JSON.quickType(field.span), document)
                XCTAssertEqual(quick.type, try? JSON.validate(field.span), document)
                if quick.type == .object { found = JSON.quickObjectHoldsMember(field.span, named: "pharmgkb_data") ?? false }
                XCTAssertEqual(quick.holdsMember, found, document)
                taken += 1
            }
        }
        XCTAssertGreaterThan(taken, 40)
        // The common forms are taken; longer than the limit and escaped ones are not.
        XCTAssertEqual(JSON.quickRawField(Array(#"{"a": [1]}"#.utf8).span, from: 0, limit: 127, member: nil)?.end, 10)
        XCTAssertNil(JSON.quickRawField(Array(#"{"a": [1]}"#.utf8).span, from: 0, limit: 9, member: nil))
        XCTAssertNil(JSON.quickRawField(Array(#"{"a": "x\\"}"#.utf8).span, from: 0, limit: 127, member: nil))
        XCTAssertNil(JSON.quickRawField(Array("{\"a\":\t1}".utf8).span, from: 0, limit: 127, member: nil))
    }

    func testArraysTakeOnlyWhatTheDecodedCheckAccepts() throws {
        var taken = 0
        for literal in Self.arrays {
            for (line, start) in lines(literal) {
                guard let end = ArrayLiteral.plainRawFieldEnd(line.span, from: start) else { continue }
                assertRaw(line, start, end)
                guard endsField(line, end) else { continue }
                let field = Array(line[start..<end])
                XCTAssertTrue(ArrayLiteral.isPlainText(field.span), literal)
                XCTAssertNoThrow(try ArrayLiteral.forEachElement(field.span) { _ in }, literal)
                taken += 1
            }
        }
        XCTAssertGreaterThan(taken, 20)
        XCTAssertEqual(ArrayLiteral.plainRawFieldEnd(Array(#"{"a b",c}"#.utf8).span, from: 0), 9)
        XCTAssertNil(ArrayLiteral.plainRawFieldEnd(Array(#"{"a\\"b"}"#.utf8).span, from: 0))
        XCTAssertNil(ArrayLiteral.plainRawFieldEnd(Array("{\"a\tb\"}".utf8).span, from: 0))
    }

    func testTextTakesOnlyASCIIWithoutBackslash() {
        for text in Self.texts {
            for (line, start) in lines(text) {
                guard let end = UTF8Validation.plainRawTextFieldEnd(line.span, from: start) else {
                    XCTAssertTrue(text.utf8.contains { $0 >= 0x80 || $0 == 0x5C } || line[start...].contains(0x5C), text)
                    continue
                }
                assertRaw(line, start, end)
                XCTAssertTrue(endsField(line, end), text)
                XCTAssertNil(UTF8Validation.firstInvalidOffset(Array(line[start..<end]).span), text)
                XCTAssertEqual(end, line[start...].firstIndex(of: 0x09) ?? line.count, text)
            }
        }
    }
}
