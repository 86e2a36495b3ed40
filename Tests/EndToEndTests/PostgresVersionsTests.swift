import Foundation
import MediabaseTestSupport
import XCTest
import MediabaseSQLite
import MediabaseModel
import MediabaseInput
import MediabaseOutput
import MediabaseInspect
import MediabaseGenerate
import MediabasePipeline

/// Real tools write the inputs: a small generated legacy database is restored into PostgreSQL
/// 14, 15, 16, 17 and 18 with each version's psql, dumped by that version's pg_dump in every
/// form (plain, gzip, `--inserts`, `--column-inserts`, `--rows-per-insert`, custom and
/// directory with and without compression, tar, and `--statistics` where pg_dump has it), and
/// each dump converted: its core must equal the core converted from the generated dump itself.
/// Then, per version: `inspect` reads the tar dump, a bundle of it loads with `load.sh` and that
/// version's psql, a per-patient dump in tar form goes through `patients`, and a psql CSV export
/// of values full of CR LF, tabs, quotes and backslashes reads back byte for byte.
///
/// One cluster per version, used for every form; the versions come from
/// `.ci/install-deps.sh` (``PostgresVersions``).
final class PostgresVersionsTests: XCTestCase {
    func testPostgreSQL14() throws { try checkVersion(14) }
    func testPostgreSQL15() throws { try checkVersion(15) }
    func testPostgreSQL16() throws { try checkVersion(16) }
    func testPostgreSQL17() throws { try checkVersion(17) }
    func testPostgreSQL18() throws { try checkVersion(18) }

    /// The generated inputs and their direct conversions, made once for the class.
    private static var shared: Result<Reference, Error>?
    private var reference: Reference!

    override func setUpWithError() throws {
        try PostgresVersions.skipIfRequested()
        if Self.shared == nil { Self.shared = Result { try Reference() } }
        reference = try Self.shared!.get()
    }

    override class func tearDown() {
        if let folder = try? shared?.get().folder { try? FileManager.default.removeItem(atPath: folder) }
        shared = nil
        super.tearDown()
    }

    private static let database = "legacy"

    private func checkVersion(_ major: Int) throws {
        let cluster = try PostgresCluster.start(binDirectory: try PostgresVersions.binDirectory(major))
        defer { cluster.stop() }
        let serverVersion = try cluster.psql(sql: "SHOW server_version_num;").trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(Int(serverVersion).map { $0 / 10000 }, major, "server_version_num \(serverVersion)")
        try cluster.createDatabase(Self.database)
        try cluster.psql(file: reference.legacyDump, database: Self.database)
        // Statistics for pg_dump --statistics to write.
        try cluster.psql(sql: "ANALYZE;", database: Self.database)

        try checkEveryDumpForm(cluster, major: major)
        try checkPartitionedLegacyTable(cluster, major: major)
        try checkLegacyColumnsInAnotherOrder(cluster, major: major)
        try checkInspectAndBundleOfTheTarDump(cluster, major: major)
        try checkPatientDumpInTarForm(cluster)
        try checkCSVExportKeepsEveryByte(cluster)
    }

