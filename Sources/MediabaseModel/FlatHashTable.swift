/// A map from hashes to a small value (1...255), for the caches of checks and the sets of ids
/// (inspect, the bundle's key checks):
/// open addressing with linear probing in two flat arrays, the slot taken from the key's own
/// bits. Unlike `Dictionary` and `Set` it runs no `Hasher` round per lookup, and a lookup touches
/// one run of slots, which matters when the table is too large for the cache (one lookup per
/// long value and per id of every row).
package struct FlatHashTable {
    package typealias Key = ContentHash

    @usableFromInline var keys: [Key]
    /// The value of each slot; 0 when the slot is free.
    @usableFromInline var values: [UInt8]
    @usableFromInline var mask: Int
    @usableFromInline package internal(set) var count = 0

    @inlinable package init() {
        keys = Array(repeating: ContentHash(low: 0, high: 0), count: 16)
        values = Array(repeating: 0, count: 16)
        mask = 15
    }

    /// Room for `count` keys without growing.
    package init(holding count: Int) {
        let slots = Self.slots(holding: count)
        keys = Array(repeating: ContentHash(low: 0, high: 0), count: slots)
        values = Array(repeating: 0, count: slots)
        mask = slots - 1
    }

    /// The slots of a table made to hold `count` keys: a power of two, at most three in four taken.
    static func slots(holding count: Int) -> Int {
        var slots = 16
        while slots * 3 < max(0, count) * 4 { slots *= 2 }
        return slots
    }

    /// The bytes of a table made with ``init(holding:)``: a 16-byte key and a 1-byte value a slot.
    package static func bytes(holding count: Int) -> Int { slots(holding: count) * (MemoryLayout<Key>.stride + 1) }

    @inlinable package var isEmpty: Bool { count == 0 }

    /// The slots it has room for.
    @inlinable package var capacity: Int { values.count }

    /// The value kept for `key`, or nil.
    @inlinable package subscript(key: Key) -> UInt8? {
        var slot = Int(truncatingIfNeeded: key.low) & mask
        while true {
            let value = values[slot]
            if value == 0 { return nil }
            if keys[slot] == key { return value }
            slot = (slot + 1) & mask
        }
    }

    /// Keeps `value` (1...255) for `key`; returns whether the key was new.
    @inlinable @discardableResult
    package mutating func insert(_ key: Key, value: UInt8 = 1) -> Bool {
        precondition(value != 0, "0 marks a free slot")
        // At most three slots in four are taken, so probe runs stay short.
        if (count + 1) * 4 > values.count * 3 { grow() }
        var slot = Int(truncatingIfNeeded: key.low) & mask
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

    /// Calls `body` with every key, in slot order.
    @inlinable package func forEachKey(_ body: (Key) -> Void) {
        for index in values.indices where values[index] != 0 { body(keys[index]) }
    }

    /// Forgets every key, keeping the room.
    @inlinable package mutating func removeAll() {
        for index in values.indices { values[index] = 0 }
        count = 0
    }

    @usableFromInline mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = Array(repeating: ContentHash(low: 0, high: 0), count: oldValues.count * 2)
        values = Array(repeating: 0, count: oldValues.count * 2)
        mask = values.count - 1
        count = 0
        for index in oldValues.indices where oldValues[index] != 0 { insert(oldKeys[index], value: oldValues[index]) }
    }
}
