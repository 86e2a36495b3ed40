/// The DDL files of `schemas/`, compiled into the binary (see `Package.swift`).
public enum SchemaFiles {
    /// SQLite: the core tables.
    public static var sqliteCore: String { text(PackageResources.core_sqlite_sql) }
    /// SQLite: indexes created after the load.
    public static var sqliteIndexes: String { text(PackageResources.indexes_sqlite_sql) }
    /// SQLite: the eight view tables, filled at the end.
    public static var sqliteViews: String { text(PackageResources.views_sqlite_sql) }
    /// SQLite: one patient's file (expression_data, metadata and the fold-change index).
    public static var sqlitePatient: String { text(PackageResources.patient_sqlite_sql) }

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// The statements of a DDL file, split at `;` line ends (the files keep one statement per
    /// `;`-terminated block and no `;` inside literals).
    public static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingWhitespace }.filter { statement in
            !statement.isEmpty && !statement.split(separator: "\n").allSatisfy { $0.trimmingWhitespace.hasPrefix("--") || $0.trimmingWhitespace.isEmpty }
        }
    }
}
