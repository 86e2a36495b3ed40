import Foundation
import XCTest
@testable import MediabaseBytes
@testable import MediabaseSQLite
@testable import MediabaseModel
@testable import MediabaseOutput
import MediabaseTestSupport

final class TableExporterTests: ScratchFolderTestCase {
    private var database: SQLiteDatabase!

    override func setUpWithError() throws {
        try super.setUpWithError()
        database = try SQLiteDatabase(path: path("t.sqlite"))
        try database.execute("CREATE TABLE t (a TEXT, i INTEGER, s INTEGER, d REAL, j TEXT, l TEXT)")
    }

    override func tearDownWithError() throws {
        database = nil
        try super.tearDownWithError()
    }

    private let columns: [(name: String, kind: TableExporter.Kind)] = [
        ("a", .text), ("i", .integer(Int64.min...Int64.max)), ("s", .integer(-32768...32767)),
        ("d", .double), ("j", .jsonb), ("l", .textArray),
    ]

    private func insert(_ values: [String]) throws {
        try database.execute("INSERT INTO t VALUES (\(values.joined(separator: ", ")))")
    }

    /// The COPY block the exporter writes for table t.
    private func export() throws -> String {
        let pool = try CompressionPool(threads: 1, level: 1)
        defer { pool.shutdown() }
        let path = self.path("t.gz")
        let writer = try GzipWriter(path: path, pool: pool)
        _ = try TableExporter(table: "t", columns: columns).export(from: database, into: writer)
        _ = try writer.finish()
        let lines = LineReader(stream: try InflateStream(source: try FileByteStream(path: path), wrapping: .gzip, name: path), name: path)
        var text = ""
        while let line = try lines.nextLine() { text += String(decoding: line, as: UTF8.self) + "\n" }
        return text
    }

