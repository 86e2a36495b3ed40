import Foundation

/// A read-only hash table from byte strings to integers, for matching a patient file's ids
/// without making a `String` per row: the keys sit back to back in one byte array, slots are
/// probed linearly and keys hashed with ``ContentHash`` (word at a time, unlike `String`'s
/// SipHash). Built once per run, then shared by every worker thread.
struct IdTable: Sendable {
    /// Every key's bytes, back to back.
    private let keyBytes: [UInt8]
    /// Where each key ends in `keyBytes` (it starts where the previous one ends).
    private let keyEnds: [Int]
    private let values: [Int32]
    /// 1 + the key's index, 0 for an empty slot; a power of two long, at most half full.
    private let slots: [Int32]

    /// Builds the table; of entries with equal keys the first wins.
    init(_ entries: [(key: String, value: Int32)]) {
        var capacity = 16
        while capacity < entries.count * 2 { capacity *= 2 }
        var keyBytes: [UInt8] = []
        var keyEnds: [Int] = []
        var values: [Int32] = []
        var slots = [Int32](repeating: 0, count: capacity)
        for (key, value) in entries {
            var key = key
            key.withUTF8 { bytes in
                var slot = Int(truncatingIfNeeded: ContentHash(bytes).low) & (capacity - 1)
                while slots[slot] != 0 {
                    if Self.equal(keyBytes, keyEnds, Int(slots[slot]) - 1, bytes) { return }
                    slot = (slot + 1) & (capacity - 1)
                }
                keyBytes.append(contentsOf: bytes)
                keyEnds.append(keyBytes.count)
                values.append(value)
                slots[slot] = Int32(values.count)
            }
        }
        self.keyBytes = keyBytes
        self.keyEnds = keyEnds
        self.values = values
        self.slots = slots
    }

    /// The value of `key`, or nil.
    func value(for key: UnsafeBufferPointer<UInt8>) -> Int32? {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: ContentHash(key).low) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot]) - 1
            if Self.equal(keyBytes, keyEnds, index, key) { return values[index] }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Whether key `index` has the bytes of `key`.
    private static func equal(_ keyBytes: [UInt8], _ keyEnds: [Int], _ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = index == 0 ? 0 : keyEnds[index - 1]
        guard keyEnds[index] - start == key.count else { return false }
        guard let base = key.baseAddress, key.count > 0 else { return true }
        return keyBytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + start, base, key.count) == 0 }
    }
}
