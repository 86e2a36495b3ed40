import Foundation

/// A temporary file for bytes that need not outlive the process, appended to and read back at
/// any offset. It is created beside a given path (so it lands on the disk the user chose for the
/// output, not on a small `/tmp`) at its first write, not before (an owner that may never spill
/// holds one from the start), and unlinked at once: its blocks go when it is closed, however
/// the process ends. The `open`, `write` and `pread` calls that take pointers stay in this layer
/// (docs/architecture.md, "Unsafe code").
///
/// Appends are gathered in a buffer of ``bufferBytes`` and written when it fills, so callers
/// append records of any size without writes of their own; a read is served from the file, the
/// buffer or both, so what was appended can be read back at once. Records framed by their
/// length (``appendRecord(_:)``, ``readRecord(at:into:)``) are the common form.
package final class ScratchFile {
    /// The name it had, as errors name it (it is already gone from the directory); before its
    /// first write, the pattern it is made with.
    package private(set) var path: String
    /// The buffer's size: the most bytes kept before they are written.
    package let bufferBytes: Int
    /// -1 until the first write makes the file.
    private var descriptor: Int32 = -1
    /// Bytes in the file itself; the buffer's follow them.
    private var written: Int64 = 0
    private var pending: [UInt8] = []

    /// Bytes appended so far (written or buffered): the offset of the next append.
    package var size: Int64 { written + Int64(pending.count) }

    /// A file to be made, at its first write, in the directory of `path`, named after it with a
    /// unique suffix (in the temporary directory for an in-memory database's empty path or
    /// `:memory:`).
    /// - Parameter bufferBytes: bytes gathered before a write (at least 4096).
    package init(beside path: String, bufferBytes: Int = 1 << 20) {
        let base = path.isEmpty || path == ":memory:" ? NSTemporaryDirectory() + "/mediabase" : path
        self.path = base + ".scratch-XXXXXX"
        self.bufferBytes = max(bufferBytes, 4096)
    }

    deinit { if descriptor >= 0 { Foundation.close(descriptor) } }

    /// The file's descriptor, the file made (and unlinked) at the first call.
    private func madeDescriptor() throws -> Int32 {
        guard descriptor < 0 else { return descriptor }
        var template = Array(path.utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let name = String(cString: template)
        guard made >= 0 else { throw FileDescriptorIO.error(name) }
        unlink(name)
        _ = fcntl(made, F_SETFD, FD_CLOEXEC)
        (path, descriptor) = (name, made)
        return made
    }

    /// Appends all of `bytes`; gives the offset they start at.
    @discardableResult
    package func append(_ bytes: Span<UInt8>) throws -> Int64 {
        let start = size
        if bytes.count >= bufferBytes {
            try flush()
            try FileDescriptorIO.writeAll(madeDescriptor(), bytes, at: written, path: path)
            written += Int64(bytes.count)
        } else {
            try makeRoom(for: bytes.count)
            pending.append(bytes)
        }
        return start
    }

    /// Appends `value` in 8 bytes, least significant first.
    package func appendLittleEndian(_ value: UInt64) throws {
        try makeRoom(for: 8)
        pending.appendLittleEndian(value)
    }

    /// Appends `value` in 4 bytes, least significant first.
    package func appendLittleEndian(_ value: UInt32) throws {
        try makeRoom(for: 4)
        pending.appendLittleEndian(value)
    }

    /// Makes the buffer able to take `count` more bytes (fewer than ``bufferBytes``): written out
    /// first when they would not fit, its whole size reserved once.
    private func makeRoom(for count: Int) throws {
        if pending.count + count > bufferBytes { try flush() }
        if pending.capacity < bufferBytes { pending.reserveCapacity(bufferBytes) }
    }

    /// Appends `bytes` after their count (4 bytes, little-endian); gives the offset of the count,
    /// which ``readRecord(at:into:)`` takes.
    @discardableResult
    package func appendRecord(_ bytes: Span<UInt8>) throws -> Int64 {
        let start = size
        try appendLittleEndian(UInt32(bytes.count))
        try append(bytes)
        return start
    }

    /// Writes what the buffer holds.
    package func flush() throws {
        guard !pending.isEmpty else { return }
        do {
            // A copy of the reference, gone before the buffer is emptied in place.
            let bytes = pending
            try FileDescriptorIO.writeAll(madeDescriptor(), bytes.span, at: written, path: path)
        }
        written += Int64(pending.count)
        pending.removeAll(keepingCapacity: true)
    }

    /// Reads up to `count` bytes at `offset` into `bytes` from index `start` (which must have room
    /// for them); gives how many were read, fewer only at the end of what was appended.
    package func read(at offset: Int64, into bytes: inout [UInt8], from start: Int = 0, count: Int) throws -> Int {
        precondition(start >= 0 && count >= 0 && start + count <= bytes.count, "read past the buffer")
        precondition(offset >= 0, "read before the file's start")
        var done = 0
        // Bytes written imply the file is made.
        if offset < written {
            let fromFile = Int(min(Int64(count), written - offset))
            done = try bytes.withUnsafeMutableBytes { buffer in
                try FileDescriptorIO.readFully(descriptor, at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + fromFile)]), path: path)
            }
            guard done == fromFile else { return done }
        }
        let bufferStart = Int(offset + Int64(done) - written)
        let fromBuffer = max(0, min(count - done, pending.count - bufferStart))
        if fromBuffer > 0 {
            bytes.replaceSubrange((start + done)..<(start + done + fromBuffer), with: pending[bufferStart..<(bufferStart + fromBuffer)])
            done += fromBuffer
        }
        return done
    }

    /// Reads the record appended by ``appendRecord(_:)`` at `offset` into `bytes` (grown when it
    /// is too small); gives where its bytes are in `bytes` (after its count).
    package func readRecord(at offset: Int64, into bytes: inout [UInt8]) throws -> Range<Int> {
        if bytes.count < 4 { bytes += [UInt8](repeating: 0, count: 4 - bytes.count) }
        // The count and, in the same call, as much of the record as `bytes` holds.
        var read = try self.read(at: offset, into: &bytes, count: Int(max(0, min(Int64(bytes.count), size - offset))))
        guard read >= 4 else { throw Self.cutShort(path) }
        let count = Int(bytes.littleEndianUInt32(at: 0))
        if read < 4 + count {
            if bytes.count < 4 + count { bytes += [UInt8](repeating: 0, count: 4 + count - bytes.count) }
            read += try self.read(at: offset + Int64(read), into: &bytes, from: read, count: 4 + count - read)
            guard read == 4 + count else { throw Self.cutShort(path) }
        }
        return 4..<(4 + count)
    }

    private static func cutShort(_ path: String) -> MediabaseError {
        .io(path: path, message: "a record could not be read back whole")
    }
}

