import Foundation

/// A source of bytes read in large chunks: a file, a decompressor, a memory buffer.
///
/// The requirement reads into a `MutableSpan`, so that streams above this layer hold no pointers
/// (docs/architecture.md, "Unsafe code"); the pointer form of `read(into:)` in the extension
/// serves callers that read into raw memory.
package protocol ByteStream: AnyObject {
    /// Fills up to `buffer.count` bytes from the start of `buffer` and returns how many; 0 means
    /// end of stream.
    func read(into buffer: inout MutableSpan<UInt8>) throws -> Int
}

extension ByteStream {
    /// Fills up to `buffer.count` bytes and returns how many; 0 means end of stream.
    @inlinable func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var span = MutableSpan(_unsafeElements: buffer.assumingMemoryBound(to: UInt8.self))
        return try read(into: &span)
    }

    /// Overwrites `bytes` from its start with up to `bytes.count` bytes and returns how many; 0
    /// means end of stream. For consumers that take arrays (a hasher), with no copy per read.
    package func read(into bytes: inout [UInt8]) throws -> Int {
        try bytes.withUnsafeMutableBytes { try read(into: $0) }
    }

    /// Fills up to `count` bytes of `buffer` from position `offset` and returns how many; 0 means
    /// end of stream.
    @inlinable package func read(into buffer: inout MutableSpan<UInt8>, at offset: Int, count: Int) throws -> Int {
        precondition(offset >= 0 && count >= 0 && offset + count <= buffer.count, "range out of bounds")
        var part = buffer._mutatingExtracting(offset..<(offset + count))
        return try read(into: &part)
    }
}

/// Reads a file with large `read(2)` calls.
package final class FileByteStream: ByteStream {
    /// The path as given, used in error messages.
    package let path: String
    private let descriptor: Int32
    /// Bytes read from the file so far (for progress and offsets). Under a lock: a
    /// ``ReadAheadStream``'s thread may read the file while another thread shows progress.
    package var position: Int64 {
        positionLock.lock()
        defer { positionLock.unlock() }
        return storedPosition
    }
    private var storedPosition: Int64 = 0
    private let positionLock = NSLock()
    /// File size when known (regular files), for progress.
    package let size: Int64?

    package init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw MediabaseError.io(path: path, message: String(cString: strerror(errno)))
        }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            size = Int64(info.st_size)
        } else {
            size = nil
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw MediabaseError.io(path: path, message: "is a directory")
        }
    }

    deinit { close(descriptor) }

    package func read(into buffer: inout MutableSpan<UInt8>) throws -> Int {
        while true {
            let count = buffer.withUnsafeMutableBufferPointer { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count >= 0 {
                positionLock.lock()
                storedPosition += Int64(count)
                positionLock.unlock()
                return count
            }
            if errno == EINTR { continue }
            throw MediabaseError.io(path: path, message: String(cString: strerror(errno)))
        }
    }

    /// Fills up to `buffer.count` bytes from absolute `offset` without moving the stream (regular
    /// files only; `pread(2)`, so threads may read different parts at once). Returns how many;
    /// 0 means end of file.
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try FileDescriptorIO.read(descriptor, at: offset, into: buffer, path: path)
    }

    /// Moves to absolute `offset` (regular files only).
    package func seek(to offset: Int64) throws {
        guard lseek(descriptor, off_t(offset), SEEK_SET) >= 0 else {
            throw MediabaseError.io(path: path, message: String(cString: strerror(errno)))
        }
        positionLock.lock()
        storedPosition = offset
        positionLock.unlock()
    }
}

/// Serves bytes from memory; for tests and for data already in hand.
package final class MemoryByteStream: ByteStream {
    private let bytes: [UInt8]
    private var offset = 0

    package init(_ bytes: [UInt8]) { self.bytes = bytes }
    package convenience init(_ text: String) { self.init(Array(text.utf8)) }

    package func read(into buffer: inout MutableSpan<UInt8>) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        let bytes = self.bytes
        buffer.copy(bytes.span.extracting(offset..<(offset + count)), to: 0)
        offset += count
        return count
    }
}
