import Foundation
import XCTest
@testable import MediabaseConcurrency

final class BatchPipeTests: XCTestCase {
    /// Idle work runs on the consumer's thread between batches until it says it is done, and
    /// the batches still arrive whole and in order.
    func testIdleWorkFillsTheWaitsAndBatchesStayInOrder() throws {
        struct Seen {
            var consumed: [UInt8] = []
            var idleCalls = 0
            var threads = Set<String>()
            mutating func note() { threads.insert("\(Unmanaged.passUnretained(Thread.current).toOpaque())") }
        }
        let seen = Guarded(Seen())
        let pipe = BatchPipe(capacity: 2, batchSize: 16, whileIdle: {
            seen.withLock { seen in
                seen.note()
                seen.idleCalls += 1
                return seen.idleCalls < 50
            }
        }) { batch in
            seen.withLock { seen in
                seen.note()
                seen.consumed += batch
            }
        }
        var batch = pipe.emptyBatch()
        for value in 0..<200 {
            batch.append(UInt8(value))
            if batch.count == 8 {
                try pipe.submit(&batch)
                usleep(200)
            }
        }
        try pipe.submit(&batch)
        try pipe.close()
        let result = seen.withLock { $0 }
        XCTAssertEqual(result.consumed, (0..<200).map(UInt8.init))
        XCTAssertGreaterThan(result.idleCalls, 0)
        XCTAssertLessThanOrEqual(result.idleCalls, 50)
        XCTAssertEqual(result.threads.count, 1, "the consumer's thread does both")
    }
}
