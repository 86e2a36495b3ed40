import Foundation

// Writing into `MutableSpan<UInt8>` for the layers above this one (docs/architecture.md, "Unsafe
// code"): the copy that needs raw pointers (`memcpy`) is written once here.

extension MutableSpan where Element == UInt8 {
    /// Copies `source` to positions `offset..<(offset + source.count)`: the range is checked once,
    /// then copied with `memcpy`.
    @inlinable package mutating func copy(_ source: Span<UInt8>, to offset: Int) {
        precondition(offset >= 0 && offset + source.count <= count, "range out of bounds")
        guard source.count > 0 else { return }
        withUnsafeMutableBufferPointer { destination in
            source.withUnsafeBufferPointer { bytes in
                _ = memcpy(destination.baseAddress! + offset, bytes.baseAddress!, bytes.count)
            }
        }
    }
}
