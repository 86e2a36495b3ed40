import Foundation
import XCTest
import MediabaseTestSupport
@testable import MediabaseBytes

final class ScratchFileTests: ScratchFolderTestCase {

    /// Bytes 0, 1, 2, … (mod 251, so that no two nearby offsets hold the same byte).
    private func pattern(from start: Int, count: Int) -> [UInt8] {
        (start..<(start + count)).map { UInt8($0 % 251) }
    }

    /// Appends of every size around the buffer's, read back at every offset with reads that
    /// start in the file and end in the buffer, lie in either alone, or pass the end.
    func testReadsWhatWasAppendedWhetherWrittenOrBuffered() throws {
        let file = ScratchFile(beside: path("core.sqlite"), bufferBytes: 4096)
        var expected: [UInt8] = []
        for size in [0, 1, 7, 4095, 4096, 4097, 10_000, 3, 4000, 200, 9000, 1] {
            let bytes = pattern(from: expected.count, count: size)
            XCTAssertEqual(try file.append(bytes.span), Int64(expected.count))
            expected += bytes
            XCTAssertEqual(file.size, Int64(expected.count))
        }
        for offset in stride(from: 0, to: expected.count + 10, by: 997) {
            for count in [0, 1, 100, 4096, 5000, 20_000] {
                var into = [UInt8](repeating: 0xEE, count: count + 3)
                let read = try file.read(at: Int64(offset), into: &into, from: 3, count: count)
                let wanted = max(0, min(count, expected.count - offset))
                XCTAssertEqual(read, wanted, "at \(offset), \(count) bytes")
                XCTAssertEqual(Array(into[3..<(3 + read)]), Array(expected[min(offset, expected.count)..<min(offset + read, expected.count)]))
                XCTAssertEqual(Array(into[0..<3]), [0xEE, 0xEE, 0xEE], "nothing before `from` is written")
            }
        }
        try file.flush()
        var all = [UInt8](repeating: 0, count: expected.count)
        XCTAssertEqual(try file.read(at: 0, into: &all, count: all.count), expected.count)
        XCTAssertEqual(all, expected)
    }

    /// Records of any length (empty, longer than the read buffer, longer than the file's buffer)
    /// come back whole from any offset, into a buffer that grows when it must.
    func testRecordsComeBackWhole() throws {
        let file = ScratchFile(beside: path("core.sqlite"), bufferBytes: 4096)
        var records: [(offset: Int64, bytes: [UInt8])] = []
        for (index, size) in [0, 5, 1020, 1021, 5000, 0, 64, 12_000, 2].enumerated() {
            let bytes = pattern(from: index * 31, count: size)
            records.append((try file.appendRecord(bytes.span), bytes))
            try file.appendLittleEndian(UInt32(index))
            try file.appendLittleEndian(UInt64(index) << 40)
        }
        var buffer = [UInt8](repeating: 0, count: 1024)
        for record in records.reversed() {
            let range = try file.readRecord(at: record.offset, into: &buffer)
            XCTAssertEqual(Array(buffer[range]), record.bytes)
        }
        var tail = [UInt8](repeating: 0, count: 12)
        XCTAssertEqual(try file.read(at: file.size - 12, into: &tail, count: 12), 12)
        XCTAssertEqual(tail.littleEndianUInt32(at: 0), 8)
        XCTAssertEqual(tail.littleEndianUInt64(at: 4), 8 << 40)
        // Past the end: an error naming the file, not garbage.
        XCTAssertThrowsError(try file.readRecord(at: file.size - 2, into: &buffer))
        XCTAssertThrowsError(try file.readRecord(at: file.size + 100, into: &buffer))
    }

    /// The file is made in the folder of the path it is given, at its first write (appends the
    /// buffer holds make none), and is gone from it at once.
    func testLeavesNothingInItsFolder() throws {
        let file = ScratchFile(beside: path("core.sqlite"))
        let bytes: [UInt8] = [1, 2, 3]
        try file.append(bytes.span)
        var back = [UInt8](repeating: 0, count: 3)
        XCTAssertEqual(try file.read(at: 0, into: &back, count: 3), 3)
        XCTAssertEqual(back, bytes)
        XCTAssertEqual(file.path, path("core.sqlite.scratch-XXXXXX"), "not made before its first write")
        try file.flush()
        XCTAssertTrue(file.path.hasPrefix(path("core.sqlite.scratch-")) && !file.path.hasSuffix("XXXXXX"), file.path)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
        XCTAssertEqual(try file.read(at: 0, into: &back, count: 3), 3)
        XCTAssertEqual(back, bytes)
    }

    /// A folder where the file cannot be made fails at the first write, naming the file.
    func testAFolderThatIsNotThereFailsAtTheFirstWrite() throws {
        let file = ScratchFile(beside: path("missing/core.sqlite"), bufferBytes: 4096)
        let bytes = pattern(from: 0, count: 100)
        try file.append(bytes.span)
        XCTAssertThrowsError(try file.flush()) { error in
            XCTAssertTrue("\(error)".contains("missing/core.sqlite.scratch-"), "\(error)")
        }
    }
}
