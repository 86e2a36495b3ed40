import CSQLite
import Foundation

/// A failed SQLite call, the way GRDB's `DatabaseError` reports one: SQLite's extended result
/// code, its message, and the beginning of the SQL that failed. It stands for the same failures
/// `MediabaseError.io` did (the user sees the file and the reason, exit status 1), with the code
/// added (docs/decisions.md, "SQLite failures").
package struct SQLiteError: Error, LocalizedError, Equatable {
    /// The database file.
    package var path: String
    /// SQLite's extended result code, e.g. 2067 (`SQLITE_CONSTRAINT_UNIQUE`).
    package var extendedResultCode: Int32
    /// SQLite's message, e.g. `UNIQUE constraint failed: genes.gene_id`.
    package var message: String
    /// What was being done: `opening`, `preparing`, `executing`, `binding parameter 2 of`.
    package var operation: String
    /// The first 200 characters of the SQL, when the failure belongs to a statement.
    package var sql: String?

    /// The primary result code, e.g. 19 (`SQLITE_CONSTRAINT`).
    package var resultCode: Int32 { extendedResultCode & 0xFF }

    package init(path: String, extendedResultCode: Int32, message: String, operation: String, sql: String? = nil) {
        self.path = path
        self.extendedResultCode = extendedResultCode
        self.message = message
        self.operation = operation
        self.sql = sql.map { String($0.prefix(200)) }
    }

    package var errorDescription: String? {
        let code = extendedResultCode == resultCode ? "\(resultCode)" : "\(resultCode)/\(extendedResultCode)"
        let doing = sql.map { "\(operation) \($0)" } ?? operation
        return "\(path): SQLite error \(code) (\(String(cString: sqlite3_errstr(extendedResultCode)))): \(message) (\(doing))"
    }
}
