import MediabaseTestSupport
import XCTest
@testable import MediabaseBytes
@testable import MediabaseModel
@testable import MediabaseInput

/// RFC 4180 with PostgreSQL's NULL rule, R's header without a row-name field, and the raw text
/// rejects quote.
final class CSVReaderTests: XCTestCase {
    private func read(_ text: String, delimiter: Character = ",", rowNames: Bool = false) throws -> CollectingSink.Table {
        let sink = CollectingSink()
        try CSVReader(stream: MemoryByteStream(text), file: "t.csv", delimiter: delimiter.asciiValue!, tableName: "t",
                      acceptsUnlabelledRowNames: rowNames).read(into: sink)
        return try XCTUnwrap(sink.tables.first)
    }

    func testQuotingAndNulls() throws {
        let table = try read("a,b,c,d\n\"x, y\",,\"\",\"say \"\"hi\"\"\"\nab\"c,\"\"\"\",plain,\" padded \"\n")
        XCTAssertEqual(table.schema.columns.map(\.name), ["a", "b", "c", "d"])
        XCTAssertEqual(table.rows, [["x, y", nil, "", "say \"hi\""], ["ab\"c", "\"", "plain", " padded "]])
    }

    func testQuotedFieldAcrossLinesKeepsItsNewlineAndLineNumber() throws {
        let table = try read("a,b\n\"two\nlines\",1\nx,2\n")
        XCTAssertEqual(table.rows, [["two\nlines", "1"], ["x", "2"]])
        XCTAssertEqual(table.lines, [2, 4])
    }

    func testBOMCRLFBlankLinesAndOtherDelimiters() throws {
        XCTAssertEqual(try read("\u{FEFF}a;b\r\n1;2\r\n\r\n3;4\r\n", delimiter: ";").rows, [["1", "2"], ["3", "4"]])
        XCTAssertEqual(try read("a\tb\n\"1\t2\"\t3\n", delimiter: "\t").rows, [["1\t2", "3"]])
    }

    /// A table's export (psql's `\\copy ... CSV HEADER`, also with `DELIMITER E'\\t'` or `';'`):
    /// the delimiter is the one the header holds most of, and a header that does not name every
    /// column once (a file exported without HEADER) is refused on line 1.
    func testExportsSniffTheirDelimiterAndNeedANamedHeader() throws {
        func export(_ text: String) throws -> CollectingSink.Table {
            let sink = CollectingSink()
            try CSVReader.export(stream: MemoryByteStream(text), file: "x.csv").read(into: sink)
            return try XCTUnwrap(sink.tables.first)
        }
        for (text, name) in [("a,b;c,d\n1,\"x;y\",2\n", "comma"), ("a\tb,c\td\n1\t\"x\ty\"\t2\n", "tab"), ("a;b\tc;d\n1;x\ty;2\n", "semicolon")] {
            let table = try export(text)
            XCTAssertEqual(table.schema.columns.count, 3, name)
            XCTAssertEqual(table.rows.first?.count, 3, name)
        }
        XCTAssertEqual(try export("a,b\n1,2\n").rows, [["1", "2"]], "a tie of none: comma")
        for (text, problem) in [("ENST1,{},{}\n", "'{}' names columns twice"), ("a,,c\n1,2,3\n", "column 2 has no name")] {
            XCTAssertThrowsError(try export(text)) { error in
                XCTAssertTrue(error.localizedDescription.contains("x.csv:1") && error.localizedDescription.contains(problem), error.localizedDescription)
            }
        }
    }

    func testRowNamesWithoutAHeaderField() throws {
        let table = try read("logFC\tFDR\nENSG1\t1.5\t0.01\nENSG2\t-1\t0.2\n", delimiter: "\t", rowNames: true)
        XCTAssertEqual(table.schema.columns.map(\.name), ["", "logFC", "FDR"])
        XCTAssertEqual(table.rows, [["ENSG1", "1.5", "0.01"], ["ENSG2", "-1", "0.2"]])
        // Without the flag, and for later rows, a field count off by one is an error.
        XCTAssertThrowsError(try read("a,b\n1,2,3\n"))
        XCTAssertThrowsError(try read("a,b\n1,2,3\n4,5\n", rowNames: true)) { error in
            XCTAssertTrue(error.localizedDescription.contains("t.csv:3"), error.localizedDescription)
        }
    }

