/// A fast 128-bit hash of byte strings, used to recognise a gene-level field already processed
/// (the legacy table repeats each gene's fields verbatim in every transcript row).
///
/// Not cryptographic; with 128 bits an accidental collision among the values of one input is
/// practically impossible.
package struct ContentHash: Hashable, Sendable {
    package var low: UInt64
    package var high: UInt64

    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    @inline(__always) private static func round(_ accumulator: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = accumulator &+ word &* prime2
        return ((mixed << 31) | (mixed >> 33)) &* prime1
    }

    /// Hashes 32 bytes per step in four independent lanes (the xxHash64 round), so the
    /// multiplications overlap; the lanes are then folded into two 64-bit halves.
    package init(_ bytes: UnsafeBufferPointer<UInt8>) {
        let count = bytes.count
        var lane0: UInt64 = 0x6A09_E667_F3BC_C908 ^ UInt64(count)
        var lane1: UInt64 = 0xBB67_AE85_84CA_A73B
        var lane2: UInt64 = 0x3C6E_F372_FE94_F82B
        var lane3: UInt64 = 0xA54F_F53A_5F1D_36F1
        var index = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 32 <= count {
                lane0 = Self.round(lane0, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                lane1 = Self.round(lane1, raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self))
                lane2 = Self.round(lane2, raw.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self))
                lane3 = Self.round(lane3, raw.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self))
                index += 32
            }
            while index + 8 <= count {
                lane0 = Self.round(lane0, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                swap(&lane0, &lane1)
                index += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while index < count {
                tail |= UInt64(base[index]) << shift
                shift += 8
                index += 1
            }
            lane2 = Self.round(lane2, tail)
        }
        low = Self.finalize(lane0 ^ Self.round(lane2, lane1))
        high = Self.finalize(lane3 ^ Self.round(lane1, lane0 ^ lane2))
    }

    @inline(__always) private static func finalize(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x = x &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x = x &* 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
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
        var text = text
        self = text.withUTF8 { ContentHash($0) }
    }

    package init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }
}