extension ScratchFile {
    /// Reads the records appended by ``ScratchFile/appendRecord(_:)`` in a range of the file, in
    /// order, through a buffer: reads of ``bufferBytes`` rather than one per record.
    package struct RecordReader {
        private let range: Range<Int64>
        private let bufferBytes: Int
        private var position: Int64
        private var buffer: [UInt8] = []
        private var start = 0
        /// The record read last (after its count).
        private var current: [UInt8] = []

        /// Calls `body` with the record read last.
        package func withCurrent<R>(_ body: (Span<UInt8>) throws -> R) rethrows -> R { try body(current.span) }

        /// Whether the record read last precedes `other`'s in byte order (shorter first where one
        /// is a prefix of the other).
        package func precedes(_ other: RecordReader) -> Bool { current.span.compare(other.current.span) < 0 }

        /// A reader of the records from `range.lowerBound` to its end, which must fall between two.
        package init(range: Range<Int64>, bufferBytes: Int) {
            self.range = range
            self.bufferBytes = max(4096, bufferBytes)
            position = range.lowerBound
        }

        /// Reads the next record into ``current``; false at the range's end.
        package mutating func advance(_ file: ScratchFile) throws -> Bool {
            guard try available(4, file) else { return false }
            let length = Int(buffer.span.littleEndianUInt32(at: start))
            start += 4
            guard try available(length, file) else { throw Self.cutShort(file) }
            let buffer = buffer
            current.removeAll(keepingCapacity: true)
            current.append(buffer.span.extracting(start..<(start + length)))
            start += length
            return true
        }

        /// Makes `needed` bytes available from `start`, reading more of the range; false when the
        /// range has ended (nothing left), and an error when it ends with fewer than `needed`.
        private mutating func available(_ needed: Int, _ file: ScratchFile) throws -> Bool {
            let kept = buffer.count - start
            if kept >= needed { return true }
            let remaining = range.upperBound - position
            if kept == 0 && remaining == 0 { return false }
            let toRead = Int(min(Int64(max(needed, bufferBytes) - kept), remaining))
            guard kept + toRead >= needed else { throw Self.cutShort(file) }
            buffer.removeFirst(start)
            start = 0
            buffer.append(contentsOf: repeatElement(0, count: toRead))
            guard try file.read(at: position, into: &buffer, from: kept, count: toRead) == toRead else { throw Self.cutShort(file) }
            position += Int64(toRead)
            return true
        }

        private static func cutShort(_ file: ScratchFile) -> MediabaseError {
            .io(path: file.path, message: "records written to it could not be read back whole")
        }
    }
}
