import Foundation
import MediabaseBytes
import MediabaseSQLite
import MediabaseModel

/// Writes a gzip SQL bundle for PostgreSQL 12 or newer from a finished SQLite core.
///
/// The bundle is the second sink of the one pipeline: the normalizer fills the SQLite core (its
/// deduplication needs the keyed store anyway), and this exports it, table by table in rowid
/// order, as COPY text — so the rules live in one place and both outputs hold the same rows.
///
/// Layout of the folder:
///
/// | file | holds |
/// |---|---|
/// | `01_schema.sql.gz` | `schemas/postgres/schema.pg.sql` and the carried tables' `CREATE TABLE` |
/// | `02_data.sql.gz` | one `COPY ... FROM stdin` block per table, `schema_versions` first |
/// | `03_constraints_indexes.sql.gz` | `constraints.pg.sql` and the carried tables' keys |
/// | `04_views.sql.gz` | `views.pg.sql`: the eight materialized views |
/// | `load.sh` | streams the parts through one `psql --single-transaction` |
/// | `manifest.json` | see ``BundleManifest`` |
///
/// Every part starts with the same settings (UTF-8, standard strings, `search_path` =
/// `pg_catalog` with every table qualified `public.`), so the parts mean the same whatever the
/// server's or the user's defaults. The same core and flags give the same bytes, whatever
/// `threads` is (see ``GzipWriter``).
package struct BundleWriter {
    package static let schemaPart = "01_schema.sql.gz"
    package static let dataPart = "02_data.sql.gz"
    package static let constraintsPart = "03_constraints_indexes.sql.gz"
    package static let viewsPart = "04_views.sql.gz"
    package static let loadScript = "load.sh"
    /// The gzip level when `--compression-level` is not given: 4, the fastest level that still
    /// searches lazily (docs/decisions.md, "Bundle compression level"): on the benchmark's 1 GB
    /// dumps its parts are 5.6 to 7.6 % larger than at zlib's default 6, in 58 % of the
    /// compression's CPU time; level 9 costs about six times level 6's for half a percent.
    package static let defaultLevel: Int32 = 4

    private let database: SQLiteDatabase
    private let carriedTables: [SQLiteCoreWriter.CarriedTable]
    private let threads: Int
    private let level: Int32

    /// - Parameters:
    ///   - database: a finished core (``SQLiteCoreWriter`` made with `.postgresText` carried values).
    ///   - carriedTables: the carried tables, as ``SQLiteCoreWriter/carriedTables`` lists them.
    ///   - threads: compression threads.
    package init(database: SQLiteDatabase, carriedTables: [SQLiteCoreWriter.CarriedTable], threads: Int, level: Int32 = BundleWriter.defaultLevel) {
        self.database = database
        self.carriedTables = carriedTables
        self.threads = threads
        self.level = level
    }

    /// Creates `folder` (which must not exist) and writes the bundle into it; `progress` is told
    /// of each table exported.
    /// - Parameter inputs: the manifest's inputs, asked for last (an input's digest may still be
    ///   under way while the parts are written).
    /// - Returns: the manifest, also written as `manifest.json`.
    package func write(to folder: String, inputs: () throws -> [BundleManifest.Input], progress: ProgressReporter? = nil) throws -> BundleManifest {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        } catch {
            throw MediabaseError.io(path: folder, message: "cannot create the bundle folder: \(error.localizedDescription)")
        }
        let pool = try CompressionPool(threads: threads, level: level)
        defer { pool.shutdown() }
        var manifest = BundleManifest()

        manifest.files.append(try writePart(Self.schemaPart, in: folder, pool: pool) { part in
            try part.write(SchemaFiles.postgresSchema)
            for table in carriedTables { try part.write(try Self.createStatement(table)) }
        })
        var rows: [String: Int] = [:]
        manifest.files.append(try writePart(Self.dataPart, in: folder, pool: pool) { part in
            for table in SchemaFiles.postgresTables {
                let columns = try table.columns.map { ($0.name, try TableExporter.Kind.forCoreType($0.type ?? "")) }
                rows[table.name] = try TableExporter(table: table.name, columns: columns).export(from: database, into: part)
                progress?.stepDone()
            }
            // Carried values are the dump's own text for their type: exported as they are.
            for table in carriedTables {
                let exporter = TableExporter(table: table.name, columns: table.columns.map { ($0.name, .text) })
                rows[table.name] = try exporter.export(from: database, into: part)
                progress?.stepDone()
            }
        })
        manifest.rowsPerTable = rows
        manifest.files.append(try writePart(Self.constraintsPart, in: folder, pool: pool) { part in
            try part.write(SchemaFiles.postgresConstraints)
            for table in carriedTables where !table.primaryKey.isEmpty {
                let key = try table.primaryKey.map(PostgresNames.quoted).joined(separator: ", ")
                try part.write("\nALTER TABLE ONLY \(try PostgresNames.qualified(table.name)) ADD PRIMARY KEY (\(key));\n")
            }
        })
        manifest.files.append(try writePart(Self.viewsPart, in: folder, pool: pool) { part in
            try part.write(SchemaFiles.postgresViews)
        })

        manifest.inputs = try inputs()
        let script = SchemaFiles.loadScript
        let scriptPath = (folder as NSString).appendingPathComponent(Self.loadScript)
        try write(Data(script.utf8), to: scriptPath)
        try OutputFile.setPermissions(0o755, at: scriptPath)
        manifest.files.append(BundleManifest.File(name: Self.loadScript, bytes: Int64(script.utf8.count), sha256: FileDigest.sha256(bytes: Data(script.utf8))))

        try write(try manifest.encoded(), to: (folder as NSString).appendingPathComponent(BundleManifest.fileName))
        return manifest
    }

    /// The settings every part starts with. Each part sets them again so that none depends on
    /// what ran before it, and none depends on the server's or the role's defaults.
    package static func partHeader(_ name: String) -> String {
        """
        -- mediabase \(MediabaseVersion.current) bundle part \(name); load the bundle with load.sh.
        SET client_encoding = 'UTF8';
        SET standard_conforming_strings = on;
        SET client_min_messages = warning;
        SET search_path = pg_catalog;
        SET datestyle = 'ISO, YMD';
        SET intervalstyle = 'postgres';


        """
    }

    /// `CREATE TABLE` for a carried table: its columns with the dump's types (see
    /// ``PostgresNames/columnType(_:)``), names validated and quoted.
    static func createStatement(_ table: SQLiteCoreWriter.CarriedTable) throws -> String {
        let columns = try table.columns.map { "    \(try PostgresNames.quoted($0.name)) \(PostgresNames.columnType($0.type))" }
        return "\nCREATE TABLE \(try PostgresNames.qualified(table.name)) (\n\(columns.joined(separator: ",\n"))\n);\n"
    }

    private func writePart(_ name: String, in folder: String, pool: CompressionPool, _ body: (GzipWriter) throws -> Void) throws -> BundleManifest.File {
        let writer = try GzipWriter(path: (folder as NSString).appendingPathComponent(name), pool: pool)
        try writer.write(Self.partHeader(name))
        try body(writer)
        let (sha256, bytes) = try writer.finish()
        return BundleManifest.File(name: name, bytes: bytes, sha256: sha256)
    }

    private func write(_ data: Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw MediabaseError.io(path: path, message: error.localizedDescription)
        }
    }
}
