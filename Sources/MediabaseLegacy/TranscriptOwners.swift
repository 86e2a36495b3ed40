import Foundation
import MediabaseSQLite

/// Which gene each transcript seen so far belongs to, keyed by a 64-bit hash of the transcript
/// id: finds the rows that repeat a transcript (docs/spec.md §4.1, "two rows with the same transcript_id
/// after version stripping merge") wherever they are in the input.
///
/// Memory does not grow with the transcript count: the newest ``pendingCapacity`` transcripts
/// are kept in a dictionary, older ones in a ``SpillFile`` (written in sorted batches), with an
/// ``ApproximateSet`` in front of it so that a new transcript, the common case, costs no lookup
/// on disk.
final class TranscriptOwners {
    static let pendingCapacity = 1 << 15

    private let capacity: Int
    private var pending: [UInt64: UInt32] = [:]
    private var spilled: ApproximateSet
    private let file: SpillFile
    private let insert: SQLiteStatement
    private let select: SQLiteStatement
    /// Distinct transcripts registered.
    private(set) var count = 0

    init(pendingCapacity: Int = TranscriptOwners.pendingCapacity) throws {
        file = try SpillFile(schema: "CREATE TABLE owners (key INTEGER PRIMARY KEY, gene INTEGER NOT NULL)")
        insert = try file.database.prepare("INSERT INTO owners (key, gene) VALUES (?, ?)")
        select = try file.database.prepare("SELECT gene FROM owners WHERE key = ?")
        // 16 Mbit (2 MB): under 0.1 % false positives up to a million transcripts.
        spilled = ApproximateSet(bitCount: 1 << 24)
        capacity = pendingCapacity
        pending.reserveCapacity(capacity)
    }

    /// The gene of the transcript with `key` when it was seen before; otherwise nil, and the
    /// transcript is registered as `gene`'s.
    func owner(of key: UInt64, registering gene: UInt32) throws -> UInt32? {
        if let owner = pending[key] { return owner }
        if spilled.mayContain(key) {
            try select.bind(1, Int64(bitPattern: key))
            defer { select.reset(clearingBindings: false) }
            if try select.step() { return UInt32(select.int64(0)) }
        }
        pending[key] = gene
        count += 1
        if pending.count >= capacity { try spill() }
        return nil
    }

    /// Moves the pending transcripts to the file, in key order (cheap appends to B-tree pages).
    private func spill() throws {
        for (key, gene) in pending.sorted(by: { Int64(bitPattern: $0.key) < Int64(bitPattern: $1.key) }) {
            try insert.bind(1, Int64(bitPattern: key))
            try insert.bind(2, Int64(gene))
            try insert.step()
            insert.reset(clearingBindings: false)
            spilled.insert(key)
        }
        pending.removeAll(keepingCapacity: true)
    }
}
