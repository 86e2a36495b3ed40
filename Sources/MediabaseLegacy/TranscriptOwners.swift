import Foundation
import MediabaseSQLite
import MediabaseModel

/// Which gene each transcript seen so far belongs to, keyed by a 64-bit hash of the transcript
/// id: finds the rows that repeat a transcript (docs/spec.md §4.1, "two rows with the same transcript_id
/// after version stripping merge") wherever they are in the input.
///
/// Memory does not grow with the transcript count beyond what the budget gives: the newest
/// `pendingCapacity` transcripts are kept in an ``OwnerTable``, older ones in a ``SpillFile``
/// (written in sorted batches), with an ``ApproximateSet`` in front of it so that a new
/// transcript, the common case, costs no lookup on disk. Neither exists before the first spill.
final class TranscriptOwners {
    /// The file, its statements and the filter in front of it.
    private final class Spill {
        let file: SpillFile
        let insert: SQLiteStatement
        let select: SQLiteStatement
        // 16 Mbit (2 MB): under 0.1 % false positives up to a million transcripts.
        var spilled = ApproximateSet(bitCount: 1 << 24)

        init(cacheKilobytes: Int) throws {
            file = try SpillFile(schema: "CREATE TABLE owners (key INTEGER PRIMARY KEY, gene INTEGER NOT NULL)", cacheKilobytes: cacheKilobytes)
            insert = try file.database.prepare("INSERT INTO owners (key, gene) VALUES (?, ?)")
            select = try file.database.prepare("SELECT gene FROM owners WHERE key = ?")
        }
    }

    /// Transcripts kept in memory before they all go to the file.
    let capacity: Int
    private let cacheKilobytes: Int
    private var pending: OwnerTable
    private var spill: Spill?
    /// Distinct transcripts registered.
    private(set) var count = 0
    /// Transcripts written to the temporary file.
    private(set) var spilledCount = 0

    /// - Parameters:
    ///   - pendingCapacity: transcripts kept in memory before they all go to the file.
    ///   - cacheKilobytes: the page cache of the temporary file.
    init(pendingCapacity: Int, cacheKilobytes: Int = 2048) {
        capacity = max(pendingCapacity, 1)
        self.cacheKilobytes = cacheKilobytes
        pending = OwnerTable(capacity: capacity)
    }

    /// Bytes the in-memory table holds now (its slots, whether used or not).
    var storageBytes: Int { pending.storageBytes }

    /// The gene of the transcript with `key` when it was seen before; otherwise nil, and the
    /// transcript is registered as `gene`'s.
    func owner(of key: UInt64, registering gene: UInt32) throws -> UInt32? {
        if let owner = pending.value(for: key) { return owner }
        if let spill, spill.spilled.mayContain(key) {
            try spill.select.bind(1, Int64(bitPattern: key))
            defer { spill.select.reset(clearingBindings: false) }
            if try spill.select.step() { return UInt32(spill.select.int64(0)) }
        }
        let fits = pending.insert(key, gene)
        count += 1
        if !fits || pending.count >= capacity { try spillPending() }
        return nil
    }

    /// Moves the pending transcripts to the file, in key order (cheap appends to B-tree pages).
    private func spillPending() throws {
        let spill = try self.spill ?? {
            let made = try Spill(cacheKilobytes: cacheKilobytes)
            self.spill = made
            return made
        }()
        try pending.forEachSorted { key, gene in
            try spill.insert.bind(1, Int64(bitPattern: key))
            try spill.insert.bind(2, Int64(gene))
            try spill.insert.step()
            spill.insert.reset(clearingBindings: false)
            spill.spilled.insert(key)
        }
        spilledCount += pending.count
        pending.removeAll()
    }
}

/// A map from 64-bit hashes to 32-bit values in flat storage, 12 bytes a slot (the key in one
/// array, the value in another): about a third of what a `[UInt64: UInt32]` takes for the same
/// entries, counting the room it needs to grow (docs/decisions.md, "`--memory-limit` split").
///
/// The table is split by the key's top bits into up to 256 segments, each an open-addressing
/// table with linear probing that grows alone: growth holds the old and new storage of one
/// segment only, never of the whole table. A segment grows by doubling up to a ceiling set from
/// the capacity (three quarters full at the capacity, plus room for the segments' uneven
/// shares), so that the table never holds more than ``bytesPerEntry`` bytes per entry of the
/// capacity. Because segments follow the top bits, walking them in order and sorting each one
/// gives every entry in key order with one segment's worth of extra memory.
struct OwnerTable {
    /// One part of the table: keys 0 mark free slots (key 0 itself is kept aside, in
    /// ``OwnerTable/zeroValue``).
    private struct Segment {
        var keys: [UInt64]
        var values: [UInt32]
        var count = 0

        init(slots: Int) {
            keys = Array(repeating: 0, count: slots)
            values = Array(repeating: 0, count: slots)
        }
    }

    /// Bytes a slot takes: an 8-byte key and a 4-byte value.
    static let slotBytes = 12
    /// Slots a segment starts with.
    private static let initialSlots = 16
    /// Most bytes the table holds per entry of its capacity: 12-byte slots at most 3/4 full,
    /// plus room for uneven segments (see ``segmentCeiling(share:)``); checked by the tests over
    /// a range of capacities, and the ground of `MemoryBudget.bytesPerTranscript`.
    static let bytesPerEntry = 17