    /// Every form pg_dump writes converts to the core of the generated dump.
    private func checkEveryDumpForm(_ cluster: PostgresCluster, major: Int) throws {
        var forms = DumpForm.allCases.map { (name: $0.rawValue, arguments: $0.pgDumpArguments, file: $0.fileName) }
        let help = try cluster.runWithClientEnvironment([cluster.binDirectory + "/pg_dump", "--help"])
        let writesStatistics = help.contains("--statistics ")
        XCTAssertEqual(writesStatistics, major >= 18, "pg_dump \(major) --statistics")
        if writesStatistics {
            forms += [("plainStatistics", ["-Fp", "--statistics"], "plain-statistics.sql"),
                      ("customStatistics", ["-Fc", "--statistics"], "custom-statistics.dump"),
                      ("tarStatistics", ["-Ft", "--statistics"], "tar-statistics.tar")]
        }
        // pg_dump -Fc > file: a redirected standard output is seekable, and pg_dump 16 and later
        // then write a copy of the TOC after the data blocks.
        let redirected = cluster.workDirectory + "/custom-stdout.dump"
        let dumped = try Subprocess.shell("\"$0\" -Fc -d \"$1\" > \"$2\"", arguments: [cluster.binDirectory + "/pg_dump", Self.database, redirected],
                                          environment: cluster.environment)
        XCTAssertEqual(dumped.status, 0, dumped.text)
        let redirectedCore = try CoreSnapshot.convert(redirected, to: cluster.workDirectory + "/custom-stdout.sqlite", label: "PostgreSQL \(major) -Fc > file")
        CoreSnapshot.assertEqual(redirectedCore, reference.core, "PostgreSQL \(major) -Fc > file")
        // The carried tables, which the reference core does not hold (its dump is not pg_dump's):
        // the same in every form, keyed as the server keys them. A plain dump declares the keys
        // after the data, an archive before.
        var carried: (form: String, tables: [String: [String]])?
        for form in forms {
            let path = cluster.workDirectory + "/" + form.file
            try cluster.pgDump(database: Self.database, arguments: form.arguments, output: path)
            let label = "PostgreSQL \(major) \(form.name)"
            let core = try CoreSnapshot.convert(path, to: cluster.workDirectory + "/\(form.name).sqlite", label: label)
            CoreSnapshot.assertEqual(core, reference.core, label)
            let tables = try CoreSnapshot.carriedTables(cluster.workDirectory + "/\(form.name).sqlite")
            if let carried {
                XCTAssertEqual(tables, carried.tables, "\(label): carried tables as \(carried.form) has them")
            } else {
                carried = (form.name, tables)
                let core = try SQLiteDatabase(path: cluster.workDirectory + "/\(form.name).sqlite", readOnly: true)
                var keyed = 0
                for (name, rows) in tables.sorted(by: { $0.key < $1.key }) {
                    let key = try cluster.psql(sql: """
                        SELECT string_agg(a.attname, ',' ORDER BY array_position(i.indkey::int2[], a.attnum))
                        FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                        WHERE i.indrelid = 'public.\(name)'::regclass AND i.indisprimary;
                        """, database: Self.database).trimmingCharacters(in: .whitespacesAndNewlines)
                    let stored = try core.rows("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", [name]).compactMap { $0[0] }
                    XCTAssertEqual(stored.joined(separator: ","), key, "\(label): \(name)'s primary key")
                    XCTAssertGreaterThan(rows.count, 1, "\(label): \(name)'s rows")
                    if !key.isEmpty { keyed += 1 }
                }
                XCTAssertGreaterThan(keyed, 0, "\(label): a carried table with a primary key")
            }
        }
        if writesStatistics {
            // Guards the test: the statistics dump really holds statistics.
            let plain = try String(contentsOfFile: cluster.workDirectory + "/plain-statistics.sql", encoding: .utf8)
            XCTAssertTrue(plain.contains("pg_restore_relation_stats"), "pg_dump \(major) --statistics wrote no statistics")
        }
    }

