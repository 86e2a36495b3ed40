import MediabaseBytes
import MediabaseModel

/// A key that is already a well-mixed hash (``ByteHash``): its own bits pick its slot.
protocol FlatHashKey: Equatable {
    var slotBits: Int { get }
    /// What a free slot holds (its value says it is free).
    static var placeholder: Self { get }
}

extension Int: FlatHashKey {
    var slotBits: Int { self }
    static var placeholder: Int { 0 }
}

extension ContentHash: FlatHashKey {
    var slotBits: Int { Int(truncatingIfNeeded: low) }
    static var placeholder: ContentHash { ContentHash(low: 0, high: 0) }
}

/// A map from hashes to a small value (1...255), for the caches of checks and the sets of ids:
/// open addressing with linear probing in two flat arrays, the slot taken from the key's own
/// bits. Unlike `Dictionary` and `Set` it runs no `Hasher` round per lookup, and a lookup touches
/// one run of slots, which matters when the table is too large for the cache (one lookup per
/// long value and per id of every row).
struct FlatHashTable<Key: FlatHashKey> {
    private var keys: [Key]
    /// The value of each slot; 0 when the slot is free.
    private var values: [UInt8]
    private var mask: Int
    private(set) var count = 0

    init() {
        keys = Array(repeating: .placeholder, count: 16)
        values = Array(repeating: 0, count: 16)
        mask = 15
    }

    var isEmpty: Bool { count == 0 }

    /// The value kept for `key`, or nil.
    subscript(key: Key) -> UInt8? {
        var slot = key.slotBits & mask
        while true {
            let value = values[slot]
            if value == 0 { return nil }
            if keys[slot] == key { return value }
            slot = (slot + 1) & mask
        }
    }

    /// Keeps `value` (1...255) for `key`; returns whether the key was new.
    @discardableResult
    mutating func insert(_ key: Key, value: UInt8 = 1) -> Bool {
        precondition(value != 0, "0 marks a free slot")
        // At most three slots in four are taken, so probe runs stay short.
        if (count + 1) * 4 > values.count * 3 { grow() }
        var slot = key.slotBits & mask
        while values[slot] != 0 {
            if keys[slot] == key {
                values[slot] = value
                return false
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = key
        values[slot] = value
        count += 1
        return true
    }

    /// Forgets every key, keeping the room.
    mutating func removeAll() {
        for index in values.indices { values[index] = 0 }
        count = 0
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = Array(repeating: .placeholder, count: oldValues.count * 2)
        values = Array(repeating: 0, count: oldValues.count * 2)
        mask = values.count - 1
        count = 0
        for index in oldValues.indices where oldValues[index] != 0 { insert(oldKeys[index], value: oldValues[index]) }
    }
}
