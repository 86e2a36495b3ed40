import Foundation
import MediabaseBytes
import MediabaseModel

/// Facts a dump states about itself, for `inspect` and reports.
package struct DumpInfo: Sendable, Equatable {
    /// `Dumped from database version` (plain) or the archive's server version.
    package var serverVersion: String?
    /// `Dumped by pg_dump version` (plain) or the archive's pg_dump version.
    package var pgDumpVersion: String?
    /// Archive format version (`1.14`) for custom and directory archives.
    package var archiveVersion: String?
    /// `client_encoding` the data is written in.
    package var encoding: String?
    /// Compression of the data (`gzip`, `none`).
    package var compression: String?
    /// Database name recorded in an archive header, or named by `\connect`.
    package var database: String?
    /// Whether the dump carries `\restrict` lines, which pg_dump writes from 14.19, 15.14, 16.10,
    /// 17.6 and 18 on.
    package var restricted = false
    /// The last line of a pg_dump script (one with pg_dump's header) that lacks pg_dump's
    /// closing comment, `-- PostgreSQL database dump complete`: a file cut where a statement or
    /// COPY block ends (a cut elsewhere is an error); nil otherwise.
    package var endsEarlyAtLine: Int?

    package init() {}

    /// Whether text in `encoding` (a `client_encoding`) is read as UTF-8: UTF-8 itself, and
    /// `SQL_ASCII` (bytes as the database stored them, UTF-8 in a MEDIABASE database).
    package static func readsAsUTF8(_ encoding: String) -> Bool {
        ["UTF8", "UTF-8", "UNICODE", "SQL_ASCII"].contains(encoding.uppercased())
    }

    /// What a summary says of ``endsEarlyAtLine``.
    package static func endsEarlyWarning(line: Int) -> String {
        "the dump ends at line \(line) without pg_dump's closing comment (-- PostgreSQL database dump complete): "
            + "a file cut short? What came after is missing"
    }
}

