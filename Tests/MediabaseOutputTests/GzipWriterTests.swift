import Foundation
import MediabaseTestSupport
import XCTest
@testable import MediabaseBytes
@testable import MediabaseModel
@testable import MediabaseOutput
@testable import MediabaseGenerate

final class GzipWriterTests: ScratchFolderTestCase {
    /// Text with long repeats (matches across chunk boundaries) and random stretches.
    private func sampleInput(bytes count: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        let words = ["ENSG00000141510\t", "TP53\t", "{\"drugs\": [1, 2]}\n", "protein_coding\t", "\\N\t", "é日本\n"]
        var out: [UInt8] = []
        while out.count < count {
            if random.oneIn(4) { out += random.bytes(count: 64) } else { out += random.text(from: words, maxPieces: 30) }
        }
        return Array(out.prefix(count))
    }

    private func compress(_ input: [UInt8], threads: Int, chunkSize: Int, name: String) throws -> (path: String, sha256: String, bytes: Int64) {
        let pool = try CompressionPool(threads: threads, level: 6)
        defer { pool.shutdown() }
        let path = self.path(name)
        let writer = try GzipWriter(path: path, pool: pool, chunkSize: chunkSize)
        // Uneven writes, so chunk boundaries fall inside them.
        var offset = 0
        var step = 1
        while offset < input.count {
            let end = min(input.count, offset + step)
            try writer.write(Array(input[offset..<end]))
            offset = end
            step = step * 3 % 70_001 + 1
        }
        let (sha256, bytes) = try writer.finish()
        return (path, sha256, bytes)
    }

    private func inflate(_ path: String) throws -> [UInt8] { try GzipFiles.inflate(path: path) }

    private func gzipTest(_ path: String) throws -> Int32 {
        try Subprocess.shell("gzip -t \"$0\"", arguments: [path]).status
    }

    func testSameBytesWhateverTheThreadsAndTheyInflateBack() throws {
        let input = sampleInput(bytes: 700_000, seed: 7)
        let one = try compress(input, threads: 1, chunkSize: 64 * 1024, name: "one.gz")
        let two = try compress(input, threads: 2, chunkSize: 64 * 1024, name: "two.gz")
        let five = try compress(input, threads: 5, chunkSize: 64 * 1024, name: "five.gz")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: one.path))
        XCTAssertEqual(bytes, try Data(contentsOf: URL(fileURLWithPath: two.path)))
        XCTAssertEqual(bytes, try Data(contentsOf: URL(fileURLWithPath: five.path)))
        XCTAssertEqual(one.sha256, FileDigest.sha256(bytes: bytes))
        XCTAssertEqual(one.bytes, Int64(bytes.count))
        XCTAssertLessThan(bytes.count, input.count / 2, "the chunks still compress as one stream")
        XCTAssertEqual(try inflate(one.path), input)
        XCTAssertEqual(try gzipTest(one.path), 0)
    }

    func testHeaderHasNoTimeStampOrName() throws {
        let file = try compress(Array("hello\n".utf8), threads: 2, chunkSize: 4, name: "h.gz")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file.path)))
        XCTAssertEqual(Array(bytes.prefix(10)), [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03])
        XCTAssertEqual(try inflate(file.path), Array("hello\n".utf8))
    }

    /// Rows appended straight into the chunk buffer give the bytes of the same rows written, with
    /// chunks cut inside rows and rows longer than a chunk (one of 350 KB: 85 chunks); a row whose
    /// body throws leaves nothing.
    func testAppendedRowsGiveTheBytesOfWrittenOnesAndAThrowTakesTheRowBack() throws {
        struct Refused: Error {}
        let input = sampleInput(bytes: 300_000, seed: 11)
        var rows: [[UInt8]] = []
        var offset = 0
        var step = 1
        while offset < input.count {
            let end = min(input.count, offset + step)
            rows.append(Array(input[offset..<end]))
            offset = end
            step = step * 7 % 9_001 + 1
        }
        rows.append(Array(repeating: UInt8(ascii: "x"), count: 20_000))
        // Longer than the buffer's room past a chunk (it grows, and is not kept), then short rows.
        rows.append(input.reversed() + input.prefix(50_000))
        rows += (0..<30).map { Array("row \($0)\n".utf8) }
        let written = try compress(rows.flatMap { $0 }, threads: 2, chunkSize: 4096, name: "written.gz")
        let pool = try CompressionPool(threads: 2, level: 6)
        defer { pool.shutdown() }
        let path = self.path("appended.gz")
        let writer = try GzipWriter(path: path, pool: pool, chunkSize: 4096)
        for (index, row) in rows.enumerated() {
            try writer.append { $0.append(contentsOf: row) }
            if index % 10 == 0 {
                XCTAssertThrowsError(try writer.append { buffer in
                    buffer.append(contentsOf: Array(repeating: UInt8(ascii: "!"), count: 5_000))
                    throw Refused()
                })
            }
        }
        let appended = try writer.finish()
        XCTAssertEqual(appended.sha256, written.sha256)
        XCTAssertEqual(try inflate(path), rows.flatMap { $0 })
    }

    func testEmptyInputAndExactChunkMultiplesAreValidGzip() throws {
        for (index, input) in [[], sampleInput(bytes: 3 * 4096, seed: 3)].enumerated() {
            let file = try compress(input, threads: 2, chunkSize: 4096, name: "e\(index).gz")
            XCTAssertEqual(try inflate(file.path), input)
            XCTAssertEqual(try gzipTest(file.path), 0)
        }
    }
}
