/// SplitMix64 (Steele, Lea & Flood, "Fast Splittable Pseudorandom Number Generators", 2014):
/// a tiny seeded generator, so every property test sees the same inputs on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `1 / n`.
    mutating func oneIn(_ n: Int) -> Bool { Int.random(in: 0..<n, using: &self) == 0 }

    /// A random element of a non-empty collection.
    mutating func pick<C: RandomAccessCollection>(_ items: C) -> C.Element { items.randomElement(using: &self)! }

    /// `count` bytes, each uniformly random.
    mutating func bytes(count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }

    /// Up to `maxPieces` random pieces of `alphabet`, concatenated as UTF-8.
    mutating func text(from alphabet: [String], maxPieces: Int) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<Int.random(in: 0...maxPieces, using: &self) { out += Array(pick(alphabet).utf8) }
        return out
    }
}
