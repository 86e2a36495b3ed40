import XCTest
@testable import MediabaseBytes
@testable import MediabaseModel
@testable import MediabaseInput
@testable import MediabaseOutput
@testable import MediabaseInspect
import MediabaseTestSupport

/// Reading COPY blocks in chunks on two threads must report exactly what reading the dump row by
/// row reports: counts, bad values with their lines, and errors.
final class InspectorTests: XCTestCase {
    private var scratch = ""

    override func setUpWithError() throws { scratch = try Fixtures.scratchFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: scratch) }

    /// Passes rows on and nothing else, so the inspector behind it is given every row.
    private final class RowByRow: DumpSink {
        let next: DumpSink
        init(next: DumpSink) { self.next = next }
        func beginTable(_ table: TableSchema) throws { try next.beginTable(table) }
        func row(_ row: RowBuffer) throws { try next.row(row) }
        func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws { try next.endTable(table, rows: rows, bytes: bytes) }
    }

    /// Inspects `path` row by row, checking on a second thread.
    private func streamed(_ path: String) throws -> InspectionReport {
        let reader = try DumpReader.open(path: path)
        let inspector = Inspector(input: path, format: reader.format)
        let threaded = ThreadedDumpSink(next: RowByRow(next: inspector))
        defer { try? threaded.close() }
        try reader.read(into: threaded)
        try threaded.close()
        return inspector.finish(info: reader.info)
    }

    /// Inspects `path` as `inspect` does, reading COPY blocks in chunks of the given sizes.
    private func chunked(_ path: String, first: Int = 1 << 20, rest: Int = 8 << 20, buffer: Int = 1 << 20, tail: Int = 0) throws -> InspectionReport {
        let reader = try DumpReader.open(path: path)
        let inspector = Inspector(input: path, format: reader.format)
        inspector.copyChunkSizes = .init(first: first, rest: rest, buffer: buffer, tail: tail)
        let threaded = ThreadedDumpSink(next: inspector)
        defer { try? threaded.close() }
        try reader.read(into: threaded)
        try threaded.close()
        return inspector.finish(info: reader.info)
    }

    private func write(_ text: String, name: String = "dump.sql") throws -> String {
        let path = (scratch as NSString).appendingPathComponent(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func errorText(_ body: () throws -> InspectionReport) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.localizedDescription
        }
    }

    private static let header = """
        SET standard_conforming_strings = on;
        CREATE TABLE public.cancer_transcript_base (transcript_id text, gene_symbol text, gene_id text, drugs jsonb, pathways text[]);

        """

    private static func copyHead(_ table: String = "public.cancer_transcript_base") -> String {
        "COPY \(table) (transcript_id, gene_symbol, gene_id, drugs, pathways) FROM stdin;\n"
    }

    /// Rows in the legacy table's shape with every case the raw reading handles: values repeated
    /// from the row before (escaped or not), NULLs, escaped TABs, a backslash-newline row, CRLF,
    /// invalid values repeated in consecutive rows, twice-encoded drugs and pharmgkb_data.
    private static func legacyRows(_ count: Int) -> String {
        legacyRows(order: Array(0..<count))
    }

    /// The rows of ``legacyRows(_:)`` with the given indexes, in that order.
    private static func legacyRows(order: [Int]) -> String {
        var rows = ""
        for index in order {
            let gene = index / 5
            let transcript = index % 3 == 0 ? "ENST\(index).\(gene % 4)" : "ENST\(index)"
            let geneId = gene % 2 == 0 ? "ENSG\(gene).1" : "ENSG\(gene)"
            let symbol = gene % 7 == 0 ? "SHARED" : "SYM\(gene)"
            var drugs: String
            switch gene % 6 {
            case 0: drugs = #"{"d\#(gene)": {"name": "x\\"y"}, "pharmgkb_data": [1]}"#
            case 1: drugs = #"{"d\#(gene)": {"name": "plain"}}"#
            case 2: drugs = #""{\\"a\\": \#(gene)}""#
            case 3: drugs = "[\(gene)]"
            case 4: drugs = #"{"bad": \#(gene)"#
            default: drugs = "\\N"
            }
            var pathways = gene % 5 == 1 ? "{a,\"b\\\\\\\\c\"}" : "{p\(gene),q}"
            if gene % 9 == 4 { pathways = "{unterminated" }
            if gene % 11 == 3 { pathways = "{\\xff}" }
            var line = [transcript, symbol, geneId, drugs, pathways].joined(separator: "\t")
            if index % 13 == 7 { line = [transcript, "split\\\nsymbol", geneId, drugs, pathways].joined(separator: "\t") }
            if index % 17 == 5 { line += "\r" }
            if index % 19 == 2 { line = [transcript, "tab\\\tinside", geneId, drugs, "\\N"].joined(separator: "\t") }
            rows += line + "\n"
        }
        return rows
    }

    private static func legacyDump(rows: Int) -> String {
        header + copyHead() + legacyRows(rows) + "\\.\n"
            + "CREATE TABLE public.other (a text, b jsonb);\nCOPY public.other (a, b) FROM stdin;\n\\.\n"
            + "COPY public.other (a, b) FROM stdin;\nx\t{\"k\": 1}\ny\t[}\n\\.\n"
    }

    func testChunkedReadingReportsWhatStreamedReadingDoesOnTheFixtures() throws {
        let plain = try FileManager.default.subpathsOfDirectory(atPath: Fixtures.path("")).filter { $0.hasSuffix(".sql") }
        XCTAssertFalse(plain.isEmpty)
        for relative in plain {
            let path = Fixtures.path(relative)
            guard try DumpReader.open(path: path).format.kind == .plain else { continue }
            let expected = errorText { try streamed(path) }
            XCTAssertEqual(errorText { try chunked(path) }, expected, relative)
            guard expected == nil else { continue }
            let reference = try streamed(path)
            XCTAssertEqual(try chunked(path), reference, relative)
            XCTAssertEqual(try chunked(path, first: 1, rest: 997), reference, relative + " in small chunks")
        }
    }

    /// Columns whose values seldom repeat from the row before stop being compared after a while
    /// (a transcript's own values; a gene's too when its rows are scattered): the same report.
    func testColumnsThatStopBeingComparedGiveTheSameReport() throws {
        let adjacent = Array(0..<1500)
        // A step prime to the count visits every row once, a gene's rows far apart.
        let scattered = adjacent.map { $0 * 7919 % 1500 }
        XCTAssertEqual(Set(scattered).count, 1500)
        for (name, order) in [("adjacent", adjacent), ("scattered", scattered)] {
            let path = try write(Self.header + Self.copyHead() + Self.legacyRows(order: order) + "\\.\n", name: "\(name).sql")
            let reference = try streamed(path)
            XCTAssertEqual(reference.tables.map(\.rows), [1500], name)
            XCTAssertGreaterThan(reference.badValueCount, 100, name)
            XCTAssertEqual(try chunked(path), reference, name)
            XCTAssertEqual(try chunked(path, first: 5000, rest: 40_000, tail: 20_000), reference, name + " in chunks")
        }
    }

    func testThePlantedInvalidByteIsFoundAtTheSameLineInEveryChunking() throws {
        let path = Fixtures.path("generated/seed1-genes12/mbase.sql")
        let reference = try streamed(path)
        XCTAssertGreaterThan(reference.badValueCount, 0)
        for rest in [64, 1000, 4096, 30_000] {
            XCTAssertEqual(try chunked(path, first: rest / 2, rest: rest), reference, "chunks of \(rest)")
        }
    }

    func testEveryChunkBoundaryGivesTheSameReport() throws {
        let path = try write(Self.legacyDump(rows: 60))
        let reference = try streamed(path)
        XCTAssertGreaterThan(reference.badValueCount, 5)
        XCTAssertEqual(reference.legacy?.twiceEncodedDrugs, 10)
        XCTAssertGreaterThan(reference.legacy?.rowsWithPharmgkbInDrugs ?? 0, 0)
        XCTAssertEqual(reference.tables.map(\.rows), [60, 0, 2])
        let size = try Data(contentsOf: URL(fileURLWithPath: path)).count
        // A first chunk ending at every byte puts the cut between and inside every pair of rows.
        for first in 1...size {
            XCTAssertEqual(try chunked(path, first: first, rest: 1 << 20), reference, "cut after \(first) bytes")
        }
        for rest in [1, 2, 3, 50, 333, 1200] {
            XCTAssertEqual(try chunked(path, first: 1, rest: rest), reference, "chunks of \(rest)")
        }
        // Large chunks, then small ones over the file's last `tail` bytes, wherever that starts.
        for tail in [1, 97, size / 3, size / 2, size - 1, size, 2 * size] {
            XCTAssertEqual(try chunked(path, first: 7, rest: 400, tail: tail), reference, "a tail of \(tail) bytes")
        }
    }

    /// Values of at least ``SharedCheckedValueCache/minimumLength`` bytes are looked up in the
    /// cache both threads share: long values recurring far apart, valid and not, count as in
    /// reading row by row, whichever thread meets them first.
    func testLongValuesRecurringAcrossChunksCountTheSame() throws {
        let long = SharedCheckedValueCache.minimumLength
        let filler = String(repeating: "x", count: long)
        var rows = ""
        var expectedBad = 0, expectedPharmgkb = 0, expectedUnexpected = 0
        for index in 0..<90 {
            let gene = (index * 7) % 9
            let drugs: String
            switch gene % 3 {
            case 0: drugs = #"{"d\#(gene)": "\#(filler)", "pharmgkb_data": [1]}"#; expectedPharmgkb += 1
            case 1: drugs = #"["\#(filler)", \#(gene)]"#; expectedUnexpected += 1
            default: drugs = #"{"bad\#(gene)": "\#(filler)""#; expectedBad += 1
            }
            // Not in the plain form (a space), so checked in full and cached.
            let pathways = "{\"" + filler + "\", p\(gene)}"
            rows += ["ENST\(index)", "SYM\(gene)", "ENSG\(gene)", drugs, pathways].joined(separator: "\t") + "\n"
        }
        let path = try write(Self.header + Self.copyHead() + rows + "\\.\n")
        let reference = try streamed(path)
        XCTAssertEqual(reference.badValueCount, expectedBad)
        XCTAssertEqual(reference.legacy?.rowsWithPharmgkbInDrugs, expectedPharmgkb)
        XCTAssertEqual(reference.legacy?.unexpectedJSONTypes["drugs"]?["array"], expectedUnexpected)
        XCTAssertEqual(reference.legacy?.distinctGenes, 9)
        for rest in [long, 3 * long, 10 * long] {
            XCTAssertEqual(try chunked(path, first: long, rest: rest, buffer: long), reference, "chunks of \(rest)")
        }
    }

    /// A table whose gene-level columns make runs read as one value (``RowSegments``): the runs
    /// in the middle and at the end of the line, a gene's rows scattered and adjacent, runs with
    /// bad values, NULLs, escapes, facts (pharmgkb_data, unexpected types) and a gene whose rows
    /// disagree, all counted as reading row by row does.
    func testGeneLevelRunsCountAsTheirFieldsDo() throws {
        let columns = "transcript_id, gene_symbol, gene_id, drugs, pathways, cancer_types, features, coordinates, alt_gene_ids, source_references, pharmgkb_variants"
        let header = """
            CREATE TABLE public.cancer_transcript_base (transcript_id text, gene_symbol text, gene_id text, drugs jsonb, pathways text[], \
            cancer_types text[], features jsonb, coordinates jsonb, alt_gene_ids jsonb, source_references jsonb, pharmgkb_variants jsonb);
            COPY public.cancer_transcript_base (\(columns)) FROM stdin;

            """
        func row(_ index: Int) -> String {
            let gene = index / 4
            var drugs = gene % 5 == 0 ? #"{"d\#(gene)": 1, "pharmgkb_data": {}}"# : #"{"d\#(gene)": "x"}"#
            if gene % 7 == 3 { drugs = "[\(gene)]" }
            if gene % 11 == 4 { drugs = "\\N" }
            var pathways = gene % 6 == 1 ? "{\"p \\\\\(gene)\",q}" : "{p\(gene),q}"
            if gene % 13 == 2 { pathways = "{unterminated\(gene)" }
            // One row of some genes differs from the gene's others.
            if gene % 8 == 5, index % 4 == 2 { pathways = "{other\(gene)}" }
            let cancer = gene % 9 == 0 ? "{\\xff}" : "{c\(gene)}"
            let features = "{\"f\": \(gene % 3)}"
            var sources = gene % 4 == 0 ? #"{"go_terms": [], "n": \#(gene)}"# : #"{"s": "\#(String(repeating: "y", count: 150))\#(gene)"}"#
            if gene % 10 == 7 { sources = #"{"s": \#(gene)"# }
            let variants = gene % 3 == 0 ? "\\N" : #"{"v": [\#(gene)]}"#
            return ["ENST\(index)", "SYM\(gene)", "ENSG\(gene)", drugs, pathways, cancer, features, #"{"start": \#(index)}"#,
                    #"{"HGNC": "\#(gene)"}"#, sources, variants].joined(separator: "\t") + "\n"
        }
        let adjacent = Array(0..<1200)
        let scattered = adjacent.map { $0 * 7919 % 1200 }
        for (name, order) in [("adjacent", adjacent), ("scattered", scattered)] {
            let path = try write(header + order.map(row).joined() + "\\.\n", name: "runs-\(name).sql")
            let reference = try streamed(path)
            XCTAssertEqual(reference.tables.map(\.rows), [1200], name)
            XCTAssertGreaterThan(reference.badValueCount, 200, name)
            XCTAssertGreaterThan(reference.legacy?.rowsWithPharmgkbInDrugs ?? 0, 100, name)
            XCTAssertGreaterThan(reference.legacy?.unexpectedJSONTypes["drugs"]?["array"] ?? 0, 50, name)
            XCTAssertEqual(try chunked(path), reference, name)
            XCTAssertEqual(try chunked(path, first: 3000, rest: 20_000, buffer: 4096, tail: 10_000), reference, name + " in chunks")
        }
    }

    func testTinyAndEmptyCopyBlocks() throws {
        for body in ["", "only\t\\N\t\\N\t\\N\t\\N\n"] {
            let path = try write(Self.header + Self.copyHead() + body + "\\.\n")
            let reference = try streamed(path)
            XCTAssertEqual(try chunked(path), reference)
            XCTAssertEqual(try chunked(path, first: 1, rest: 1), reference)
        }
    }

    func testErrorsAreTheSameAsReadingRowByRow() throws {
        let rows = Self.legacyRows(30)
        let cases = [
            "no terminator": Self.header + Self.copyHead() + rows,
            "no newline at the end": Self.header + Self.copyHead() + rows + "last\tx\ty\t\\N\t\\N",
            "backslash at the end": Self.header + Self.copyHead() + rows + "last\tx\ty\t\\N\t\\N\\",
            "junk after the terminator": Self.header + Self.copyHead() + rows + "\\. junk\n",
            "a short row": Self.header + Self.copyHead() + rows + "a\tb\n\\.\n",
            "a long row": Self.header + Self.copyHead() + rows + "a\tb\tc\td\te\tf\n\\.\n",
            "the last row again with one more field": Self.header + Self.copyHead() + rows
                + rows.split(separator: "\n").last! + "\textra\n\\.\n",
            "the last row again without its last field": Self.header + Self.copyHead() + rows
                + rows.split(separator: "\n").last!.split(separator: "\t").dropLast().joined(separator: "\t") + "\n\\.\n",
            "a short continued row": Self.header + Self.copyHead() + rows + "a\tb\\\nc\td\n\\.\n",
            "a row of a table without columns": Self.header + "CREATE TABLE public.nothing ();\nCOPY public.nothing  FROM stdin;\n\n\\.\n",
            "nothing after the statement": Self.header + "COPY public.cancer_transcript_base (transcript_id, gene_symbol, gene_id, drugs, pathways) FROM stdin;",
        ]
        for (name, text) in cases {
            let path = try write(text, name: "error.sql")
            let expected = errorText { try streamed(path) }
            XCTAssertNotNil(expected, name)
            for (first, rest) in [(1 << 20, 8 << 20), (1, 7), (100, 100), (500, 3)] {
                XCTAssertEqual(errorText { try chunked(path, first: first, rest: rest) }, expected, "\(name), chunks \(first)/\(rest)")
            }
        }
    }

    func testSmallReadBuffersGiveTheSameReport() throws {
        let path = try write(Self.legacyDump(rows: 60))
        let reference = try streamed(path)
        // Rows are ~100 bytes: buffers smaller than a row grow, larger ones move the kept rows.
        for buffer in [2, 7, 64, 150, 333, 1000] {
            XCTAssertEqual(try chunked(path, buffer: buffer), reference, "buffer of \(buffer)")
            XCTAssertEqual(try chunked(path, first: 1, rest: 500, buffer: buffer), reference, "buffer of \(buffer), chunks of 500")
        }
    }

    func testOnlyPlainDumpsInFilesAreOfferedTheirCopyBlocks() throws {
        /// Declines every block, so its rows come one by one.
        final class Declining: CopyBlockSink {
            var offered = 0
            var rows = 0
            func beginTable(_ table: TableSchema) throws {}
            func row(_ row: RowBuffer) throws { rows += 1 }
            func endTable(_ table: TableSchema, rows: Int, bytes: Int64) throws {}
            func readCopyBlock(_ block: CopyBlock) throws -> CopyBlockEnd? {
                offered += 1
                return nil
            }
        }
        let text = Self.legacyDump(rows: 10)
        let plain = try write(text)
        let gzip = (scratch as NSString).appendingPathComponent("dump.sql.gz")
        let pool = try CompressionPool(threads: 1, level: 6)
        defer { pool.shutdown() }
        let writer = try GzipWriter(path: gzip, pool: pool)
        try writer.write(text)
        _ = try writer.finish()
        for (path, offered) in [(plain, 3), (gzip, 0), (Fixtures.path("archives/custom.dump"), 0)] {
            let sink = Declining()
            try DumpReader.open(path: path).read(into: sink)
            XCTAssertEqual(sink.offered, offered, path)
            XCTAssertGreaterThan(sink.rows, 0, path)
        }
    }
}
