import Foundation

/// Splits a ``ByteStream`` into lines with large reads and `memchr`, without copying lines.
///
/// A returned line excludes its `\n` and is valid until the next call. ``nextLineBytes()`` returns
/// it as a `Span` the compiler keeps from outliving the reader, for the layers above this one. Lines may be of any
/// length (the buffer grows for a multi-megabyte row and keeps that size).
package final class LineReader {
    private let stream: ByteStream
    /// How errors name the input.
    package let name: String
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var reachedEnd = false
    private var bufferBase: Int64 = 0
    /// 1-based number of the line last returned.
    package private(set) var lineNumber = 0
    /// Byte offset of the first byte of the line last returned.
    package private(set) var lineOffset: Int64 = 0
    /// False when the last line returned ended at end of stream without a newline.
    package private(set) var lastLineTerminated = true

    package init(stream: ByteStream, name: String, bufferSize: Int = 1 << 20) {
        self.stream = stream
        self.name = name
        capacity = bufferSize
        buffer = .allocate(capacity: bufferSize)
    }

    deinit { buffer.deallocate() }

    /// Byte offset just past the line last returned (where the next line starts).
    package var nextOffset: Int64 { bufferBase + Int64(start) }

    /// Continues at byte `offset` of the file, `lines` lines further on, after someone else
    /// read the bytes in between (``CopyBlockSink``). The stream must be a ``FileByteStream``.
    package func skip(to offset: Int64, lines: Int) throws {
        guard let file = stream as? FileByteStream else { preconditionFailure("only a file stream can skip") }
        try file.seek(to: offset)
        start = 0
        end = 0
        reachedEnd = false
        bufferBase = offset
        lineNumber += lines
    }

    /// The next line without its newline, or nil at end of stream; its bytes are valid until the
    /// next call.
    @_lifetime(borrow self)
    @inline(__always) package func nextLineBytes() throws -> Span<UInt8>? {
        guard let line = try nextLine() else { return nil }
        return _overrideLifetime(Span(_unsafeElements: line), borrowing: self)
    }

    /// The next line without its newline, or nil at end of stream.
    func nextLine() throws -> UnsafeBufferPointer<UInt8>? {
        var scanFrom = start
        while true {
            if scanFrom < end, let hit = memchr(buffer + scanFrom, 0x0A, end - scanFrom) {
                let index = hit.assumingMemoryBound(to: UInt8.self) - buffer
                let line = UnsafeBufferPointer(start: buffer + start, count: index - start)
                lineOffset = bufferBase + Int64(start)
                lineNumber += 1
                start = index + 1
                return line
            }
            if reachedEnd {
                guard start < end else { return nil }
                let line = UnsafeBufferPointer(start: buffer + start, count: end - start)
                lineOffset = bufferBase + Int64(start)
                lineNumber += 1
                lastLineTerminated = false
                start = end
                return line
            }
            scanFrom = end
            if start > 0 {
                let pending = end - start
                if pending > 0 { memmove(buffer, buffer + start, pending) }
                bufferBase += Int64(start)
                scanFrom -= start
                end = pending
                start = 0
            }
            if end == capacity {
                let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                grown.update(from: buffer, count: end)
                buffer.deallocate()
                buffer = grown
                capacity *= 2
            }
            let count = try stream.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
            if count == 0 { reachedEnd = true } else { end += count }
        }
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether the bytes equal the ASCII text `literal`.
    @inline(__always) package func equals(_ literal: StaticString) -> Bool {
        guard count == literal.utf8CodeUnitCount else { return false }
        return count == 0 || memcmp(baseAddress!, literal.utf8Start, count) == 0
    }

    /// Whether the bytes start with the ASCII text `literal`.
    @inline(__always) package func hasPrefix(_ literal: StaticString) -> Bool {
        guard count >= literal.utf8CodeUnitCount else { return false }
        return literal.utf8CodeUnitCount == 0 || memcmp(baseAddress!, literal.utf8Start, literal.utf8CodeUnitCount) == 0
    }

    /// The bytes without a final carriage return.
    @inline(__always) func droppingCR() -> UnsafeBufferPointer<UInt8> {
        if count > 0, self[count - 1] == 0x0D { return UnsafeBufferPointer(rebasing: self[0..<(count - 1)]) }
        return self
    }
}
