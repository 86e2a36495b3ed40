import XCTest
@testable import MediabaseModel
@testable import MediabaseOutput
import MediabaseTestSupport

/// `transcripts` is written in transcript id order, whatever order its rows came in
/// (``SQLiteCoreWriter/holdTranscript(_:)``): through the writer called directly and through the
/// threaded output, sorted in memory and through sorted runs on disk, with every value as given.
final class TranscriptsInIdOrderTests: ScratchFolderTestCase {
    /// Rows whose ids have several lengths and spellings (ids that are a prefix of others,
    /// versions, non-ASCII text), with every kind of value, in a shuffled order.
    private func shuffledRows(count: Int) -> [[SQLValue]] {
        var rows: [[SQLValue]] = (0..<count).map { index in
            let number = String(index)
            let padded = String(repeating: "0", count: 11 - number.count) + number
            let id = switch index % 4 {
            case 0: "ENST" + padded
            case 1: "ENST" + number
            case 2: "tx-é" + number
            default: "ENST\(padded).\(index % 9)"
            }
            return [.text(id), .text("ENSG\(index / 3)"), index % 5 == 0 ? .text("name \(index)") : .null, .null, .null,
                    .integer(Int64(index) * 1000 - 500_000), index % 7 == 0 ? .null : .integer(Int64(index) * 1000 + 99),
                    .integer(index % 2 == 0 ? 1 : -1), .real(Double(index) / 8)]
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in rows.indices.reversed() {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            rows.swapAt(index, Int((state >> 33) % UInt64(index + 1)))
        }
        return rows
    }

    /// The rows as `SELECT *` gives them back as text, sorted by the id's UTF-8 bytes (the order
    /// of SQLite's BINARY collation), computed here from the values given.
    private func expected(_ rows: [[SQLValue]]) -> [[String?]] {
        func text(_ value: SQLValue) -> String? {
            switch value {
            case .null: nil
            case let .integer(number): String(number)
            case let .real(number): String(number)
            case let .text(text): text
            }
        }
        return rows.map { $0.map(text) }.sorted { Array($0[0]!.utf8).lexicographicallyPrecedes(Array($1[0]!.utf8)) }
    }

    private func stored(_ writer: SQLiteCoreWriter) throws -> [[String?]] {
        try writer.database.rows("SELECT * FROM transcripts ORDER BY rowid")
    }

    func testTheWriterCalledDirectlyWritesTranscriptsInIdOrder() throws {
        let rows = shuffledRows(count: 3000)
        XCTAssertNotEqual(rows.map { $0[0] }, expected(rows).map { .text($0[0]!) }, "the test's rows come out of order")
        // In memory, and in 4 KB runs: over a hundred, so that runs are merged into longer ones
        // before the last merge (``ExternalSorter/maximumFanIn``).
        for budget in [SQLiteCoreWriter.defaultHeldTranscriptsBytes, 4096] {
            let writer = try SQLiteCoreWriter(path: path("direct-\(budget).sqlite"))
            writer.heldTranscriptsBytes = budget
            for row in rows { try writer.insert(.transcripts, row) }
            XCTAssertEqual(try stored(writer), [], "rows wait until every transcript is given")
            try writer.transcriptsComplete()
            XCTAssertEqual(try stored(writer), expected(rows), "budget \(budget)")
            try writer.finish(appliedAt: "2024-01-01T00:00:00Z", forQueries: false)
            XCTAssertEqual(writer.rowCounts["transcripts"], rows.count)
        }
    }

    func testTheThreadedOutputWritesTranscriptsInIdOrder() throws {
        let rows = shuffledRows(count: 2000)
        let writer = try SQLiteCoreWriter(path: path("threaded.sqlite"))
        writer.heldTranscriptsBytes = 8192
        let output = ThreadedCoreOutput(writer: writer, rowsPerInsert: 7, batchSize: 4096)
        // Other tables' rows in between, as the normalizer sends them.
        for (index, row) in rows.enumerated() {
            try output.insert(.transcripts, row)
            try output.insert(.transcriptExtras, [row[0], .text("field"), .text("value \(index)")])
        }
        try output.transcriptsComplete()
        // A transcript given afterwards waits for the writer's finish.
        let late: [SQLValue] = [.text("AAA-late"), .text("ENSG1"), .null, .null, .null, .integer(1), .integer(2), .integer(1), .real(1.5)]
        try output.insert(.transcripts, late)
        try output.close()
        XCTAssertEqual(try stored(writer), expected(rows))
        try writer.finish(appliedAt: "2024-01-01T00:00:00Z", forQueries: false)
        XCTAssertEqual(try stored(writer), expected(rows) + expected([late]))
        XCTAssertEqual(writer.rowCounts["transcripts"], rows.count + 1)
        // The other table kept the order its rows came in.
        let extras = try writer.database.rows("SELECT transcript_id FROM transcript_extras ORDER BY rowid").map { $0[0] }
        XCTAssertEqual(extras, rows.map { row -> String? in if case let .text(id) = row[0] { id } else { nil } })
    }
}
