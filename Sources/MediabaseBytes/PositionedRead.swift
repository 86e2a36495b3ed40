// Reads at a file offset into arrays, for the layers above this one (docs/architecture.md,
// "Unsafe code"): ``FileByteStream/read(at:into:)-(_,UnsafeMutableRawBufferPointer)`` takes raw memory.

extension FileByteStream {
    /// Fills up to `count` bytes of `bytes` from position `start` with the file's bytes from
    /// absolute `offset` (`pread(2)`, the stream does not move); returns how many, 0 at the end of
    /// the file.
    package func read(at offset: Int64, into bytes: inout [UInt8], from start: Int = 0, count: Int) throws -> Int {
        precondition(start >= 0 && count >= 0 && start + count <= bytes.count, "range out of bounds")
        return try bytes.withUnsafeMutableBytes { buffer in
            try read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + count)]))
        }
    }

    /// The byte at absolute `offset`, or nil past the end of the file.
    package func byte(at offset: Int64) throws -> UInt8? {
        var value: UInt8 = 0
        let count = try withUnsafeMutableBytes(of: &value) { try read(at: offset, into: $0) }
        return count == 1 ? value : nil
    }
}
