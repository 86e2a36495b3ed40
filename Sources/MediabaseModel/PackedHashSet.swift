/// A set of hashes built once and then only looked up, packed in one array grouped by the hash's
/// top bits, with where each group starts: 16 bytes a key and about one more, where a
/// ``FlatHashTable`` takes 23 to 45 (its slots are a power of two, at most three in four taken).
/// The foreign-key checks hold the keys of a parent of 3.4 million rows in 59 MB this way, against
/// 143 MB (`CoreValidator`).
///
/// The keys are grouped in place, in one pass that counts them by group and one that moves each
/// to its group (a one-digit American flag sort); a lookup scans its group, four to eight keys on
/// average, in one or two cache lines.
package struct PackedHashSet {
    /// The keys, grouped: group `g` is `keys[starts[g]..<starts[g + 1]]`, in no order within.
    private var keys: [ContentHash]
    private var starts: [UInt32]
    /// `low >> shift` is a key's group.
    private let shift: UInt64

    /// Takes `keys` (any order; a key given twice is kept twice, which no lookup notices).
    package init(_ keys: consuming [ContentHash]) {
        precondition(keys.count < Int(UInt32.max), "a packed set holds fewer than 2^32 keys")
        let bits = Self.groupBits(for: keys.count)
        let shift = UInt64(64 - bits)
        var starts = [UInt32](repeating: 0, count: (1 << bits) + 1)
        func group(_ key: ContentHash) -> Int { Self.group(of: key, shift: shift) }
        for index in keys.indices { starts[group(keys[index]) + 1] += 1 }
        for index in 1..<starts.count { starts[index] += starts[index - 1] }
        // Where the next key of each group goes; a group is done once it reaches the next start.
        var next = starts
        for target in 0..<(starts.count - 1) {
            while next[target] < starts[target + 1] {
                var key = keys[Int(next[target])]
                var destination = group(key)
                // Carries the key to its group, taking the one it displaces along, until a key of
                // this group comes back to the free place.
                while destination != target {
                    swap(&key, &keys[Int(next[destination])])
                    next[destination] += 1
                    destination = group(key)
                }
                keys[Int(next[target])] = key
                next[target] += 1
            }
        }
        self.keys = keys
        self.starts = starts
        self.shift = shift
    }

    /// Bytes of a set of `count` keys, with what its building holds on top for a moment.
    package static func bytes(holding count: Int) -> Int {
        count * MemoryLayout<ContentHash>.stride + 2 * ((1 << groupBits(for: count)) + 1) * MemoryLayout<UInt32>.stride
    }

    /// Groups are a power of two, at most a quarter as many as the keys.
    private static func groupBits(for count: Int) -> Int {
        var bits = 0
        while bits < 32, (1 << (bits + 1)) * 4 <= count { bits += 1 }
        return bits
    }

    package var count: Int { keys.count }

    /// A key's group: the top bits of its low half (none with one group: a shift by 64 gives 0).
    @inline(__always) private static func group(of key: ContentHash, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: key.low >> shift)
    }

    package func contains(_ key: ContentHash) -> Bool {
        let group = Self.group(of: key, shift: shift)
        return holds(key, from: starts[group], to: starts[group + 1])
    }

    /// Whether every one of `hashes` is in the set.
    ///
    /// The lookups run back to back in two rounds, every group's bounds and then every group's
    /// keys, so that the processor overlaps the cache misses of many lookups: in a set larger
    /// than the cache each lookup misses about twice, and one lookup at a time between other work
    /// (a row read from SQLite) waits for each miss alone.
    package func containsAll(_ hashes: Span<ContentHash>) -> Bool {
        var bounds: [UInt32] = []
        bounds.reserveCapacity(2 * hashes.count)
        for index in hashes.indices {
            let group = Self.group(of: hashes[index], shift: shift)
            bounds.append(starts[group])
            bounds.append(starts[group + 1])
        }
        for index in hashes.indices where !holds(hashes[index], from: bounds[2 * index], to: bounds[2 * index + 1]) {
            return false
        }
        return true
    }

    /// Whether `keys[start..<end]` (a group) holds `key`.
    @inline(__always) private func holds(_ key: ContentHash, from start: UInt32, to end: UInt32) -> Bool {
        for index in Int(start)..<Int(end) where keys[index] == key { return true }
        return false
    }
}
