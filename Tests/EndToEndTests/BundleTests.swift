import Foundation
import MediabaseTestSupport
import XCTest
@testable import MediabaseBytes
@testable import MediabaseSQLite
@testable import MediabaseGenerate
@testable import MediabasePipeline

/// Bundles loaded into a real PostgreSQL with their own load.sh, compared with the SQLite output
/// of the same input.
final class BundleTests: PostgresBundleTestCase {
    private static var databases = 0

    private func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// A new empty database.
    private func newDatabase() throws -> String {
        Self.databases += 1
        let name = "bundle_test_\(Self.databases)"
        try postgres.createDatabase(name)
        return name
    }

    @discardableResult
    private func convert(_ input: String, to output: String, _ target: OutputTarget, threads: Int = 2) throws -> ConversionReport {
        var options = ConversionOptions(input: input, output: path(output))
        options.target = target
        options.progress = .never
        options.threads = threads
        return try Conversion.run(options)
    }

    private func load(_ bundle: String, arguments: [String], environment: [String: String]? = nil) throws -> Subprocess.Outcome {
        try Subprocess.shell("\"$0\"/load.sh \"$@\"", arguments: [path(bundle)] + arguments, environment: environment ?? postgres.environment)
    }

    // MARK: Tests

    /// The hand-made corruption cases; the generated dump (all 27 columns, planted corruption, a
    /// carried opentargets_known_drugs) as plain COPY, INSERT statements and CSV; and pg_dump 15
    /// custom and directory archives whose carried tables hold jsonb, arrays, doubles and escapes.
    func testFixturesLoadAndMatchSQLite() throws {
        for fixture in ["legacy/corruption_cases.sql", "generated/seed1-genes12/mbase.sql", "generated/seed1-genes12/mbase.inserts.sql",
                        "generated/seed1-genes12/cancer_transcript_base.csv", "archives/custom.dump", "archives/directory"] {
            let input = (Self.repositoryRoot as NSString).appendingPathComponent("fixtures/" + fixture)
            let name = fixture.replacingOccurrences(of: "/", with: "_")
            try convert(input, to: "\(name).sqlite", .sqlite)
            try convert(input, to: "\(name).bundle", .bundle)
            let database = try newDatabase()
            let result = try load("\(name).bundle", arguments: [database])
            XCTAssertEqual(result.status, 0, "\(fixture): \(result.text)")
            try assertSameContent(database, sqlite: path("\(name).sqlite"))
        }
    }

    /// Dumps made by this server's pg_dump (plain with `\restrict`, custom, `--inserts`) of the
    /// fixture, converted both ways.
    func testRealPgDumpOutputLoadsAndMatchesSQLite() throws {
        let source = try newDatabase()
        let fixture = (Self.repositoryRoot as NSString).appendingPathComponent("fixtures/legacy/corruption_cases.sql")
        try postgres.psql(sql: try String(contentsOfFile: fixture, encoding: .utf8), database: source)
        for (name, flags) in [("plain.sql", "-Fp"), ("custom.dump", "-Fc"), ("inserts.sql", "-Fp --inserts")] {
            let dump = try Subprocess.shell("\"$0\"/pg_dump \(flags) -d \"$1\" -f \"$2\"", arguments: [postgres.binDirectory, source, path(name)], environment: postgres.environment)
            XCTAssertEqual(dump.status, 0, dump.text)
            try convert(path(name), to: "\(name).sqlite", .sqlite)
            try convert(path(name), to: "\(name).bundle", .bundle)
            let database = try newDatabase()
            let result = try load("\(name).bundle", arguments: ["--dbname=\(database)"])
            XCTAssertEqual(result.status, 0, "\(name): \(result.text)")
            try assertSameContent(database, sqlite: path("\(name).sqlite"))
        }
    }

    /// Random text full of COPY, SQL and psql syntax, as gene symbols, as an unknown legacy column
    /// (→ jsonb in transcript_extras) and in a carried table (text and text[]), comes back from
    /// PostgreSQL byte for byte, and runs nothing on the way.
    func testFuzzedValuesComeBackByteForByte() throws {
        let marker = path("injected")
        let hostile = ["\t", "\n", "\r", "\r\n", "\\", "\\.", "\n\\.\n", "\\N", "\\! touch \(marker)\n", "\n\\! touch \(marker)\n",
                       "\\copy x from program 'touch \(marker)'", "'", "''", "\"", "$$", "$x$", ";", "--", "/*", "*/", "{", "}", ",",
                       "NULL", " ", "\u{0B}", "\u{0C}", "\u{08}", "\u{01}", "\u{1F}", "\u{7F}", "é", "日本", "😀", "\u{FEFF}", "\\x41", "\\101"]
        // The library's SplitMix64, seeded, so the fuzz test sees the same values on every run.
        var random = SplitMix64(state: 0x6D65_6469_6162_6173)
        func text() -> String {
            var out = ""
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                if Int.random(in: 0..<3, using: &random) == 0 {
                    var scalar: Unicode.Scalar?
                    while scalar == nil || scalar!.value == 0 { scalar = Unicode.Scalar(UInt32.random(in: 1...0x10FFFF, using: &random)) }
                    out.unicodeScalars.append(scalar!)
                } else {
                    out += hostile.randomElement(using: &random)!
                }
            }
            return out
        }

