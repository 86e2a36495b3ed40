import MediabaseBytes

/// A fast 128-bit hash of byte strings, used to recognise a gene-level field already processed
/// (the legacy table repeats each gene's fields verbatim in every transcript row).
///
/// Not cryptographic; with 128 bits an accidental collision among the values of one input is
/// practically impossible.
package struct ContentHash: Hashable, Sendable {
    package var low: UInt64
    package var high: UInt64

    /// The hash of the bytes (``ByteHash``).
    @inline(__always) package init(_ bytes: Span<UInt8>) {
        (low, high) = ByteHash.hash128(bytes)
    }

    /// A stable 64-bit FNV-1a hash, for ids derived from text (the same on every machine).
    package static func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

extension ContentHash {
    package init(_ text: String) {
        self.init(text.utf8.span)
    }

    @inlinable package init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }
}
