import Foundation
import MediabaseTestSupport
import XCTest
@testable import MediabaseBytes
@testable import MediabaseModel
@testable import MediabaseInput

final class ReadAheadStreamTests: XCTestCase {
    /// Serves `bytes` at most `step` bytes a read, then throws `failure` (if any) instead of
    /// ending; counts its reads, which only the read-ahead's thread makes.
    private final class ChunkySource: ByteStream, @unchecked Sendable {
        private let bytes: [UInt8]
        private let step: Int
        private let failure: Error?
        private var offset = 0
        private let lock = NSLock()
        private var storedReads = 0
        var reads: Int { lock.withLock { storedReads } }

        init(_ bytes: [UInt8], step: Int, failure: Error? = nil) {
            self.bytes = bytes
            self.step = step
            self.failure = failure
        }

        func read(into buffer: inout MutableSpan<UInt8>) throws -> Int {
            lock.withLock { storedReads += 1 }
            let count = min(buffer.count, step, bytes.count - offset)
            guard count > 0 else {
                if let failure { throw failure }
                return 0
            }
            let bytes = self.bytes
            buffer.copy(bytes.span.extracting(offset..<(offset + count)), to: 0)
            offset += count
            return count
        }
    }

    /// Pseudo-random bytes, the same on every run.
    private func sample(_ count: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    func testServesTheSourceBytesInOrderWhateverTheSizes() throws {
        let bytes = sample(100_003)
        for (bufferSize, buffers, step, readSize) in [(1 << 20, 4, 1 << 20, 65_536), (64, 1, 7, 5), (1000, 2, 333, 4096), (17, 3, 1, 1), (4096, 4, 100_003, 10)] {
            let stream = ReadAheadStream(source: ChunkySource(bytes, step: step), bufferSize: bufferSize, buffers: buffers)
            XCTAssertEqual(try drain(stream, chunk: readSize), bytes, "buffer \(bufferSize) × \(buffers), source step \(step), reads of \(readSize)")
            // Ended: it stays ended.
            var one = [UInt8](repeating: 0, count: 1)
            var span = one.mutableSpan
            XCTAssertEqual(try stream.read(into: &span), 0)
        }
        XCTAssertEqual(try drain(ReadAheadStream(source: ChunkySource([], step: 1)), chunk: 8), [])
    }

    func testTheSourceErrorComesAfterTheBytesReadBeforeIt() throws {
        let bytes = sample(10_000)
        let failure = MediabaseError.malformedInput(SourceLocation(file: "x.gz", byteOffset: 123), expected: "a valid deflate block")
        for (bufferSize, step) in [(1 << 20, 999), (512, 64), (10_000, 10_000)] {
            let stream = ReadAheadStream(source: ChunkySource(bytes, step: step, failure: failure), bufferSize: bufferSize, buffers: 2)
            var served: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 300)
            XCTAssertThrowsError(try {
                while true {
                    var span = buffer.mutableSpan
                    let count = try stream.read(into: &span)
                    XCTAssertGreaterThan(count, 0, "the stream ended instead of failing")
                    if count == 0 { return }
                    served += buffer[0..<count]
                }
            }()) { error in
                XCTAssertEqual(error as? MediabaseError, failure)
            }
            XCTAssertEqual(served, bytes, "every byte before the error is served first")
        }
    }

    func testCloseStopsTheThreadBeforeTheSourceEnds() throws {
        let source = ChunkySource(sample(1 << 20), step: 100)
        let stream = ReadAheadStream(source: source, bufferSize: 1000, buffers: 2)
        var buffer = [UInt8](repeating: 0, count: 10)
        var span = buffer.mutableSpan
        XCTAssertEqual(try stream.read(into: &span), 10)
        stream.close()
        let reads = source.reads
        // At most the buffers in flight were filled: far from the source's 10,486 reads.
        XCTAssertLessThan(reads, 100)
        Thread.sleep(forTimeInterval: 0.05)
        XCTAssertEqual(source.reads, reads, "the source is not read after close() returns")
        stream.close()
    }

    func testDroppingAStreamReadHalfwayEndsItsThread() throws {
        let source = ChunkySource(sample(1 << 20), step: 100)
        do {
            let stream = ReadAheadStream(source: source, bufferSize: 1000, buffers: 2)
            var buffer = [UInt8](repeating: 0, count: 10)
            var span = buffer.mutableSpan
            XCTAssertEqual(try stream.read(into: &span), 10)
        }
        let reads = source.reads
        Thread.sleep(forTimeInterval: 0.05)
        XCTAssertEqual(source.reads, reads, "the thread ended with the stream")
        XCTAssertLessThan(reads, 100)
    }
}
