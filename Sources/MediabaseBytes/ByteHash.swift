/// A fast 128-bit hash of byte strings (not cryptographic): 32 bytes per step in four
/// independent lanes (the xxHash64 round), so the multiplications overlap; the lanes are then
/// folded into two 64-bit halves.
package enum ByteHash {
    @usableFromInline static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    @usableFromInline static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    @inlinable @inline(__always) static func round(_ accumulator: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = accumulator &+ word &* prime2
        return ((mixed << 31) | (mixed >> 33)) &* prime1
    }

    /// The two halves of the bytes' hash.
    @inlinable package static func hash128(_ bytes: Span<UInt8>) -> (low: UInt64, high: UInt64) {
        let count = bytes.count
        var lane0: UInt64 = 0x6A09_E667_F3BC_C908 ^ UInt64(count)
        var lane1: UInt64 = 0xBB67_AE85_84CA_A73B
        var lane2: UInt64 = 0x3C6E_F372_FE94_F82B
        var lane3: UInt64 = 0xA54F_F53A_5F1D_36F1
        var tail: UInt64 = 0
        bytes.withUnsafeBufferPointer { buffer in
            // Empty bytes may have no address; they hash as an empty tail.
            guard let base = buffer.baseAddress else { return }
            let raw = UnsafeRawPointer(base)
            var index = 0
            while index + 32 <= count {
                lane0 = round(lane0, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                lane1 = round(lane1, raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self))
                lane2 = round(lane2, raw.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self))
                lane3 = round(lane3, raw.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self))
                index += 32
            }
            while index + 8 <= count {
                lane0 = round(lane0, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                swap(&lane0, &lane1)
                index += 8
            }
            var shift: UInt64 = 0
            while index < count {
                tail |= UInt64(base[index]) << shift
                shift += 8
                index += 1
            }
        }
        lane2 = round(lane2, tail)
        // Each half takes every lane: hash tables take their slot from the low half alone, and
        // keys of one layout (`gene\tdb\tid` of 32 bytes and more) can differ in one lane only.
        return (finalize(round(lane0 ^ round(lane2, lane1), lane3)), finalize(lane3 ^ round(lane1, lane0 ^ lane2)))
    }

    /// A 64-bit hash of bytes that are all in 1...0x7F, or nil when one is not: the ASCII check
    /// and the hash in one pass of eight bytes at a time (the last word overlapping the one
    /// before it), for short text that is mostly ASCII.
    package static func asciiHash(_ bytes: Span<UInt8>) -> UInt64? {
        bytes.withUnsafeBufferPointer { buffer in
            let count = buffer.count
            var hash = prime1 ^ UInt64(count) &* prime2
            guard let base = buffer.baseAddress, count > 0 else { return finalize(hash) }
            if count < 8 {
                var word: UInt64 = 0
                for index in 0..<count {
                    let byte = base[index]
                    if byte &- 1 >= 0x7F { return nil }
                    word |= UInt64(byte) << (8 * UInt64(index))
                }
                return finalize(round(hash, word))
            }
            let raw = UnsafeRawPointer(base)
            var flags: UInt64 = 0
            var index = 0
            while index + 8 < count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                flags |= UTF8Validation.nonASCIIOrZero(word)
                hash = round(hash, word)
                index += 8
            }
            let last = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            flags |= UTF8Validation.nonASCIIOrZero(last)
            return flags == 0 ? finalize(round(hash, last)) : nil
        }
    }

    @inlinable @inline(__always) static func finalize(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x = x &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x = x &* 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }
}
