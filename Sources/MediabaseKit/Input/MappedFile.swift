import Foundation

/// A regular file mapped read-only into memory, so lines can be read where they lie instead of
/// being copied out of the page cache by `read(2)`.
///
/// Pages that were read are given back with ``release(from:to:)``: a mapped page counts in the
/// process's resident size, and a 1 GB input read through the mapping would otherwise hold 1 GB
/// of it. Released pages stay valid; touching one again maps it again from the page cache.
public final class MappedFile: @unchecked Sendable {
    /// The path as given, used in error messages.
    public let path: String
    /// The file's bytes.
    public let bytes: UnsafeBufferPointer<UInt8>
    private let lock = NSLock()
    private var readUpTo: Int64 = 0

    /// Maps `path`, or returns nil when it is not a non-empty regular file or cannot be mapped
    /// (the caller then reads it as a stream).
    public init?(path: String) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0,
              let size = Int(exactly: info.st_size) else { return nil }
        guard let address = mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0), address != MAP_FAILED else { return nil }
        self.path = path
        bytes = UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: size)
        _ = madvise(address, size, MADV_SEQUENTIAL)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }

    /// Drops the pages wholly inside `from..<to` from the process's resident memory.
    public func release(from: Int, to: Int) {
        let page = Self.pageSize
        let first = (from + page - 1) / page * page
        let last = min(to, bytes.count) / page * page
        guard last > first, let base = bytes.baseAddress else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + first), last - first, MADV_DONTNEED)
    }

    /// Bytes read so far, for progress; readers on any thread move it forward.
    public var position: Int64 {
        lock.lock()
        defer { lock.unlock() }
        return readUpTo
    }

    /// Records that the bytes before `offset` were read.
    public func advance(to offset: Int) {
        lock.lock()
        readUpTo = max(readUpTo, Int64(offset))
        lock.unlock()
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
}