        var dump = "SET client_encoding = 'UTF8';\nCREATE TABLE public.cancer_transcript_base (transcript_id text, gene_symbol text, gene_id text, note text);\n"
        dump += "COPY public.cancer_transcript_base (transcript_id, gene_symbol, gene_id, note) FROM stdin;\n"
        var symbols: [String: String] = [:]
        var notes: [String: String] = [:]
        for index in 1...300 {
            let gene = String(format: "ENSG%011d", index)
            let transcript = String(format: "ENST%011d", index)
            // Brackets keep the symbol's own whitespace from being trimmed as an identifier's.
            symbols[gene] = "<" + text() + ">"
            let note = text()
            if !note.isEmpty { notes[transcript] = note }
            dump += [transcript, symbols[gene]!, gene, note].map(Self.copyField).joined(separator: "\t") + "\n"
        }
        dump += "\\.\nCREATE TABLE public.fuzz_values (id integer NOT NULL, value text, list text[]);\n"
        dump += "COPY public.fuzz_values (id, value, list) FROM stdin;\n"
        var values: [String: String?] = [:]
        var lists: [String: [String?]?] = [:]
        for id in 1...300 {
            let value: String? = Int.random(in: 0..<10, using: &random) == 0 ? nil : text()
            var list: [String?]? = (0..<Int.random(in: 0...4, using: &random)).map { _ in Int.random(in: 0..<6, using: &random) == 0 ? nil : text() }
            if Int.random(in: 0..<10, using: &random) == 0 { list = nil }
            values["\(id)"] = value
            lists["\(id)"] = list
            var literal: [UInt8] = []
            if let list { ArrayLiteral.appendLiteral(list.map { $0.map { Array($0.utf8) } }, to: &literal) }
            dump += ["\(id)", value, list.map { _ in String(decoding: literal, as: UTF8.self) }].map(Self.copyField).joined(separator: "\t") + "\n"
        }
        dump += "\\.\n"
        try Data(dump.utf8).write(to: URL(fileURLWithPath: path("fuzz.sql")))

        try convert(path("fuzz.sql"), to: "fuzz.sqlite", .sqlite)
        try convert(path("fuzz.sql"), to: "fuzz.bundle", .bundle)
        let database = try newDatabase()
        let result = try load("fuzz.bundle", arguments: [database])
        XCTAssertEqual(result.status, 0, result.text)

