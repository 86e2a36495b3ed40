import XCTest
import MediabaseBytes
@testable import MediabaseModel

final class RowTailsTests: XCTestCase {
    private let rows: [[SQLValue]] = [
        [.text("GO:0000001"), .text("a term long enough for the heap"), .null, .text("IDA")],
        [.text("GO:0000002"), .text(""), .integer(-7), .real(2.5)],
        [.text("GO:é"), .text("tab\there"), .text("biological_process"), .null],
    ]

    /// The encoding is the values as RowBatch writes them, one after the other; compacted, the
    /// rows read back from it are the same values.
    func testCompactRowsReadBackTheSameValues() throws {
        let tails = RowTails(rows)
        var expected: [UInt8] = []
        for row in rows { for value in row { value.append(to: &expected) } }
        XCTAssertEqual(tails.encode(), expected)
        XCTAssertFalse(tails.isCompact)
        tails.compact()
        XCTAssertTrue(tails.isCompact)
        XCTAssertEqual(tails.count, 3)
        XCTAssertEqual(tails.rows, rows)
        XCTAssertEqual(tails.encode(), expected)
    }

    func testRowsOfDifferentWidthsStay() throws {
        let tails = RowTails([[.text("a")], [.text("b"), .null]])
        tails.compact()
        XCTAssertFalse(tails.isCompact)
        XCTAssertEqual(tails.rows, [[.text("a")], [.text("b"), .null]])
    }

    func testNoRows() throws {
        let tails = RowTails([])
        tails.compact()
        XCTAssertEqual(tails.rows, [])
        XCTAssertEqual(tails.encode(), [])
    }
}
