import XCTest
@testable import MediabaseBytes
import MediabaseTestSupport

/// The span forms of the stream and line APIs: what the readers above the bytes layer use.
final class ByteStreamTests: XCTestCase {
    /// Bytes 0, 1, 2, ... wrapping at 251 (a prime, so no pattern lines up with a buffer size).
    private func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 251) } }

    func testMemoryStreamServesItsBytesThroughSpansAndPointers() throws {
        let bytes = pattern(1000)
        XCTAssertEqual(try drain(MemoryByteStream(bytes), chunk: 7), bytes)
        let stream = MemoryByteStream(bytes)
        var buffer = [UInt8](repeating: 0, count: 600)
        let first = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
        XCTAssertEqual(first, 600)
        XCTAssertEqual(buffer, Array(bytes[0..<600]))
        var span = buffer.mutableSpan
        XCTAssertEqual(try stream.read(into: &span, at: 100, count: 50), 50)
        XCTAssertEqual(Array(buffer[100..<150]), Array(bytes[600..<650]))
        XCTAssertEqual(Array(buffer[0..<100]), Array(bytes[0..<100]), "bytes outside the range stay")
    }

    func testBufferedReaderReadsBytesRunsAndSkipsAtTheRightOffsets() throws {
        let bytes = pattern(10_000)
        let reader = BufferedByteReader(stream: MemoryByteStream(bytes), capacity: 64)
        XCTAssertEqual(try reader.readByte(), bytes[0])
        XCTAssertEqual(reader.offset, 1)
        var run: [UInt8] = []
        while run.count < 100 { XCTAssertGreaterThan(try reader.append(upTo: 100 - run.count, to: &run), 0) }
        XCTAssertEqual(run, Array(bytes[1..<101]))
        var skipped = 0
        while skipped < 899 { skipped += try reader.skip(upTo: 899 - skipped) }
        XCTAssertEqual(reader.offset, 1000)
        // A read larger than the buffer, once the buffer is empty, goes to the stream directly.
        var rest = try drain(reader, chunk: 5000)
        XCTAssertEqual(rest, Array(bytes[1000...]))
        XCTAssertEqual(reader.offset, 10_000)
        XCTAssertTrue(try reader.isAtEnd())
        XCTAssertNil(try reader.readByte())
        XCTAssertEqual(try reader.append(upTo: 10, to: &rest), 0)
        XCTAssertEqual(try reader.skip(upTo: 10), 0)
    }

    func testInflateStreamReadsIntoSpans() throws {
        let text = Array(String(repeating: "mediabase ", count: 500).utf8)
        let gzip = try XCTUnwrap(Self.gzip(text))
        let stream = try InflateStream(source: MemoryByteStream(gzip), wrapping: .gzip, name: "t.gz")
        XCTAssertEqual(try drain(stream, chunk: 333), text)
    }

    func testLineBytesAreTheLinesWithoutNewlines() throws {
        let long = String(repeating: "x", count: 300)
        let text = "a\r\n\nbc\n\(long)\nlast"
        // A small buffer makes the reader move and grow it between lines.
        let lines = LineReader(stream: MemoryByteStream(text), name: "t", bufferSize: 16)
        var got: [String] = []
        var offsets: [Int64] = []
        while let line = try lines.nextLineBytes() {
            got.append(String(utf8: line))
            offsets.append(lines.lineOffset)
        }
        // Split by bytes: to Swift "\r\n" is one Character.
        let expected = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(got, expected)
        var offset: Int64 = 0
        XCTAssertEqual(offsets, expected.map { line in defer { offset += Int64(line.utf8.count + 1) }; return offset })
        XCTAssertEqual(lines.lineNumber, expected.count)
        XCTAssertFalse(lines.lastLineTerminated)
    }

    func testFirstIndexOfEitherByte() {
        let bytes = Array("ab'cd\\ef'".utf8)
        XCTAssertEqual(bytes.span.firstIndex(of: 0x27, or: 0x5C), 2)
        XCTAssertEqual(bytes.span.firstIndex(of: 0x27, or: 0x5C, from: 3), 5)
        XCTAssertEqual(bytes.span.firstIndex(of: 0x27, or: 0x5C, from: 6), 8)
        XCTAssertNil(bytes.span.firstIndex(of: 0x27, or: 0x5C, from: 6, to: 8))
        XCTAssertNil(bytes.span.firstIndex(of: 0x27, or: 0x5C, from: 9))
    }

    func testDecodeRowSetsTheRawLine() {
        let line = Array("a\tb\\tc\t\\N".utf8)
        let row = RowBuffer()
        XCTAssertEqual(CopyText.decodeRow(line.span, into: row), .complete)
        XCTAssertEqual(row.strings, ["a", "b\tc", nil])
        XCTAssertTrue(row.rawBytes.elementsEqual(line))
        row.clearRaw()
        XCTAssertEqual(row.rawBytes.count, 0)
    }

    /// `bytes` compressed by the system's gzip, so the expected data does not come from the code
    /// under test.
    private static func gzip(_ bytes: [UInt8]) throws -> [UInt8]? {
        let outcome = try Subprocess.shell("gzip -n -c", input: Data(bytes), mergingErrors: false)
        guard outcome.status == 0 else { return nil }
        return Array(outcome.output)
    }
}