        XCTAssertEqual(try hexRows(database, "SELECT gene_id, encode(convert_to(gene_symbol, 'UTF8'), 'hex') FROM public.genes"), symbols.mapValues(Self.hex))
        XCTAssertEqual(try hexRows(database, "SELECT transcript_id, encode(convert_to(value_json #>> '{}', 'UTF8'), 'hex') FROM public.transcript_extras WHERE field = 'note'"),
                       notes.mapValues(Self.hex))
        XCTAssertEqual(try hexRows(database, "SELECT id, coalesce(encode(convert_to(value, 'UTF8'), 'hex'), 'NULL') FROM public.fuzz_values"),
                       values.mapValues { $0.map(Self.hex) ?? "NULL" })
        let elements = try hexRows(database, """
            SELECT id, coalesce(string_agg(coalesce(encode(convert_to(e, 'UTF8'), 'hex'), 'NULL'), ',' ORDER BY n) FILTER (WHERE n IS NOT NULL), '')
                       || CASE WHEN list IS NULL THEN 'NULL-LIST' ELSE '' END
            FROM public.fuzz_values LEFT JOIN LATERAL unnest(list) WITH ORDINALITY AS u(e, n) ON true GROUP BY id, list
            """)
        XCTAssertEqual(elements, lists.mapValues { list in list.map { $0.map { $0.map(Self.hex) ?? "NULL" }.joined(separator: ",") } ?? "NULL-LIST" })
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "a psql meta-command ran")
        try assertSameContent(database, sqlite: path("fuzz.sqlite"))
    }

    func testFailedLoadLeavesTheDatabaseAsItWas() throws {
        let input = (Self.repositoryRoot as NSString).appendingPathComponent("fixtures/legacy/corruption_cases.sql")
        try convert(input, to: "core.bundle", .bundle)
        let views = path("core.bundle/04_views.sql.gz")
        let original = try Data(contentsOf: URL(fileURLWithPath: views))

        // A damaged last part: refused before anything reaches the server.
        var damaged = [UInt8](original)
        damaged[damaged.count / 2] ^= 0x55
        try Data(damaged).write(to: URL(fileURLWithPath: views))
        var database = try newDatabase()
        var result = try load("core.bundle", arguments: [database])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(try postgres.relations(database: database), [])

        // A last part that fails at its very end, after every table was created and filled.
        let sql = try Subprocess.shell("gzip -dc", input: original).text
        let failing = try Subprocess.shell("gzip -n -c > \"$0\"", arguments: [views], input: Data((sql + "\nSELECT 1 / 0;\n").utf8))
        XCTAssertEqual(failing.status, 0)
        database = try newDatabase()
        result = try load("core.bundle", arguments: [database])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.text.contains("division by zero"), result.text)
        XCTAssertEqual(try postgres.relations(database: database), [])

        // A database that already holds one of the tables keeps it as it was.
        try original.write(to: URL(fileURLWithPath: views))
        database = try newDatabase()
        try postgres.psql(sql: "CREATE TABLE public.pathways (mine integer); INSERT INTO public.pathways VALUES (42);", database: database)
        result = try load("core.bundle", arguments: [database])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(try postgres.relations(database: database), ["pathways"])
        XCTAssertEqual(try postgres.psql(sql: "SELECT mine FROM public.pathways", database: database), "42\n")
    }

    func testLoadScriptTakesTheUsualConnectionSettings() throws {
        let input = (Self.repositoryRoot as NSString).appendingPathComponent("fixtures/legacy/corruption_cases.sql")
        try convert(input, to: "core.bundle", .bundle, threads: 1)
        var environment = postgres.environment
        let fromEnvironment = try newDatabase()
        environment["PGDATABASE"] = fromEnvironment
        XCTAssertEqual(try load("core.bundle", arguments: [], environment: environment).status, 0)
        let fromOption = try newDatabase()
        XCTAssertEqual(try load("core.bundle", arguments: ["-d", fromOption]).status, 0)
        for database in [fromEnvironment, fromOption] {
            XCTAssertEqual(try postgres.psql(sql: "SELECT count(*) FROM public.genes", database: database), "4\n")
            XCTAssertEqual(try postgres.psql(sql: "SELECT count(*) FROM public.gene_summary_view", database: database), "4\n")
        }
    }

    // MARK: Comparing PostgreSQL with SQLite

    /// Every table of the SQLite output (core, schema_versions, the view tables, carried tables)
    /// has the same rows in PostgreSQL, once representations are made comparable: lists and JSON
    /// parsed, booleans as 1/0, numbers as doubles, times as epoch seconds.
    private func assertSameContent(_ database: String, sqlite path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let sqlite = try SQLiteDatabase(path: path, readOnly: true)
        let tables = try sqlite.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0[0] }
        XCTAssertEqual(try postgres.relations(database: database), tables, "the same tables", file: file, line: line)
        for table in tables {
            let pgColumns = try postgres.psql(sql: """
                SELECT attname || '|' || format_type(atttypid, atttypmod) FROM pg_attribute
                WHERE attrelid = 'public.\(table.replacingOccurrences(of: "'", with: "''"))'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum
                """, database: database).split(separator: "\n").map { $0.split(separator: "|", maxSplits: 1).map(String.init) }
            let sqliteColumns = try sqlite.rows("SELECT name FROM pragma_table_info(?)", [table]).compactMap { $0[0] }
            XCTAssertEqual(pgColumns.map { $0[0] }, sqliteColumns, "\(table): the same columns", file: file, line: line)
            let kinds = pgColumns.map { ComparedKind(postgresType: $0[1]) }
            let pgRows = try postgresRows(database, table: table, columns: pgColumns.map { $0[0] }, kinds: kinds)
            let sqliteRows = try Self.sqliteRows(sqlite, table: table, columns: sqliteColumns, kinds: kinds)
            XCTAssertEqual(pgRows.count, sqliteRows.count, "\(table): row count", file: file, line: line)
            XCTAssertEqual(pgRows, sqliteRows, "\(table): rows", file: file, line: line)
        }
    }

    private func postgresRows(_ database: String, table: String, columns: [String], kinds: [ComparedKind]) throws -> [[String]] {
        let expressions = zip(columns, kinds).map { column, kind in kind.postgresExpression("\"\(column.replacingOccurrences(of: "\"", with: "\"\""))\"") }
        let data = try postgres.copyOut(query: "SELECT \(expressions.joined(separator: ", ")) FROM public.\"\(table)\"", database: database)
        let row = RowBuffer()
        var rows: [[String]] = []
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
            row.reset()
            // The row borrows from the line: read it inside the closure.
            let fields = Array(line).withUnsafeBufferPointer { bytes in
                _ = CopyText.decodeLine(bytes, into: row)
                return row.strings
            }
            rows.append(zip(fields, kinds).map { $1.canonical($0) })
        }
        return rows.sorted { $0.lexicographicallyPrecedes($1) }
    }

    private static func sqliteRows(_ sqlite: SQLiteDatabase, table: String, columns: [String], kinds: [ComparedKind]) throws -> [[String]] {
        let expressions = zip(columns, kinds).map { column, kind in kind.sqliteExpression("\"\(column.replacingOccurrences(of: "\"", with: "\"\""))\"") }
        let statement = try sqlite.prepare("SELECT \(expressions.joined(separator: ", ")) FROM \"\(table)\"")
        var rows: [[String]] = []
        while try statement.step() {
            rows.append(kinds.indices.map { index in
                let text: String?
                // Doubles as doubles: SQLite's own text for them has only 15 digits.
                switch statement.storageClass(index) {
                case .null: text = nil
                case .float: text = String(statement.double(index))
                default: text = statement.text(index)
                }
                return kinds[index].canonical(text)
            })
        }
        return rows.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// PostgreSQL `COPY (query)` rows as `first column → second column`, read through psql's
    /// unaligned output (the queries return hex, so no escaping is involved).
    private func hexRows(_ database: String, _ query: String) throws -> [String: String] {
        var rows: [String: String] = [:]
        for line in try postgres.psql(sql: query, database: database).split(separator: "\n") {
            let parts = line.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            rows[parts[0]] = parts[1]
        }
        return rows
    }

    private static func hex(_ text: String) -> String { text.utf8.map { String(format: "%02x", $0) }.joined() }

    private static func copyField(_ text: String?) -> String {
        var out: [UInt8] = []
        guard var text else {
            CopyText.encodeField(nil, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
        text.withUTF8 { CopyText.encodeField($0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// How a column is compared, from its PostgreSQL type.
private enum ComparedKind {
    case text, boolean, number, json, time

    init(postgresType type: String) {
        if type == "boolean" { self = .boolean }
        else if type.hasSuffix("[]") || type == "json" || type == "jsonb" { self = .json }
        else if ["double precision", "real", "smallint", "integer", "bigint"].contains(type) || type.hasPrefix("numeric") { self = .number }
        else if type.hasPrefix("timestamp") { self = .time }
        else { self = .text }
    }

    func postgresExpression(_ column: String) -> String {
        switch self {
        case .boolean: return "CASE WHEN \(column) THEN 1 WHEN NOT \(column) THEN 0 END"
        case .json: return "to_jsonb(\(column))"
        case .time: return "extract(epoch FROM \(column))"
        case .text, .number: return column
        }
    }

    func sqliteExpression(_ column: String) -> String {
        self == .time ? "(julianday(\(column)) - 2440587.5) * 86400.0" : column
    }

    /// One spelling per value: JSON with sorted keys and numbers as doubles, numbers as doubles,
    /// times to the millisecond.
    func canonical(_ text: String?) -> String {
        guard let text else { return "∅NULL" }
        switch self {
        case .text: return text
        case .boolean: return text
        case .number: return Double(text).map { "\($0)" } ?? "not a number: \(text)"
        case .time: return Double(text).map { "\(($0 * 1000).rounded() / 1000)" } ?? "not a time: \(text)"
        case .json: return (try? JSON.parse(text)).map(Self.canonicalJSON) ?? "not JSON: \(text)"
        }
    }

    private static func canonicalJSON(_ value: JSONValue) -> String {
        switch value {
        case let .object(members):
            // jsonb keeps the last of duplicate keys.
            var last: [String: JSONValue] = [:]
            for member in members { last[member.key] = member.value }
            return "{" + last.keys.sorted().map { "\(JSONValue.string($0).serialized()):\(canonicalJSON(last[$0]!))" }.joined(separator: ",") + "}"
        case let .array(items): return "[" + items.map(canonicalJSON).joined(separator: ",") + "]"
        case let .number(number): return Double(number).map { "\($0)" } ?? number
        default: return value.serialized()
        }
    }
}