    /// The legacy table partitioned by hash on gene_id, as a database may hold it: pg_dump writes
    /// each partition's rows under the partition's name (plain: after `ATTACH PARTITION`;
    /// custom: a `TABLE ATTACH` entry), and both forms convert to the reference core's genes and
    /// transcripts, and as many rows in every other table (which spelling of a drug's name is
    /// kept, and the drugs' ids, follow the rows' order, which the partitions change); each
    /// converts to the same core again under `--memory-limit 2MB` (every spill path).
    private func checkPartitionedLegacyTable(_ cluster: PostgresCluster, major: Int) throws {
        let database = "partitioned"
        try cluster.createDatabase(database)
        try cluster.psql(file: reference.legacyDump, database: database)
        try cluster.psql(sql: """
            ALTER TABLE public.cancer_transcript_base RENAME TO legacy_rows;
            CREATE TABLE public.cancer_transcript_base (LIKE public.legacy_rows INCLUDING DEFAULTS) PARTITION BY HASH (gene_id);
            CREATE TABLE public.cancer_transcript_base_p0 PARTITION OF public.cancer_transcript_base FOR VALUES WITH (modulus 3, remainder 0);
            CREATE TABLE public.cancer_transcript_base_p1 PARTITION OF public.cancer_transcript_base FOR VALUES WITH (modulus 3, remainder 1);
            CREATE TABLE public.cancer_transcript_base_p2 PARTITION OF public.cancer_transcript_base FOR VALUES WITH (modulus 3, remainder 2);
            INSERT INTO public.cancer_transcript_base SELECT * FROM public.legacy_rows;
            DROP TABLE public.legacy_rows;
            """, database: database)
        for (form, arguments) in [("plain", ["-Fp"]), ("custom", ["-Fc"])] {
            let path = cluster.workDirectory + "/partitioned-\(form).dump"
            try cluster.pgDump(database: database, arguments: arguments, output: path)
            let label = "PostgreSQL \(major) partitioned legacy table, \(form)"
            let core = try CoreSnapshot.convert(path, to: cluster.workDirectory + "/partitioned-\(form).sqlite", label: label)
            for table in reference.core.keys.sorted() {
                XCTAssertEqual(core[table]?.count, reference.core[table]?.count, "\(label): rows of \(table)")
            }
            XCTAssertEqual(core["genes"], reference.core["genes"], label)
            XCTAssertEqual(core["transcripts"], reference.core["transcripts"], label)
            // With no memory to spare, the same dump (a gene's rows spread over the partitions
            // as pg_dump writes them) gives the same core: every gene state spilled, and the
            // view tables' lookups get no room, so the cross-reference view joins by sorting and
            // the transcript views take their SQL form.
            let tight: Int64 = 2_000_000
            XCTAssertEqual(MemoryBudget(limit: tight).viewLookupBytes, 0)
            let spilled = try CoreSnapshot.convert(path, to: cluster.workDirectory + "/partitioned-\(form)-spilled.sqlite",
                                                   label: label + ", --memory-limit 2MB", memoryLimit: tight)
            CoreSnapshot.assertEqual(spilled, core, label + ", --memory-limit 2MB")
        }
    }

