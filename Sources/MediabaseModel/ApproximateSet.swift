/// A Bloom filter over 64-bit hashes with a fixed number of bits: says "maybe" for every key
/// added and, with a false-positive rate that depends on how full it is, "no" for the others.
/// Spares a lookup on disk for keys that were never stored: the normalizer's spill files, the
/// server's patient files.
package struct ApproximateSet: Sendable {
    @usableFromInline var words: [UInt64]
    @usableFromInline let mask: UInt64

    /// Bits for `count` keys at about 16 bits per key (a false-positive rate near 0.5% with three
    /// probes), a power of two.
    package static func bitCount(forKeys count: Int) -> Int {
        var bits = 64
        while bits < count * 16 { bits *= 2 }
        return bits
    }

    /// - Parameter bitCount: a power of two.
    package init(bitCount: Int) {
        precondition(bitCount >= 64 && bitCount & (bitCount - 1) == 0)
        words = [UInt64](repeating: 0, count: bitCount / 64)
        mask = UInt64(bitCount - 1)
    }

    /// Three probes from one well-mixed hash (double hashing).
    @inlinable @inline(__always) func probes(_ key: UInt64) -> (UInt64, UInt64, UInt64) {
        let mixed = (key ^ (key >> 29)) &* 0xBF58_476D_1CE4_E5B9
        let step = (mixed >> 32) | 1
        return (mixed & mask, (mixed &+ step) & mask, (mixed &+ 2 &* step) & mask)
    }

    @inlinable package mutating func insert(_ key: UInt64) {
        let (a, b, c) = probes(key)
        words[Int(a >> 6)] |= 1 << (a & 63)
        words[Int(b >> 6)] |= 1 << (b & 63)
        words[Int(c >> 6)] |= 1 << (c & 63)
    }

    @inlinable package func mayContain(_ key: UInt64) -> Bool {
        let (a, b, c) = probes(key)
        return words[Int(a >> 6)] & (1 << (a & 63)) != 0 && words[Int(b >> 6)] & (1 << (b & 63)) != 0
            && words[Int(c >> 6)] & (1 << (c & 63)) != 0
    }
}
