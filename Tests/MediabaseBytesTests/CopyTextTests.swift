import XCTest
@testable import MediabaseBytes
@testable import MediabaseGenerate
import MediabaseTestSupport

final class CopyTextTests: XCTestCase {
    private func decode(_ line: [UInt8]) -> (fields: [[UInt8]?], end: CopyText.LineEnd) {
        let row = RowBuffer(capacity: 16)
        let end = line.withUnsafeBufferPointer { CopyText.decodeLine($0, into: row) }
        return ((0..<row.count).map { row.field($0).map(Array.init) }, end)
    }

    /// Decodes a complete line given as text; fields come back as text.
    private func fields(_ line: String, file: StaticString = #filePath, lineNumber: UInt = #line) -> [String?] {
        let decoded = decode(Array(line.utf8))
        XCTAssertEqual(decoded.end, .complete, file: file, line: lineNumber)
        return decoded.fields.map { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    private func bytes(_ line: String) -> [[UInt8]?] { decode(Array(line.utf8)).fields }

    // MARK: Fields and NULL

    func testEmptyLineIsOneEmptyField() {
        XCTAssertEqual(fields(""), [""])
    }

    func testTabsSeparateFields() {
        XCTAssertEqual(fields("ENST1\tTP53\tchr17"), ["ENST1", "TP53", "chr17"])
        XCTAssertEqual(fields("\t"), ["", ""])
        XCTAssertEqual(fields("\ta"), ["", "a"])
    }

    func testTrailingTabIsATrailingEmptyField() {
        XCTAssertEqual(fields("a\t"), ["a", ""])
        XCTAssertEqual(fields("a\t\t"), ["a", "", ""])
    }

    func testBackslashNIsNullOnlyAsAWholeField() {
        XCTAssertEqual(fields("\\N"), [nil])
        XCTAssertEqual(fields("\\N\t\\N"), [nil, nil])
        XCTAssertEqual(fields("a\t\\N\tb"), ["a", nil, "b"])
        XCTAssertEqual(fields("\\N\t"), [nil, ""])
        XCTAssertEqual(fields("a\\N"), ["aN"])
        XCTAssertEqual(fields("\\Nx"), ["Nx"])
        XCTAssertEqual(fields("\\N\\N"), ["NN"])
    }

    func testDoubledBackslashBeforeNIsTheTextBackslashN() {
        XCTAssertEqual(fields("\\\\N"), ["\\N"])
        XCTAssertEqual(fields("a\t\\\\N"), ["a", "\\N"])
    }

    // MARK: Escapes

    func testLetterEscapes() {
        XCTAssertEqual(bytes("\\b\\f\\n\\r\\t\\v\\\\"), [[0x08, 0x0C, 0x0A, 0x0D, 0x09, 0x0B, 0x5C]])
        XCTAssertEqual(fields("line\\nnext"), ["line\nnext"])
    }

    func testEscapedTabIsDataNotASeparator() {
        XCTAssertEqual(fields("a\\\tb"), ["a\tb"])
    }

    func testOctalEscapesTakeOneToThreeDigits() {
        XCTAssertEqual(bytes("\\1"), [[0x01]])
        XCTAssertEqual(bytes("\\12"), [[0x0A]])
        XCTAssertEqual(bytes("\\101"), [[0x41]])
        XCTAssertEqual(bytes("\\1012"), [[0x41, 0x32]], "a fourth digit is data")
        XCTAssertEqual(bytes("\\08"), [[0x00, 0x38]], "8 is not an octal digit")
        XCTAssertEqual(bytes("\\0"), [[0x00]])
    }

    func testOctalEscapesKeepTheLowEightBits() {
        XCTAssertEqual(bytes("\\777"), [[0xFF]])
        XCTAssertEqual(bytes("\\400"), [[0x00]])
        XCTAssertEqual(bytes("\\501"), [[0x41]])
    }

    func testHexEscapesTakeOneOrTwoDigits() {
        XCTAssertEqual(bytes("\\x4"), [[0x04]])
        XCTAssertEqual(bytes("\\x41"), [[0x41]])
        XCTAssertEqual(bytes("\\x4a"), [[0x4A]])
        XCTAssertEqual(bytes("\\xFf"), [[0xFF]])
        XCTAssertEqual(bytes("\\x414"), [[0x41, 0x34]], "a third digit is data")
        XCTAssertEqual(bytes("\\x4g"), [[0x04, 0x67]])
    }

    func testBackslashXWithoutHexDigitIsTheLetterX() {
        XCTAssertEqual(fields("\\xZ"), ["xZ"])
        XCTAssertEqual(fields("\\x"), ["x"])
        XCTAssertEqual(fields("\\x\tb"), ["x", "b"])
    }

    func testBackslashBeforeAnyOtherCharacterIsThatCharacter() {
        XCTAssertEqual(fields("\\a\\.\\\"\\8\\é"), ["a.\"8é"])
        XCTAssertEqual(bytes("\\\u{0}"), [[0x00]])
    }

    func testEscapesAtFieldBoundaries() {
        XCTAssertEqual(fields("\\t\t\\n"), ["\t", "\n"])
        XCTAssertEqual(fields("a\\101\tb\\x42"), ["aA", "bB"])
    }

    // MARK: Continuation lines

    func testLoneBackslashAtEndOfLineContinues() {
        XCTAssertEqual(decode(Array("abc\\".utf8)).end, .continues)
        XCTAssertEqual(decode(Array("a\tb\\".utf8)).end, .continues)
        XCTAssertEqual(decode(Array("\\".utf8)).end, .continues)
        XCTAssertEqual(decode(Array("\\\\\\".utf8)).end, .continues)
        XCTAssertEqual(decode(Array("a\\\\".utf8)).end, .complete, "an escaped backslash is complete")
    }

    func testContinuedLineDecodesWithTheNewlineAsData() {
        // The caller's protocol: append "\n" and the next line, reset the row, decode again.
        XCTAssertEqual(fields("abc\\\ndef\tg"), ["abc\ndef", "g"])
    }

    // MARK: Round trip

    func testEncodedFieldsDecodeBackExactly() {
        var random = SplitMix64(seed: 0xC0B1_0001)
        let interesting: [UInt8] = [0x5C, 0x09, 0x0A, 0x0D, 0x08, 0x0C, 0x0B, 0x4E, 0x2E, 0x78, 0x30, 0x37, 0x00, 0xFF]
        var line: [UInt8] = []
        for _ in 0..<3000 {
            let fields: [[UInt8]?] = (0..<Int.random(in: 1...6, using: &random)).map { _ in
                if random.oneIn(6) { return nil }
                return (0..<Int.random(in: 0...12, using: &random)).map { _ in
                    random.oneIn(2) ? random.pick(interesting) : UInt8.random(in: 0...255, using: &random)
                }
            }
            line.removeAll(keepingCapacity: true)
            for (index, field) in fields.enumerated() {
                if index > 0 { line.append(0x09) }
                if let field {
                    field.withUnsafeBufferPointer { CopyText.encodeField($0, into: &line) }
                } else {
                    CopyText.encodeField(nil, into: &line)
                }
            }
            XCTAssertFalse(line.contains(0x0A) || line.contains(0x0D), "an encoded row is one line")
            let decoded = decode(line)
            XCTAssertEqual(decoded.end, .complete)
            XCTAssertEqual(decoded.fields, fields, "line \(line)")
        }
    }

    /// The runs between escapes are found eight bytes at a time: every escaped byte (and a
    /// control byte that needs none) at every offset of fields up to three words long, among
    /// plain and high bytes, gives the bytes of the rule applied one byte at a time.
    func testEncodingMatchesTheRuleAtEveryOffset() {
        let letters: [UInt8: UInt8] = [0x5C: 0x5C, 0x09: 0x74, 0x0A: 0x6E, 0x0D: 0x72, 0x08: 0x62, 0x0C: 0x66, 0x0B: 0x76]
        func expected(_ field: [UInt8]) -> [UInt8] {
            field.flatMap { byte in letters[byte].map { [0x5C, $0] } ?? [byte] }
        }
        var random = SplitMix64(seed: 0xC0B1_0003)
        let fillers: [[UInt8]] = [Array("ENSG0000".utf8), [0xC3, 0xA9, 0xE6, 0x97, 0xA5, 0x80, 0xFF, 0x0E], [0x01, 0x07, 0x1F, 0x20, 0x5B, 0x5D, 0x7F, 0x0E]]
        for special: UInt8 in [0x5C, 0x09, 0x0A, 0x0D, 0x08, 0x0C, 0x0B, 0x00, 0x03, 0x07] {
            for length in 1...24 {
                for offset in 0..<length {
                    let kind = Int.random(in: 0..<fillers.count, using: &random)
                    var field = (0..<length).map { fillers[kind][$0 % 8] }
                    field[offset] = special
                    if random.oneIn(3) { field[Int.random(in: 0..<length, using: &random)] = random.pick(letters.keys.sorted()) }
                    var out: [UInt8] = [0x41]
                    field.withUnsafeBufferPointer { CopyText.encodeField($0, into: &out) }
                    XCTAssertEqual(out, [0x41] + expected(field), "field \(field)")
                }
            }
        }
        var out: [UInt8] = []
        [UInt8]().withUnsafeBufferPointer { CopyText.encodeField($0, into: &out) }
        XCTAssertEqual(out, [], "empty text is an empty field, not NULL")
    }

    /// Checking and escaping in one pass: fields with valid and broken UTF-8, NUL and escaped
    /// bytes at every offset give the escaped bytes of the rule when the text is acceptable (Swift's
    /// own UTF-8 decoding, and no NUL), else the offset of the UTF-8 check.
    func testEncodedTextIsCheckedAndEscapedInOnePass() {
        let letters: [UInt8: UInt8] = [0x5C: 0x5C, 0x09: 0x74, 0x0A: 0x6E, 0x0D: 0x72, 0x08: 0x62, 0x0C: 0x66, 0x0B: 0x76]
        let pieces: [[UInt8]] = [[0x41], [0x5C], [0x09], [0x0A], [0x00], [0x07], Array("é".utf8), Array("日".utf8), Array("😀".utf8),
                                 [0xC3], [0xE6, 0x97], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xFF]]
        var random = SplitMix64(seed: 0xC0B1_0004)
        for _ in 0..<20_000 {
            var field: [UInt8] = []
            let plainRun = Int.random(in: 0...20, using: &random)
            for index in 0..<Int.random(in: 0...30, using: &random) {
                field += index < plainRun || random.oneIn(2) ? [UInt8(ascii: "a") + UInt8(index % 26)] : random.pick(pieces)
            }
            var out: [UInt8] = [0x41]
            let invalid = field.withUnsafeBufferPointer { CopyText.encodeText($0, into: &out) }
            let acceptable = !field.contains(0) && String(validating: field, as: UTF8.self) != nil
            if acceptable {
                XCTAssertNil(invalid, "field \(field)")
                XCTAssertEqual(out, [0x41] + field.flatMap { byte in letters[byte].map { [0x5C, $0] } ?? [byte] }, "field \(field)")
            } else {
                XCTAssertEqual(invalid, field.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset($0) }, "field \(field)")
                XCTAssertNotNil(invalid, "field \(field)")
            }
        }
    }

    func testEveryByteValueRoundTrips() {
        let all = (0...255).map { UInt8($0) }
        var line: [UInt8] = []
        all.withUnsafeBufferPointer { CopyText.encodeField($0, into: &line) }
        XCTAssertEqual(decode(line).fields, [all])
    }

    func testRandomLinesNeverCrash() {
        var random = SplitMix64(seed: 0xC0B1_0002)
        let alphabet: [UInt8] = [0x5C, 0x09, 0x4E, 0x78, 0x31, 0x37, 0x41, 0x62]
        for _ in 0..<3000 {
            let line = (0..<Int.random(in: 0...16, using: &random)).map { _ in
                random.oneIn(3) ? UInt8.random(in: 0...255, using: &random) : random.pick(alphabet)
            }
            let decoded = decode(line)
            XCTAssertEqual(decoded.end == .continues, endsInUnpairedBackslash(line))
        }
    }

    private func endsInUnpairedBackslash(_ line: [UInt8]) -> Bool {
        // Escapes are read left to right: a backslash escapes the byte after it, whatever it is.
        var i = 0
        while i < line.count {
            if line[i] == 0x5C {
                if i + 1 == line.count { return true }
                i += 2
            } else {
                i += 1
            }
        }
        return false
    }
}
