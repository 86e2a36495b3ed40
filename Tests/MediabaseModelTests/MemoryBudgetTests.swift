@testable import MediabaseModel
import XCTest

final class MemoryBudgetTests: XCTestCase {
    func testSizesParseInDecimalAndBinaryUnits() throws {
        XCTAssertEqual(MemoryBudget.parseSize("300MB"), 300_000_000)
        XCTAssertEqual(MemoryBudget.parseSize("1.5 gb"), 1_500_000_000)
        XCTAssertEqual(MemoryBudget.parseSize("2MiB"), 2 * 1024 * 1024)
        XCTAssertEqual(MemoryBudget.parseSize("0.25GiB"), 1 << 28)
        XCTAssertEqual(MemoryBudget.parseSize("4096"), 4096)
        XCTAssertNil(MemoryBudget.parseSize("1.5B"), "not a whole number of bytes")
        XCTAssertNil(MemoryBudget.parseSize("12 parsecs"))
        XCTAssertNil(MemoryBudget.parseSize(""))
    }

    func testTheStateSharesAddUpWithinTheLimit() throws {
        for limit: Int64 in [140_000_000, 300_000_000, 2_000_000_000] {
            let budget = MemoryBudget(limit: limit)
            let transcripts = Int64(budget.transcriptsInMemory) * MemoryBudget.bytesPerTranscript
            let spillCaches = 2 * Int64(budget.spillBufferKilobytes) * 1024
            let total = MemoryBudget.fixedBytes + transcripts + Int64(budget.geneStateBytes) + Int64(budget.goTermCacheBytes) + spillCaches + MemoryBudget.filterBytes
            XCTAssertLessThanOrEqual(total, limit, "limit \(limit)")
        }
    }

    /// The end steps' pool does not shrink with the read stage's fixed part: their fills and
    /// checks run once the state is freed. One fill takes at most 96 MiB of it.
    func testTheEndStepsShareWhatTheLimitLeavesAboveTheirOwn() throws {
        XCTAssertEqual(MemoryBudget().endStepsPoolBytes, 200_000_000, "200 MB with the default 300 MB")
        XCTAssertEqual(MemoryBudget().viewLookupBytes, 96 << 20, "96 MiB with the default 300 MB")
        XCTAssertEqual(MemoryBudget(limit: 210_000_000).endStepsPoolBytes, 110_000_000)
        XCTAssertEqual(MemoryBudget(limit: 210_000_000).viewLookupBytes, 96 << 20)
        XCTAssertEqual(MemoryBudget(limit: 150_000_000).viewLookupBytes, 50_000_000, "the whole pool when it is smaller")
        XCTAssertEqual(MemoryBudget(limit: 50_000_000).endStepsPoolBytes, 0, "none below the end steps' own")
        XCTAssertEqual(MemoryBudget(limit: 50_000_000).viewLookupBytes, 0)
        XCTAssertEqual(MemoryBudget(limit: 2_000_000_000).viewLookupBytes, 96 << 20, "never above 96 MiB")
    }

    func testTheViewScanCacheIsWhatTheLimitLeavesAboveTheEndSteps() throws {
        XCTAssertEqual(MemoryBudget().viewScanCacheKilobytes, 65536, "64 MB with the default 300 MB")
        XCTAssertEqual(MemoryBudget(limit: 140_000_000).viewScanCacheKilobytes, Int((140_000_000 - 130_000_000) / 1024))
        XCTAssertEqual(MemoryBudget(limit: 100_000_000).viewScanCacheKilobytes, 2048, "never below SQLite's default")
        XCTAssertEqual(MemoryBudget(limit: 10_000_000_000).viewScanCacheKilobytes, 65536, "never above 64 MB")
    }
}
