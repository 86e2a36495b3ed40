/// One check of the validation suite (SPEC 7) and its outcome.
public struct ValidationCheck: Codable, Equatable, Sendable {
    public var name: String
    public var passed: Bool
    public var detail: String

    public init(name: String, passed: Bool, detail: String) {
        self.name = name
        self.passed = passed
        self.detail = detail
    }
}

/// The checks of SPEC 7 that apply to a normalized core in SQLite.
public enum CoreValidator {
    /// Runs every check; never throws for a failed check, only for an unreadable database.
    /// - Parameter expectedCounts: rows per table that must match (from a report or manifest).
    /// - Parameter thorough: run `PRAGMA integrity_check` (minutes on a large core) rather than
    ///   `quick_check`; the validate command does, convert's final check does not.
    /// - Parameter viewTables: whether the view tables must exist (not in the core a bundle is
    ///   exported from: PostgreSQL materializes the views).
    public static func validate(_ database: SQLiteDatabase, expectedCounts: [String: Int] = [:], thorough: Bool = true, viewTables: Bool = true) throws -> [ValidationCheck] {
        var checks: [ValidationCheck] = []
        let tables = Set(try database.rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0[0] })
        let missing = (CoreTable.outputTables.map(\.rawValue) + ["schema_versions"] + (viewTables ? SchemaFiles.viewTables : [])).filter { !tables.contains($0) }
        checks.append(ValidationCheck(name: "schema_present", passed: missing.isEmpty,
                                      detail: missing.isEmpty ? "every core table\(viewTables ? " and view table" : "") exists" : "missing: \(missing.joined(separator: ", "))"))
        guard missing.isEmpty else { return checks }

        let versions = try database.rows("SELECT version FROM schema_versions").compactMap { $0[0] }
        checks.append(ValidationCheck(name: "schema_version", passed: versions.contains(SQLiteCoreWriter.schemaVersion),
                                      detail: "schema_versions: \(versions.joined(separator: ", "))"))

        // `quick_check` verifies every page and row; `integrity_check` also that each index matches its table.
        let pragma = thorough ? "integrity_check" : "quick_check"
        let integrity = try database.rows("PRAGMA \(pragma)").compactMap { $0[0] }
        checks.append(ValidationCheck(name: pragma, passed: integrity == ["ok"], detail: integrity.prefix(5).joined(separator: "; ")))

        let foreign = try database.rows("PRAGMA foreign_key_check")
        let foreignDetail = foreign.prefix(5).map { "\($0[0] ?? "?") row \($0[1] ?? "?") → \($0[2] ?? "?")" }.joined(separator: "; ")
        checks.append(ValidationCheck(name: "foreign_keys", passed: foreign.isEmpty,
                                      detail: foreign.isEmpty ? "every link row has both ends" : "\(foreign.count) violation(s): \(foreignDetail)"))

        let duplicateGenes = try database.integer("SELECT count(*) - count(DISTINCT gene_id) FROM genes")
        checks.append(ValidationCheck(name: "unique_genes", passed: duplicateGenes == 0, detail: "\(duplicateGenes) duplicate gene row(s)"))

        let orphans = try database.integer("SELECT count(*) FROM transcripts t WHERE NOT EXISTS (SELECT 1 FROM genes g WHERE g.gene_id = t.gene_id)")
        checks.append(ValidationCheck(name: "transcripts_have_genes", passed: orphans == 0, detail: "\(orphans) transcript(s) without their gene"))

        let indexes = Set(try database.rows("SELECT name FROM sqlite_master WHERE type = 'index'").compactMap { $0[0] })
        for table in CoreTable.outputTables {
            // A key with its unique index (schemas/sqlite/indexes.sqlite.sql) cannot repeat.
            guard let key = table.uniqueKey, !indexes.contains("\(table.rawValue)_key") else { continue }
            let duplicates = try database.integer("SELECT count(*) FROM (SELECT 1 FROM \(table.rawValue) GROUP BY \(key.joined(separator: ", ")) HAVING count(*) > 1)")
            if duplicates > 0 {
                checks.append(ValidationCheck(name: "unique_\(table.rawValue)", passed: false, detail: "\(duplicates) key(s) appear more than once"))
            }
        }

        if !expectedCounts.isEmpty {
            var mismatches: [String] = []
            for (table, expected) in expectedCounts.sorted(by: { $0.key < $1.key }) {
                guard tables.contains(table) else { mismatches.append("\(table): missing"); continue }
                let actual = try database.integer("SELECT count(*) FROM \(SQLiteCoreWriter.quoted(table))")
                if actual != expected { mismatches.append("\(table): \(actual) rows, expected \(expected)") }
            }
            checks.append(ValidationCheck(name: "row_counts", passed: mismatches.isEmpty,
                                          detail: mismatches.isEmpty ? "\(expectedCounts.count) tables match" : mismatches.joined(separator: "; ")))
        }
        return checks
    }
}
