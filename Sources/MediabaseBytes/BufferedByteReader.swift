/// Reads a ``ByteStream`` through a buffer a few bytes at a time, keeping count of the offset:
/// the base of the readers of binary formats (pg_dump archives, tar files).
///
/// Every read stops at the end of the input rather than failing: what a short input means is
/// for the format's reader to say.
package final class BufferedByteReader: ByteStream {
    private let stream: ByteStream
    private let capacity: Int
    private let buffer: UnsafeMutablePointer<UInt8>
    private var start = 0
    private var end = 0
    private var bufferBase: Int64 = 0
    private var reachedEnd = false

    package init(stream: ByteStream, capacity: Int = 64 * 1024) {
        self.stream = stream
        self.capacity = max(capacity, 1)
        buffer = .allocate(capacity: self.capacity)
    }

    deinit { buffer.deallocate() }

    /// Offset in the input of the next byte to be read.
    package var offset: Int64 { bufferBase + Int64(start) }

    /// Makes at least one unread byte available; false at end of input.
    private func fill() throws -> Bool {
        if start < end { return true }
        if reachedEnd { return false }
        bufferBase += Int64(end)
        start = 0
        end = try stream.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: capacity))
        if end == 0 { reachedEnd = true }
        return end > 0
    }

    /// Whether the input has no bytes left.
    package func isAtEnd() throws -> Bool { try !fill() }

    /// The next byte, or nil at end of input.
    @inline(__always) package func readByte() throws -> UInt8? {
        guard try fill() else { return nil }
        let byte = buffer[start]
        start += 1
        return byte
    }

    /// Copies up to `destination.count` bytes, fewer at the end of input; 0 only at the end.
    package func read(into destination: inout MutableSpan<UInt8>) throws -> Int {
        guard destination.count > 0 else { return 0 }
        if start == end, !reachedEnd, destination.count >= capacity {
            // Large reads bypass the buffer.
            bufferBase += Int64(end)
            start = 0
            end = 0
            let count = try stream.read(into: &destination)
            if count == 0 { reachedEnd = true }
            bufferBase += Int64(count)
            return count
        }
        guard try fill() else { return 0 }
        let count = min(end - start, destination.count)
        destination.copy(Span(_unsafeStart: buffer + start, count: count), to: 0)
        start += count
        return count
    }

    /// Appends up to `count` bytes to `bytes` (what the buffer holds, reading more when it is
    /// empty) and returns how many; 0 only at the end of input or when `count` is 0.
    package func append(upTo count: Int, to bytes: inout [UInt8]) throws -> Int {
        guard count > 0, try fill() else { return 0 }
        let taken = min(end - start, count)
        bytes.append(contentsOf: UnsafeBufferPointer(start: buffer + start, count: taken))
        start += taken
        return taken
    }

    /// Skips up to `count` bytes (what the buffer holds, reading more when it is empty) and
    /// returns how many; 0 only at the end of input or when `count` is 0.
    package func skip(upTo count: Int) throws -> Int {
        guard count > 0, try fill() else { return 0 }
        let skipped = min(end - start, count)
        start += skipped
        return skipped
    }
}
