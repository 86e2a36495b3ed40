import Foundation
import MediabaseBytes
import MediabaseModel

/// A read-only hash table from byte strings to integers, for matching a patient file's ids
/// without making a `String` per row. Built once per run, then shared by every worker thread.
///
/// Laid out for the cache: while a file streams through, the table is cold, so each lookup
/// should touch one place. Keys of up to 16 bytes — every Ensembl id, nearly every symbol — sit
/// inside their slot next to the value; longer keys keep their hash there and their bytes in a
/// side array. Slots are probed linearly from the key's ``ContentHash``.
struct IdTable: Sendable {
    /// One slot: an inline key (two words, zero-padded) or, for a long key, its offset in
    /// `longKeys` and its hash; the key's length (0: empty slot, keys are never empty); the value.
    private struct Slot: Sendable {
        var first: UInt64 = 0
        var second: UInt64 = 0
        var length: Int32 = 0
        var value: Int32 = 0
    }

    /// Longest key stored inside its slot.
    private static let inlineLength = 16

    private let slots: [Slot]
    private let longKeys: [UInt8]

    /// Builds the table; of entries with equal keys the first wins; empty keys are left out.
    init(_ entries: [(key: String, value: Int32)]) {
        var capacity = 16
        while capacity < entries.count + entries.count / 2 { capacity *= 2 }
        var slots = [Slot](repeating: Slot(), count: capacity)
        var longKeys: [UInt8] = []
        for (key, value) in entries {
            let bytes = key.utf8.span
            guard !bytes.isEmpty else { continue }
            var slot = Self.probeStart(bytes, mask: capacity - 1)
            var known = false
            while slots[slot].length != 0 {
                if Self.matches(slots[slot], bytes, longKeys) {
                    known = true
                    break
                }
                slot = (slot + 1) & (capacity - 1)
            }
            guard !known else { continue }
            var entry = Slot(length: Int32(bytes.count), value: value)
            if bytes.count <= Self.inlineLength {
                (entry.first, entry.second) = Self.words(bytes)
            } else {
                entry.first = UInt64(longKeys.count)
                entry.second = ContentHash(bytes).high
                longKeys.append(bytes)
            }
            slots[slot] = entry
        }
        self.slots = slots
        self.longKeys = longKeys
    }

    /// The value of `key`, or nil.
    func value(for key: Span<UInt8>) -> Int32? {
        guard !key.isEmpty else { return nil }
        let mask = slots.count - 1
        let slots = self.slots.span
        var slot = Self.probeStart(key, mask: mask)
        if key.count <= Self.inlineLength {
            // The common case, compared word by word.
            let (first, second) = Self.words(key)
            let length = Int32(key.count)
            while slots[slot].length != 0 {
                if slots[slot].length == length, slots[slot].first == first, slots[slot].second == second { return slots[slot].value }
                slot = (slot + 1) & mask
            }
            return nil
        }
        while slots[slot].length != 0 {
            if Self.matches(slots[slot], key, longKeys) { return slots[slot].value }
            slot = (slot + 1) & mask
        }
        return nil
    }

    @inline(__always) private static func probeStart(_ key: Span<UInt8>, mask: Int) -> Int {
        Int(truncatingIfNeeded: ContentHash(key).low) & mask
    }

    /// The first 16 bytes of a short key as two little-endian words, zero-padded.
    @inline(__always) private static func words(_ key: Span<UInt8>) -> (UInt64, UInt64) {
        var first: UInt64 = 0
        var second: UInt64 = 0
        for index in 0..<key.count {
            let byte = key[index]
            if index < 8 { first |= UInt64(byte) << (8 * index) } else { second |= UInt64(byte) << (8 * (index - 8)) }
        }
        return (first, second)
    }

    /// Whether a used slot holds `key`.
    private static func matches(_ slot: Slot, _ key: Span<UInt8>, _ longKeys: [UInt8]) -> Bool {
        guard Int(slot.length) == key.count else { return false }
        if key.count <= inlineLength {
            let (first, second) = words(key)
            return slot.first == first && slot.second == second
        }
        guard slot.second == ContentHash(key).high else { return false }
        let start = Int(slot.first)
        return longKeys.span.extracting(start..<(start + key.count)).elementsEqual(key)
    }
}
