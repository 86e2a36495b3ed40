import XCTest
@testable import MediabaseModel
@testable import MediabaseInput
@testable import MediabaseLegacy
@testable import MediabaseOutput
@testable import MediabaseGenerate
import MediabaseTestSupport

/// The threaded output encodes rows into batches (shared GO tails once per value) and the writer
/// takes them apart on its own thread: the core must be what the writer gives when called directly.
final class ThreadedCoreOutputTests: ScratchFolderTestCase {
    private func convert(_ input: String, threaded: Bool) throws -> [String] {
        let writer = try SQLiteCoreWriter(path: path(threaded ? "threaded.sqlite" : "direct.sqlite"))
        let threadedOutput = threaded ? ThreadedCoreOutput(writer: writer) : nil
        let normalizer = try LegacyNormalizer(output: threadedOutput ?? writer, rejects: try RejectLog(path: nil, maxRejects: nil, input: "test.sql"))
        try DumpReader.open(path: input).read(into: normalizer)
        try normalizer.finish()
        try threadedOutput?.close()
        try writer.finish(appliedAt: "2024-01-01T00:00:00Z")
        var lines: [String] = []
        for name in try writer.database.rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap({ $0[0] }) {
            lines += try writer.database.rows("SELECT * FROM \"\(name)\" ORDER BY rowid").map { name + ": " + $0.map { $0 ?? "NULL" }.joined(separator: "|") }
        }
        return lines
    }

    func testThreadedOutputGivesTheDirectWritersCore() throws {
        for fixture in ["generated/seed1-genes12/mbase.sql", "legacy/corruption_cases.sql"] {
            let direct = try convert(Fixtures.path(fixture), threaded: false)
            let threaded = try convert(Fixtures.path(fixture), threaded: true)
            // The rows encoded as values, as shared tails, and from the bytes of a row's value.
            let tables = fixture.hasPrefix("generated/") ? ["transcript_go_terms", "transcript_cross_references", "transcript_products", "gene_annotations"]
                                                          : ["transcript_go_terms"]
            for table in tables {
                XCTAssertGreaterThan(direct.filter { $0.hasPrefix("\(table): ") }.count, 1, "\(fixture) \(table)")
            }
            XCTAssertEqual(direct, threaded, fixture)
            try FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
    }

    /// The core tables' rows in rowid order (with the rowid) after the load, before the end
    /// steps, and the rows per table the writer counted, when the threaded output inserts
    /// `rowsPerInsert` rows per statement from batches of `batchSize` bytes.
    private func load(_ input: String, rowsPerInsert: Int, batchSize: Int) throws -> (rows: [String: [String]], counts: [String: Int]) {
        let file = path("rows\(rowsPerInsert)-batch\(batchSize).sqlite")
        let writer = try SQLiteCoreWriter(path: file)
        let output = ThreadedCoreOutput(writer: writer, rowsPerInsert: rowsPerInsert, batchSize: batchSize)
        let normalizer = try LegacyNormalizer(output: output, rejects: try RejectLog(path: nil, maxRejects: nil, input: "test.sql"))
        try DumpReader.open(path: input).read(into: normalizer)
        try normalizer.finish()
        try output.close()
        var rows: [String: [String]] = [:]
        for table in CoreTable.allCases {
            rows[table.rawValue] = try writer.database.rows("SELECT rowid, * FROM \(table.rawValue) ORDER BY rowid").map {
                $0.map { $0 ?? "NULL" }.joined(separator: "|")
            }
        }
        try writer.finish(appliedAt: "2024-01-01T00:00:00Z", forQueries: false)
        return (rows, writer.rowCounts)
    }

    /// Multi-row INSERTs give every table the rows, rowids and order that one INSERT per row
    /// gives: on lean rows scattered over the dump, whose tables' rows interleave the most, with
    /// run lengths that do not divide the tables' row counts, batches small enough that most
    /// runs are cut at a batch's end.
    func testMultiRowInsertsKeepEachTablesRowsInOrder() throws {
        let options = GenerateOptions(seed: 5, genes: 300, formats: [.plain], threads: 1, profile: .lean, rowOrder: .scattered)
        let (generated, _) = try GeneratedData.generate(options, name: "multi-row-inserts")
        defer { try? FileManager.default.removeItem(at: generated.deletingLastPathComponent()) }
        let dump = generated.appendingPathComponent("mbase.sql").path
        let single = try load(dump, rowsPerInsert: 1, batchSize: ThreadedCoreOutput.batchSize)
        // The input is what the test needs: several tables with many rows, counts that the run
        // lengths below do not divide.
        let counts = single.rows.values.map(\.count)
        XCTAssertGreaterThanOrEqual(counts.filter { $0 > 1000 }.count, 5, "\(counts)")
        XCTAssertTrue(counts.contains { $0 > 64 && $0 % 64 != 0 && $0 % 7 != 0 }, "\(counts)")
        for (rowsPerInsert, batchSize) in [(64, ThreadedCoreOutput.batchSize), (7, ThreadedCoreOutput.batchSize), (64, 16384)] {
            let multi = try load(dump, rowsPerInsert: rowsPerInsert, batchSize: batchSize)
            for table in CoreTable.allCases {
                let (expected, actual) = (single.rows[table.rawValue]!, multi.rows[table.rawValue]!)
                XCTAssertEqual(actual.count, expected.count, "\(table) with \(rowsPerInsert) rows per INSERT, batches of \(batchSize) bytes")
                let firstDifference = zip(expected, actual).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                XCTAssertNil(firstDifference.map { "row \($0): \(actual[$0]), expected \(expected[$0])" },
                             "\(table) with \(rowsPerInsert) rows per INSERT, batches of \(batchSize) bytes")
            }
            XCTAssertEqual(multi.counts, single.counts, "\(rowsPerInsert) rows per INSERT, batches of \(batchSize) bytes")
        }
    }

    /// A run never holds more rows than SQLite's parameter limit allows: the limit is the linked
    /// library's, and the widest table's longest INSERT is the most that prepares.
    func testRunsStayWithinSQLitesParameterLimit() throws {
        let writer = try SQLiteCoreWriter(path: path("limit.sqlite"))
        let limit = writer.database.maxParameters
        XCTAssertGreaterThanOrEqual(limit, 999)
        let table = CoreTable.drugInteractions
        XCTAssertEqual(writer.maxRowsPerInsert(table), limit / table.columns.count)
        XCTAssertNoThrow(try writer.statement(for: table, rows: writer.maxRowsPerInsert(table)))
        XCTAssertThrowsError(try writer.statement(for: table, rows: writer.maxRowsPerInsert(table) + 1))
    }
}
