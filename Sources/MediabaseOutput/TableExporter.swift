import Foundation
import MediabaseBytes
import MediabaseSQLite

/// Streams one SQLite table out as a PostgreSQL `COPY ... FROM stdin;` block, in rowid order
/// (what `sqlite3 .dump` shows), straight into a ``GzipWriter``.
///
/// Why the block is safe to hand to `psql` whatever the data holds: every field goes through
/// ``CopyText/encodeText(_:into:)`` (``CopyText/encodeField(_:into:)`` with the UTF-8 check),
/// which escapes backslash, TAB, LF and CR (and the other letter escapes). So a data line never
/// holds a raw TAB inside a field or a line break, and a line can never read `\.` — a backslash
/// in the data is always written doubled — which is the only thing psql looks for while it
/// passes COPY data to the server (it runs no meta-commands there) and the only way the
/// server's COPY ends. Text is checked to be valid UTF-8 without NUL
/// bytes (the parts declare `client_encoding = 'UTF8'`), numbers to fit their column, and JSON to
/// be jsonb-loadable, so a bundle that converts also loads; a value that would not is reported
/// with its table, row and column, and the conversion stops.
package struct TableExporter {
    /// How a column's SQLite value becomes PostgreSQL text.
    enum Kind {
        /// Text as stored (carried tables: the dump's own text for any type).
        case text
        /// An integer type, with its range.
        case integer(ClosedRange<Int64>)
        case double
        /// JSON text, checked to be loadable as jsonb.
        case jsonb
        /// A JSON array of strings in SQLite, a `text[]` literal in PostgreSQL.
        case textArray

        /// The kind for a column type of `schemas/postgres/schema.pg.sql`.
        static func forCoreType(_ type: String) throws -> Kind {
            switch type {
            case "text": return .text
            case "smallint": return .integer(Int64(Int16.min)...Int64(Int16.max))
            case "integer": return .integer(Int64(Int32.min)...Int64(Int32.max))
            case "bigint": return .integer(Int64.min...Int64.max)
            case "double precision": return .double
            case "jsonb": return .jsonb
            case "text[]": return .textArray
            default: throw MediabaseError.internalError("schema.pg.sql: the bundle writer has no export rule for the type \(type)")
            }
        }
    }

    /// The table's name in SQLite and in PostgreSQL.
    let table: String
    let columns: [(name: String, kind: Kind)]

    /// Writes the COPY block and returns the number of rows. Each row is encoded straight into
    /// the gzip writer's chunk buffer.
    func export(from database: SQLiteDatabase, into output: GzipWriter) throws -> Int {
        let names = try columns.map { try PostgresNames.quoted($0.name) }
        try output.write("COPY \(try PostgresNames.qualified(table)) (\(names.joined(separator: ", "))) FROM stdin;\n")
        let statement = try database.prepare("SELECT \(columns.map { SQLiteCoreWriter.quoted($0.name) }.joined(separator: ", ")) FROM \(SQLiteCoreWriter.quoted(table))\(rowidOrder)")
        let kinds = columns.map(\.kind)
        var scratch: [UInt8] = []
        var rows = 0
        while try statement.step() {
            try output.append { line in
                for index in kinds.indices {
                    if index > 0 { line.append(ASCII.tab) }
                    do {
                        try Self.appendValue(statement, index, kinds[index], to: &line, scratch: &scratch)
                    } catch let problem as ValueProblem {
                        throw MediabaseError.unrepresentable("cannot export row \(rows + 1) of \(table), column \(columns[index].name), to PostgreSQL: \(problem.message)")
                    }
                }
                line.append(ASCII.newline)
            }
            rows += 1
        }
        try output.write("\\.\n\n")
        return rows
    }

    /// `ORDER BY rowid`, unless the table has a column of that name (then SQLite's `rowid` means
    /// the column); the other two aliases are tried before giving up on an explicit order.
    private var rowidOrder: String {
        let taken = Set(columns.map { $0.name.lowercased() })
        guard let alias = ["rowid", "_rowid_", "oid"].first(where: { !taken.contains($0) }) else { return "" }
        return " ORDER BY \(alias)"
    }

    /// Why a value cannot be exported.
    struct ValueProblem: Error {
        var message: String
    }

    /// Appends column `index` of the current row as COPY text (`\N` for NULL). Text is read with
    /// ``SQLiteStatement/storedTextBytes(_:)``, which also tells NULL; numbers by their storage class.
    static func appendValue(_ statement: SQLiteStatement, _ index: Int, _ kind: Kind, to line: inout [UInt8], scratch: inout [UInt8]) throws {
        switch kind {
        case .text:
            guard let bytes = statement.storedTextBytes(index) else { return CopyText.encodeNull(into: &line) }
            try appendText(bytes, to: &line)
        case let .integer(range):
            let storage = statement.storageClass(index)
            if storage == .null { return CopyText.encodeNull(into: &line) }
            guard storage == .integer else { throw ValueProblem(message: "an integer is needed, found \(describe(statement, index))") }
            let value = statement.int64(index)
            guard range.contains(value) else { throw ValueProblem(message: "\(value) is out of the column type's range \(range)") }
            appendInteger(value, to: &line)
        case .double:
            let storage = statement.storageClass(index)
            if storage == .null { return CopyText.encodeNull(into: &line) }
            guard storage == .float || storage == .integer else { throw ValueProblem(message: "a number is needed, found \(describe(statement, index))") }
            appendDouble(statement.double(index), to: &line)
        case .jsonb:
            guard let bytes = statement.storedTextBytes(index) else { return CopyText.encodeNull(into: &line) }
            do {
                _ = try JSON.validate(bytes)
            } catch let error as DecodeError {
                throw ValueProblem(message: "not valid JSON: expected \(error.expected) at byte \(error.offset)")
            }
            if hasNULEscape(bytes) { throw ValueProblem(message: "jsonb cannot hold \\u0000") }
            try appendText(bytes, to: &line)
        case .textArray:
            guard let bytes = statement.storedTextBytes(index) else { return CopyText.encodeNull(into: &line) }
            scratch.removeAll(keepingCapacity: true)
            try appendArrayLiteral(ofJSON: bytes, to: &scratch)
            try appendText(scratch.span, to: &line)
        }
    }

    /// Text, checked and COPY-escaped in one pass. On a throw the line holds part of the value;
    /// the row is taken back (``GzipWriter/append(_:)``).
    @inline(__always) private static func appendText(_ bytes: Span<UInt8>, to line: inout [UInt8]) throws {
        if let offset = CopyText.encodeText(bytes, into: &line) {
            throw ValueProblem(message: "not valid UTF-8 text without NUL bytes (byte \(offset))")
        }
    }

    /// Decimal digits of `value`, without going through a String: written last first into a
    /// buffer on the stack, then appended at once.
    package static func appendInteger(_ value: Int64, to line: inout [UInt8]) {
        if value < 0 { line.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits = InlineArray<20, UInt8>(repeating: 0)
        var count = 0
        repeat {
            digits[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            count += 1
        } while magnitude > 0
        line.append(digits.span.extracting((20 - count)...))
    }

    /// The shortest text that reads back as the same double (Swift's `description`), which
    /// PostgreSQL's `float8in` parses exactly; the special values in PostgreSQL's spelling.
    package static func appendDouble(_ value: Double, to line: inout [UInt8]) {
        if value.isNaN {
            line.append(contentsOf: "NaN".utf8)
        } else if value.isInfinite {
            line.append(contentsOf: (value < 0 ? "-Infinity" : "Infinity").utf8)
        } else {
            line.append(contentsOf: value.description.utf8)
        }
    }

    /// A JSON array (`["111","222"]`, SQLite's form of a list) as a PostgreSQL array literal
    /// (`{111,222}`): strings become elements, `null` a NULL element, other values their JSON text.
    static func appendArrayLiteral(ofJSON json: Span<UInt8>, to out: inout [UInt8]) throws {
        var elements: [[UInt8]?] = []
        do {
            try JSON.forEachElement(json) { raw in
                if raw.count > 0, raw[0] == ASCII.quote {
                    var element: [UInt8] = []
                    try JSON.decodeString(raw, into: &element)
                    elements.append(element)
                } else if raw.equals("null") {
                    elements.append(nil)
                } else {
                    elements.append(Array(raw))
                }
            }
        } catch let error as DecodeError {
            throw ValueProblem(message: "a JSON array is needed for text[]: expected \(error.expected) at byte \(error.offset)")
        }
        ArrayLiteral.appendLiteral(elements, to: &out)
    }

    /// Whether valid JSON text holds the escape `\u0000`, which jsonb refuses ("unsupported
    /// Unicode escape sequence"). In valid JSON every backslash starts an escape inside a string,
    /// so escapes can be stepped over two bytes at a time.
    package static func hasNULEscape(_ json: Span<UInt8>) -> Bool {
        var index = 0
        while index < json.count, let backslash = json.firstIndex(of: ASCII.backslash, from: index) {
            if backslash + 5 < json.count, json[backslash + 1] == UInt8(ascii: "u"),
               json[backslash + 2] == 0x30, json[backslash + 3] == 0x30, json[backslash + 4] == 0x30, json[backslash + 5] == 0x30 {
                return true
            }
            index = backslash + 2
        }
        return false
    }

    private static func describe(_ statement: SQLiteStatement, _ index: Int) -> String {
        let text = statement.text(index) ?? ""
        return (statement.storageClass(index) == .text ? "text " : "") + String(text.prefix(40)).debugDescription
    }
}
