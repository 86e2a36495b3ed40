import Foundation
import MediabaseSQLite

/// A private, temporary SQLite database for state that must survive until the end of the read
/// but need not stay in memory: SQLite keeps it in a small page cache and writes the rest to a
/// file it deletes when the connection closes.
///
/// Everything runs in one transaction that is never committed: nothing needs to be durable.
final class SpillFile {
    let database: SQLiteDatabase

    /// Creates the database with `schema`; at most `cacheKilobytes` of its pages stay in memory.
    init(schema: String, cacheKilobytes: Int = 2048) throws {
        // An empty file name is SQLite's private temporary database, removed on close.
        database = try SQLiteDatabase(path: "")
        try database.execute("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
            PRAGMA temp_store = FILE; PRAGMA cache_size = -\(cacheKilobytes);
            BEGIN;
            """)
        try database.execute(schema)
    }
}

/// A Bloom filter over 64-bit hashes with a fixed number of bits: says "maybe" for every key
/// added and, with a false-positive rate that depends on how full it is, "no" for the others.
/// Spares a lookup in a ``SpillFile`` for keys that were never spilled.
struct ApproximateSet {
    private var words: [UInt64]
    private let mask: UInt64

    /// - Parameter bitCount: a power of two.
    init(bitCount: Int) {
        precondition(bitCount >= 64 && bitCount & (bitCount - 1) == 0)
        words = [UInt64](repeating: 0, count: bitCount / 64)
        mask = UInt64(bitCount - 1)
    }

    /// Three probes from one well-mixed hash (double hashing).
    @inline(__always) private func probes(_ key: UInt64) -> (UInt64, UInt64, UInt64) {
        let mixed = (key ^ (key >> 29)) &* 0xBF58_476D_1CE4_E5B9
        let step = (mixed >> 32) | 1
        return (mixed & mask, (mixed &+ step) & mask, (mixed &+ 2 &* step) & mask)
    }

    mutating func insert(_ key: UInt64) {
        let (a, b, c) = probes(key)
        words[Int(a >> 6)] |= 1 << (a & 63)
        words[Int(b >> 6)] |= 1 << (b & 63)
        words[Int(c >> 6)] |= 1 << (c & 63)
    }

    func mayContain(_ key: UInt64) -> Bool {
        let (a, b, c) = probes(key)
        return words[Int(a >> 6)] & (1 << (a & 63)) != 0 && words[Int(b >> 6)] & (1 << (b & 63)) != 0
            && words[Int(c >> 6)] & (1 << (c & 63)) != 0
    }
}