/// Reads a pg_dump plain-format script (`-Fp`, what `psql` replays): COPY blocks, INSERT
/// statements, and the DDL that names and types their columns.
///
/// Statements are split the way psql splits them (a `;` outside quotes, dollar quotes and
/// comments); psql meta-commands (`\restrict`, `\unrestrict`, `\connect`, ...) are lines starting
/// with a backslash between statements. Statements that carry no data are read past.
package final class PlainDumpReader {
    private let stream: ByteStream
    private let file: String
    /// Table definitions, shared with the archive readers that feed INSERT payloads through here.
    package let catalog: SQLCatalog
    /// What the script says about itself (versions, encoding), filled while reading.
    package private(set) var info = DumpInfo()
    private var standardConformingStrings = true
    private var insertTable: (name: QualifiedName, schema: TableSchema, rows: Int, bytes: Int64)?
    private let row = RowBuffer()
    /// The first table whose data was read, and the line its data began at: a pg_dump header or
    /// a `\connect` to another database after data is a second dump in the file (concatenated,
    /// or pg_dumpall's databases). A table's data in several blocks is not: hand-made scripts
    /// load in batches.
    private var firstData: (table: String, line: Int)?
    /// The tables whose data was given, as ``DumpSink/beginTable(_:)`` got them: a primary key
    /// declared after the data is the sink's to apply (``DumpSink/primaryKeyDeclared(_:)``).
    private var delivered: [QualifiedName: TableSchema] = [:]
    /// What the last `\connect` named.
    private var connectTarget: String?
    /// Whether pg_dump's closing comment was read.
    private var sawClosingComment = false

    package init(stream: ByteStream, file: String, catalog: SQLCatalog = SQLCatalog()) {
        self.stream = stream
        self.file = file
        self.catalog = catalog
    }

    /// Streams every table's rows into `sink`. When the stream is a regular file read as is and
    /// the sink a ``CopyBlockSink``, the sink reads the COPY blocks itself.
    package func read(into sink: DumpSink) throws {
        let lines = LineReader(stream: stream, name: file)
        var statement: [UInt8] = []
        statement.reserveCapacity(64 * 1024)
        var scanner = StatementScanner()
        var statementLine = 0
        var statementOffset: Int64 = 0
        while let line = try lines.nextLineBytes() {
            var position = 0
            if statement.isEmpty, scanner.isIdle {
                let trimmed = Self.trimLeadingSpace(line)
                if trimmed.isEmpty { continue }
                if trimmed.hasPrefix("--") {
                    try noteComment(trimmed, lines: lines)
                    continue
                }
                if trimmed[0] == 0x5C {
                    try metaCommand(trimmed, lines: lines)
                    continue
                }
            }
            while position < line.count {
                if statement.isEmpty, scanner.isIdle {
                    if Self.trimLeadingSpace(line.extracting(position...)).isEmpty { break }
                    statementLine = lines.lineNumber
                    statementOffset = lines.lineOffset + Int64(position)
                }
                guard let end = scanner.scan(line, from: position, into: &statement) else { break }
                try handle(statement: statement.span, line: statementLine, offset: statementOffset, lines: lines, sink: sink)
                statement.removeAll(keepingCapacity: true)
                scanner.standardConformingStrings = standardConformingStrings
                position = end
                if scanner.startedData { break }
            }
            if !statement.isEmpty || !scanner.isIdle { statement.append(0x0A) }
            scanner.endLine()
        }
        if !Self.trimLeadingSpace(statement.span).isEmpty || !scanner.isIdle {
            throw MediabaseError.malformedInput(
                SourceLocation(file: file, line: statementLine, byteOffset: statementOffset),
                expected: "the statement starting here to end with ';' (\(scanner.openConstruct)): truncated file?")
        }
        try finishInsertTable(sink: sink)
        if info.pgDumpVersion != nil, !sawClosingComment { info.endsEarlyAtLine = lines.lineNumber }
    }

    @_lifetime(copy bytes)
    static func trimLeadingSpace(_ bytes: Span<UInt8>) -> Span<UInt8> {
        var index = 0
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0D { index += 1 }
        return bytes.extracting(index...)
    }

    private func noteComment(_ comment: Span<UInt8>, lines: LineReader) throws {
        let text = String(utf8: comment.droppingCR())
        if text.hasPrefix("-- Dumped from database version ") {
            try requireNoDataYet("a second pg_dump header", lines)
            info.serverVersion = String(text.dropFirst("-- Dumped from database version ".count))
        } else if text.hasPrefix("-- PostgreSQL database dump complete") {
            sawClosingComment = true
        } else if text.hasPrefix("-- Dumped by pg_dump version ") {
            info.pgDumpVersion = String(text.dropFirst("-- Dumped by pg_dump version ".count))
        }
    }

    private func metaCommand(_ command: Span<UInt8>, lines: LineReader) throws {
        let text = String(utf8: command.droppingCR())
        let word = text.prefix { $0 != " " && $0 != "\t" }
        switch word {
        case "\\restrict", "\\unrestrict":
            info.restricted = true
        case "\\connect", "\\c":
            let database = text.split(separator: " ").dropFirst().first.map(String.init)
            // pg_dump --create connects once, before any data; pg_dumpall connects to each database
            // (`\connect name`, or `\connect -reuse-previous=on "dbname='name'"`).
            let target = text.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
            defer { connectTarget = target }
            if target != connectTarget { try requireNoDataYet("a \\connect to \(database ?? "another database")", lines) }
            info.database = database
        case "\\.":
            throw MediabaseError.malformedInput(
                SourceLocation(file: file, line: lines.lineNumber, byteOffset: lines.lineOffset),
                expected: "an SQL statement, not an end-of-data marker \\. outside a COPY block")
        default:
            break
        }
    }

    private func handle(statement: Span<UInt8>, line: Int, offset: Int64, lines: LineReader, sink: DumpSink) throws {
        let location = SourceLocation(file: file, line: line, byteOffset: offset)
        var head = SQLTokenizer(statement, standardConformingStrings: standardConformingStrings)
        let first: SQLToken?
        do { first = try head.next() } catch let error as DecodeError { throw malformed(error, location) }
        if first != .word("insert") { try finishInsertTable(sink: sink) }
        switch first {
        case .word("insert")?:
            try insert(statement, location: location, sink: sink)
        case .word("copy")?:
            let tokens = try tokenize(statement, location)
            guard let copy = SQLStatements.parseCopy(tokens) else { return }
            guard let table = catalog.schema(schema: copy.name.schema, name: copy.name.name, dataColumns: copy.columns) else {
                throw MediabaseError.malformedInput(location, expected: "a column list in COPY, or an earlier CREATE TABLE for \(copy.name.name)")
            }
            noteData(of: table, at: location)
            try sink.beginTable(table)
            if let blockSink = sink as? CopyBlockSink, let file = stream as? FileByteStream, let size = file.size,
               let end = try blockSink.readCopyBlock(CopyBlock(
                   table: table, file: file, size: Int(size), fileName: self.file, start: Int(lines.nextOffset), startLine: lines.lineNumber)) {
                try lines.skip(to: Int64(end.offset), lines: end.lines)
                try sink.endTable(table, rows: end.rows, bytes: end.bytes)
            } else {
                let counts = try CopyData.readRows(lines: lines, table: table, file: file, sink: sink, row: row)
                try sink.endTable(table, rows: counts.rows, bytes: counts.bytes)
            }
        case .word("create")?, .word("alter")?:
            let second = try? head.next()
            let third = try? head.next()
            let isTable = second == .word("table") || third == .word("table")
            guard isTable else { return }
            let tokens = try tokenize(statement, location)
            catalog.learn(tokens: tokens)
            if let key = SQLStatements.parsePrimaryKey(tokens), var table = delivered[key.name] {
                table.primaryKey = key.columns
                try sink.primaryKeyDeclared(table)
            }
        case .word("set")?:
            let tokens = try tokenize(statement, location)
            guard tokens.count >= 4, case let .word(name) = tokens[1] else { return }
            let value: String
            switch tokens[3] {
            case let .word(word): value = word
            case let .string(bytes): value = String(decoding: bytes, as: UTF8.self)
            default: return
            }
            if name == "standard_conforming_strings" { standardConformingStrings = value.lowercased() != "off" }
            if name == "client_encoding" { info.encoding = value }
        default:
            break
        }
    }

    private func tokenize(_ statement: Span<UInt8>, _ location: SourceLocation) throws -> [SQLToken] {
        var tokenizer = SQLTokenizer(statement, standardConformingStrings: standardConformingStrings)
        var tokens: [SQLToken] = []
        do {
            while let token = try tokenizer.next() { tokens.append(token) }
        } catch let error as DecodeError {
            throw malformed(error, location)
        }
        return tokens
    }

    private func malformed(_ error: DecodeError, _ location: SourceLocation) -> MediabaseError {
        var at = location
        at.byteOffset = (location.byteOffset ?? 0) + Int64(error.offset)
        return .malformedInput(at, expected: error.expected)
    }

    private func insert(_ statement: Span<UInt8>, location: SourceLocation, sink: DumpSink) throws {
        var table: TableSchema?
        do {
            try InsertStatement.parse(
                statement, standardConformingStrings: standardConformingStrings,
                head: { insert in
                    if let current = insertTable, current.name == insert.table,
                       insert.columns == nil || insert.columns! == current.schema.columns.map(\.name) {
                        table = current.schema
                        return
                    }
                    try finishInsertTable(sink: sink)
                    guard let schema = catalog.schema(schema: insert.table.schema, name: insert.table.name, dataColumns: insert.columns) else {
                        throw MediabaseError.malformedInput(location, expected: "a column list in INSERT, or an earlier CREATE TABLE for \(insert.table.name)")
                    }
                    noteData(of: schema, at: location)
                    try sink.beginTable(schema)
                    insertTable = (insert.table, schema, 0, 0)
                    table = schema
                },
                emit: { row in
                    guard let table else { return }
                    row.line = location.line ?? 0
                    row.byteOffset = location.byteOffset ?? 0
                    guard row.count == table.columns.count else {
                        var at = location
                        at.table = table.qualifiedName
                        throw MediabaseError.malformedInput(at, expected: "\(table.columns.count) values (\(table.columns.map(\.name).joined(separator: ", "))), found \(row.count)")
                    }
                    try sink.row(row)
                    insertTable?.rows += 1
                    insertTable?.bytes += Int64(row.rawBytes.count)
                },
                row: row)
        } catch let error as DecodeError {
            var at = location
            at.table = table?.qualifiedName
            throw malformed(error, at)
        }
    }

    /// Notes where the first data began, and that `table`'s data was given.
    private func noteData(of table: TableSchema, at location: SourceLocation) {
        if firstData == nil { firstData = (table.qualifiedName, location.line ?? 0) }
        delivered[QualifiedName(schema: table.schema, name: table.name)] = table
    }

    /// Throws when data was read before: `what`, at `lines`' current line, starts a second dump.
    private func requireNoDataYet(_ what: String, _ lines: LineReader) throws {
        guard let (table, line) = firstData else { return }
        throw MediabaseError.malformedInput(
            SourceLocation(file: file, line: lines.lineNumber, byteOffset: lines.lineOffset),
            expected: "one database's dump, not \(what) after the data of \(table) (line \(line)): two dumps in one file "
                + "(concatenated, or pg_dumpall's databases)? Convert one database's pg_dump (pg_dump -d NAME)")
    }

    private func finishInsertTable(sink: DumpSink) throws {
        guard let current = insertTable else { return }
        insertTable = nil
        try sink.endTable(current.schema, rows: current.rows, bytes: current.bytes)
    }
}

