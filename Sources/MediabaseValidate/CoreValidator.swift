import MediabaseBytes
import MediabaseConcurrency
import MediabaseSQLite
import MediabaseModel
import MediabaseOutput
/// The checks of docs/spec.md §7 that apply to a normalized core in SQLite.
package enum CoreValidator {
    /// The declared foreign keys that do not hold, one line per key.
    ///
    /// The single-column keys are checked a parent at a time, every child column that refers
    /// to it together (``allFoundInPasses(_:among:of:keySets:_:)``). A parent whose keys' set
    /// fits what `keySets` grants has its keys read once into a set of their hashes
    /// (``ContentHash``, the set sized for the parent's rows up front), and each child row's value
    /// is looked up there, skipping a value equal to the row before's (a link table keeps a
    /// parent's rows together): one scan per child column, which needs no index on it (a file
    /// `validate` is given may have none). The set goes, and its bytes back to the pool, once the
    /// parent's children are checked. A parent whose set the pool cannot grant (15 MB for 863,000
    /// transcripts, 59 MB for 3.4 million: ``PackedHashSet``) is checked in passes, each pass's
    /// share of its keys read once for all its children, or, when even a pass does not fit, has
    /// its keys and each child column's values read in order, side by side. Only a key with a value
    /// not found is counted by SQL, which names how many distinct values are missing and the
    /// least; so the verdicts are SQL's, a value the set or the walk compares differently
    /// (`1.0` against `1`) included.
    /// - Parameter holding: gets each single-column key found to hold, as `child.column → parent.column`.
    /// - Parameter keySets: where the sets take their bytes (tests walk with an empty pool).
    static func foreignKeyViolations(_ database: SQLiteDatabase, tables: [String], holding: inout Set<String>,
                                     keySets: MemoryPool = MemoryPool(bytes: CoreValidator.keySetBytes)) throws -> [String] {
        var keysOf: [(table: String, keys: [[String?]])] = []
        for table in tables where !table.hasPrefix("sqlite_") {
            keysOf.append((table, try database.rows("SELECT id, seq, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?) ORDER BY id, seq", [table])))
        }
        // The single-column keys, in table order, gathered by parent column (in order of first mention).
        var links: [ForeignKeyLink] = []
        var linksOfParent: [(parent: String, links: [Int])] = []
        for (table, keys) in keysOf where !keys.contains(where: { $0[1] != "0" }) {
            for key in keys {
                guard let parent = key[2], let column = key[3] else { continue }
                let parentColumn = try key[4] ?? database.scalar("SELECT name FROM pragma_table_info(?) WHERE pk = 1", [parent]) ?? "rowid"
                let link = ForeignKeyLink(table: table, column: column, parent: parent, parentColumn: parentColumn)
                if let group = linksOfParent.firstIndex(where: { $0.parent == link.parentKey }) {
                    linksOfParent[group].links.append(links.count)
                } else {
                    linksOfParent.append((link.parentKey, [links.count]))
                }
                links.append(link)
            }
        }
        var found = Array(repeating: false, count: links.count)
        for (_, group) in linksOfParent {
            let first = links[group[0]]
            let (parent, parentColumn) = (SQLiteCoreWriter.quoted(first.parent), SQLiteCoreWriter.quoted(first.parentColumn))
            let children = group.map { (column: SQLiteCoreWriter.quoted(links[$0].column), table: SQLiteCoreWriter.quoted(links[$0].table)) }
            let verdicts = try allFoundInPasses(children, among: parentColumn, of: parent, keySets: keySets, database)
                ?? children.map { try allFound($0.column, in: $0.table, among: parentColumn, of: parent, database) }
            for (link, verdict) in zip(group, verdicts) { found[link] = verdict }
        }
        var violations: [String] = []
        var next = 0
        for (table, keys) in keysOf {
            if keys.contains(where: { $0[1] != "0" }) {
                let count = try database.integer("SELECT count(*) FROM pragma_foreign_key_check(?)", [table])
                if count > 0 { violations.append("\(table): \(count) row(s) without their parent") }
                continue
            }
            while next < links.count, links[next].table == table {
                defer { next += 1 }
                let link = links[next]
                let (child, childColumn) = (SQLiteCoreWriter.quoted(link.table), SQLiteCoreWriter.quoted(link.column))
                if !found[next] {
                    let missing = try database.rows("""
                        SELECT count(*), min(value) FROM (SELECT DISTINCT \(childColumn) AS value FROM \(child) WHERE \(childColumn) IS NOT NULL)
                        WHERE NOT EXISTS (SELECT 1 FROM \(SQLiteCoreWriter.quoted(link.parent)) WHERE \(SQLiteCoreWriter.quoted(link.parentColumn)) = value)
                        """)
                    if let count = missing.first?[0], count != "0" {
                        violations.append("\(table).\(link.column): \(count) value(s) not in \(link.parent).\(link.parentColumn), e.g. '\(missing[0][1] ?? "")'")
                        continue
                    }
                }
                holding.insert("\(table).\(link.column) → \(link.parent).\(link.parentColumn)")
            }
        }
        return violations
    }

    /// A single-column foreign key: `table.column` refers to `parent.parentColumn` (names unquoted).
    private struct ForeignKeyLink {
        var table: String
        var column: String
        var parent: String
        var parentColumn: String

        /// The parent column, as one key of the checks' grouping.
        var parentKey: String { "\(parent)\u{0}\(parentColumn)" }
    }

    /// What `mediabase validate` lets the foreign-key checks' sets take (a conversion gives its
    /// own, shared with the view tables' fills: ``MemoryBudget/endStepsPoolBytes``): 64 MiB,
    /// the keys of 3.9 million rows (``PackedHashSet``: 16 bytes a key and about one more).
    package static let keySetBytes = 64 << 20

    /// The hashes of the text of the values of `column` (quoted) of `table` (quoted) that are not
    /// NULL, of those in `pass` only (``Pass``). Room for `rows` keys is made first: it does not
    /// grow unless a pass gets more than that.
    private static func hashes(of column: String, in table: String, rows: Int, pass: Pass = Pass(), _ database: SQLiteDatabase) throws -> PackedHashSet {
        let statement = try database.prepare("SELECT \(column) FROM \(table) WHERE \(column) IS NOT NULL")
        var found: [ContentHash] = []
        found.reserveCapacity(rows)
        while try statement.step() {
            guard let value = statement.storedTextBytes(0) else { continue }
            let hash = ContentHash(value)
            if pass.contains(hash) { found.append(hash) }
        }
        return PackedHashSet(found)
    }

    /// Which keys a pass of a check in passes takes: those whose hash's high half leaves
    /// `index` divided by `count` (the low half's top bits pick the group of ``PackedHashSet``).
    private struct Pass {
        var index = 0
        var count = 1

        func contains(_ hash: ContentHash) -> Bool { count == 1 || Int(hash.high % UInt64(count)) == index }
    }

    /// Passes a check in passes makes at most (``allFoundInPasses(_:among:of:keySets:_:)``):
    /// each reads the parent and every child.
    static let maximumPasses = 8

    /// Keys a pass's set is made to hold for a parent of `rows` rows in `passes` passes: its share
    /// and a margin (the hashes do not split evenly).
    private static func keysPerPass(_ rows: Int, _ passes: Int) -> Int {
        passes == 1 ? rows : rows / passes + rows / passes / 32 + 1024
    }

    /// ``allFound(_:in:_:pass:_:)`` of each child column (quoted, with its table) against the
    /// parent's keys: in one pass when their set fits what `keySets` grants (at most
    /// ``keySetBytes``), else a share at a time, in the fewest passes (at most ``maximumPasses``)
    /// whose set fits, each reading the parent's keys of its share once and then the values of
    /// every child column not yet found wanting.
    /// Nil when even that does not fit (the check then walks both tables in order, the child's
    /// values sorted by SQLite within a small cache, through temporary files).
    static func allFoundInPasses(_ children: [(column: String, table: String)], among parentColumn: String, of parent: String,
                                 keySets: MemoryPool, _ database: SQLiteDatabase) throws -> [Bool]? {
        guard let rows = try? database.integer("SELECT coalesce(max(rowid), 0) FROM \(parent)") else { return nil }
        // At most what `validate`'s sets have (``keySetBytes``): the pool is shared with the
        // view tables' lookups, which take slower forms when it is short.
        let granted = keySets.take(upTo: min(PackedHashSet.bytes(holding: rows), keySetBytes))
        defer { keySets.giveBack(granted) }
        guard let passes = (1...maximumPasses).first(where: { PackedHashSet.bytes(holding: keysPerPass(rows, $0)) <= granted }) else { return nil }
        var verdicts = Array(repeating: true, count: children.count)
        for index in 0..<passes where verdicts.contains(true) {
            let pass = Pass(index: index, count: passes)
            let keys = try hashes(of: parentColumn, in: parent, rows: keysPerPass(rows, passes), pass: pass, database)
            for (child, (column, table)) in children.enumerated() where verdicts[child] {
                verdicts[child] = try allFound(column, in: table, keys, pass: pass, database)
            }
        }
        return verdicts
    }

    /// Whether the text of every value of `column` (quoted) of `table` (quoted) that is not NULL,
    /// of those in `pass`, hashes to one of `keys`.
    private static func allFound(_ column: String, in table: String, _ keys: PackedHashSet, pass: Pass = Pass(), _ database: SQLiteDatabase) throws -> Bool {
        let statement = try database.prepare("SELECT \(column) FROM \(table)")
        var previous: [UInt8] = []
        var looked = false
        // Looked up a batch at a time (``PackedHashSet/containsAll(_:)``).
        var batch: [ContentHash] = []
        batch.reserveCapacity(Self.lookupBatch)
        while try statement.step() {
            guard let value = statement.storedTextBytes(0) else { continue }
            if looked, value.elementsEqual(previous) { continue }
            let hash = ContentHash(value)
            if pass.contains(hash) {
                batch.append(hash)
                if batch.count == Self.lookupBatch {
                    guard keys.containsAll(batch.span) else { return false }
                    batch.removeAll(keepingCapacity: true)
                }
            }
            previous.removeAll(keepingCapacity: true)
            previous.append(value)
            looked = true
        }
        return keys.containsAll(batch.span)
    }

    /// Values of a child column looked up in the parent's keys at once.
    static let lookupBatch = 256

    /// Whether every value of `column` (quoted) of `table` (quoted) that is not NULL is a value
    /// of `parentColumn` of `parent` (quoted): both read in order, integers compared as numbers
    /// and text as bytes, as SQLite orders them (BINARY collation). A value of another storage
    /// class, or that an order other than those puts out of place, is not found (SQL then decides).
    private static func allFound(_ column: String, in table: String, among parentColumn: String, of parent: String,
                                 _ database: SQLiteDatabase) throws -> Bool {
        let values = try database.prepare("SELECT \(column) FROM \(table) WHERE \(column) IS NOT NULL ORDER BY \(column)")
        let keys = try database.prepare("SELECT \(parentColumn) FROM \(parent) WHERE \(parentColumn) IS NOT NULL ORDER BY \(parentColumn)")
        /// The order of the current key against the current value; nil when they do not compare.
        func keyOrder() -> Int? {
            switch (keys.storageClass(0), values.storageClass(0)) {
            case (.integer, .integer):
                let (key, value) = (keys.int64(0), values.int64(0))
                return key < value ? -1 : key == value ? 0 : 1
            case (.text, .text):
                guard let key = keys.storedTextBytes(0), let value = values.storedTextBytes(0) else { return nil }
                return key.compare(value)
            default:
                return nil
            }
        }
        var hasKey = try keys.step()
        while try values.step() {
            // The first key not below the value: equal to it, or the value is missing.
            while hasKey {
                guard let order = keyOrder() else { return false }
                if order >= 0 { break }
                hasKey = try keys.step()
            }
            guard hasKey, keyOrder() == 0 else { return false }
        }
        return true
    }

    /// Runs every check; never throws for a failed check, only for an unreadable database.
    /// - Parameter expectedCounts: rows per table that must match (from a report or manifest).
    /// - Parameter thorough: run `PRAGMA integrity_check` (minutes on a large core) rather than
    ///   `quick_check`; the validate command does, convert's final check does not.
    /// - Parameter viewTables: whether the view tables must exist (not in the core a bundle is
    ///   exported from: PostgreSQL materializes the views).
    /// - Parameter keys: whether the keys are checked: the foreign keys, genes and transcripts
    ///   without a gene, and the unique keys of tables without their unique index. Not on the
    ///   core a bundle is exported from: the bundle's own checks read its rows for the keys
    ///   (``BundleKeyCheck``).
    /// - Parameter keySets: where the foreign-key checks' sets of parent keys take their bytes
    ///   (nil: ``keySetBytes`` of their own).
    /// - Parameter indexFreeKeyChecks: with `keys`, gives ``indexFreeKeyChecks(_:keySets:)`` of
    ///   this core as another connection ran them (a conversion runs them while the indexes
    ///   build); nil: they run here.
    package static func validate(_ database: SQLiteDatabase, expectedCounts: [String: Int] = [:], thorough: Bool = true, viewTables: Bool = true,
                                 keys: Bool = true, keySets: MemoryPool? = nil,
                                 indexFreeKeyChecks: (() throws -> [ValidationCheck])? = nil) throws -> [ValidationCheck] {
        var checks: [ValidationCheck] = []
        // Every check walks tables or indexes in order (foreign keys are scanned, each value
        // looked up in memory), so a modest cache serves them.
        try database.execute("PRAGMA cache_size = -8192")
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

        if keys {
            checks += try indexFreeKeyChecks?() ?? Self.indexFreeKeyChecks(database, keySets: keySets ?? MemoryPool(bytes: keySetBytes))
            checks += try uniqueKeyChecks(database)
        }
        if !expectedCounts.isEmpty { checks.append(try rowCountCheck(database, tables: tables, expectedCounts: expectedCounts)) }
        return checks
    }

    /// The key checks that read no index the end steps build: the foreign keys, unique genes
    /// and transcripts with their gene. They read only the core's tables, so they give the same
    /// verdicts on a snapshot taken before the indexes (``SQLiteCoreWriter``'s end steps run
    /// them there when a connection has time left).
    /// - Parameter keySets: where the foreign-key checks' sets of parent keys take their bytes.
    package static func indexFreeKeyChecks(_ database: SQLiteDatabase, keySets: MemoryPool) throws -> [ValidationCheck] {
        try database.execute("PRAGMA cache_size = -8192")
        let tables = try database.rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0[0] }.sorted()
        var checks: [ValidationCheck] = []
        var holding: Set<String> = []
        let foreign = try foreignKeyViolations(database, tables: tables, holding: &holding, keySets: keySets)
        checks.append(ValidationCheck(name: "foreign_keys", passed: foreign.isEmpty,
                                      detail: foreign.isEmpty ? "every link row has both ends" : foreign.prefix(5).joined(separator: "; ")))

        let duplicateGenes = try database.integer("SELECT count(*) - count(DISTINCT gene_id) FROM genes")
        checks.append(ValidationCheck(name: "unique_genes", passed: duplicateGenes == 0, detail: "\(duplicateGenes) duplicate gene row(s)"))

        // Where the declared key holds, only a transcript without a gene id has no gene.
        let orphans = try holding.contains("transcripts.gene_id → genes.gene_id")
            ? database.integer("SELECT count(*) FROM transcripts WHERE gene_id IS NULL")
            : database.integer("SELECT count(*) FROM transcripts t WHERE NOT EXISTS (SELECT 1 FROM genes g WHERE g.gene_id = t.gene_id)")
        checks.append(ValidationCheck(name: "transcripts_have_genes", passed: orphans == 0, detail: "\(orphans) transcript(s) without their gene"))
        return checks
    }

    /// The unique keys of the tables without their unique index (a core with its indexes has
    /// none to check: the index cannot hold a repeated key).
    private static func uniqueKeyChecks(_ database: SQLiteDatabase) throws -> [ValidationCheck] {
        var checks: [ValidationCheck] = []
        let indexes = Set(try database.rows("SELECT name FROM sqlite_master WHERE type = 'index'").compactMap { $0[0] })
        for table in CoreTable.outputTables {
            // A key with its unique index (schemas/sqlite/indexes.sqlite.sql) cannot repeat.
            guard let key = table.uniqueKey, !indexes.contains("\(table.rawValue)_key") else { continue }
            let duplicates = try database.integer("SELECT count(*) FROM (SELECT 1 FROM \(table.rawValue) GROUP BY \(key.joined(separator: ", ")) HAVING count(*) > 1)")
            if duplicates > 0 {
                checks.append(ValidationCheck(name: "unique_\(table.rawValue)", passed: false, detail: "\(duplicates) key(s) appear more than once"))
            }
        }
        return checks
    }
    /// Completes checks that ran on the core before its view tables were added (``validate(_:expectedCounts:thorough:viewTables:)``
    /// with `viewTables: false` and no counts): the view tables must exist and pass
    /// `quick_check`, and every table's rows must match `expectedCounts`. Gives the checks
    /// and names a whole run would.
    package static func completeWithViewTables(_ coreChecks: [ValidationCheck], database: SQLiteDatabase, expectedCounts: [String: Int]) throws -> [ValidationCheck] {
        try database.execute("PRAGMA cache_size = -8192")
        var checks = coreChecks
        let tables = Set(try database.rows("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0[0] })
        let missing = SchemaFiles.viewTables.filter { !tables.contains($0) }
        if let index = checks.firstIndex(where: { $0.name == "schema_present" }) {
            if missing.isEmpty && checks[index].passed {
                checks[index].detail = "every core table and view table exists"
            } else if !missing.isEmpty {
                checks[index].passed = false
                checks[index].detail += "; missing: \(missing.joined(separator: ", "))"
            }
        }
        if let index = checks.firstIndex(where: { $0.name == "quick_check" }) {
            // The view table of the most rows (on lean rows half the work: the cross-reference
            // view) is checked on a second connection meanwhile; the problems are listed in
            // table order either way.
            let present = SchemaFiles.viewTables.filter(tables.contains)
            let largest = present.max { expectedCounts[$0, default: 0] < expectedCounts[$1, default: 0] }
            let path = database.path
            let aside = largest.map { table in
                BackgroundTask { try quickCheck(table, in: SQLiteDatabase(path: path, readOnly: true)) }
            }
            var results: [String: [String]] = [:]
            for table in present where table != largest { results[table] = try quickCheck(table, in: database) }
            if let largest, let aside { results[largest] = try aside.wait() }
            let problems = present.flatMap { results[$0]! }
            if !problems.isEmpty {
                // The core's own finding first, unless it was "ok".
                let earlier = checks[index].passed ? [] : [checks[index].detail]
                checks[index].passed = false
                checks[index].detail = (earlier + problems).prefix(5).joined(separator: "; ")
            }
        }
        checks.append(try rowCountCheck(database, tables: tables, expectedCounts: expectedCounts))
        return checks
    }

    /// What `quick_check` of one table found: nothing when it says `ok`, else its first five lines.
    private static func quickCheck(_ table: String, in database: SQLiteDatabase) throws -> [String] {
        let result = try database.rows("PRAGMA quick_check(\(SQLiteCoreWriter.quoted(table)))").compactMap { $0[0] }
        return result == ["ok"] ? [] : Array(result.prefix(5))
    }

    private static func rowCountCheck(_ database: SQLiteDatabase, tables: Set<String>, expectedCounts: [String: Int]) throws -> ValidationCheck {
        var mismatches: [String] = []
        for (table, expected) in expectedCounts.sorted(by: { $0.key < $1.key }) {
            guard tables.contains(table) else { mismatches.append("\(table): missing"); continue }
            let actual = try database.integer("SELECT count(*) FROM \(SQLiteCoreWriter.quoted(table))")
            if actual != expected { mismatches.append("\(table): \(actual) rows, expected \(expected)") }
        }
        return ValidationCheck(name: "row_counts", passed: mismatches.isEmpty,
                               detail: mismatches.isEmpty ? "\(expectedCounts.count) tables match" : mismatches.joined(separator: "; "))
    }
}

