/// A seedable pseudo-random generator: xoshiro256** (Blackman and Vigna, 2018) seeded through
/// SplitMix64, as the xoshiro authors recommend.
///
/// Swift's `SystemRandomNumberGenerator` cannot be seeded, and the standard library's
/// algorithms that take a generator (`shuffled(using:)`, `Int.random(in:using:)`) do not promise
/// to draw the same numbers across Swift versions, so the generator draws everything through
/// the helpers below. They use integer arithmetic and exactly rounded floating-point operations
/// only (no `log`, `exp` or `cos`, whose last bit may differ between C libraries), so a seed
/// gives the same bytes on every machine.
struct SeededRandom {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator for one independent stream of the run: `seed` is the user's `--seed`,
    /// `stream` names the kind of content (genes, a patient, the catalogs) and `index` the item
    /// in it (a gene index, a block index). Streams never depend on how work is split up.
    init(seed: UInt64, stream: RandomStream, index: Int = 0) {
        var mixer = SplitMix64(state: seed)
        let base = mixer.next() ^ (stream.rawValue &* 0xD6E8_FEB8_6659_FD93)
        mixer = SplitMix64(state: base ^ (UInt64(bitPattern: Int64(index)) &* 0x9E37_79B9_7F4A_7C15))
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// The next 64 random bits.
    @inline(__always) mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    @inline(__always) private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift; the bias is below 2^-40 for
    /// every bound used here).
    @inline(__always) mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inline(__always) mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p`.
    @inline(__always) mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An index in `0..<count` skewed towards 0 (density ∝ u^power), so a few catalog entries
    /// (popular drugs, well-studied pathways) are drawn much more often than the rest.
    @inline(__always) mutating func skewed(_ count: Int, power: Int = 3) -> Int {
        var u = unit()
        let base = u
        for _ in 1..<power { u *= base }
        return min(count - 1, Int(u * Double(count)))
    }

    /// The number of failed trials before the first success, each succeeding with probability
    /// `p`, capped at `cap` (a geometric distribution without logarithms).
    mutating func geometric(_ p: Double, cap: Int) -> Int {
        var n = 0
        while n < cap, !chance(p) { n += 1 }
        return n
    }

    /// One element of `items`, uniformly.
    @inline(__always) mutating func pick<C: RandomAccessCollection>(_ items: C) -> C.Element {
        items[items.index(items.startIndex, offsetBy: below(items.count))]
    }

    /// `count` distinct indices in `0..<bound`, in ascending order, drawn with `draw`
    /// (e.g. a skewed draw); stops early if `bound` is too small.
    mutating func distinctIndices(_ count: Int, bound: Int, draw: (inout SeededRandom) -> Int) -> [Int] {
        let target = min(count, bound)
        var chosen: [Int] = []
        chosen.reserveCapacity(target)
        var attempts = 0
        while chosen.count < target, attempts < target * 20 {
            attempts += 1
            let candidate = draw(&self)
            if !chosen.contains(candidate) { chosen.append(candidate) }
        }
        chosen.sort()
        return chosen
    }

    /// `count` distinct indices in `0..<bound`, uniformly, in ascending order (a partial
    /// Fisher–Yates shuffle: `count` draws); all of them if `bound` is smaller.
    mutating func sample(_ count: Int, from bound: Int) -> [Int] {
        var indices = Array(0..<bound)
        let target = min(count, bound)
        for i in 0..<target { indices.swapAt(i, i + below(bound - i)) }
        return indices.prefix(target).sorted()
    }

    /// Shuffles `items` in place (Fisher–Yates with this generator's draws).
    mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, below(i + 1))
        }
    }
}

/// The independent random streams of a generation run. Raw values are fixed forever: changing
/// one changes every generated file.
enum RandomStream: UInt64 {
    /// Ids, symbol, type, chromosome and transcript count of a gene (cheap to recompute).
    case geneHeader = 1
    /// Everything else about a gene.
    case geneContent = 2
    /// Names and ids of the drug, pathway and GO term catalogs.
    case catalog = 3
    /// Which rows of a gene move to the end of its block.
    case blockOrder = 4
    /// A patient's values for one gene (index = patient × 2^32 + gene).
    case patientGene = 5
    /// A patient's metadata.
    case patient = 6
    /// The `opentargets_known_drugs` rows.
    case openTargets = 7
    /// The `\restrict` key of the dumps.
    case dumpKey = 8
    /// Which rows of a block a patient file holds under `--patient-rows` (index = patient ×
    /// 2^32 + block).
    case patientBlock = 9
    /// The bucket of each legacy row under `--row-order scattered` (index = block).
    case rowScatter = 10
    /// The order of the rows inside one such bucket (index = bucket).
    case bucketShuffle = 11
}

/// SplitMix64 (Steele, Lea and Flood, 2014): here it expands a seed into generator state; the
/// tests use it as their seeded generator.
package struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    package init(state: UInt64) { self.state = state }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
