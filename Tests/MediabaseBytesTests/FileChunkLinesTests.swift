import XCTest
@testable import MediabaseBytes

final class FileChunkLinesTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("chunk-lines-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func file(_ text: String) throws -> FileByteStream {
        let path = folder.appendingPathComponent("input").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try FileByteStream(path: path)
    }

    /// Every line of `start..<end` as text, with whether a newline ended it.
    private func lines(_ reader: FileChunkLines, from start: Int, to end: Int) throws -> [(String, Bool)] {
        reader.start(at: start)
        var found: [(String, Bool)] = []
        while let line = try reader.nextLine(end: end) {
            found.append((String(utf8: reader.bytes.extracting(line.start..<line.end)), line.terminated))
            reader.keepFrom = line.start
        }
        return found
    }

    func testLinesOfARangeThroughABufferSmallerThanTheRange() throws {
        let text = "first\nsecond line\n\nthird, the longest line of all\nlast"
        let stream = try file(text)
        // 4 bytes at first: the buffer refills and grows for the long line.
        let reader = FileChunkLines(file: stream, fileName: "input", capacity: 4)
        let expected = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let found = try lines(reader, from: 0, to: text.utf8.count)
        XCTAssertEqual(found.map(\.0), expected)
        XCTAssertEqual(found.map(\.1), [true, true, true, true, false])
        // A range that starts at a later line's start and ends at another's.
        let start = text.utf8.count - "third, the longest line of all\nlast".utf8.count
        XCTAssertEqual(try lines(reader, from: start, to: text.utf8.count - "last".utf8.count).map(\.0), ["third, the longest line of all"])
    }

    func testFileEndingBeforeTheRangeIsAnError() throws {
        let stream = try file("abc\ndef")
        let reader = FileChunkLines(file: stream, fileName: "input", capacity: 16)
        reader.start(at: 0)
        XCTAssertThrowsError(try { while try reader.nextLine(end: 100) != nil {} }()) { error in
            XCTAssertTrue("\(error)".contains("input"), "\(error)")
        }
    }

    func testKeptBytesAreFoundAgainByTheirFileOffsetAfterARefill() throws {
        // Lines of 7 bytes and a newline; the buffer holds two lines, so every second line refills.
        let rows = (0..<12).map { String(format: "row%04d", $0) }
        let stream = try file(rows.joined(separator: "\n") + "\n")
        let reader = FileChunkLines(file: stream, fileName: "input", capacity: 16)
        reader.start(at: 0)
        var previous: (offset: Int, text: String)?
        var number = 0
        while let line = try reader.nextLine(end: rows.count * 8) {
            let text = String(utf8: reader.bytes.extracting(line.start..<line.end))
            XCTAssertEqual(text, rows[number])
            XCTAssertEqual(reader.bufferOffset + line.start, number * 8, "a line's file offset")
            if let previous {
                // The previous line is kept (it starts at `keepFrom`), wherever a refill moved it.
                let start = previous.offset - reader.bufferOffset
                XCTAssertGreaterThanOrEqual(start, 0, "line \(number)")
                XCTAssertEqual(String(utf8: reader.bytes.extracting(start..<(start + 7))), previous.text)
                XCTAssertTrue(reader.bytesEqual(start, line.start, count: 3))
                XCTAssertFalse(reader.bytesEqual(start, line.start, count: 7))
            }
            if number >= 2, number % 2 == 0 {
                // A refill kept only the previous line: the one before it is gone.
                XCTAssertLessThan((number - 2) * 8 - reader.bufferOffset, 0, "line \(number)")
            }
            reader.keepFrom = line.start
            previous = (reader.bufferOffset + line.start, text)
            number += 1
        }
        XCTAssertEqual(number, rows.count)
    }
}

final class CopyTextFieldsTests: XCTestCase {
    private func ends(_ line: String) -> [Int] {
        let bytes = Array(line.utf8)
        var found: [Int] = []
        var start = 0
        while true {
            let end = bytes.span.copyFieldEnd(from: start)
            found.append(end)
            guard end < bytes.count else { return found }
            start = end + 1
        }
    }

    func testFieldEndsAtTabsNotEscapedByAnOddBackslashRun() {
        XCTAssertEqual(ends("a\tbc\t"), [1, 4, 5])
        XCTAssertEqual(ends(""), [0])
        // `\<TAB>` is data; `\\<TAB>` is an escaped backslash before a separator.
        XCTAssertEqual(ends("a\\\tb\tc"), [4, 6])
        XCTAssertEqual(ends("a\\\\\tb"), [3, 5])
    }

    /// Random lines of letters, TABs and backslashes: the field ends found one by one are the TABs
    /// after an even run of backslashes (counted within the field), and as many as the decoder's
    /// fields.
    func testFieldEndsOfRandomLinesFollowTheBackslashRuns() {
        var state: UInt64 = 0xF1E1_D0E5
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for _ in 0..<5_000 {
            let alphabet: [UInt8] = [0x61, 0x09, 0x5C, 0x5C, 0x4E]
            let bytes = (0..<next(60)).map { _ in alphabet[next(alphabet.count)] }
            var expected: [Int] = []
            var run = 0
            for (index, byte) in bytes.enumerated() {
                if byte == 0x09, run & 1 == 0 { expected.append(index) }
                run = byte == 0x5C ? run + 1 : 0
            }
            expected.append(bytes.count)
            let line = String(decoding: bytes, as: UTF8.self)
            XCTAssertEqual(ends(line), expected, line.debugDescription)
            if !CopyText.endsInEscape(bytes.span) {
                let row = RowBuffer(capacity: 64)
                CopyText.decodeRow(bytes.span, into: row)
                XCTAssertEqual(row.count, expected.count, line.debugDescription)
            }
        }
    }

    func testCountsAndEndsAgreeWithTheDecoder() {
        for line in ["a\tb", "a\\\tb\tc", "\\\\\t\\N", "x\\"] {
            let bytes = Array(line.utf8)
            let row = RowBuffer(capacity: 16)
            let end = CopyText.decodeRow(bytes.span, into: row)
            XCTAssertEqual(CopyText.endsInEscape(bytes.span), end == .continues, line)
            if end == .complete { XCTAssertEqual(CopyText.countRawFields(bytes.span), row.count, line) }
        }
    }
}

final class PositionedReadTests: XCTestCase {
    func testReadsAtAnOffsetIntoPartOfAnArray() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("positioned-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("0123456789".utf8).write(to: URL(fileURLWithPath: path))
        let stream = try FileByteStream(path: path)
        var bytes = [UInt8](repeating: 0x2E, count: 6)
        XCTAssertEqual(try stream.read(at: 3, into: &bytes, from: 1, count: 4), 4)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), ".3456.")
        XCTAssertEqual(try stream.read(at: 8, into: &bytes, count: 6), 2)
        XCTAssertEqual(try stream.byte(at: 9), UInt8(ascii: "9"))
        XCTAssertNil(try stream.byte(at: 10))
    }

    func testStaticStringBytes() {
        let literal: StaticString = "pharmgkb_data"
        XCTAssertEqual(literal.withBytes { [UInt8]($0) }, Array("pharmgkb_data".utf8))
    }
}
