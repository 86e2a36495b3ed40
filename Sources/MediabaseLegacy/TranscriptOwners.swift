import Foundation
import MediabaseSQLite
import MediabaseModel

/// Which gene each transcript seen so far belongs to, keyed by a 64-bit hash of the transcript
/// id: finds the rows that repeat a transcript (docs/spec.md §4.1, "two rows with the same transcript_id
/// after version stripping merge") wherever they are in the input.
///
/// Memory does not grow with the transcript count beyond what the budget gives: the newest
/// `pendingCapacity` transcripts are kept in a dictionary, older ones in a ``SpillFile``
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
    private var pending: [UInt64: UInt32] = [:]
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
        // Grown as needed beyond this: a large budget costs nothing on a small input.
        pending.reserveCapacity(min(capacity, 1 << 15))
    }

    /// The gene of the transcript with `key` when it was seen before; otherwise nil, and the
    /// transcript is registered as `gene`'s.
    func owner(of key: UInt64, registering gene: UInt32) throws -> UInt32? {
        if let owner = pending[key] { return owner }
        if let spill, spill.spilled.mayContain(key) {
            try spill.select.bind(1, Int64(bitPattern: key))
            defer { spill.select.reset(clearingBindings: false) }
            if try spill.select.step() { return UInt32(spill.select.int64(0)) }
        }
        pending[key] = gene
        count += 1
        if pending.count >= capacity { try spillPending() }
        return nil
    }

    /// Moves the pending transcripts to the file, in key order (cheap appends to B-tree pages).
    private func spillPending() throws {
        let spill = try self.spill ?? {
            let made = try Spill(cacheKilobytes: cacheKilobytes)
            self.spill = made
            return made
        }()
        for (key, gene) in pending.sorted(by: { Int64(bitPattern: $0.key) < Int64(bitPattern: $1.key) }) {
            try spill.insert.bind(1, Int64(bitPattern: key))
            try spill.insert.bind(2, Int64(gene))
            try spill.insert.step()
            spill.insert.reset(clearingBindings: false)
            spill.spilled.insert(key)
        }
        spilledCount += pending.count
        pending.removeAll(keepingCapacity: true)
    }
}
