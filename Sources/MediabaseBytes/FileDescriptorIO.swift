import Foundation

/// The `write`, `pwrite` and `pread` loops the file types of this layer share (``OutputFile``,
/// ``FileByteStream``, ``ScratchFile``): short transfers continued, interrupted calls retried,
/// a failure thrown as ``MediabaseError/io(path:message:)`` naming `path`.
enum FileDescriptorIO {
    /// Writes all of `bytes` at `offset` (`pwrite`), or at the file's position when nil (`write`).
    static func writeAll(_ descriptor: Int32, _ bytes: Span<UInt8>, at offset: Int64? = nil, path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let count = offset.map { pwrite(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t($0) + off_t(done)) }
                    ?? Foundation.write(descriptor, buffer.baseAddress! + done, buffer.count - done)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw error(path)
                }
                done += count
            }
        }
    }

    /// One `pread` of up to `buffer.count` bytes at `offset`; gives how many, 0 at the end of the file.
    static func read(_ descriptor: Int32, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        while true {
            let count = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw error(path)
        }
    }

    /// Reads `buffer.count` bytes at `offset`, fewer only at the end of the file; gives how many.
    static func readFully(_ descriptor: Int32, at offset: Int64, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        var done = 0
        while done < buffer.count {
            let count = try read(descriptor, at: offset + Int64(done), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]), path: path)
            if count == 0 { break }
            done += count
        }
        return done
    }

    static func error(_ path: String) -> MediabaseError {
        .io(path: path, message: String(cString: strerror(errno)))
    }
}
