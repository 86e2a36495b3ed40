import Foundation
import MediabaseTestSupport
import XCTest
@testable import MediabaseSQLite

/// Multi-row INSERT runs give a table the rows, values, types and rowids one INSERT per row gives.
final class SQLiteRowRunsTests: ScratchFolderTestCase {
    /// The rows of `table` with each value's type and text, in rowid order.
    private func contents(_ database: SQLiteDatabase, _ table: String) throws -> [[String?]] {
        try database.rows("""
            SELECT rowid, typeof(a), quote(a), typeof(b), quote(b), typeof(c), quote(c), typeof(d), quote(d) FROM \(table) ORDER BY rowid
            """)
    }

    func testRunsHoldWhatOneInsertPerRowHolds() throws {
        let database = try SQLiteDatabase(path: path("runs.sqlite"))
        // The stored values come from a query, as a fill passes a column it does not read.
        try database.execute("CREATE TABLE source (v)")
        try database.execute("INSERT INTO source VALUES (42), (2.5), ('text'), (x'00ff'), (NULL)")
        for count in [0, 1, 7, 31, 32, 33, 64, 100] {
            for table in ["one", "runs"] { try database.execute("DROP TABLE IF EXISTS \(table); CREATE TABLE \(table) (a, b, c, d)") }
            // The stored value passed as INSERT ... SELECT passes it.
            let single = try database.prepare("INSERT INTO one SELECT ?1, ?2, ?3, v FROM source WHERE rowid = ?4")
            let runs = SQLiteRowRuns(database: database, table: "runs", columns: 4)
            let stored = try database.prepare("SELECT v FROM source ORDER BY rowid")
            for index in 0..<count {
                // Text, NULL, integers, reals and stored values in turn.
                // Every fourth text empty, every fifth with a NUL.
                let text = index % 4 == 0 ? [] : Array("id\(index)\(index % 5 == 0 ? "\u{0}x" : "")".utf8)
                if try !stored.step() {
                    stored.reset()
                    _ = try stored.step()
                }
                // One INSERT per row, each value bound on its own (copied); `stored` is on the
                // source's row `index % 5 + 1`.
                try single.bind(1, bytes: text.span)
                if index % 3 == 0 { try single.bindNull(2) } else { try single.bind(2, Int64(index) * 1_000_000_007) }
                try single.bind(3, Double(index) / 8)
                try single.bind(4, Int64(index % 5 + 1))
                while try single.step() {}
                single.reset()
                runs.appendText(text.span)
                if index % 3 == 0 { runs.appendNull() } else { runs.appendInteger(Int64(index) * 1_000_000_007) }
                runs.appendReal(Double(index) / 8)
                try runs.appendStored(column: 0, of: stored)
                try runs.endRow()
            }
            try runs.finish()
            let expected = try contents(database, "one")
            XCTAssertEqual(expected.count, count)
            XCTAssertEqual(try contents(database, "runs"), expected, "\(count) rows")
        }
    }

    func testRunLengthKeepsUnderTheParameterLimit() throws {
        let database = try SQLiteDatabase(path: path("limit.sqlite"))
        let columns = 7
        database.limitParameters(to: 100)
        XCTAssertEqual(database.maxParameters, 100)
        try database.execute("CREATE TABLE wide (" + (0..<columns).map { "c\($0)" }.joined(separator: ", ") + ")")
        let runs = SQLiteRowRuns(database: database, table: "wide", columns: columns)
        XCTAssertEqual(runs.runLength, 14)
        for row in 0..<40 {
            for column in 0..<columns { runs.appendInteger(Int64(row * columns + column)) }
            try runs.endRow()
        }
        try runs.finish()
        XCTAssertEqual(try database.scalar("SELECT count(*) FROM wide"), "40")
        XCTAssertEqual(try database.scalar("SELECT group_concat(c0) FROM (SELECT c0 FROM wide ORDER BY rowid)"), (0..<40).map { "\($0 * columns)" }.joined(separator: ","))
    }
}
