import Foundation
import MediabaseTestSupport
import XCTest
@testable import MediabaseBytes

final class DeflaterTests: XCTestCase {
    /// Text that repeats across chunk boundaries, with a changing counter so it is not all one match.
    private func sample(bytes count: Int) -> [UInt8] {
        var out: [UInt8] = []
        var line = 0
        while out.count < count {
            out += Array("ENSG\(100_000 + line % 977)\tTP53\tprotein_coding\t{\"drugs\": [\(line % 13)]}\n".utf8)
            line += 1
        }
        return Array(out.prefix(count))
    }

    /// A gzip member around raw deflate bytes (RFC 1952: fixed header, CRC-32 and size trailer).
    private func gzip(_ deflate: [UInt8], crc: UInt, size: Int) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03] + deflate
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: crc >> UInt(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: size >> shift)) }
        return out
    }

    private func inflate(_ bytes: [UInt8]) throws -> [UInt8] {
        try GzipFiles.inflate(MemoryByteStream(bytes), name: "test.gz")
    }

    func testCRC32CheckValueAndCombine() {
        // The standard check value of CRC-32 (ISO-HDLC, as gzip uses it).
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8).span), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]().span), 0)
        let first = Array("12345".utf8), second = Array("6789".utf8)
        XCTAssertEqual(CRC32.combine(CRC32.checksum(first.span), CRC32.checksum(second.span), secondLength: second.count), 0xCBF4_3926)
    }

    func testChunksPrimedWithTheirPredecessorConcatenateIntoOneStream() throws {
        let input = sample(bytes: 300_000)
        let chunkSize = 70_000
        let deflater = try Deflater(level: 6)
        var deflate: [UInt8] = []
        var crc: UInt = 0
        var start = 0
        while start < input.count || start == 0 {
            let end = min(input.count, start + chunkSize)
            let chunk = Array(input[start..<end])
            let dictionary = Array(input[max(0, start - Deflater.windowSize)..<start])
            let final = end == input.count
            let output = try deflater.compress(chunk.span, dictionary: dictionary.span, final: final)
            if !final {
                // A sync flush ends on the empty stored block's LEN/NLEN (zlib manual).
                XCTAssertEqual(Array(output.suffix(4)), [0x00, 0x00, 0xFF, 0xFF])
            }
            deflate += output
            crc = CRC32.combine(crc, CRC32.checksum(chunk.span), secondLength: chunk.count)
            start = end
            if final { break }
        }
        XCTAssertLessThan(deflate.count, input.count / 4, "matches reach back into the previous chunk")
        XCTAssertEqual(crc, CRC32.checksum(input.span))
        XCTAssertEqual(try inflate(gzip(deflate, crc: crc, size: input.count)), input)
    }

    func testEmptyFinalChunkIsAValidStream() throws {
        let deflater = try Deflater(level: 1)
        let output = try deflater.compress([UInt8]().span, dictionary: [UInt8]().span, final: true)
        XCTAssertEqual(try inflate(gzip(output, crc: 0, size: 0)), [])
    }
}
