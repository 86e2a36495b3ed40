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
