import MediabaseGenerate

/// The library's SplitMix64 (Steele, Lea & Flood, "Fast Splittable Pseudorandom Number
/// Generators", 2014) as the property tests' seeded generator, so every run sees the same inputs.
extension SplitMix64 {
    package init(seed: UInt64) { self.init(state: seed) }

    /// True with probability `1 / n`.
    package mutating func oneIn(_ n: Int) -> Bool { Int.random(in: 0..<n, using: &self) == 0 }

    /// A random element of a non-empty collection.
    package mutating func pick<C: RandomAccessCollection>(_ items: C) -> C.Element { items.randomElement(using: &self)! }

    /// `count` bytes, each uniformly random.
    package mutating func bytes(count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }

    /// Up to `maxPieces` random pieces of `alphabet`, concatenated as UTF-8.
    package mutating func text(from alphabet: [String], maxPieces: Int) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<Int.random(in: 0...maxPieces, using: &self) { out += Array(pick(alphabet).utf8) }
        return out
    }
}
