/// A fast 128-bit hash of byte strings, used to recognise a gene-level field already processed
/// (the legacy table repeats each gene's fields verbatim in every transcript row).
///
/// Two independent multiply-xorshift lanes over 8-byte words; not cryptographic, but with 128
/// bits an accidental collision among the few values of one gene is practically impossible.
public struct ContentHash: Hashable, Sendable {
    public var low: UInt64
    public var high: UInt64

    public init(_ bytes: UnsafeBufferPointer<UInt8>) {
        var a: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var b: UInt64 = 0xC2B2_AE3D_27D4_EB4F &+ UInt64(bytes.count)
        let count = bytes.count
        var index = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                a = (a ^ word) &* 0xFF51_AFD7_ED55_8CCD
                a ^= a >> 32
                b = (b &+ word) &* 0xC4CE_B9FE_1A85_EC53
                b ^= b >> 29
                index += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while index < count {
                tail |= UInt64(base[index]) << shift
                shift += 8
                index += 1
            }
            a = (a ^ tail) &* 0xFF51_AFD7_ED55_8CCD
            b = (b &+ tail) &* 0xC4CE_B9FE_1A85_EC53
        }
        low = Self.finalize(a ^ (b >> 17))
        high = Self.finalize(b ^ (a << 13))
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
    public static func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
