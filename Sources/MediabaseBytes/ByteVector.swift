/// Sixteen bytes at a time with `SIMD16<UInt8>`, the way simdjson's first stage classifies its
/// input: one comparison of a whole vector per byte class, giving a lane mask per class, the
/// masks combined, and the first set lane found with `trailingZeroBitCount`. Each scan built on it
/// stands beside the scalar 8-bytes-at-a-time code it goes before, which stays the reference and
/// the path for the last bytes; tests check both agree (docs/benchmarks.md, "vector scans").
///
/// The x86-64 baseline is SSE2, so a `SIMD16` operation is one instruction (`pcmpeqb`,
/// `pminub`, `por`) and wider vectors would be two. Swift has no spelling for `pmovmskb`;
/// ``isEmpty(_:)`` (which LLVM compiles to `pcmpeqd` and `movmskps`) and ``firstLane(_:)`` read the
/// mask as two 64-bit words instead.
enum ByteVector {
    typealias Lanes = SIMD16<UInt8>
    typealias Mask = SIMDMask<SIMD16<Int8>>

    /// Bytes per vector.
    static let width = 16

    /// The 16 bytes at `base + offset` (unaligned).
    @inline(__always) static func load(_ base: UnsafePointer<UInt8>, _ offset: Int) -> Lanes {
        UnsafeRawPointer(base + offset).loadUnaligned(as: Lanes.self)
    }

    /// The lanes equal to `byte`.
    @inline(__always) static func equal(_ lanes: Lanes, _ byte: UInt8) -> Mask {
        lanes .== Lanes(repeating: byte)
    }

    /// The mask as two words, lanes 0–7 and 8–15, each lane a byte of 0x00 or 0xFF.
    @inline(__always) private static func words(_ mask: Mask) -> SIMD2<UInt64> {
        unsafeBitCast(mask, to: SIMD2<UInt64>.self)
    }

    /// Whether no lane is set.
    @inline(__always) static func isEmpty(_ mask: Mask) -> Bool {
        let words = words(mask)
        return words[0] | words[1] == 0
    }

    /// The first set lane; the mask must not be empty.
    @inline(__always) static func firstLane(_ mask: Mask) -> Int {
        let words = words(mask)
        let low = UInt64(littleEndian: words[0])
        return low != 0 ? low.trailingZeroBitCount >> 3 : 8 + UInt64(littleEndian: words[1]).trailingZeroBitCount >> 3
    }

    /// The lanes a JSON string scanner stops at: `"`, `\`, bytes below 0x20 and above 0x7F (the
    /// scalar ``JSONScanner/attentionBits(_:)``). Bytes outside 0x20...0x7F are those that, less
    /// 0x20 with wrap-around, are 0x60 or more: one unsigned comparison for both ends.
    @inline(__always) static func stringAttention(_ lanes: Lanes) -> Mask {
        equal(lanes, ASCII.quote) .| equal(lanes, ASCII.backslash) .| (lanes &- Lanes(repeating: 0x20) .>= Lanes(repeating: 0x60))
    }

    /// The lanes that are not in 1...0x7F, the bytes ASCII text without NUL may not hold (the
    /// scalar ``UTF8Validation/nonASCIIOrZero(_:)``): those that, less one with wrap-around, are
    /// 0x7F or more.
    @inline(__always) static func nonASCIIOrZero(_ lanes: Lanes) -> Mask {
        lanes &- Lanes(repeating: 1) .>= Lanes(repeating: 0x7F)
    }
}

extension JSONScanner {
    /// ``skipPlainWords(_:from:end:)`` with 16 bytes at a time first: the same result (the first
    /// quote, backslash, control or non-ASCII byte, or, with none and fewer than 8 bytes left,
    /// where the last whole word ended), in half the steps on a long run of plain text.
    @inline(__always) static func skipPlain(_ base: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        var i = start
        while i + ByteVector.width <= end {
            let attention = ByteVector.stringAttention(ByteVector.load(base, i))
            if !ByteVector.isEmpty(attention) { return i + ByteVector.firstLane(attention) }
            i += ByteVector.width
        }
        return skipPlainWords(base, from: i, end: end)
    }
}