    private var segments: [Segment]
    /// How far a key is shifted right to give its segment.
    private let segmentShift: UInt64
    /// The most slots a segment may have.
    private let ceiling: Int
    private var zeroValue: UInt32?
    /// Entries held.
    private(set) var count = 0

    /// - Parameter capacity: the most entries the table is meant to hold; it refuses more
    ///   (``insert(_:_:)`` returns false) once a segment is full at its ceiling.
    init(capacity: Int) {
        // Segments of at least 4,096 entries at the capacity, so that their shares stay even
        // (a few percent apart), and at most 256.
        var bits = 0
        while bits < 8, capacity >> (bits + 1) >= 4096 { bits += 1 }
        segmentShift = UInt64(64 - bits)
        ceiling = Self.segmentCeiling(share: (capacity + (1 << bits) - 1) >> bits)
        segments = Array(repeating: Segment(slots: min(Self.initialSlots, ceiling)), count: 1 << bits)
    }

    /// The most slots a segment whose expected share is `share` entries may have: 4/3 of the
    /// share, plus three standard deviations of a binomial share and a few slots.
    private static func segmentCeiling(share: Int) -> Int {
        share + (share + 2) / 3 + 3 * Int(Double(share).squareRoot().rounded(.up)) + 8
    }

    /// Bytes of the slots the table holds now.
    var storageBytes: Int { segments.reduce(0) { $0 + $1.keys.count } * Self.slotBytes }

    /// The segment of `key`: its top bits (none with one segment: a shift by 64 gives 0).
    @inline(__always) private func segment(of key: UInt64) -> Int { Int(truncatingIfNeeded: key >> segmentShift) }

    /// Where `key`'s probe starts in a segment of `slots` slots: from its bits mixed (the
    /// segment used the top ones), scaled to the slot count (which need not be a power of two).
    @inline(__always) static func start(_ key: UInt64, slots: Int) -> Int {
        var mixed = key ^ (key >> 31)
        mixed &*= 0x7FB5_D329_728E_A185
        mixed ^= mixed >> 27
        // The low 32 bits times the slot count, shifted: the high half of the product (a shift
        // binds tighter than `&*`, hence the parentheses).
        return Int(truncatingIfNeeded: ((mixed & 0xFFFF_FFFF) &* UInt64(slots)) >> 32)
    }

    /// The value of `key`, or nil.
    func value(for key: UInt64) -> UInt32? {
        guard key != 0 else { return zeroValue }
        let segment = segments[segment(of: key)]
        let slots = segment.keys.count
        var slot = Self.start(key, slots: slots)
        while true {
            let found = segment.keys[slot]
            if found == key { return segment.values[slot] }
            if found == 0 { return nil }
            slot += 1
            if slot == slots { slot = 0 }
        }
    }

    /// Adds `key` (not in the table) with `value`. Returns false when its segment, full at its
    /// ceiling, took it as its last entry: the table should be emptied before the next insert.
    mutating func insert(_ key: UInt64, _ value: UInt32) -> Bool {
        count += 1
        guard key != 0 else {
            zeroValue = value
            return true
        }
        let index = segment(of: key)
        var segment = segments[index]
        segments[index] = Segment(slots: 0)
        defer { segments[index] = segment }
        if (segment.count + 1) * 4 > segment.keys.count * 3, segment.keys.count < ceiling {
            segment = Self.grown(segment, to: min(segment.keys.count * 2, ceiling))
        }
        Self.place(key, value, in: &segment)
        segment.count += 1
        // A segment at its ceiling takes entries until one slot in eight is left, so that a
        // probe still ends on a free slot soon.
        return segment.keys.count < ceiling || (segment.count + 1) * 8 <= segment.keys.count * 7
    }

    @inline(__always) private static func place(_ key: UInt64, _ value: UInt32, in segment: inout Segment) {
        let slots = segment.keys.count
        var slot = start(key, slots: slots)
        while segment.keys[slot] != 0 {
            slot += 1
            if slot == slots { slot = 0 }
        }
        segment.keys[slot] = key
        segment.values[slot] = value
    }

    private static func grown(_ old: Segment, to slots: Int) -> Segment {
        var segment = Segment(slots: slots)
        segment.count = old.count
        for slot in old.keys.indices where old.keys[slot] != 0 { place(old.keys[slot], old.values[slot], in: &segment) }
        return segment
    }

    /// Calls `body` with every entry in the order of the keys as `Int64` (as SQLite sorts them):
    /// the segments of negative keys, then the others, each sorted alone.
    func forEachSorted(_ body: (UInt64, UInt32) throws -> Void) throws {
        let half = segments.count / 2
        for index in Array(half..<segments.count) + Array(0..<half) {
            let segment = segments[index]
            var entries: [(key: Int64, value: UInt32)] = []
            entries.reserveCapacity(segment.count + 1)
            for slot in segment.keys.indices where segment.keys[slot] != 0 {
                entries.append((Int64(bitPattern: segment.keys[slot]), segment.values[slot]))
            }
            if index == 0, let zeroValue { entries.append((0, zeroValue)) }
            entries.sort { $0.key < $1.key }
            for entry in entries { try body(UInt64(bitPattern: entry.key), entry.value) }
        }
    }

    /// Empties the table, giving its storage back.
    mutating func removeAll() {
        let initial = min(Self.initialSlots, ceiling)
        for index in segments.indices { segments[index] = Segment(slots: initial) }
        zeroValue = nil
        count = 0
    }
}
