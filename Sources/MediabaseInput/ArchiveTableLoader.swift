import MediabaseBytes
import MediabaseModel
/// Turns the data of an archive's `TABLE DATA` entries into rows, shared by the custom and
/// directory readers.
///
/// Column names and types come from the archive itself: the `CREATE TABLE` definitions and
/// primary-key constraints of the TOC are learned up front (the TOC is complete before any
/// data), and each data payload is read as pg_dump wrote it: COPY text when the entry has a
/// COPY statement, `INSERT` statements (`pg_dump --inserts`) when it has none.
final class ArchiveTableLoader {
    private let file: String
    private let catalog = SQLCatalog()
    private let row = RowBuffer()

    /// - Parameter file: the archive path, naming the input in errors.
    init(toc: ArchiveTOC, file: String) throws {
        self.file = file
        for entry in toc.entries where entry.desc == "TABLE" || entry.desc == "CONSTRAINT" || entry.desc == "TABLE ATTACH" {
            guard let definition = entry.definition, !definition.isEmpty else { continue }
            try Self.parsing(entry, "definition", file: file) { try catalog.learn(statement: definition) }
        }
    }

    /// Runs `body` on SQL from `entry`'s `field`, reporting a tokenizer failure with the table.
    private static func parsing<T>(_ entry: ArchiveTOCEntry, _ field: String, file: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DecodeError {
            throw MediabaseError.malformedInput(
                SourceLocation(file: file, table: tableName(entry)),
                expected: "\(error.expected) at byte \(error.offset) of the \(field) in TOC entry \(entry.dumpId)")
        }
    }

    /// The entries whose rows a reader streams.
    static func carriesRows(_ entry: ArchiveTOCEntry) -> Bool { entry.isTableData && entry.hasData }

    /// A name for the entry's table in errors: `schema.tag`.
    static func tableName(_ entry: ArchiveTOCEntry) -> String {
        let tag = entry.tag ?? "dump id \(entry.dumpId)"
        guard let schema = entry.namespace, !schema.isEmpty else { return tag }
        return "\(schema).\(tag)"
    }

    /// Streams the rows of `entry` from its decompressed data `payload` into `sink`, then reads
    /// the payload to its end: past the blank lines after `\.` lie the end of a compressed
    /// stream and its checksum, and in a custom archive the block's end marker.
    ///
    /// - Parameter payloadName: names the payload in row errors, whose lines and offsets count
    ///   from the start of the payload (a data block or data file).
    func readRows(of entry: ArchiveTOCEntry, payload: ByteStream, payloadName: String, sink: DumpSink) throws {
        try decodeRows(of: entry, payload: payload, payloadName: payloadName, sink: sink)
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        var span = scratch.mutableSpan
        while try payload.read(into: &span) > 0 {}
    }

    private func decodeRows(of entry: ArchiveTOCEntry, payload: ByteStream, payloadName: String, sink: DumpSink) throws {
        let table = Self.tableName(entry)
        guard !entry.withOIDs else {
            throw MediabaseError.unsupportedInput(
                SourceLocation(file: file, table: table),
                reason: "the table was dumped WITH OIDS, which PostgreSQL 12 and later cannot restore")
        }
        guard let copyStatement = entry.copyStatement, !copyStatement.isEmpty else {
            // The payload has no SET lines, but needs none: pg_dump writes a literal containing
            // backslashes as E'…' when standard_conforming_strings is off (appendStringLiteral in
            // fe_utils/string_utils.c), so the INSERT reader's default reads either setting.
            let tracker = TableStartTracker(sink)
            try PlainDumpReader(stream: payload, file: payloadName, catalog: catalog).read(into: tracker)
            // An empty table has no INSERT statement to announce it; report it as COPY data would.
            if !tracker.began, let tag = entry.tag,
               let schema = catalog.schema(schema: entry.namespace, name: tag, dataColumns: nil) {
                try sink.beginTable(schema)
                try sink.endTable(schema, rows: 0, bytes: 0)
            }
            return
        }
        let tokens = try Self.parsing(entry, "COPY statement", file: file) { try SQLStatements.tokens(copyStatement) }
        guard let copy = SQLStatements.parseCopy(tokens),
              let schema = catalog.schema(schema: copy.name.schema, name: copy.name.name, dataColumns: copy.columns)
        else {
            throw MediabaseError.malformedInput(
                SourceLocation(file: file, table: table),
                expected: "a COPY statement naming the table's columns in its TOC entry, not \"\(copyStatement)\"")
        }
        try sink.beginTable(schema)
        let lines = LineReader(stream: payload, name: payloadName)
        let result = try CopyData.readRows(lines: lines, table: schema, file: payloadName, sink: sink, row: row)
        try sink.endTable(schema, rows: result.rows, bytes: result.bytes)
    }
}

/// Forwards to a sink, noting whether a table was begun.
private final class TableStartTracker: DumpSink {
    private let target: DumpSink
    private(set) var began = false

    init(_ target: DumpSink) { self.target = target }

    func beginTable(_ table: TableSchema) throws {
        began = true
        try target.beginTable(table)
    }

    func row(_ row: RowBuffer) throws { try target.row(row) }

    func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {
        try target.endTable(table, rows: rows, bytes: bytes)
    }

    func primaryKeyDeclared(_ table: TableSchema) throws { try target.primaryKeyDeclared(table) }
}