    func testEveryKindInCopyText() throws {
        try insert(["'plain'", "-9223372036854775808", "-1", "0.1", "'{\"a\": [1, \"x\\\\y\"]}'", "'[\"111\",null,\"a b\",\"q\\\"\",\"NULL\",\"\"]'"])
        try insert(["NULL", "NULL", "NULL", "1e-05", "NULL", "'[]'"])
        try insert(["''", "7", "32767", "12", "'\"s\"'", "NULL"])
        XCTAssertEqual(try export(), #"""
            COPY public."t" ("a", "i", "s", "d", "j", "l") FROM stdin;
            plain\#t-9223372036854775808\#t-1\#t0.1\#t{"a": [1, "x\\\\y"]}\#t{111,NULL,"a b","q\\"","NULL",""}
            \N\#t\N\#t\N\#t1e-05\#t\N\#t{}
            \#t7\#t32767\#t12.0\#t"s"\#t\N
            \.


            """#)
    }

    /// Whatever a text holds, its line decodes back to it and no line of the block is `\.`.
    func testHostileTextStaysInsideItsField() throws {
        let hostile = ["a\tb", "line\n\\.\nDROP TABLE genes;", "\\.", "\\! rm -rf /", "cr\rlf\r\n", "back\\slash\\", "\\N", "'; --", "$$", "\u{0B}\u{0C}\u{08}"]
        let statement = try database.prepare("INSERT INTO t (a) VALUES (?)")
        for text in hostile {
            try statement.bind(1, text)
            try statement.run()
        }
        let lines = try export().split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
        let data = Array(lines.prefix(hostile.count))
        XCTAssertEqual(lines.dropFirst(hostile.count).first, "\\.")
        for (line, text) in zip(data, hostile) {
            XCTAssertNotEqual(line, "\\.")
            // The row borrows from the line: read it inside the closure.
            let row = RowBuffer()
            let (end, decoded) = Array(line.utf8).withUnsafeBufferPointer { (CopyText.decodeLine($0, into: row), row.string(0)) }
            XCTAssertEqual(end, .complete)
            XCTAssertEqual(decoded, text)
        }
    }

    func testValuesPostgreSQLWouldRefuseStopTheExportWithTheirPlace() throws {
        let cases: [(String, String, String)] = [
            ("s", "70000", "out of the column type's range"),
            ("i", "'n.d.'", "an integer is needed"),
            ("i", "2.5", "an integer is needed"),
            ("d", "'abc'", "a number is needed"),
            ("j", "'{\"a\": \"\\u0000\"}'", "jsonb cannot hold"),
            ("j", "'{\"a\": '", "not valid JSON"),
            ("l", "'{\"a\": 1}'", "a JSON array is needed"),
            ("a", "CAST(X'61FF62' AS TEXT)", "not valid UTF-8"),
            ("a", "CAST(X'610062' AS TEXT)", "not valid UTF-8"),
        ]
        for (column, value, message) in cases {
            try database.execute("DELETE FROM t")
            try database.execute("INSERT INTO t (a) VALUES ('ok')")
            try database.execute("INSERT INTO t (\(column)) VALUES (\(value))")
            XCTAssertThrowsError(try export(), "\(column) = \(value)") { error in
                let text = error.localizedDescription
                XCTAssertTrue(text.contains("row 2 of t, column \(column)") && text.contains(message), text)
            }
        }
    }

    func testSpecialDoublesInPostgreSQLSpelling() {
        var out: [UInt8] = []
        for value in [Double.nan, .infinity, -.infinity, -0.0, 1e300, .leastNonzeroMagnitude] {
            TableExporter.appendDouble(value, to: &out)
            out.append(0x20)
        }
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "NaN Infinity -Infinity -0.0 1e+300 5e-324 ")
    }

    func testIntegersAsDecimalDigits() {
        for value in [0, -1, 7, 10, -4096, Int64.max, Int64.min, 1_000_000_007] as [Int64] {
            var out = Array("x".utf8)
            TableExporter.appendInteger(value, to: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), "x" + String(value))
        }
    }

    /// Only an escape `\u0000` counts; an escaped backslash before `u0000` does not.
    func testNULEscapeFoundOnlyAsAnEscape() {
        let cases: [(String, Bool)] = [
            (#"{"a": "\u0000"}"#, true), (#"["x\\u0000"]"#, false), (#"["x\\\u0000"]"#, true), (#""\u0001\u00000""#, true),
            (#""\u000""#, false), (#""plain""#, false), ("", false), (#""\\""#, false), (#""\n\u0000""#, true),
        ]
        for (json, expected) in cases {
            XCTAssertEqual(TableExporter.hasNULEscape(Array(json.utf8).span), expected, json)
        }
    }

    func testIdentifiersAreQuotedAndCheckedAndTypesAllowListed() throws {
        XCTAssertEqual(try PostgresNames.quoted("genes"), "\"genes\"")
        XCTAssertEqual(try PostgresNames.quoted("My \"odd\" Table"), "\"My \"\"odd\"\" Table\"")
        XCTAssertEqual(try PostgresNames.qualified("pg_class"), "public.\"pg_class\"")
        for bad in ["", "a\nb", "tab\there", String(repeating: "x", count: 64)] {
            XCTAssertThrowsError(try PostgresNames.quoted(bad), bad.debugDescription)
        }
        let kept = ["integer", "text[]", "character varying(10)", "numeric(10,2)", "timestamp with time zone",
                    "timestamp(3) without time zone", "double precision", "jsonb", "integer[][]", "pg_catalog.bool", "\"char\""]
        for type in kept { XCTAssertEqual(PostgresNames.columnType(type), type) }
        XCTAssertEqual(PostgresNames.columnType("BIGINT"), "bigint")
        for other in ["public.mood", "integer; DROP TABLE genes", "text) ; --", "interval year to month", nil] {
            XCTAssertEqual(PostgresNames.columnType(other), "text", other ?? "nil")
        }
    }

    func testEveryCoreColumnTypeHasAnExportRule() throws {
        let tables = SchemaFiles.postgresTables
        XCTAssertEqual(tables.map(\.name), ["schema_versions"] + CoreTable.outputTables.map(\.rawValue))
        for table in tables {
            XCTAssertNoThrow(try table.columns.map { try TableExporter.Kind.forCoreType($0.type ?? "") }, table.name)
            if let core = CoreTable(rawValue: table.name) {
                XCTAssertEqual(table.columns.map(\.name), core.columns, "schema.pg.sql and the normalizer agree on \(table.name)")
            }
        }
        XCTAssertEqual(SchemaFiles.postgresViewNames, SchemaFiles.viewTables)
    }
}
