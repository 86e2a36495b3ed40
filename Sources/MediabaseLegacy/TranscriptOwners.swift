import Foundation
import MediabaseBytes
import MediabaseModel

/// Which gene each transcript seen so far belongs to, keyed by a 64-bit hash of the transcript
/// id: finds the rows that repeat a transcript (docs/spec.md §4.1, "two rows with the same transcript_id
/// after version stripping merge") wherever they are in the input.
///
/// Memory does not grow with the transcript count beyond what the budget gives: the newest
/// `pendingCapacity` transcripts are kept in an ``OwnerTable``, older ones in sorted runs of a
/// temporary file (``ScratchFile``), each found again with one `pread` of a block of it, with an
/// ``ApproximateSet`` in front of them so that a new transcript, the common case, costs no
/// lookup on disk. Neither exists before the first spill.
final class TranscriptOwners {
    /// The file, its runs and the filter in front of them.
    private final class Spill {
        /// A run: the pending table's entries in key order (signed, as `forEachSorted` gives
        /// them), 12 bytes each (the key, then the gene, little-endian), with the first key of
        /// each block of ``blockEntries`` kept in memory.
        struct Run {
            let start: Int64
            var count = 0
            var firstKeys: [Int64] = []
        }

        static let blockEntries = 256
        static let entryBytes = 12

        let file: ScratchFile
        private(set) var runs: [Run] = []
        private var block = [UInt8](repeating: 0, count: Spill.blockEntries * Spill.entryBytes)
        // 16 Mbit (2 MB): under 0.1 % false positives up to a million transcripts.
        var spilled = ApproximateSet(bitCount: 1 << 24)

        init(scratchPath: String, bufferBytes: Int) { file = ScratchFile(beside: scratchPath, bufferBytes: bufferBytes) }

        /// Writes `table`'s entries as a new run.
        func write(_ table: OwnerTable) throws {
            var run = Run(start: file.size)
            try table.forEachSorted { key, gene in
                if run.count % Self.blockEntries == 0 { run.firstKeys.append(Int64(bitPattern: key)) }
                try file.appendLittleEndian(key)
                try file.appendLittleEndian(gene)
                run.count += 1
                spilled.insert(key)
            }
            runs.append(run)
        }

        /// The gene of `key` in the runs, if one holds it.
        func gene(of key: UInt64) throws -> UInt32? {
            let wanted = Int64(bitPattern: key)
            for run in runs {
                // The last block whose first key is at or below the key.
                var (low, high) = (0, run.firstKeys.count)
                while low < high {
                    let middle = (low + high) / 2
                    if run.firstKeys[middle] <= wanted { low = middle + 1 } else { high = middle }
                }
                guard low > 0 else { continue }
                let blockIndex = low - 1
                let entries = min(Self.blockEntries, run.count - blockIndex * Self.blockEntries)
                let bytes = entries * Self.entryBytes
                let offset = run.start + Int64(blockIndex * Self.blockEntries * Self.entryBytes)
                guard try file.read(at: offset, into: &block, count: bytes) == bytes else {
                    throw MediabaseError.io(path: file.path, message: "a block of spilled transcripts could not be read back")
                }
                let block = block
                (low, high) = (0, entries)
                while low < high {
                    let middle = (low + high) / 2
                    let found = Int64(bitPattern: block.littleEndianUInt64(at: middle * Self.entryBytes))
                    if found == wanted { return block.littleEndianUInt32(at: middle * Self.entryBytes + 8) }
                    if found < wanted { low = middle + 1 } else { high = middle }
                }
            }
            return nil
        }
    }

    /// Transcripts kept in memory before they all go to the file.
    let capacity: Int
    private var pending: OwnerTable
    private var spill: Spill?
    /// Distinct transcripts registered.
    private(set) var count = 0
    /// Transcripts written to the temporary file.
    private(set) var spilledCount = 0

    private let scratchPath: String
    private let spillBufferBytes: Int

    /// - Parameters:
    ///   - pendingCapacity: transcripts kept in memory before they all go to the file.
    ///   - scratchPath: the file is made beside it (``ScratchFile/init(beside:bufferBytes:)``).
    ///   - spillBufferBytes: what the file gathers before a write.
    init(pendingCapacity: Int, scratchPath: String = "", spillBufferBytes: Int = 1 << 20) {
        capacity = max(pendingCapacity, 1)
        pending = OwnerTable(capacity: capacity)
        self.scratchPath = scratchPath
        self.spillBufferBytes = spillBufferBytes
    }

    /// Bytes the in-memory table holds now (its slots, whether used or not).
    var storageBytes: Int { pending.storageBytes }

    /// The gene of the transcript with `key` when it was seen before; otherwise nil, and the
    /// transcript is registered as `gene`'s.
    func owner(of key: UInt64, registering gene: UInt32) throws -> UInt32? {
        if let owner = pending.value(for: key) { return owner }
        if let spill, spill.spilled.mayContain(key), let owner = try spill.gene(of: key) { return owner }
        let fits = pending.insert(key, gene)
        count += 1
        if !fits || pending.count >= capacity { try spillPending() }
        return nil
    }

    /// Moves the pending transcripts to the file, as a run in key order.
    private func spillPending() throws {
        let spill = self.spill ?? {
            let made = Spill(scratchPath: scratchPath, bufferBytes: spillBufferBytes)
            self.spill = made
            return made
        }()
        try spill.write(pending)
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
        let (count, slots) = (segments[index].count, segments[index].keys.count)
        if (count + 1) * 4 > slots * 3, slots < ceiling {
            segments[index] = Self.grown(segments[index], to: min(slots * 2, ceiling))
        }
        // In place (the array's element, not a copy of it: a copy of the segment would share its
        // arrays, and the writes below would copy them).
        Self.place(key, value, in: &segments[index])
        segments[index].count += 1
        // A segment at its ceiling takes entries until one slot in eight is left, so that a
        // probe still ends on a free slot soon.
        return segments[index].keys.count < ceiling || (segments[index].count + 1) * 8 <= segments[index].keys.count * 7
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
