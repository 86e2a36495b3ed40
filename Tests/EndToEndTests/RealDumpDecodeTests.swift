import Foundation
import MediabaseTestSupport
import XCTest
import MediabaseInput

/// Reads real `pg_dump` output of hostile values in every form and checks each field, byte
/// for byte, against PostgreSQL's own text output of the value (``TableContents``).
///
/// The comparison relies on one normalization by the reader and none by the test: in the
/// `--inserts` forms pg_dump writes booleans as `true`/`false`, and the reader must turn them
/// into PostgreSQL's text output `t`/`f`. Every other value pg_dump writes in an INSERT is
/// already its text output, either inside a string literal (`''` for a quote, backslashes
/// as they are under `standard_conforming_strings = on`, TAB, LF and CR raw) or, for a finite
/// number, unquoted (`-123.4500`, `1.5e+300`, `-0`); NaN and the infinities are quoted.
final class RealDumpDecodeTests: XCTestCase {
    /// One cluster and one set of dumps for the class; a failed setup is kept so every test
    /// reports it.
    private static var shared: Result<HostileDumps, Error>?
    private var dumps: HostileDumps!

    override func setUpWithError() throws {
        if Self.shared == nil { Self.shared = Result { try HostileDumps(forms: DumpForm.allCases) } }
        dumps = try Self.shared!.get()
    }

    override class func tearDown() {
        (try? shared?.get())?.cluster.stop()
        shared = nil
        super.tearDown()
    }

    func testPlain() throws { try assertReadsEveryValue(.plain) }
    func testPlainGzip() throws { try assertReadsEveryValue(.plainGzip) }
    func testInserts() throws { try assertReadsEveryValue(.inserts) }
    func testColumnInserts() throws { try assertReadsEveryValue(.columnInserts) }
    func testRowsPerInsert() throws { try assertReadsEveryValue(.rowsPerInsert) }
    func testCustom() throws { try assertReadsEveryValue(.custom) }
    func testCustomUncompressed() throws { try assertReadsEveryValue(.customUncompressed) }
    func testDirectory() throws { try assertReadsEveryValue(.directory) }
    func testDirectoryUncompressed() throws { try assertReadsEveryValue(.directoryUncompressed) }
    func testTar() throws { try assertReadsEveryValue(.tar) }

