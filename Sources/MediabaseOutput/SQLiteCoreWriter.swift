import Foundation
import MediabaseBytes
import MediabaseConcurrency
import MediabaseSQLite
import MediabaseModel

/// Writes the normalized core into a SQLite file in one transaction: tables from
/// `schemas/sqlite/core.sqlite.sql`, rows through prepared statements, then merging of rows
/// equal on a table's key, indexes, the view tables and the schema version.
package final class SQLiteCoreWriter: CoreOutput {
    /// The version row every core carries (docs/spec.md §7).
    package static let schemaVersion = "v0.6.0_baseline"

    /// How carried tables keep their values.
    package enum CarriedValueForm: Sendable {
        /// Mapped to SQLite's types (docs/spec.md §4): what a SQLite core holds.
        case sqlite
        /// The dump's PostgreSQL text, unchanged, in TEXT columns: what a bundle exports, so that
        /// every value goes back to PostgreSQL exactly as it came (no round trip through
        /// SQLite's types, which would lose `numeric` digits and array or time-zone spellings).
        case postgresText
    }

    /// A table of the dump carried through under its own name.
    package struct CarriedTable: Equatable, Sendable {
        /// The table's name in the dump (`schema.name`).
        package var source: String
        /// Its name in the output.
        package var name: String
        /// Its columns with their PostgreSQL types as the dump declares them (nil when unknown).
        package var columns: [ColumnInfo]
        /// Its primary key, when the dump declared one (before the data, or after it:
        /// ``SQLiteCoreWriter/carriedPrimaryKey(_:)``).
        package var primaryKey: [String]
    }

    package let database: SQLiteDatabase
    private let carriedValueForm: CarriedValueForm
    /// The prepared INSERT of each core table, by ``CoreTable/ordinal``.
    private var statements: [SQLiteStatement] = []
    /// The prepared INSERTs of several rows at once of each core table, by ``CoreTable/ordinal``
    /// and then by row count; prepared when first asked for (``statement(for:rows:)``).
    private var multiRowStatements = [[Int: SQLiteStatement]](repeating: [:], count: CoreTable.allCases.count)
    /// Rows inserted per core table, by ``CoreTable/ordinal``; added to `rowCounts` by `finish`.
    private var insertedRows = [Int](repeating: 0, count: CoreTable.allCases.count)
    /// The tables with rows in `temp.duplicate_marks` (see ``markMayHoldDuplicates(_:id:)``).
    private var markedTables: Set<CoreTable> = []
    private var mark: SQLiteStatement!
    private var carried: (name: String, statement: SQLiteStatement, converters: [CarriedValue])?
    /// Rows inserted per table (core and carried), for the report.
    package private(set) var rowCounts: [String: Int] = [:]
    /// Seconds spent in each step of ``finish(appliedAt:)``.
    package private(set) var secondsPerStep: [String: Double] = [:]
    /// CPU seconds of each step of ``finish(appliedAt:)`` (it runs on one thread).
    package private(set) var cpuSecondsPerStep: [String: Double] = [:]
    /// Peak resident memory at the end of each step of ``finish(appliedAt:)``.
    package private(set) var peakMemoryAfterStep: [String: Int64] = [:]
    /// Carried-through tables, in input order.
    package private(set) var carriedTables: [CarriedTable] = []

    /// How a carried column's PostgreSQL text becomes a SQLite value (docs/spec.md §4: arrays and JSONB as
    /// JSON text, booleans as 1/0, timestamps as ISO-8601 text).
    enum CarriedValue {
        case text, array, boolean, timestamp, bytea

        init(type: String?) {
            let type = (type ?? "").lowercased()
            if type.hasSuffix("]") { self = .array }
            else if type == "boolean" || type == "bool" { self = .boolean }
            else if type.hasPrefix("timestamp") { self = .timestamp }
            else if type == "bytea" { self = .bytea }
            else { self = .text }
        }

        /// The SQLite column type for a PostgreSQL type.
        static func sqliteType(_ type: String?) -> String {
            let type = (type ?? "").lowercased()
            if type.hasSuffix("]") || type == "json" || type == "jsonb" { return "TEXT" }
            if ["smallint", "integer", "bigint", "int", "int2", "int4", "int8", "boolean", "bool", "serial", "bigserial", "smallserial"].contains(type) { return "INTEGER" }
            if ["real", "double precision", "float4", "float8"].contains(type) { return "REAL" }
            if type.hasPrefix("numeric") || type.hasPrefix("decimal") { return "NUMERIC" }
            if type == "bytea" { return "BLOB" }
            return "TEXT"
        }
    }

    /// 16 KiB pages: SQLite reads and writes a page per system call, and at 4 KiB those calls
    /// took a third of the system time of a conversion (measured with `make bench`'s input).
    static let pageSize = 16384
    /// The file beside the core that holds the GO terms' work table, and its schema name.
    static let goTermsWorkSuffix = ".go-terms"
    static let goTermsWorkSchema = "go_work"
    private let goTermsWorkPath: String
    /// The page cache of the load (it also bounds each SQLite sorter), in KiB: 12 MiB, with
    /// ``defaultHeldTranscriptsBytes`` beside it the 24 MiB the cache alone had while `transcripts` was
    /// filled in the input's order. The load appends to every core table (only carried tables
    /// with a key take rows at random places), so it needs few pages.
    static let cacheKiB = 12288
    /// What the transcripts waiting to be written in id order may take in memory before they
    /// go to sorted runs of a temporary file (``holdTranscript(_:)``).
    static let defaultHeldTranscriptsBytes = 12 << 20
    /// The cache while the SQL view tables are built: the bound of each of their sorters.
    static let viewSorterKiB = 2048
    /// The cache from duplicate merging on: it bounds the sorters of merging.
    static let endCacheKiB = 8192
    /// The cache while the indexes are built, which bounds each build's sorter: SQLite sorts the
    /// keys in pieces of this size and merges them, and pieces that stay in a core's own cache
    /// sort faster than fewer, larger ones (the 19 builds on the core of 1 GB of lean rows, alone
    /// with `sqlite3`: 7.4-8.0 s user with 1 or 2 MiB, 8.8-9.2 s with 8 MiB).
    static let indexSorterKiB = 2048
    /// The view tables whose fill may walk `transcripts` in id order and look up each row's
    /// transcript (``ViewTableFiller`` fills both with `patient_query_optimized_view`, walking the
    /// primary key's index alone beside ``TranscriptRows`` when they fit its budget, else the
    /// transcripts sorted by a scan; their SQL form, when the genes do not fit, looks up each
    /// transcript and gene): when the input's rows were scattered those lookups read the table at
    /// random, so the SQL form gets ``viewScanCacheKiB`` (through
    /// ``ViewTableFiller/raiseScanCache``; its only sorters are small).
    static let idOrderScanTables: Set<String> = ["transcript_enrichment_view", "patient_query_optimized_view"]
    /// The page cache while ``idOrderScanTables`` are built, in KiB (set from `--memory-limit`:
    /// ``MemoryBudget/viewScanCacheKilobytes``).
    package var viewScanCacheKiB = 2048
    /// What the view tables' in-memory lookups may take (``ViewTableFiller/lookupLimitBytes``;
    /// set from `--memory-limit`: ``MemoryBudget/viewLookupBytes``); beyond it they seek.
    package var viewLookupLimitBytes = GeneTranscriptTable.defaultLimitBytes
    /// Where the view tables' lookups take their bytes while they run, each up to
    /// ``viewLookupLimitBytes``, shared by the connections of the end steps (and the core's
    /// checks, which the caller gives the same pool; set from `--memory-limit`:
    /// ``MemoryBudget/endStepsPoolBytes``). Nil: each fill has ``viewLookupLimitBytes`` of its own.
    package var endStepsPool: MemoryPool?
    /// What the transcripts waiting for ``writeHeldTranscripts()`` may take in memory (tests
    /// make it small); set before the first.
    package var heldTranscriptsBytes = SQLiteCoreWriter.defaultHeldTranscriptsBytes
    /// The rows of `transcripts`, waiting to be written in transcript id order
    /// (``writeHeldTranscripts()``); made at the first.
    private var heldTranscripts: ExternalSorter?
    /// The record being made for ``heldTranscripts``.
    private var heldRecord: [UInt8] = []

    /// Creates the schema in a new database at `path` (which must not exist) and opens the
    /// load transaction.
    /// - Parameter carriedValues: how carried tables store their values.
    package init(path: String, carriedValues: CarriedValueForm = .sqlite) throws {
        database = try SQLiteDatabase(path: path)
        carriedValueForm = carriedValues
        goTermsWorkPath = path + Self.goTermsWorkSuffix
        OutputFile.remove(goTermsWorkPath)
        TemporaryOutputs.register(goTermsWorkPath)
        // The file is a temporary until renamed into place: durability during the load buys nothing.
        try database.execute("""
            PRAGMA page_size = \(Self.pageSize); PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;
            PRAGMA temp_store = FILE; PRAGMA cache_size = -\(Self.cacheKiB); PRAGMA foreign_keys = OFF; PRAGMA threads = 0;
            ATTACH DATABASE \(Self.quotedLiteral(goTermsWorkPath)) AS \(Self.goTermsWorkSchema);
            PRAGMA \(Self.goTermsWorkSchema).page_size = \(Self.pageSize); PRAGMA \(Self.goTermsWorkSchema).journal_mode = OFF;
            PRAGMA \(Self.goTermsWorkSchema).synchronous = OFF;
            BEGIN;
            """)
        try database.execute(SchemaFiles.sqliteCore)
        // The GO terms' work table goes to a file of its own (`core.sqlite.sql` makes it a
        // temporary table, which only its connection sees): the connection that builds views
        // before the indexes exist reads it for go_term_hierarchy_view.
        let workTable = try database.scalar("SELECT sql FROM sqlite_temp_master WHERE name = 'gene_go_terms_work'") ?? ""
        try database.execute("""
            DROP TABLE temp.gene_go_terms_work;
            \(workTable.replacingOccurrences(of: "CREATE TABLE gene_go_terms_work", with: "CREATE TABLE \(Self.goTermsWorkSchema).gene_go_terms_work"));
            """)
        assert(CoreTable.allCases.indices.allSatisfy { CoreTable.allCases[$0].ordinal == $0 })
        for table in CoreTable.allCases {
            statements.append(try database.prepare(MultiRowInsert.sql(into: table.rawValue, columns: table.columns.count, names: table.columns, rows: 1)))
        }
        // Per table, the first-key-column values whose rows may repeat a key: a table in SQLite's
        // temp file (behind its small cache) rather than sets in memory. Only links that meet
        // across legacy rows are marked (the normalizer merges those of one row), but in a dump
        // whose genes' rows disagree that can be most genes, so sets would grow with the input.
        try database.execute("CREATE TEMP TABLE duplicate_marks (table_name TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (table_name, id)) WITHOUT ROWID")
        mark = try database.prepare("INSERT OR IGNORE INTO duplicate_marks (table_name, id) VALUES (?, ?)")
    }

    /// A run that failed before ``finish(appliedAt:forQueries:threads:onceIndexesAreCommitted:onceCommitted:progress:)``
    /// leaves no work file (its core is removed by whoever made it).
    deinit {
        OutputFile.remove(goTermsWorkPath)
        TemporaryOutputs.unregister(goTermsWorkPath)
    }

    package func insert(_ table: CoreTable, _ values: [SQLValue]) throws {
        if table == .transcripts {
            var encoded: [UInt8] = []
            for value in values { value.append(to: &encoded) }
            return try holdTranscript(encoded.span)
        }
        let statement = statements[table.ordinal]
        for (index, value) in values.enumerated() { try Self.bind(value, at: index + 1, of: statement) }
        try statement.step()
        statement.reset(clearingBindings: false)
        insertedRows[table.ordinal] += 1
    }

    package func insert(_ table: CoreTable, first: SQLValue, tails: RowTails) throws {
        if table == .transcripts {
            for tail in tails.rows { try insert(table, [first] + tail) }
            return
        }
        let statement = statements[table.ordinal]
        for tail in tails.rows {
            try Self.bind(first, at: 1, of: statement)
            for (index, value) in tail.enumerated() { try Self.bind(value, at: index + 2, of: statement) }
            try statement.step()
            statement.reset(clearingBindings: false)
        }
        insertedRows[table.ordinal] += tails.rows.count
    }

    private static func bind(_ value: SQLValue, at column: Int, of statement: SQLiteStatement) throws {
        switch value {
        case .null: try statement.bindNull(column)
        case let .integer(number): try statement.bind(column, number)
        case let .real(number): try statement.bind(column, number)
        case let .text(text): try statement.bind(column, text)
        }
    }

    package func markMayHoldDuplicates(_ table: CoreTable, id: String) throws {
        // Rows of tables without a key are never merged.
        guard table.uniqueKey != nil else { return }
        markedTables.insert(table)
        try mark.bind(1, table.rawValue)
        try mark.bind(2, id)
        try mark.run()
    }

    package func transcriptsComplete() throws { try writeHeldTranscripts() }

    /// Keeps a row of `transcripts`, its values as ``SQLValue/append(to:)`` encodes them (the
    /// transcript id first), until ``writeHeldTranscripts()`` writes the table in id order.
    ///
    /// Filled in the input's order, the table's primary key took each id at a random place of
    /// an index that outgrows the load's page cache: on 4 GB of lean rows the writer's thread
    /// read and wrote about 24 GB of pages for it. Written in id order, the key is filled by
    /// appends, and the view tables that walk the transcripts by id read the table in order.
    package func holdTranscript(_ values: Span<UInt8>) throws {
        let held = heldTranscripts ?? ExternalSorter(scratchBeside: database.path, memoryBytes: heldTranscriptsBytes)
        heldTranscripts = held
        heldRecord.removeAll(keepingCapacity: true)
        var reader = RowBatchReader(values)
        // Id order, then the rest of the row: the same order whatever the input's (the
        // normalizer gives each transcript id one row).
        ExternalSorter.appendOrderedField(reader.nextFieldKind == .text ? reader.field() : nil, to: &heldRecord)
        heldRecord.append(values)
        let record = heldRecord
        try held.append(record.span)
    }

    /// Writes the transcripts that ``holdTranscript(_:)`` kept, in id order; later rows wait
    /// for the next call. ``finish(appliedAt:forQueries:threads:onceIndexesAreCommitted:whileIndexesBuild:onceCommitted:progress:)``
    /// calls it first, in case no one did.
    package func writeHeldTranscripts() throws {
        guard let held = heldTranscripts else { return }
        heldTranscripts = nil
        let started = Date()
        let startedCPU = ThreadClock.cpuSeconds
        let columns = CoreTable.transcripts.columns.count
        let rows = SQLiteRowRuns(database: database, table: CoreTable.transcripts.rawValue, columns: columns)
        try held.forEachSorted { entry in
            var position = 0
            _ = ExternalSorter.skipOrderedField(entry, at: &position)
            var reader = RowBatchReader(entry.extracting(droppingFirst: position))
            for _ in 0..<columns {
                switch reader.nextFieldKind {
                case .null:
                    _ = reader.field()
                    rows.appendNull()
                case .integer: rows.appendInteger(reader.integer())
                case .real: rows.appendReal(reader.real())
                case .text: rows.appendText(reader.field())
                }
            }
            try rows.endRow()
        }
        try rows.finish()
        insertedRows[CoreTable.transcripts.ordinal] += held.count
        // Added to an earlier call's, if rows came after it.
        let step = "transcripts in id order"
        record(step, seconds: Date().timeIntervalSince(started) + (secondsPerStep[step] ?? 0),
               cpu: ThreadClock.cpuSeconds - startedCPU + (cpuSecondsPerStep[step] ?? 0))
    }

    /// The most rows one INSERT of `table` may hold: SQLite's limit on a statement's parameters
    /// (that of the library linked) over the table's columns.
    func maxRowsPerInsert(_ table: CoreTable) -> Int { max(1, database.maxParameters / table.columns.count) }

    /// The prepared INSERT of `rows` rows of `table` (at most ``maxRowsPerInsert(_:)``), for
    /// callers that bind values themselves: parameter `row * columns + column` (row from 0,
    /// column from 1) is the column of that row, and the rows get their rowids in that order.
    func statement(for table: CoreTable, rows: Int) throws -> SQLiteStatement {
        if rows == 1 { return statements[table.ordinal] }
        if let statement = multiRowStatements[table.ordinal][rows] { return statement }
        let statement = try database.prepare(MultiRowInsert.sql(into: table.rawValue, columns: table.columns.count, names: table.columns, rows: rows))
        multiRowStatements[table.ordinal][rows] = statement
        return statement
    }

    /// Runs `statement`, the INSERT of `rows` rows of `table` from ``statement(for:rows:)``,
    /// bound, and counts the rows.
    func stepInsert(_ statement: SQLiteStatement, of table: CoreTable, rows: Int) throws {
        try statement.step()
        statement.reset(clearingBindings: false)
        insertedRows[table.ordinal] += rows
    }

    /// Names the core uses (the GO terms' work table too: the GO view names it unqualified);
    /// a carried table with one of them gets the prefix `legacy_`.
    static let reservedNames: Set<String> = Set(CoreTable.allCases.map(\.rawValue) + [
        "schema_versions", "gene_summary_view", "transcript_enrichment_view", "drug_interaction_summary_view",
        "pathway_coverage_view", "go_term_hierarchy_view", "publication_summary_view",
        "cross_reference_lookup_view", "patient_query_optimized_view",
    ])

    /// The SQLite name of a carried table: its name in `public`, `schema_name` elsewhere,
    /// prefixed `legacy_` on a collision with the core.
    package static func carriedName(_ table: TableSchema) -> String {
        var name = table.schema == nil || table.schema == "public" ? table.name : "\(table.schema!)_\(table.name)"
        if reservedNames.contains(name) { name = "legacy_" + name }
        return name
    }

    package static func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    package func beginCarriedTable(_ table: TableSchema) throws {
        var name = Self.carriedName(table)
        while carriedTables.contains(where: { $0.name == name }) { name = "legacy_" + name }
        let key = Self.keyColumns(table.primaryKey, of: table.columns)
        try createCarriedTable(name, columns: table.columns, key: key)
        let statement = try database.prepare(
            "INSERT INTO \(Self.quoted(name)) VALUES (\(Array(repeating: "?", count: table.columns.count).joined(separator: ", ")))")
        let keepText = carriedValueForm == .postgresText
        carried = (name, statement, table.columns.map { keepText ? .text : CarriedValue(type: $0.type) })
        carriedTables.append(CarriedTable(source: table.qualifiedName, name: name, columns: table.columns, primaryKey: key))
        rowCounts[name] = 0
    }

    /// The key's columns that the table has.
    private static func keyColumns(_ key: [String], of columns: [ColumnInfo]) -> [String] {
        key.filter { key in columns.contains { $0.name == key } }
    }

    private func createCarriedTable(_ name: String, columns: [ColumnInfo], key: [String]) throws {
        let keepText = carriedValueForm == .postgresText
        var definitions = columns.map { "\(Self.quoted($0.name)) \(keepText ? "TEXT" : CarriedValue.sqliteType($0.type))" }
        if !key.isEmpty { definitions.append("PRIMARY KEY (\(key.map(Self.quoted).joined(separator: ", ")))") }
        try database.execute("CREATE TABLE \(Self.quoted(name)) (\(definitions.joined(separator: ", ")))")
    }

    /// Gives a carried table the primary key its dump declared after the rows: the table is
    /// made again as ``beginCarriedTable(_:)`` makes it when the key comes first, and its rows
    /// copied into it in their order, so that it holds what converting an archive of the same
    /// database gives (the same declaration, and with an `INTEGER` key, which SQLite makes the
    /// rowid, the rows in key order). A key over rows that break it fails as it would there.
    package func carriedPrimaryKey(_ table: TableSchema) throws {
        guard let index = carriedTables.lastIndex(where: { $0.source == table.qualifiedName }), carriedTables[index].primaryKey.isEmpty else { return }
        let carriedTable = carriedTables[index]
        let key = Self.keyColumns(table.primaryKey, of: carriedTable.columns)
        guard !key.isEmpty else { return }
        var aside = carriedTable.name + "_without_key"
        // SQLite's names ignore ASCII case.
        while try database.scalar("SELECT 1 FROM sqlite_master WHERE name = ? COLLATE NOCASE", [aside]) != nil { aside += "_" }
        try database.execute("ALTER TABLE \(Self.quoted(carriedTable.name)) RENAME TO \(Self.quoted(aside))")
        try createCarriedTable(carriedTable.name, columns: carriedTable.columns, key: key)
        try database.execute("INSERT INTO \(Self.quoted(carriedTable.name)) SELECT * FROM \(Self.quoted(aside)) ORDER BY rowid; DROP TABLE \(Self.quoted(aside))")
        carriedTables[index].primaryKey = key
    }

    package func carriedRow(_ row: RowBuffer) throws {
        guard let carried else { return }
        let statement = carried.statement
        var scratch: [UInt8] = []
        for index in 0..<row.count {
            guard let bytes = row.bytes(index) else {
                try statement.bindNull(index + 1)
                continue
            }
            switch carried.converters[index] {
            case .text:
                try statement.bind(index + 1, bytes: bytes)
            case .array:
                scratch.removeAll(keepingCapacity: true)
                if (try? ArrayLiteral.appendJSON(bytes, to: &scratch)) != nil {
                    try statement.bind(index + 1, bytes: scratch)
                } else {
                    try statement.bind(index + 1, bytes: bytes)
                }
            case .boolean:
                let first = bytes.count > 0 ? bytes[0] | 0x20 : nil
                if first == UInt8(ascii: "t") || first == UInt8(ascii: "1") || first == UInt8(ascii: "y") { try statement.bind(index + 1, Int64(1)) }
                else if first == UInt8(ascii: "f") || first == UInt8(ascii: "0") || first == UInt8(ascii: "n") { try statement.bind(index + 1, Int64(0)) }
                else { try statement.bind(index + 1, bytes: bytes) }
            case .timestamp:
                try statement.bind(index + 1, Self.isoTimestamp(String(utf8: bytes)))
            case .bytea:
                if bytes.count >= 2, bytes[0] == 0x5C, bytes[1] == UInt8(ascii: "x"), let blob = Self.hexBytes(bytes.extracting(2...)) {
                    try statement.bind(index + 1, blob: blob.span)
                } else {
                    try statement.bind(index + 1, bytes: bytes)
                }
            }
        }
        try statement.step()
        statement.reset(clearingBindings: false)
        rowCounts[carried.name, default: 0] += 1
    }

    package func endCarriedTable() throws { carried = nil }

    /// PostgreSQL's `2024-01-02 03:04:05.5+02` → ISO-8601 `2024-01-02T03:04:05.5+02:00`.
    static func isoTimestamp(_ text: String) -> String {
        var value = text
        if let space = value.firstIndex(of: " "), value[value.startIndex..<space].count == 10 {
            value.replaceSubrange(space...space, with: "T")
        }
        // A zone offset of hours only (`+02`) gets its minutes.
        if let sign = value.lastIndex(where: { $0 == "+" || $0 == "-" }), value.contains("T"),
           value.distance(from: value.firstIndex(of: "T")!, to: sign) > 0 {
            let zone = value[value.index(after: sign)...]
            if zone.count == 2, zone.allSatisfy(\.isNumber) { value += ":00" }
        }
        return value
    }

    static func hexBytes(_ hex: Span<UInt8>) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        var index = 0
        while index < hex.count {
            guard let high = CopyText.hexValue(hex[index]), let low = CopyText.hexValue(hex[index + 1]) else { return nil }
            bytes.append(UInt8(high * 16 + low))
            index += 2
        }
        return bytes
    }

    /// Merges duplicate rows (first kept), builds indexes and the view tables, records the
    /// schema version and commits.
    /// - Parameters:
    ///   - appliedAt: the `schema_versions.applied_at` text (fixed for reproducible output).
    ///   - threads: with two or more, the indexes and view tables are built on three connections
    ///     at once (see ``buildIndexesAndViewTablesTogether(indexes:appliedAt:lap:onceIndexesAreCommitted:whileIndexesBuild:progress:)``);
    ///     the tables are the same either way.
    ///   - onceIndexesAreCommitted: when the view tables are built on several connections, run
    ///     on a thread of its own once every core table, index and `schema_versions` is
    ///     committed, given the rows per table so far, while the view tables are still under
    ///     way; it may read the core on its own connection, and `finish` returns only after it.
    ///     Its error is rethrown. Not run otherwise (`forQueries` false, or the steps one after
    ///     the other).
    ///   - whileIndexesBuild: when the view tables are built on several connections, run on the
    ///     thread of the connection opened before the indexes once it has no view table left
    ///     to build, if the indexes are still building then (the core's committed tables are all
    ///     there, its indexes and `schema_versions`' row not yet); it may read the core on its
    ///     own connection. `work` returns whether it did any; then its seconds are reported as `step`.
    ///   - forQueries: false for a core that only feeds a bundle: then no index is built (the
    ///     bundle's checks read its rows for the keys the unique indexes would assert). The
    ///     indexes and the view tables serve queries on the SQLite file; PostgreSQL builds its own.
    ///   - onceCommitted: without `forQueries` (a core that gets no index), with two threads or
    ///     more: `work` runs once every table and `schema_versions` is committed, given the rows
    ///     per table, reading them on connections of its own, which it closes before it returns
    ///     (the core then leaves WAL mode). Progress shows `stage` meanwhile. Its error is rethrown.
    ///   - progress: shown the stages (merge, indexes, view tables, commit) and their steps.
    package func finish(appliedAt: String, forQueries: Bool = true, threads: Int = 1, onceIndexesAreCommitted: (@Sendable ([String: Int]) throws -> Void)? = nil,
                       whileIndexesBuild: (step: String, work: @Sendable () -> Bool)? = nil, onceCommitted: (stage: String, work: ([String: Int]) throws -> Void)? = nil, progress: ProgressReporter? = nil) throws {
        try writeHeldTranscripts()
        var started = Date()
        var startedCPU = ThreadClock.cpuSeconds
        func lap(_ name: String) {
            record(name, seconds: Date().timeIntervalSince(started), cpu: ThreadClock.cpuSeconds - startedCPU)
            peakMemoryAfterStep[name] = ProcessMemory.peakBytes
            started = Date()
            startedCPU = ThreadClock.cpuSeconds
        }
        // Only the rows of the genes and transcripts that may repeat a key are grouped: one scan
        // of the table with a hash lookup per row, instead of sorting the whole table.
        // The end steps scan and sort; the cache bounds each sorter, so a smaller one keeps their
        // memory from growing with the input (measured: flat from 1 GB to 4 GB, no slower).
        for table in CoreTable.outputTables where insertedRows[table.ordinal] > 0 { rowCounts[table.rawValue] = insertedRows[table.ordinal] }
        progress?.beginStage("merging repeated rows")
        try database.execute("PRAGMA cache_size = -\(Self.endCacheKiB)")
        try database.execute("CREATE TEMP TABLE duplicate_candidates (id TEXT PRIMARY KEY) WITHOUT ROWID")
        let candidate = try database.prepare("INSERT INTO duplicate_candidates (id) SELECT id FROM duplicate_marks WHERE table_name = ?")
        for table in CoreTable.outputTables {
            guard markedTables.contains(table), let key = table.uniqueKey else { continue }
            try database.execute("DELETE FROM duplicate_candidates")
            try candidate.bind(1, table.rawValue)
            try candidate.run()
            let first = key[0]
            try database.execute("""
                DELETE FROM \(table.rawValue) WHERE rowid IN (
                    SELECT rowid FROM \(table.rawValue) WHERE \(first) IN (SELECT id FROM duplicate_candidates)
                    EXCEPT
                    SELECT min(rowid) FROM \(table.rawValue) WHERE \(first) IN (SELECT id FROM duplicate_candidates)
                    GROUP BY \(key.joined(separator: ", ")))
                """)
            rowCounts[table.rawValue] = try database.integer("SELECT count(*) FROM \(table.rawValue)")
        }
        try database.execute("DROP TABLE duplicate_candidates; DROP TABLE duplicate_marks")
        lap("merge_duplicates")
        // A bundle's core needs none: the export reads the tables in rowid order, and the bundle's
        // checks read its rows for the keys.
        let indexes = forQueries ? SchemaFiles.statements(SchemaFiles.sqliteIndexes) : []
        // A bundle's readers see `schema_versions` as committed.
        let versionFirst = !forQueries && onceCommitted != nil && threads > 1
        if versionFirst { try insertSchemaVersion(appliedAt: appliedAt) }
        let concurrent = (forQueries || versionFirst) && threads > 1 ? try beginConcurrentReads() : false
        if concurrent && forQueries {
            try buildIndexesAndViewTablesTogether(indexes: indexes, appliedAt: appliedAt, lap: lap, onceIndexesAreCommitted: onceIndexesAreCommitted,
                                                  whileIndexesBuild: whileIndexesBuild, progress: progress)
        } else if concurrent, let onceCommitted {
            // A bundle's core has no index to build: this connection has nothing to do meanwhile.
            progress?.beginStage(onceCommitted.stage)
            try onceCommitted.work(rowCounts)
            // Named as when the unique indexes were built beside the export (report.json's key).
            lap("indexes")
            try endConcurrentReads()
            try database.execute("PRAGMA locking_mode = EXCLUSIVE; BEGIN")
        } else {
            // The index builds are the one step with a core to spare (only the input's digest
            // runs beside them): SQLite's sorter may sort on a helper thread while this one reads.
            try buildIndexes(indexes, sorterThread: threads > 1, progress: progress)
            lap("indexes")
            if !versionFirst { try insertSchemaVersion(appliedAt: appliedAt) }
        }
        if forQueries && !concurrent {
            let symbols = GeneSymbolCache(pool: endStepsPool)
            defer { symbols.release() }
            var filler = ViewTableFiller(database: database, lookupLimitBytes: viewLookupLimitBytes, symbolCache: symbols, lookupPool: endStepsPool)
            let views = SchemaFiles.statements(SchemaFiles.sqliteViews)
            progress?.beginStage("filling view tables", steps: views.count)
            for statement in views {
                let name = SchemaFiles.createdTable(statement) ?? "view"
                try withScanCache(for: name, schemas: ["main"], otherwise: Self.endCacheKiB) { raise in
                    try database.execute(statement)
                    filler.raiseScanCache = raise
                    if ViewTableFiller.filledTables.contains(name) { try filler.fill(name) }
                }
                lap("view \(name)")
                progress?.stepDone()
            }
        }
        statements.removeAll()
        multiRowStatements.removeAll()
        progress?.beginStage("committing")
        try database.execute("COMMIT")
        lap("commit")
        try database.execute("PRAGMA journal_mode = DELETE; PRAGMA locking_mode = NORMAL; DETACH DATABASE \(Self.goTermsWorkSchema)")
        OutputFile.remove(goTermsWorkPath)
        TemporaryOutputs.unregister(goTermsWorkPath)
        for name in forQueries ? SchemaFiles.viewTables : [] { rowCounts[name] = try database.integer("SELECT count(*) FROM \(name)") }
    }

    /// Runs `body` with a closure that makes ``viewScanCacheKiB`` the page cache of `schemas`
    /// when `table` is one of ``idOrderScanTables`` (else it does nothing), once `scanCacheAllowed`
    /// says so (it waits for that: ``ViewTableFiller/raiseScanCache``): the fill calls it only
    /// when it walks the primary key. The caches are `otherwise` KiB afterwards.
    private func withScanCache(for table: String, schemas: [String], otherwise: Int, scanCacheAllowed: @escaping () -> Bool = { true },
                               _ body: (_ raise: @escaping () throws -> Void) throws -> Void) throws {
        guard Self.idOrderScanTables.contains(table), viewScanCacheKiB > otherwise else { return try body({}) }
        let (database, size) = (database, viewScanCacheKiB)
        var raised = false
        try body {
            guard !raised else { return }
            Self.waitUntil(scanCacheAllowed)
            try database.execute(schemas.map { "PRAGMA \($0).cache_size = -\(size);" }.joined())
            raised = true
        }
        if raised { try database.execute(schemas.map { "PRAGMA \($0).cache_size = -\(otherwise);" }.joined()) }
    }

    /// Returns once `condition` holds: the scan cache's memory is free once the connection that
    /// holds it ends its jobs (``ViewTableFiller/raiseScanCache``).
    private static func waitUntil(_ condition: () -> Bool) {
        while !condition() { Thread.sleep(forTimeInterval: 0.02) }
    }

    private func buildIndexes(_ indexes: [String], sorterThread: Bool, progress: ProgressReporter?) throws {
        // A bundle's core has none: no stage to show.
        guard !indexes.isEmpty else { return }
        try database.execute("PRAGMA threads = \(sorterThread ? 1 : 0); PRAGMA main.cache_size = -\(Self.indexSorterKiB)")
        progress?.beginStage("building indexes", steps: indexes.count)
        for statement in indexes {
            try database.execute(statement)
            progress?.stepDone()
        }
        try database.execute("PRAGMA threads = 0; PRAGMA main.cache_size = -\(Self.endCacheKiB)")
    }

    /// Keeps a step's wall and CPU seconds for the report, to the millisecond.
    private func record(_ step: String, seconds: Double, cpu: Double) {
        secondsPerStep[step] = (seconds * 1000).rounded() / 1000
        cpuSecondsPerStep[step] = (cpu * 1000).rounded() / 1000
    }

    private func insertSchemaVersion(appliedAt: String) throws {
        let version = try database.prepare("INSERT INTO schema_versions (version, applied_at, description) VALUES (?, ?, ?)")
        try version.bind(1, Self.schemaVersion)
        try version.bind(2, appliedAt)
        try version.bind(3, "normalized core converted from the legacy cancer_transcript_base by mediabase \(MediabaseVersion.current)")
        try version.run()
        rowCounts["schema_versions"] = 1
    }

    /// Where each view table is built when the end steps run on several connections (see
    /// ``buildIndexesAndViewTablesTogether(indexes:appliedAt:lap:onceIndexesAreCommitted:whileIndexesBuild:progress:)``).
    enum ViewTableBuilder: CaseIterable {
        /// A connection opened as soon as the merged tables are committed, while this one builds
        /// the indexes: its fills sort their own input. The cross-reference view alone takes
        /// about as long as the index builds on lean rows.
        case beforeIndexes
        /// A connection opened once the indexes are committed, taking jobs from
        /// ``afterIndexJobs`` as this one does.
        case afterIndexes
        /// This connection, after its index builds: jobs from ``afterIndexJobs``.
        case loadConnection

        /// The builder a table must have: nil for a table either connection may build once the
        /// indexes exist.
        static func required(for table: String) -> ViewTableBuilder? {
            switch table {
            case "drug_interaction_summary_view", "cross_reference_lookup_view": .beforeIndexes
            default: nil
            }
        }

        /// The scratch file beside the core that holds the tables this builder made.
        var scratchSuffix: String {
            switch self {
            case .beforeIndexes: ".views-early"
            case .afterIndexes: ".views-second"
            case .loadConnection: ".views-sql"
            }
        }

        /// The schema name its scratch file is attached under.
        var schema: String {
            switch self {
            case .beforeIndexes: "views_early"
            case .afterIndexes: "views_second"
            case .loadConnection: "views_sql"
            }
        }
    }

    /// The report's step of the core's checks, once the indexes are committed.
    static let checksStep = "core checks (beside the view tables)"

    /// A job of the end steps after the indexes: view tables to build (their statements), or
    /// the core's checks (`checks`: no tables).
    struct EndJob: Sendable {
        var tables: [String]
        var statements: [String]
        var checks = false
    }

    /// The view tables either connection may build once the indexes exist, as jobs handed out in
    /// this order to whichever connection is free, the longest first (as measured on lean and fat
    /// rows). The two transcript views are one job (one walk fills both); they do not read
    /// `gene_summary_view`, so it can be built beside them.
    static let afterIndexJobs: [[String]] = [
        ["transcript_enrichment_view", "patient_query_optimized_view"],
        ["gene_summary_view"],
        ["go_term_hierarchy_view"],
        ["publication_summary_view"],
        ["pathway_coverage_view"],
    ]

    /// Shared view tables (see ``afterIndexJobs``) whose fills sort their own input and look
    /// genes up by the primary key only, so the connection opened before the indexes may build
    /// them when it has time left: on rows where the cross-reference view is quick, the index
    /// builds outlast it by seconds.
    static let buildableBeforeIndexes: Set<String> = ["publication_summary_view", "go_term_hierarchy_view"]

    /// Builds the indexes and the view tables on three connections at once, then copies the view
    /// tables into the core in file order.
    ///
    /// The merged tables are committed and the core is in WAL mode (``beginConcurrentReads()``),
    /// so that other connections read committed snapshots while this one writes: one connection
    /// fills the ``ViewTableBuilder/beforeIndexes`` tables while this one builds the indexes;
    /// once they are committed a second connection and this one share the other tables
    /// (``afterIndexJobs``), and `onceIndexesAreCommitted` (the core's checks, reading it on a
    /// connection of its own) runs as one of their jobs. Each builder writes into a scratch file
    /// of its own (one SQLite file has one writer); the copies (`INSERT INTO t SELECT * FROM s.t` into an empty table of the same
    /// definition) move whole records in rowid order, so the core holds what building in place
    /// would give. The core leaves WAL mode before the copies.
    private func buildIndexesAndViewTablesTogether(indexes: [String], appliedAt: String, lap: (String) -> Void,
                                                   onceIndexesAreCommitted: (@Sendable ([String: Int]) throws -> Void)?,
                                                   whileIndexesBuild: (step: String, work: @Sendable () -> Bool)?, progress: ProgressReporter?) throws {
        let allStatements = SchemaFiles.statements(SchemaFiles.sqliteViews)
        let corePath = database.path
        let scratchPaths = ViewTableBuilder.allCases.map { corePath + $0.scratchSuffix }
        for path in scratchPaths {
            OutputFile.remove(path)
            TemporaryOutputs.register(path)
        }
        defer {
            for path in scratchPaths {
                OutputFile.remove(path)
                TemporaryOutputs.unregister(path)
            }
        }
        func statements(of tables: [String]) -> [String] {
            allStatements.filter { SchemaFiles.createdTable($0).map(tables.contains) ?? false }
        }
        let tables = allStatements.compactMap(SchemaFiles.createdTable)
        let shared = tables.filter { ViewTableBuilder.required(for: $0) == nil }
        // A table missing from the list (a schema change) becomes a job of its own, last.
        var jobs = Self.afterIndexJobs.map { $0.filter(shared.contains) }.filter { !$0.isEmpty }
        jobs += shared.filter { table in !jobs.contains { $0.contains(table) } }.map { [$0] }
        // The jobs, handed out one at a time to whichever connection asks first (nil once all
        // are out; see nextJob below); the connection opened before the indexes, once its own job
        // is done, takes only those it can build without them. The core's checks are a job too,
        // second, after the longest view job: on a connection of their own from the start they
        // shared the two cores with both view connections, and the connection done first then
        // waited for the others (4x lean rows: 5 s).
        var endJobs = jobs.map { EndJob(tables: $0, statements: statements(of: $0)) }
        if onceIndexesAreCommitted != nil { endJobs.insert(EndJob(tables: [], statements: [], checks: true), at: min(1, endJobs.count)) }
        let remaining = Guarded(endJobs)
        let earlyOwn = Guarded([statements(of: tables.filter { ViewTableBuilder.required(for: $0) == .beforeIndexes })])
        let earlyJob: @Sendable () -> [String]? = {
            if let own = earlyOwn.withLock({ $0.popLast() }) { return own }
            return remaining.withLock { jobs in
                jobs.firstIndex { !$0.checks && $0.tables.allSatisfy(Self.buildableBeforeIndexes.contains) }.map { jobs.remove(at: $0).statements }
            }
        }

        let (coreCacheKiB, lookupLimitBytes, pool) = (Self.endCacheKiB, viewLookupLimitBytes, endStepsPool)
        // The genes' symbols, read once for the fills of all three connections, and given back
        // to the pool once they are done.
        let symbols = GeneSymbolCache(pool: pool)
        defer { symbols.release() }
        // The memory budget gives the early connection's lookup and the later ones' each a share,
        // with the scan cache beside the later ones only: when the early connection outlasts the
        // index builds (large lean inputs), a job that needs the scan cache goes after the others
        // and waits for it (a 4x lean input peaked at 311 MB with both).
        let earlyRunning = Guarded(true)
        let indexesBuilding = Guarded(true)
        let early = BackgroundTask { () throws -> (views: [(name: String, seconds: Double, cpu: Double)], whileIndexesBuild: (step: String, seconds: Double, cpu: Double)?) in
            defer { earlyRunning.withLock { $0 = false } }
            let views = try Self.buildViewTables(next: earlyJob, core: corePath,
                                                 scratch: corePath + ViewTableBuilder.beforeIndexes.scratchSuffix, coreCacheKiB: coreCacheKiB, scanCacheKiB: { coreCacheKiB },
                                                 lookupLimitBytes: lookupLimitBytes, pool: pool, symbols: symbols)
            // Its core would otherwise idle until the indexes are committed (4x today's rows: 3.6 s).
            guard let whileIndexesBuild, indexesBuilding.withLock({ $0 }) else { return (views, nil) }
            let (started, startedCPU) = (Date(), ThreadClock.cpuSeconds)
            guard whileIndexesBuild.work() else { return (views, nil) }
            return (views, (whileIndexesBuild.step, Date().timeIntervalSince(started), ThreadClock.cpuSeconds - startedCPU))
        }
        let scanCacheAllowed: @Sendable () -> Bool = { !earlyRunning.withLock { $0 } }
        // In order, except that a job that may walk in id order waits behind the others until
        // the scan cache is allowed: started before, its SQL form (when the genes' summaries do
        // not fit what the pool grants) would wait for the cache (ViewTableFiller.raiseScanCache)
        // while the early connection ends its work (4x lean rows: 24 s of key checks; that form
        // took 301 CPU-s there without the large cache, 296 with half of it).
        let nextJob: @Sendable () -> EndJob? = {
            remaining.withLock { jobs in
                guard !jobs.isEmpty else { return nil }
                let walks = { (job: EndJob) in job.tables.contains(where: Self.idOrderScanTables.contains) }
                let index = scanCacheAllowed() ? 0 : jobs.firstIndex { !walks($0) } ?? 0
                return jobs.remove(at: index)
            }
        }
        var ownTables: [String] = []
        // Whatever happens here, the readers end before this returns (their files go).
        let built = Result { () throws -> [(name: String, seconds: Double, cpu: Double)] in
            try database.transaction {
                // Both cores are busy now: the sorter gets no thread of its own.
                try buildIndexes(indexes, sorterThread: false, progress: progress)
                try insertSchemaVersion(appliedAt: appliedAt)
            }
            indexesBuilding.withLock { $0 = false }
            lap("indexes")
            // The index builds' pages move from the WAL into the core on a connection of their
            // own while the view tables are built, as far as the readers' snapshots allow.
            let checkpoint = BackgroundTask { () throws -> (seconds: Double, cpu: Double) in
                let (started, startedCPU) = (Date(), ThreadClock.cpuSeconds)
                let connection = try SQLiteDatabase(path: corePath)
                _ = try connection.rows("PRAGMA main.wal_checkpoint(PASSIVE)")
                return (Date().timeIntervalSince(started), ThreadClock.cpuSeconds - startedCPU)
            }
            progress?.beginStage("filling view tables", steps: tables.count)
            let counts = rowCounts
            // The view jobs' statements; the checks' job runs on the connection's thread that
            // takes it (reading the core on a connection of its own), before its next job, and
            // then calls `afterChecks`.
            let checked = Guarded<Result<(seconds: Double, cpu: Double), Error>?>(nil)
            @Sendable func takeJob(afterChecks: () -> Void) -> [String]? {
                while let job = nextJob() {
                    guard job.checks else { return job.statements }
                    guard let work = onceIndexesAreCommitted else { continue }
                    let (started, startedCPU) = (Date(), ThreadClock.cpuSeconds)
                    let outcome = Result { () throws -> (seconds: Double, cpu: Double) in
                        try work(counts)
                        return (Date().timeIntervalSince(started), ThreadClock.cpuSeconds - startedCPU)
                    }
                    checked.withLock { $0 = outcome }
                    afterChecks()
                }
                return nil
            }
            // Half the scan cache: the other connections' lookups, sorters and caches are in
            // memory beside it (a 4x lean input peaked at 315 MB with the whole of it).
            let scanCacheKiB = max(viewScanCacheKiB / 2, Self.endCacheKiB)
            let second = BackgroundTask {
                try Self.buildViewTables(next: { takeJob(afterChecks: {}) }, core: corePath, scratch: corePath + ViewTableBuilder.afterIndexes.scratchSuffix,
                                         coreCacheKiB: coreCacheKiB, scanCacheKiB: { scanCacheAllowed() ? scanCacheKiB : nil },
                                         lookupLimitBytes: lookupLimitBytes, pool: pool, symbols: symbols)
            }
            let own = Result {
                let schema = ViewTableBuilder.loadConnection.schema
                try database.execute("ATTACH DATABASE \(Self.quotedLiteral(corePath + ViewTableBuilder.loadConnection.scratchSuffix)) AS \(schema)")
                try database.execute("PRAGMA \(schema).page_size = \(Self.pageSize); PRAGMA \(schema).journal_mode = OFF; PRAGMA \(schema).synchronous = OFF")
                // The checks' time, when they run here, is theirs, not the next step's (their
                // own record below replaces this one).
                while let job = takeJob(afterChecks: { lap(Self.checksStep) }) {
                    ownTables += try buildOwnViewTables(job, symbols: symbols, lap: lap, progress: progress, scanCacheAllowed: scanCacheAllowed)
                }
                // Rather than wait for the other connections, move what the checkpoint beside the
                // view tables left in the WAL (pages a reader still on a snapshot from before the
                // indexes kept it from moving) into the core now, as far as the snapshots allow;
                // the checkpoint at the end moves the rest.
                _ = try database.rows("PRAGMA main.wal_checkpoint(PASSIVE)")
            }
            let secondLaps = Result { try second.wait() }
            let checkpointed = Result { try checkpoint.wait() }
            try own.get()
            let lap = try checkpointed.get()
            record("checkpoint (beside the view tables)", seconds: lap.seconds, cpu: lap.cpu)
            // Both connections took jobs until none was left, so the checks ran, unless one of
            // them failed before (which throws below).
            if let lap = try checked.withLock({ $0 })?.get() {
                record(Self.checksStep, seconds: lap.seconds, cpu: lap.cpu)
            }
            return try secondLaps.get()
        }
        let earlyDone = Result { try early.wait() }
        let secondLaps = try built.get()
        let earlyLaps = try earlyDone.get()
        if let lap = earlyLaps.whileIndexesBuild {
            record(lap.step, seconds: lap.seconds, cpu: lap.cpu)
        }
        var builder: [String: ViewTableBuilder] = Dictionary(uniqueKeysWithValues: ownTables.map { ($0, .loadConnection) })
        for (connection, laps) in [(ViewTableBuilder.beforeIndexes, earlyLaps.views), (.afterIndexes, secondLaps)] {
            for item in laps {
                builder[item.name] = connection
                let step = "view \(item.name) (\(connection == .beforeIndexes ? "before the indexes" : "second connection"))"
                record(step, seconds: item.seconds, cpu: item.cpu)
                progress?.stepDone()
            }
        }
        lap("view tables: waiting for the other connections")

        try endConcurrentReads()
        lap("view tables: checkpoint")
        for other in [ViewTableBuilder.beforeIndexes, .afterIndexes] {
            try database.execute("ATTACH DATABASE \(Self.quotedLiteral(corePath + other.scratchSuffix)) AS \(other.schema)")
        }
        try database.execute("PRAGMA locking_mode = EXCLUSIVE; BEGIN")
        progress?.beginStage("copying view tables into the core", steps: tables.count)
        for statement in allStatements {
            guard let name = SchemaFiles.createdTable(statement) else { continue }
            guard let source = builder[name]?.schema,
                  let definition = try database.scalar("SELECT sql FROM \(source).sqlite_master WHERE type = 'table' AND name = ?", [name]) else {
                throw MediabaseError.io(path: database.path, message: "view table \(name) was not built")
            }
            try database.execute(definition)
            try database.execute("INSERT INTO main.\(name) SELECT * FROM \(source).\(name)")
            progress?.stepDone()
        }
        lap("view tables: copy into the core")
        let detach = ViewTableBuilder.allCases.map { "DETACH DATABASE \($0.schema);" }.joined()
        try database.execute("COMMIT; \(detach) BEGIN")
    }

    /// Commits the load's transaction and puts the core in WAL mode, so that other connections
    /// read what is committed while this one goes on writing. Readers also need the exclusive
    /// lock given up, which the NORMAL locking mode does at the next read. The WAL is not
    /// checkpointed until ``endConcurrentReads()``: the readers' snapshots would stop it.
    ///
    /// - Returns: false, with the load's transaction and locking mode back, where the file system
    ///   has no WAL mode (a network file system: it needs shared memory); the end steps then run
    ///   one after the other.
    private func beginConcurrentReads() throws -> Bool {
        // SQLite removes both files when the last connection closes, also after an error.
        for suffix in ["-wal", "-shm"] { TemporaryOutputs.register(database.path + suffix) }
        try database.execute("COMMIT; PRAGMA locking_mode = NORMAL")
        _ = try database.scalar("SELECT count(*) FROM schema_versions")
        _ = try database.scalar("SELECT count(*) FROM \(Self.goTermsWorkSchema).sqlite_master")
        guard (try? database.scalar("PRAGMA main.journal_mode = WAL")) == "wal" else {
            for suffix in ["-wal", "-shm"] { TemporaryOutputs.unregister(database.path + suffix) }
            try database.execute("PRAGMA locking_mode = EXCLUSIVE; BEGIN")
            return false
        }
        try database.execute("PRAGMA wal_autocheckpoint = 0")
        return true
    }

    /// Once every other connection is closed: moves the WAL's pages into the core and leaves WAL
    /// mode (the WAL file and its index go) for the load's journal mode.
    private func endConcurrentReads() throws {
        // The main database only: the temporary one (still in the load's exclusive locking mode,
        // and not in WAL mode) would refuse with SQLITE_LOCKED when no write since has released it.
        try database.execute("PRAGMA main.wal_checkpoint(TRUNCATE)")
        guard try database.scalar("PRAGMA main.journal_mode = OFF") == "off" else {
            throw MediabaseError.io(path: database.path, message: "cannot leave WAL mode: another connection is still open")
        }
        for suffix in ["-wal", "-shm"] { TemporaryOutputs.unregister(database.path + suffix) }
    }

    /// Builds `statements` on this connection into its scratch file (attached as `views_sql`).
    /// - Returns: the tables built.
    /// - Parameter scanCacheAllowed: whether a table that scans in id order may take the large
    ///   scan cache now (see ``withScanCache(for:schemas:otherwise:scanCacheAllowed:_:)``).
    private func buildOwnViewTables(_ statements: [String], symbols: GeneSymbolCache, lap: (String) -> Void, progress: ProgressReporter?,
                                    scanCacheAllowed: @escaping () -> Bool = { true }) throws -> [String] {
        let schema = ViewTableBuilder.loadConnection.schema
        // SQLite sizes each sorter by the main cache, and one view query runs several at once; a
        // small cache keeps their sum from growing with the input.
        try database.execute("PRAGMA main.cache_size = -\(Self.viewSorterKiB)")
        var built: [String] = []
        try database.transaction {
            for statement in statements {
                // Unqualified names still find the core (main) first.
                guard let range = statement.range(of: "CREATE TABLE "), let name = SchemaFiles.createdTable(statement) else { continue }
                try withScanCache(for: name, schemas: ["main", schema], otherwise: Self.viewSorterKiB, scanCacheAllowed: scanCacheAllowed) { raise in
                    try database.execute(statement.replacingCharacters(in: range, with: "CREATE TABLE \(schema)."))
                    if ViewTableFiller.filledTables.contains(name) {
                        var filler = ViewTableFiller(database: database, lookupLimitBytes: viewLookupLimitBytes, symbolCache: symbols, lookupPool: endStepsPool)
                        filler.raiseScanCache = raise
                        try filler.fill(name)
                    }
                }
                built.append(name)
                lap("view \(name)")
                progress?.stepDone()
            }
        }
        try database.execute("PRAGMA main.cache_size = -\(Self.endCacheKiB)")
        return built
    }

    /// Builds the statements `next` hands out, a job at a time until it gives nil, on a
    /// connection of its own into a new scratch file at `scratch`, reading the committed core at
    /// `core` (attached as `core`).
    /// - Parameters:
    ///   - scanCacheKiB: the core's page cache for a fill of ``idOrderScanTables`` that walks the
    ///     primary key, asked when it does (nil: not yet, the fill waits; `coreCacheKiB` or less:
    ///     no change, as on the connection opened before the indexes, which builds none of them).
    ///   - lookupLimitBytes, symbols: see ``ViewTableFiller``.
    /// - Returns: each table's wall and CPU seconds.
    private static func buildViewTables(next: () -> [String]?, core: String, scratch: String, coreCacheKiB: Int, scanCacheKiB: @escaping () -> Int?,
                                        lookupLimitBytes: Int, pool: MemoryPool?, symbols: GeneSymbolCache) throws -> [(name: String, seconds: Double, cpu: Double)] {
        let views = try SQLiteDatabase(path: scratch)
        try views.execute("PRAGMA page_size = \(pageSize); PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA main.cache_size = -\(viewSorterKiB)")
        try views.execute("ATTACH DATABASE \(quotedLiteral(core)) AS core")
        try views.execute("ATTACH DATABASE \(quotedLiteral(core + goTermsWorkSuffix)) AS \(goTermsWorkSchema)")
        try views.execute("PRAGMA core.cache_size = -\(coreCacheKiB)")
        var filler = ViewTableFiller(database: views, lookupLimitBytes: lookupLimitBytes, symbolCache: symbols, lookupPool: pool)
        var laps: [(name: String, seconds: Double, cpu: Double)] = []
        while let job = next() {
            // A transaction per job: its reads of the core see one snapshot.
            try views.transaction {
                for statement in job {
                    let (started, startedCPU) = (Date(), ThreadClock.cpuSeconds)
                    guard let name = SchemaFiles.createdTable(statement) else { continue }
                    // Asked as the fill walks (``ViewTableFiller/raiseScanCache``), which waits
                    // for it: nil until the memory is free.
                    var raised = false
                    filler.raiseScanCache = {
                        guard idOrderScanTables.contains(name), !raised else { return }
                        waitUntil { scanCacheKiB() != nil }
                        guard let scan = scanCacheKiB(), scan > coreCacheKiB else { return }
                        try views.execute("PRAGMA core.cache_size = -\(scan)")
                        raised = true
                    }
                    try views.execute(statement)
                    if ViewTableFiller.filledTables.contains(name) { try filler.fill(name) }
                    if raised { try views.execute("PRAGMA core.cache_size = -\(coreCacheKiB)") }
                    laps.append((name, Date().timeIntervalSince(started), ThreadClock.cpuSeconds - startedCPU))
                }
            }
        }
        return laps
    }

    /// `text` as an SQL string literal.
    static func quotedLiteral(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}

extension SchemaFiles {
    /// The view tables `views.sqlite.sql` creates, in file order.
    package static var viewTables: [String] { statements(sqliteViews).compactMap(createdTable) }

    /// The name of the table a `CREATE TABLE` statement creates.
    static func createdTable(_ statement: String) -> String? {
        guard let range = statement.range(of: "CREATE TABLE ") else { return nil }
        return String(statement[range.upperBound...].prefix { $0 != " " && $0 != "\n" && $0 != "(" })
    }
}
