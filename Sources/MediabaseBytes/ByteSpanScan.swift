// Scans over `Span<UInt8>` that `memchr` cannot do, written once over raw memory so that the
// readers above this layer pay no bounds check per byte (docs/architecture.md, "Unsafe code").

extension Span where Element == UInt8 {
    /// The index of the first byte in `start..<end` (`end` nil: to the end) that is `first` or
    /// `second`.
    @inlinable package func firstIndex(of first: UInt8, or second: UInt8, from start: Int = 0, to end: Int? = nil) -> Int? {
        let end = end ?? count
        precondition(start >= 0 && start <= end && end <= count, "range out of bounds")
        return withUnsafeBufferPointer { buffer in
            var index = start
            while index < end {
                let byte = buffer[index]
                if byte == first || byte == second { return index }
                index += 1
            }
            return nil
        }
    }
}