/// Finds statement ends in SQL text fed line by line, tracking quotes, dollar quotes and
/// comments across lines (psql's lexer, psqlscan.l, in miniature).
struct StatementScanner {
    private enum State: Equatable {
        case normal
        case singleQuote(backslashEscapes: Bool)
        case doubleQuote
        case dollarQuote([UInt8])
        case blockComment(depth: Int)
    }

    private var state = State.normal
    /// Set when the statement just ended was a `COPY ... FROM stdin`, whose data follows on the
    /// next line (the rest of the line is not SQL).
    private(set) var startedData = false
    var standardConformingStrings = true

    var isIdle: Bool { state == .normal }

    var openConstruct: String {
        switch state {
        case .normal: return "no ';' found"
        case .singleQuote: return "inside a string constant"
        case .doubleQuote: return "inside a quoted identifier"
        case let .dollarQuote(tag): return "inside a \(String(decoding: tag, as: UTF8.self)) dollar-quoted string"
        case .blockComment: return "inside a /* comment */"
        }
    }

    mutating func endLine() { startedData = false }

    /// Appends statement bytes from `line[from...]` to `statement` until a `;` outside any quote
    /// or comment; returns the index after the `;`, or nil when the line ended first.
    mutating func scan(_ line: Span<UInt8>, from: Int, into statement: inout [UInt8]) -> Int? {
        var index = from
        let count = line.count
        while index < count {
            let byte = line[index]
            switch state {
            case .normal:
                switch byte {
                case 0x3B:
                    startedData = Self.isCopyFromStdin(statement)
                    return index + 1
                case 0x27:
                    var escapes = !standardConformingStrings
                    if let last = statement.last, last | 0x20 == UInt8(ascii: "e") {
                        let beforeLast = statement.count >= 2 ? statement[statement.count - 2] : 0x20
                        if !SQLTokenizer.isIdentifierByte(beforeLast) { escapes = true }
                    }
                    state = .singleQuote(backslashEscapes: escapes)
                case 0x22:
                    state = .doubleQuote
                case 0x24:
                    let previous = statement.last ?? 0x20
                    if !SQLTokenizer.isIdentifierByte(previous), let tag = SQLTokenizer.dollarTag(line, at: index) {
                        statement.append(contentsOf: tag)
                        index += tag.count
                        state = .dollarQuote(tag)
                        continue
                    }
                case 0x2D where index + 1 < count && line[index + 1] == 0x2D:
                    return nil
                case 0x2F where index + 1 < count && line[index + 1] == 0x2A:
                    state = .blockComment(depth: 1)
                    index += 2
                    continue
                default:
                    break
                }
                statement.append(byte)
                index += 1
            case let .singleQuote(backslashEscapes):
                // Copy a run of ordinary string bytes at once.
                let end = line.firstIndex(of: 0x27, or: 0x5C, from: index) ?? count
                statement.append(line.extracting(index..<end))
                index = end
                guard index < count else { return nil }
                if line[index] == 0x5C {
                    statement.append(0x5C)
                    index += 1
                    if backslashEscapes, index < count {
                        statement.append(line[index])
                        index += 1
                    }
                    continue
                }
                statement.append(0x27)
                index += 1
                if index < count, line[index] == 0x27 {
                    statement.append(0x27)
                    index += 1
                } else {
                    state = .normal
                }
            case .doubleQuote:
                statement.append(byte)
                index += 1
                if byte == 0x22 { state = .normal }
            case let .dollarQuote(tag):
                if byte == 0x24, index + tag.count <= count, line.extracting(index..<(index + tag.count)).elementsEqual(tag) {
                    statement.append(contentsOf: tag)
                    index += tag.count
                    state = .normal
                } else {
                    statement.append(byte)
                    index += 1
                }
            case let .blockComment(depth):
                if byte == 0x2F, index + 1 < count, line[index + 1] == 0x2A {
                    state = .blockComment(depth: depth + 1)
                    index += 2
                } else if byte == 0x2A, index + 1 < count, line[index + 1] == 0x2F {
                    state = depth == 1 ? .normal : .blockComment(depth: depth - 1)
                    index += 2
                    if state == .normal { statement.append(0x20) }
                } else {
                    index += 1
                }
            }
        }
        return nil
    }

    /// Whether the statement is `COPY ... FROM stdin` (data follows it).
    private static func isCopyFromStdin(_ statement: [UInt8]) -> Bool {
        var start = 0
        while start < statement.count, statement[start] == 0x20 || statement[start] == 0x0A || statement[start] == 0x09 || statement[start] == 0x0D { start += 1 }
        guard statement.count - start >= 4 else { return false }
        let word = statement[start..<(start + 4)].map { $0 | 0x20 }
        guard word == Array("copy".utf8) else { return false }
        let lower = String(decoding: statement.suffix(32), as: UTF8.self).lowercased()
        return lower.contains("stdin")
    }
}