    /// psql's `\copy ... TO ... CSV HEADER` of every table reads back byte for byte: a CSV
    /// export writes CR, LF, quotes and delimiters inside values raw between quotes.
    func testCSVExports() throws {
        for expected in dumps.expected {
            let parts = expected.qualifiedName.split(separator: ".", maxSplits: 1).map(String.init)
            let table = PostgresCluster.quoteIdentifier(parts[0]) + "." + PostgresCluster.quoteIdentifier(parts[1])
            let path = dumps.cluster.workDirectory + "/export-\(parts[0])-\(parts[1].count).csv"
            try dumps.cluster.psql(sql: "\\copy \(table) TO '\(path)' CSV HEADER", database: HostileDumps.database)
            let reader = try DumpReader.open(path: path)
            XCTAssertEqual(reader.format, InputFormat(kind: .csv), expected.qualifiedName)
            let sink = CollectingSink()
            try reader.read(into: sink)
            guard let read = sink.tables.first else {
                XCTFail("\(expected.qualifiedName): no table read from the CSV export")
                continue
            }
            assertSame(read, expected, form: "CSV export", file: #filePath, line: #line)
        }
    }

    /// Guards the fixture: the expected values really hold the hostile cases, so a change in
    /// the SQL or in psql cannot quietly make the decode tests easy.
    func testExpectedValuesAreHostile() throws {
        let hostile = try XCTUnwrap(dumps.expected.first { $0.qualifiedName == "public.hostile" })
        XCTAssertEqual(hostile.rows.count, 16)
        let texts = hostile.rows.map { $0[1] }
        XCTAssertTrue(texts.contains(Array(#"\."#.utf8)))
        XCTAssertTrue(texts.contains(Array("before\n\\.\nafter".utf8)))
        XCTAssertTrue(texts.contains(Array(#"\N"#.utf8)))
        XCTAssertTrue(texts.contains([]), "an empty string")
        XCTAssertTrue(texts.contains(nil), "a NULL")
        XCTAssertTrue(texts.contains { ($0?.count ?? 0) > 500_000 }, "a text over 500 KB")
        XCTAssertTrue(hostile.rows.contains { $0[2] == Array(#"{NULL,"NULL","null",""}"#.utf8) })
        XCTAssertTrue(hostile.rows.contains { $0[5] == Array("t".utf8) }, "booleans print as t/f")
        XCTAssertTrue(hostile.rows.contains { $0[11] == Array("{{-1,NULL},{NULL,2147483647}}".utf8) })
        XCTAssertEqual(
            Set(dumps.expected.map(\.qualifiedName)),
            ["other.t2", "public.MixedCase", "public.cancer_transcript_base", "public.empty_table", "public.hostile"]
        )
        let mixedCase = try XCTUnwrap(dumps.expected.first { $0.qualifiedName == "public.MixedCase" })
        XCTAssertEqual(mixedCase.columns, ["Id", "Weird Col", #"Weird, "Col""#])
    }

    /// Guards the fixture: each dump is in the form its name says, independently of the reader.
    func testDumpsAreInTheFormsNamed() throws {
        func text(_ form: DumpForm) throws -> String {
            try String(contentsOfFile: dumps.path(for: form), encoding: .utf8)
        }
        func head(_ path: String, _ count: Int) throws -> [UInt8] {
            Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(count))
        }
        XCTAssertTrue(try text(.plain).contains("COPY public.hostile (id, t, arr, j, js, b, n, f, ts, by, vc, i2) FROM stdin;\n"))
        XCTAssertEqual(try head(dumps.path(for: .plainGzip), 2), [0x1F, 0x8B])
        XCTAssertTrue(try text(.inserts).contains("INSERT INTO public.hostile VALUES (1, "))
        XCTAssertTrue(try text(.columnInserts).contains("INSERT INTO public.hostile (id, t, arr, j, js, b, n, f, ts, by, vc, i2) VALUES (1, "))
        XCTAssertTrue(try text(.rowsPerInsert).contains("INSERT INTO public.hostile VALUES\n\t(1, "))
        XCTAssertEqual(try head(dumps.path(for: .custom), 5), Array("PGDMP".utf8))
        XCTAssertEqual(try head(dumps.path(for: .customUncompressed), 5), Array("PGDMP".utf8))
        let tar = try head(dumps.path(for: .tar), 512)
        XCTAssertEqual(Array(tar[0..<8]), Array("toc.dat\0".utf8))
        XCTAssertEqual(Array(tar[257..<262]), Array("ustar".utf8))
        for (form, suffix) in [(DumpForm.directory, ".dat.gz"), (.directoryUncompressed, ".dat")] {
            let names = try FileManager.default.contentsOfDirectory(atPath: dumps.path(for: form))
            XCTAssertTrue(names.contains("toc.dat"), "\(form): \(names)")
            XCTAssertTrue(names.contains { $0.hasSuffix(suffix) && $0 != "toc.dat" }, "\(form): \(names)")
        }
    }

    // MARK: - Comparing

    /// Reads the dump in `form` and asserts that it holds exactly the expected tables, columns
    /// and rows, every field byte-identical (NULL distinct from empty).
    private func assertReadsEveryValue(_ form: DumpForm, file: StaticString = #filePath, line: UInt = #line) throws {
        let reader = try DumpReader.open(path: dumps.path(for: form))
        XCTAssertEqual(reader.format, form.expectedFormat, "\(form): detected format", file: file, line: line)
        let sink = CollectingSink()
        try reader.read(into: sink)

        for expected in dumps.expected {
            guard let table = sink.table(expected.qualifiedName) else {
                // An INSERT dump has no statement at all for an empty table, so a reader cannot
                // tell it exists from its data; COPY dumps have an empty COPY block.
                if !(form.usesInserts && expected.rows.isEmpty) {
                    XCTFail("\(form): table \(expected.qualifiedName) was not read", file: file, line: line)
                }
                continue
            }
            assertSame(table, expected, form: "\(form)", file: file, line: line)
        }
        let expectedNames = Set(dumps.expected.map(\.qualifiedName))
        for table in sink.tables where !expectedNames.contains(table.schema.qualifiedName) {
            XCTFail("\(form): read a table the database does not have: \(table.schema.qualifiedName)", file: file, line: line)
        }
    }

    private func assertSame(
        _ table: CollectingSink.Table, _ expected: TableContents, form: String, file: StaticString, line: UInt
    ) {
        let name = "\(form): \(expected.qualifiedName)"
        XCTAssertEqual(table.schema.columns.map(\.name), expected.columns, "\(name): columns", file: file, line: line)
        XCTAssertEqual(table.reportedRows, table.fields.count, "\(name): row count passed to endTable", file: file, line: line)
        XCTAssertEqual(table.fields.count, expected.rows.count, "\(name): rows", file: file, line: line)
        var mismatches = 0
        for (index, (actual, wanted)) in zip(table.fields, expected.rows).enumerated() {
            for column in 0..<min(actual.count, wanted.count) where actual[column] != wanted[column] {
                mismatches += 1
                guard mismatches <= 10 else {
                    XCTFail("\(name): more mismatches not shown", file: file, line: line)
                    return
                }
                XCTFail(
                    "\(name) row \(index + 1) (\(expected.columns[0]) = \(Self.show(wanted[0]))), column "
                        + "\(expected.columns[column]): expected \(Self.show(wanted[column])), read \(Self.show(actual[column]))",
                    file: file, line: line
                )
            }
        }
    }

    /// A field for a failure message: `NULL`, or the text escaped and cut to 200 characters,
    /// with its length in bytes.
    private static func show(_ field: [UInt8]?) -> String {
        guard let field else { return "NULL" }
        let text = String(decoding: field, as: UTF8.self)
        let shown = text.count > 200 ? String(text.prefix(200)) + "…" : text
        return "\(shown.debugDescription) (\(field.count) bytes)"
    }
}
