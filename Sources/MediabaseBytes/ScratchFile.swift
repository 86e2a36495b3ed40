import Foundation

/// A temporary file for bytes that need not outlive the process, written at its end and read
/// back at any offset. It is created beside a given path (so it lands on the disk the user chose
/// for the output, not on a small `/tmp`) and unlinked at once: its blocks go when it is closed,
/// however the process ends. The `open`, `write` and `pread` calls that take pointers stay in
/// this layer (docs/architecture.md, "Unsafe code").
package final class ScratchFile {
    /// The name it had, as errors name it (it is already gone from the directory).
    package let path: String
    private var descriptor: Int32
    /// Bytes written so far: the offset of the next write.
    package private(set) var size: Int64 = 0

    /// Creates the file in the directory of `path`, named after it with a unique suffix (in the
    /// temporary directory for an in-memory database's empty path or `:memory:`).
    package init(beside path: String) throws {
        let base = path.isEmpty || path == ":memory:" ? NSTemporaryDirectory() + "/mediabase" : path
        var template = Array((base + ".scratch-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let name = String(cString: template)
        self.path = name
        guard descriptor >= 0 else { throw MediabaseError.io(path: name, message: String(cString: strerror(errno))) }
        unlink(name)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    }

    deinit { Foundation.close(descriptor) }

    /// Appends all of `bytes`; gives the offset they start at.
    @discardableResult
    package func append(_ bytes: Span<UInt8>) throws -> Int64 {
        let start = size
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let count = pwrite(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(start) + off_t(done))
                if count < 0 {
                    if errno == EINTR { continue }
                    throw MediabaseError.io(path: path, message: String(cString: strerror(errno)))
                }
                done += count
            }
        }
        size += Int64(bytes.count)
        return start
    }

    /// Reads up to `count` bytes at `offset` into `bytes` from index `start` (which must have room
    /// for them); gives how many were read, fewer only at the end of the file.
    package func read(at offset: Int64, into bytes: inout [UInt8], from start: Int = 0, count: Int) throws -> Int {
        precondition(start >= 0 && count >= 0 && start + count <= bytes.count, "read past the buffer")
        return try bytes.withUnsafeMutableBytes { buffer in
            var done = 0
            while done < count {
                let read = pread(descriptor, buffer.baseAddress! + start + done, count - done, off_t(offset) + off_t(done))
                if read < 0 {
                    if errno == EINTR { continue }
                    throw MediabaseError.io(path: path, message: String(cString: strerror(errno)))
                }
                if read == 0 { break }
                done += read
            }
            return done
        }
    }
}