    func testWideRows() throws {
        let header = (0..<200).map { "c\($0)" }.joined(separator: ",")
        let row = (0..<200).map { "\($0)" }.joined(separator: ",")
        XCTAssertEqual(try read("\(header)\n\(row)\n").rows.first?.count, 200)
    }

    func testMalformedQuotingNamesTheOffset() {
        XCTAssertThrowsError(try read("a,b\n\"x\"y,1\n")) { error in
            XCTAssertTrue(error.localizedDescription.contains("t.csv:2 (byte 7)"), error.localizedDescription)
            XCTAssertTrue(error.localizedDescription.contains("after a closing quote"), error.localizedDescription)
        }
        XCTAssertThrowsError(try read("a,b\n\"open,1\n")) { error in
            XCTAssertTrue(error.localizedDescription.contains("closing quote"), error.localizedDescription)
        }
    }

    func testRawTextOfSingleLineRecords() throws {
        final class RawSink: DumpSink {
            var raws: [String] = []
            func beginTable(_ table: TableSchema) throws {}
            func row(_ row: RowBuffer) throws { raws.append(String(decoding: row.raw, as: UTF8.self)) }
            func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {}
        }
        let sink = RawSink()
        try CSVReader(stream: MemoryByteStream("a,b\r\n\"x\",1\r\n\"y\nz\",2\n"), file: "t.csv", tableName: "t").read(into: sink)
        XCTAssertEqual(sink.raws, ["\"x\",1", ""])
    }

    /// psql's `COPY ... TO ... CSV` writes a CR LF inside a value raw between the quotes: every
    /// byte of a quoted value comes back, whatever the record ends are, and a CR LF record end
    /// still ends the record.
    func testQuotedValuesKeepCRLFAndEveryOtherByte() throws {
        let values = ["a\r\nb", "\r\n", "end\r", "\r", "tab\there \\ back \"quoted\"", "\n\n", "x\r\n\r\ny"]
        for recordEnd in ["\n", "\r\n"] {
            let body = values.enumerated().map { "\($0.offset),\"" + $0.element.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            let table = try read("id,v" + recordEnd + body.joined(separator: recordEnd) + recordEnd)
            let expected: [[[UInt8]?]] = values.enumerated().map { [Array(String($0.offset).utf8), Array($0.element.utf8)] }
            XCTAssertEqual(Self.bytes(table.rows), expected, "record end \(recordEnd.debugDescription)")
        }
        // Unquoted, a CR before the LF is the record end, not a byte of the last field.
        XCTAssertEqual(try read("a,b\r\n1,\r\n2,x\r\n").rows, [["1", nil], ["2", "x"]])
    }

    /// Patient tables go through the same reader (tab-separated, R's header without a row-name
    /// field): their quoted values keep CR LF too.
    func testPatientLayoutKeepsCRLFInQuotes() throws {
        let table = try read("logFC\tnote\r\n\"ENSG1\"\t1.5\t\"two\r\nlines\"\r\nENSG2\t-1\t\"\"\r\n", delimiter: "\t", rowNames: true)
        let expected: [[[UInt8]?]] = [[Array("ENSG1".utf8), Array("1.5".utf8), Array("two\r\nlines".utf8)], [Array("ENSG2".utf8), Array("-1".utf8), []]]
        XCTAssertEqual(Self.bytes(table.rows), expected)
        XCTAssertEqual(table.lines, [2, 4])
    }

    /// The rows' fields as bytes: `String` equality would take `"\r\n"` for one character.
    private static func bytes(_ rows: [[String?]]) -> [[[UInt8]?]] {
        rows.map { $0.map { $0.map { Array($0.utf8) } } }
    }
}
