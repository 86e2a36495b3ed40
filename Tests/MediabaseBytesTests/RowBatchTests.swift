import Foundation
import MediabaseTestSupport
import XCTest
@testable import MediabaseBytes

/// The batch codec: what is written reads back in order, with NULL, empty and binary fields
/// told apart; rows come back borrowing the batch; the bytes follow the documented layout.
final class RowBatchTests: XCTestCase {
    /// A copy of a field's bytes, nil for NULL.
    private func copy(_ field: Span<UInt8>?) -> [UInt8]? {
        guard let field else { return nil }
        return [UInt8](field)
    }

    func testItemsReadBackInOrder() {
        var batch: [UInt8] = []
        batch.append(7)
        RowBatch.appendWord(0x0102_0304_0506_0708, to: &batch)
        RowBatch.appendField(Array("gene".utf8).span, to: &batch)
        RowBatch.appendField(nil, to: &batch)
        RowBatch.appendField([UInt8]().span, to: &batch)
        RowBatch.appendField("ü\t\\N", to: &batch)
        RowBatch.appendNull(to: &batch)
        RowBatch.appendInteger(-42, to: &batch)
        RowBatch.appendReal(-0.5, to: &batch)
        RowBatch.appendField([0, 0xFF, 0x0A].span, to: &batch)

        var reader = RowBatchReader(batch.span)
        XCTAssertEqual(reader.byte(), 7)
        XCTAssertEqual(reader.word(), 0x0102_0304_0506_0708)
        XCTAssertEqual(reader.nextFieldKind, .text)
        XCTAssertEqual(reader.string(), "gene")
        XCTAssertEqual(reader.nextFieldKind, .null)
        let null = copy(reader.field())
        XCTAssertNil(null)
        let empty = copy(reader.field())
        XCTAssertEqual(empty, [])
        XCTAssertEqual(reader.string(), "ü\t\\N")
        XCTAssertNil(reader.string())
        XCTAssertEqual(reader.nextFieldKind, .integer)
        XCTAssertEqual(reader.integer(), -42)
        XCTAssertEqual(reader.nextFieldKind, .real)
        XCTAssertEqual(reader.real(), -0.5)
        let binary = copy(reader.field())
        XCTAssertEqual(binary, [0, 0xFF, 0x0A])
        XCTAssertTrue(reader.isAtEnd)
    }

    func testLayoutIsLittleEndianWordsAndBytes() {
        var batch: [UInt8] = []
        RowBatch.appendField(Array("ab".utf8).span, to: &batch)
        RowBatch.appendNull(to: &batch)
        RowBatch.appendInteger(1, to: &batch)
        XCTAssertEqual(batch, [2, 0, 0, 0, 0, 0, 0, 0, 0x61, 0x62]
            + [UInt8](repeating: 0xFF, count: 8)
            + [0xFE] + [UInt8](repeating: 0xFF, count: 7) + [1, 0, 0, 0, 0, 0, 0, 0])
    }

    func testRowsReadBackIntoARowBuffer() {
        let rows: [[String?]] = [["ENSG1", nil, "", "x\ty"], [], [nil], [String(repeating: "z", count: 100_000)]]
        var batch: [UInt8] = []
        let source = RowBuffer(capacity: 16)
        for fields in rows {
            source.reset()
            for field in fields {
                if let field { source.appendString(field); source.endField() } else { source.appendNull() }
            }
            batch.append(0xAB)
            RowBatch.appendRow(source, to: &batch)
        }
        var reader = RowBatchReader(batch.span)
        let target = RowBuffer()
        var read: [[String?]] = []
        while !reader.isAtEnd {
            XCTAssertEqual(reader.byte(), 0xAB)
            reader.row(into: target)
            read.append(target.strings)
            XCTAssertEqual((0..<target.count).map(target.isNull), rows[read.count - 1].map { $0 == nil })
        }
        XCTAssertEqual(read, rows)
    }
}

/// The bytes-layer tools the feature targets use instead of pointers and C calls.
final class SafeFileToolsTests: XCTestCase {
    func testAFileStreamReadsTheWholeFileIntoAnArrayInChunks() throws {
        let folder = try Fixtures.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = (folder as NSString).appendingPathComponent("data")
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let reader = try FileByteStream(path: path)
        var chunk = [UInt8](repeating: 0, count: 4096)
        var read: [UInt8] = []
        var counts: [Int] = []
        while case let count = try reader.read(into: &chunk), count > 0 {
            counts.append(count)
            read += chunk[0..<count]
        }
        XCTAssertEqual(read, bytes)
        XCTAssertEqual(counts, [4096, 4096, 1808])
        XCTAssertThrowsError(try FileByteStream(path: (folder as NSString).appendingPathComponent("missing")))
    }

    func testFileMoveRenamesOrReportsTheSystemsMessage() throws {
        let folder = try Fixtures.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = (folder as NSString).appendingPathComponent("a"), target = (folder as NSString).appendingPathComponent("b")
        try Data("x".utf8).write(to: URL(fileURLWithPath: source))
        try FileMove.rename(source, to: target)
        XCTAssertEqual(FileKind(at: target), .file)
        XCTAssertNil(FileKind(at: source))
        do {
            try FileMove.rename(source, to: target)
            XCTFail("renaming a missing file succeeded")
        } catch {
            XCTAssertEqual(error.message, "No such file or directory")
        }
    }

    func testFirstEscapeSkipsEscapedBackslashes() {
        func offset(_ text: String) -> Int? { text.utf8.span.firstEscape { $0.hasPrefix("n") } }
        XCTAssertEqual(offset(#"ab\nc"#), 2)
        XCTAssertNil(offset(#"ab\\nc"#), "an escaped backslash before n is text")
        XCTAssertEqual(offset(#"\\\n"#), 2)
        XCTAssertEqual(offset(#"\x\n"#), 2, "a rejected escape does not stop the scan")
        XCTAssertNil(offset("\\"))
        XCTAssertNil(offset(""))
    }
}
