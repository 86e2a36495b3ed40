import Foundation

/// The lines of a range of a file, read with `pread(2)` into a buffer small enough to stay in the
/// core's cache while they are looked at, for a scanner that compares each line's values with
/// earlier lines' (docs/architecture.md, "Unsafe code": the buffer and its pointers stay here).
///
/// Positions are offsets in the buffer; ``bytes`` is valid until the next ``nextLine(end:)``,
/// which may move the bytes to the buffer's start (or into a larger buffer). It keeps the bytes
/// from ``keepFrom`` on (the previous row): a caller that keeps where earlier bytes are as file
/// offsets (``bufferOffset`` plus their position) finds them at that offset less the new
/// ``bufferOffset``, while it is not negative.
package final class FileChunkLines {
    /// A line: its start in the buffer, its end (before the newline), and whether a newline ends it.
    package struct Line {
        package var start: Int
        package var end: Int
        package var terminated: Bool
    }

    private let file: FileByteStream
    private let fileName: String
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Offset in the file of the buffer's first byte.
    package private(set) var bufferOffset = 0
    private var filled = 0
    /// Where the next line starts.
    package private(set) var position = 0
    /// Where the bytes a refill keeps start (the previous row's start).
    package var keepFrom = 0

    /// - Parameters:
    ///   - fileName: the file's name, for errors.
    ///   - capacity: the buffer's size at first (it doubles when the kept bytes fill half).
    package init(file: FileByteStream, fileName: String, capacity: Int) {
        self.file = file
        self.fileName = fileName
        self.capacity = max(capacity, 2)
        buffer = .allocate(capacity: self.capacity)
    }

    deinit {
        buffer.deallocate()
    }

    /// Starts over at file offset `offset`, nothing kept.
    package func start(at offset: Int) {
        bufferOffset = offset
        filled = 0
        position = 0
        keepFrom = 0
    }

    /// The buffer's bytes: lines' positions index it.
    package var bytes: Span<UInt8> {
        @_lifetime(borrow self)
        @inline(__always) get { _overrideLifetime(Span(_unsafeStart: buffer, count: filled), borrowing: self) }
    }

    /// Whether the `count` bytes at `first` equal those at `second` (`memcmp`).
    @inline(__always) package func bytesEqual(_ first: Int, _ second: Int, count: Int) -> Bool {
        precondition(first >= 0 && second >= 0 && count >= 0 && first + count <= filled && second + count <= filled, "range out of bounds")
        return count == 0 || memcmp(buffer + first, buffer + second, count) == 0
    }

    /// The next line of the chunk ending at file offset `end`, or nil when the chunk is read.
    package func nextLine(end: Int) throws -> Line? {
        var scanFrom = position
        while true {
            if scanFrom < filled, let hit = memchr(buffer + scanFrom, 0x0A, filled - scanFrom) {
                let newline = UnsafeMutableRawPointer(hit).assumingMemoryBound(to: UInt8.self) - buffer
                defer { position = newline + 1 }
                return Line(start: position, end: newline, terminated: true)
            }
            let unread = end - (bufferOffset + filled)
            if unread <= 0 {
                guard position < filled else { return nil }
                defer { position = filled }
                return Line(start: position, end: filled, terminated: false)
            }
            refill()
            scanFrom = filled
            let count = try file.read(
                at: Int64(bufferOffset + filled), into: UnsafeMutableRawBufferPointer(start: buffer + filled, count: min(capacity - filled, unread)))
            guard count > 0 else {
                throw MediabaseError.io(path: fileName, message: "the file ended at byte \(bufferOffset + filled) while being read")
            }
            filled += count
        }
    }

    /// Makes room after the bytes from `keepFrom` on, moving them to the buffer's start (into a
    /// larger buffer when they fill more than half of it).
    private func refill() {
        let keep = min(keepFrom, position)
        let kept = filled - keep
        var target = buffer
        if kept > capacity / 2 {
            capacity *= 2
            target = .allocate(capacity: capacity)
        }
        if kept > 0 { memmove(target, buffer + keep, kept) }
        if target != buffer {
            buffer.deallocate()
            buffer = target
        }
        bufferOffset += keep
        filled = kept
        position -= keep
        keepFrom -= min(keep, keepFrom)
    }
}