    /// The legacy table with its columns in another order, as a database built by migrations
    /// holds it (a column added later comes last), and with a dropped column between them: the
    /// rows kept in their order, the plain and custom dumps convert to the reference core, and
    /// `inspect` finds the figures it finds in the generated dump.
    private func checkLegacyColumnsInAnotherOrder(_ cluster: PostgresCluster, major: Int) throws {
        let database = "reordered"
        try cluster.createDatabase(database)
        try cluster.psql(file: reference.legacyDump, database: database)
        let names = try cluster.psql(sql: """
            SELECT string_agg(quote_ident(attname), ',' ORDER BY md5(attname)) FROM pg_attribute
            WHERE attrelid = 'public.cancer_transcript_base'::regclass AND attnum > 0 AND NOT attisdropped;
            """, database: database).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").map(String.init)
        XCTAssertEqual(Set(names), Set(LegacyColumns.all.map(\.name)))
        XCTAssertNotEqual(names, LegacyColumns.all.map(\.name), "the columns in another order")
        let rows = Int(try cluster.psql(sql: "SELECT count(*) FROM public.cancer_transcript_base;", database: database)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(reference.legacyFigures?.rows, rows)
        let half = names.count / 2
        // One worker, so that the rows stay in the table's order; the dropped column stays in
        // pg_attribute, between the others.
        try cluster.psql(sql: """
            SET max_parallel_workers_per_gather = 0;
            CREATE TABLE public.reordered AS SELECT \(names[..<half].joined(separator: ", ")), NULL::text AS obsolete, \(names[half...].joined(separator: ", "))
                FROM public.cancer_transcript_base;
            ALTER TABLE public.reordered DROP COLUMN obsolete;
            DROP TABLE public.cancer_transcript_base;
            ALTER TABLE public.reordered RENAME TO cancer_transcript_base;
            """, database: database)
        for (form, arguments) in [("plain", ["-Fp"]), ("custom", ["-Fc"])] {
            let path = cluster.workDirectory + "/reordered-\(form).dump"
            try cluster.pgDump(database: database, arguments: arguments, output: path)
            let label = "PostgreSQL \(major) legacy columns in another order, \(form)"
            let reader = try DumpReader.open(path: path)
            let inspector = Inspector(input: path, format: reader.format)
            try reader.read(into: inspector)
            let report = inspector.finish(info: reader.info)
            let table = try XCTUnwrap(report.tables.first { $0.name == "public.cancer_transcript_base" }, label)
            XCTAssertEqual(table.columns.map(\.name), names, label)
            XCTAssertEqual(report.badValueCount, 0, label)
            XCTAssertEqual(report.legacy?.rows, rows, label)
            XCTAssertEqual(report.legacy, reference.legacyFigures, label)
            let core = try CoreSnapshot.convert(path, to: cluster.workDirectory + "/reordered-\(form).sqlite", label: label)
            CoreSnapshot.assertEqual(core, reference.core, label)
        }
    }

    /// `inspect` reads the tar dump; `convert --to bundle` of it loads into this version with
    /// `load.sh` run with this version's psql, and the server holds what the SQLite core holds.
    private func checkInspectAndBundleOfTheTarDump(_ cluster: PostgresCluster, major: Int) throws {
        let tar = cluster.workDirectory + "/" + DumpForm.tar.fileName
        let reader = try DumpReader.open(path: tar)
        XCTAssertEqual(reader.format, InputFormat(kind: .tar))
        let inspector = Inspector(input: tar, format: reader.format)
        try reader.read(into: inspector)
        let report = inspector.finish(info: reader.info)
        XCTAssertEqual(report.format, "tar")
        XCTAssertTrue(report.pgDumpVersion?.hasPrefix("\(major).") ?? false, "\(String(describing: report.pgDumpVersion))")
        let rows = try cluster.psql(sql: "SELECT count(*) FROM public.cancer_transcript_base;", database: Self.database)
        XCTAssertEqual(report.tables.first { $0.name == "public.cancer_transcript_base" }?.rows, Int(rows.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(report.badValueCount, 0)

        var options = ConversionOptions(input: tar, output: cluster.workDirectory + "/core.bundle")
        options.target = .bundle
        options.progress = .never
        _ = try Conversion.run(options)
        try cluster.createDatabase("loaded")
        try cluster.runWithClientEnvironment(["/bin/sh", options.output + "/load.sh", "loaded"])

        let sqlite = try SQLiteDatabase(path: reference.coreFile, readOnly: true)
        for table in CoreTable.outputTables.map(\.rawValue) + SchemaFiles.viewTables {
            let loaded = try cluster.psql(sql: "SELECT count(*) FROM public.\(table);", database: "loaded")
            XCTAssertEqual(Int(loaded.trimmingCharacters(in: .whitespacesAndNewlines)), try sqlite.scalar("SELECT count(*) FROM \(table)").flatMap { Int($0) },
                           "PostgreSQL \(major) bundle: rows of \(table)")
        }
        // The genes, field by field, hex-encoded so no printing can blur them.
        let columns = ["gene_id", "gene_symbol", "gene_name", "gene_type", "chromosome", "start_position", "end_position", "strand"]
        let loaded = try cluster.psql(sql: """
            SELECT \(columns.map { "encode(convert_to(coalesce(\($0)::text, '-'), 'UTF8'), 'hex')" }.joined(separator: " || '|' || "))
            FROM public.genes ORDER BY convert_to(gene_id, 'UTF8');
            """, database: "loaded").split(separator: "\n").map(String.init)
        let expected = try sqlite.rows("SELECT \(columns.joined(separator: ", ")) FROM genes ORDER BY CAST(gene_id AS BLOB)").map { row in
            row.map { Array(($0 ?? "-").utf8).map { String(format: "%02x", $0) }.joined() }.joined(separator: "|")
        }
        XCTAssertEqual(loaded, expected, "PostgreSQL \(major) bundle: genes")
        XCTAssertFalse(expected.isEmpty)
    }

    /// A v0.5 per-patient database dumped by this version as tar gives the patient the values of
    /// its generated plain dump.
    private func checkPatientDumpInTarForm(_ cluster: PostgresCluster) throws {
        try cluster.createDatabase("patient")
        try cluster.psql(file: reference.patientDump, database: "patient")
        let tar = cluster.workDirectory + "/P1.tar"
        try cluster.pgDump(database: "patient", arguments: ["-Ft"], output: tar)
        let values = try Reference.patientValues(tar, core: reference.coreFile, output: cluster.workDirectory + "/patients-tar")
        XCTAssertEqual(values, reference.patientValues)
    }

    /// `\copy cancer_transcript_base TO '…' CSV HEADER` with values holding CR LF, TAB, quotes,
    /// backslashes and newlines: every field the reader gives equals the server's text output of
    /// the value (read back hex-encoded), and the converted core keeps the genes' fields.
    private func checkCSVExportKeepsEveryByte(_ cluster: PostgresCluster) throws {
        try cluster.psql(sql: #"""
            INSERT INTO public.cancer_transcript_base (transcript_id, gene_symbol, gene_id, gene_type, chromosome, pathways, drugs) VALUES
             ('ENST00000900001', E'CRLF\r\nSYM', 'ENSG00000900001', E'type\r\n"quoted", \\back\tslash', E'chr\r', ARRAY[E'path\r\nway', E'tab\there "q"'],
              jsonb_build_object('DB00001', jsonb_build_object('name', E'drug\r\nname\t"x"\\'))),
             ('ENST00000900002', E'TAB\tSYM', 'ENSG00000900002', E'\r\n', E'line1\nline2', ARRAY['a,b', E'\\', ''], NULL),
             ('ENST00000900003', E'Q"UOTE\\', 'ENSG00000900003', E'x\r\n\r\ny\r', '', '{}', '{}'),
             ('ENST00000900004', 'PLAIN', 'ENSG00000900004', E'"\r\n"', E'\\N', NULL, '{}');
            """#, database: Self.database)
        let csv = cluster.workDirectory + "/cancer_transcript_base.csv"
        try cluster.psql(sql: "\\copy cancer_transcript_base TO '\(csv)' CSV HEADER", database: Self.database)
        let raw = try Data(contentsOf: URL(fileURLWithPath: csv))
        XCTAssertNotNil(raw.range(of: Data("CRLF\r\nSYM".utf8)), "psql writes CR LF raw inside the quotes")

        let expected = try XCTUnwrap(try cluster.tableContents(database: Self.database).first { $0.qualifiedName == "public.cancer_transcript_base" })
        let reader = try DumpReader.open(path: csv)
        XCTAssertEqual(reader.format, InputFormat(kind: .csv))
        let sink = CollectingSink()
        try reader.read(into: sink)
        let table = try XCTUnwrap(sink.tables.first)
        XCTAssertEqual(table.schema.columns.map(\.name), expected.columns)
        XCTAssertEqual(table.fields.count, expected.rows.count)
        var mismatches = 0
        for (index, (actual, wanted)) in zip(table.fields, expected.rows).enumerated() where actual != wanted && mismatches < 5 {
            mismatches += 1
            XCTFail("CSV row \(index + 1): read \(actual.map { $0.map { String(decoding: $0, as: UTF8.self) } }), the server has \(wanted.map { $0.map { String(decoding: $0, as: UTF8.self) } })")
        }

        // Converted, the export gives the core of a dump of the same table (whose COPY text
        // escapes CR and LF), and the symbols as the server holds them.
        let coreFile = cluster.workDirectory + "/csv.sqlite"
        let fromCSV = try CoreSnapshot.convert(csv, to: coreFile, label: "CSV export")
        let dump = cluster.workDirectory + "/legacy-table.sql"
        try cluster.pgDump(database: Self.database, arguments: ["-Fp", "-t", "public.cancer_transcript_base"], output: dump)
        CoreSnapshot.assertEqual(fromCSV, try CoreSnapshot.convert(dump, to: cluster.workDirectory + "/legacy-table.sqlite", label: "plain dump"), "CSV export")
        let genes = try SQLiteDatabase(path: coreFile, readOnly: true)
        var checked = 0
        for (row, wanted) in expected.rows.enumerated() where String(decoding: wanted[0] ?? [], as: UTF8.self).hasPrefix("ENST000009") {
            let geneId = String(decoding: wanted[2] ?? [], as: UTF8.self)
            let stored = try genes.rows("SELECT gene_symbol FROM genes WHERE gene_id = ?", [geneId])
            XCTAssertEqual(stored.map { $0.map { $0.map { Array($0.utf8) } } }, [[wanted[1]]], "CSV row \(row + 1): gene_symbol of \(geneId)")
            checked += 1
        }
        XCTAssertEqual(checked, 4)
    }
}

/// The generated legacy database (`generate --seed 2026 --genes 40 --clean`, one per-patient
/// dump), its core converted from the generated plain dump, and the patient's values.
private final class Reference {
    let folder: String
    let legacyDump: String
    let patientDump: String
    let coreFile: String
    let core: [String: [[String?]]]
    let patientValues: [String: Double]
    /// What `inspect` finds in the generated dump's legacy table.
    let legacyFigures: InspectionReport.Legacy?

    init() throws {
        folder = try Repository.scratchFolder("versions")
        let generated = folder + "/generated"
        let options = GenerateOptions(seed: 2026, genes: 40, patients: 1, formats: [.plain], clean: true, patientDialects: [.legacyDump])
        _ = try DatasetGenerator(options: options).generate(into: generated, replace: false)
        legacyDump = generated + "/mbase.sql"
        let patients = generated + "/" + DatasetGenerator.patientFolder
        guard let patient = try FileManager.default.contentsOfDirectory(atPath: patients).first(where: { $0.hasSuffix(".sql") }) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: patients + "/*.sql"])
        }
        patientDump = patients + "/" + patient
        coreFile = folder + "/core.sqlite"
        core = try CoreSnapshot.convert(legacyDump, to: coreFile, label: "generated dump")
        patientValues = try Self.patientValues(patientDump, core: coreFile, output: folder + "/patients")
        let reader = try DumpReader.open(path: legacyDump)
        let inspector = Inspector(input: legacyDump, format: reader.format)
        try reader.read(into: inspector)
        legacyFigures = inspector.finish(info: reader.info).legacy
        // Guards the comparison: the core holds the generated genes with their links.
        guard core["genes"]?.count == 40, (core["transcripts"]?.count ?? 0) > 40, (core["gene_drug_interactions"]?.count ?? 0) > 0,
              patientValues.count > 40
        else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: legacyDump])
        }
    }

    /// The fold changes `patients` stores for `input`: transcript id → value.
    static func patientValues(_ input: String, core: String, output: String) throws -> [String: Double] {
        var options = PatientBatchOptions(core: core, output: output)
        options.files = [input]
        options.progress = .never
        let report = try PatientBatch.run(options)
        guard let patient = report.patients.first, patient.status == "ok", let file = patient.output else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: input, NSLocalizedDescriptionKey: report.patients.first?.error ?? "no patient"])
        }
        let database = try SQLiteDatabase(path: file, readOnly: true)
        let statement = try database.prepare("SELECT transcript_id, expression_fold_change FROM expression_data")
        var values: [String: Double] = [:]
        while try statement.step() { values[statement.text(0)!] = statement.double(1) }
        return values
    }
}

/// A converted core, table by table, in a form that does not depend on the order of the input's
/// rows or of the keys in its JSON.
///
/// A restore does not keep the dump's row order (PostgreSQL places rows where they fit) and
/// jsonb reorders object keys, while the core numbers drugs in the order it first sees them: so
/// each `drug_interaction_id` is replaced by the drug's own fields, and each table's rows are
/// sorted. Every other value must be equal.
enum CoreSnapshot {
    /// Converts `input` into `output` (SQLite), checks that validation passed, and returns every
    /// core and view table's rows, as text, drugs named by their fields, sorted.
    /// `memoryLimit` is `--memory-limit` (nil: the default).
    static func convert(_ input: String, to output: String, label: String, memoryLimit: Int64? = nil) throws -> [String: [[String?]]] {
        var options = ConversionOptions(input: input, output: output)
        options.progress = .never
        options.force = true
        options.reportPath = output + ".report.json"
        if let memoryLimit { options.memoryLimit = memoryLimit }
        let report = try Conversion.run(options)
        if memoryLimit != nil {
            XCTAssertGreaterThan(report.spill.geneStatesSpilled, 0, "\(label): the gene states spilled")
        }
        XCTAssertTrue(report.validation.allSatisfy(\.passed), "\(label): \(report.validation)")
        let db = try SQLiteDatabase(path: output, readOnly: true)
        // Whatever the dump's row order, `genes` and `transcripts` are stored in id order (the
        // ids' bytes, docs/decisions.md): the stored ids, sorted here, are the ids as stored.
        for (table, id) in [("genes", "gene_id"), ("transcripts", "transcript_id")] {
            let stored = try db.rows("SELECT \(id) FROM \(table) ORDER BY rowid").map { $0[0] ?? "" }
            XCTAssertGreaterThan(stored.count, 1, "\(label): \(table)")
            XCTAssertEqual(stored, stored.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "\(label): \(table) in id order")
        }
        var drugs: [String: String] = [:]
        for row in try db.rows("SELECT * FROM drug_interactions") {
            drugs[row[0] ?? ""] = "drug " + row.dropFirst().map { $0 ?? "NULL" }.description
        }
        var tables: [String: [[String?]]] = [:]
        for table in CoreTable.outputTables.map(\.rawValue) + SchemaFiles.viewTables {
            let columns = try db.rows("SELECT name FROM pragma_table_info(?)", [table]).map { $0[0] }
            var rows = try db.rows("SELECT * FROM \(table)")
            if let drugColumn = columns.firstIndex(of: "drug_interaction_id") {
                for index in rows.indices {
                    rows[index][drugColumn] = rows[index][drugColumn].map { drugs[$0] ?? "unknown drug \($0)" }
                }
            }
            tables[table] = rows.sorted { $0.map { $0 ?? "\u{0}NULL" }.lexicographicallyPrecedes($1.map { $0 ?? "\u{0}NULL" }) }
        }
        return tables
    }

    /// The tables of the core at `path` that are neither core nor view tables (the dump's other
    /// tables, carried through): each one's declaration, then its rows in rowid order.
    static func carriedTables(_ path: String) throws -> [String: [String]] {
        let db = try SQLiteDatabase(path: path, readOnly: true)
        let known = Set(CoreTable.outputTables.map(\.rawValue) + SchemaFiles.viewTables + ["schema_versions"])
        var tables: [String: [String]] = [:]
        for row in try db.rows("SELECT name, sql FROM sqlite_master WHERE type = 'table'") {
            guard let name = row[0], !known.contains(name) else { continue }
            tables[name] = [row[1] ?? "NULL"] + (try db.rows("SELECT * FROM \"\(name)\" ORDER BY rowid").map { $0.map { $0 ?? "NULL" }.joined(separator: "|") })
        }
        return tables
    }

    /// Asserts that two cores hold the same tables with the same rows, naming the first row
    /// that differs.
    static func assertEqual(_ actual: [String: [[String?]]], _ expected: [String: [[String?]]], _ label: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.keys.sorted(), expected.keys.sorted(), "\(label): tables", file: file, line: line)
        for (table, rows) in expected.sorted(by: { $0.key < $1.key }) {
            let got = actual[table] ?? []
            guard got != rows else { continue }
            let index = zip(got, rows).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, rows.count)
            let shown = { (rows: [[String?]]) in index < rows.count ? "\(rows[index])" : "no row" }
            XCTFail("\(label): \(table) has \(got.count) rows, expected \(rows.count); first difference at row \(index + 1): "
                        + "\(shown(got)), expected \(shown(rows))", file: file, line: line)
        }
    }
}
