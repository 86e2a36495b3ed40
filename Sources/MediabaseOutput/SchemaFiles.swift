import MediabaseModel
/// The DDL files of `schemas/`, compiled into the binary (see `Package.swift`).
package enum SchemaFiles {
    /// SQLite: the core tables.
    package static var sqliteCore: String { text(PackageResources.core_sqlite_sql) }
    /// SQLite: indexes created after the load.
    package static var sqliteIndexes: String { text(PackageResources.indexes_sqlite_sql) }
    /// SQLite: the eight view tables, filled at the end.
    package static var sqliteViews: String { text(PackageResources.views_sqlite_sql) }
    /// PostgreSQL: the core tables, without keys or indexes (a bundle's first part).
    package static var postgresSchema: String { text(PackageResources.schema_pg_sql) }
    /// PostgreSQL: keys, foreign keys and indexes, created after the data.
    package static var postgresConstraints: String { text(PackageResources.constraints_pg_sql) }
    /// PostgreSQL: the eight materialized views.
    package static var postgresViews: String { text(PackageResources.views_pg_sql) }
    /// The `load.sh` of every bundle (a POSIX shell script kept beside the DDL it loads).
    package static var loadScript: String { text(PackageResources.load_sh) }
    /// SQLite: one patient's file (expression_data, metadata and the fold-change index).
    package static var sqlitePatient: String { text(PackageResources.patient_sqlite_sql) }

    /// PostgreSQL: one patient's schema (`CREATE SCHEMA`, expression_data, metadata and the
    /// fold-change index), for the bundle part `patients/patient_<id>.sql.gz`.
    ///
    /// The file's only placeholder, `{{schema}}`, becomes the double-quoted schema name of a
    /// ``PatientId``, which the id rule limits to ASCII letters, digits and underscores: no
    /// other text is ever put into the DDL.
    package static func postgresPatient(_ id: PatientId) -> String {
        text(PackageResources.patient_pg_sql).replacingOccurrences(of: "{{schema}}", with: "\"\(id.schemaName)\"")
    }

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// The statements of a DDL file (see ``statements(_:)``) split into those to run before the
    /// data and the `CREATE INDEX` statements, which run after it: building an index once is
    /// faster than keeping it up to date row by row.
    package static func statementsAndIndexes(_ sql: String) -> (beforeData: [String], indexes: [String]) {
        let statements = statements(sql)
        let isIndex = { (statement: String) in
            statement.split(separator: "\n").first { !$0.trimmingWhitespace.hasPrefix("--") }?.trimmingWhitespace.hasPrefix("CREATE INDEX") == true
        }
        return (statements.filter { !isIndex($0) }, statements.filter(isIndex))
    }

    /// The statements of a DDL file, split at `;` line ends (the files keep one statement per
    /// `;`-terminated block and no `;` inside literals).
    package static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingWhitespace }.filter { statement in
            !statement.isEmpty && !statement.split(separator: "\n").allSatisfy { $0.trimmingWhitespace.hasPrefix("--") || $0.trimmingWhitespace.isEmpty }
        }
    }
}

/// A table of `schema.pg.sql`: its name and its columns with their declared PostgreSQL types,
/// in order.
package struct PostgresTable: Equatable, Sendable {
    package var name: String
    /// Column names and types (`text`, `bigint`, `text[]`, ...), in order.
    package var columns: [ColumnInfo]
}

extension SchemaFiles {
    /// The tables `schema.pg.sql` creates, in file order, read from the DDL itself so that the
    /// bundle writer exports exactly the columns the schema declares. The file keeps one column
    /// per line: `name type [NOT NULL] [DEFAULT value],`.
    package static var postgresTables: [PostgresTable] {
        statements(postgresSchema).compactMap { statement in
            let lines = statement.split(separator: "\n").map { $0.trimmingWhitespace }.filter { !$0.hasPrefix("--") }
            guard let first = lines.first, first.hasPrefix("CREATE TABLE public."), first.hasSuffix("(") else { return nil }
            let name = String(first.dropFirst("CREATE TABLE public.".count).dropLast()).trimmingWhitespace
            var columns: [ColumnInfo] = []
            for line in lines.dropFirst() where line != ")" {
                let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                guard let column = words.first else { continue }
                // The type runs up to the first constraint keyword or the line's comma.
                var type: [String] = []
                for word in words.dropFirst() {
                    if ["NOT", "NULL", "DEFAULT"].contains(word) { break }
                    type.append(word.hasSuffix(",") ? String(word.dropLast()) : word)
                    if word.hasSuffix(",") { break }
                }
                columns.append(ColumnInfo(name: column, type: type.joined(separator: " ")))
            }
            return PostgresTable(name: name, columns: columns)
        }
    }

    /// The materialized views `views.pg.sql` creates, in file order.
    package static var postgresViewNames: [String] {
        statements(postgresViews).compactMap { statement in
            guard let range = statement.range(of: "CREATE MATERIALIZED VIEW public.") else { return nil }
            return String(statement[range.upperBound...].prefix { $0 != " " && $0 != "\n" })
        }
    }
}
