import Foundation
import XCTest
@testable import MediabaseConcurrency

final class BatchPipeTests: XCTestCase {
    /// Idle work runs on the consumer's thread between batches until it says it is done, and
    /// the batches still arrive whole and in order.
    func testIdleWorkFillsTheWaitsAndBatchesStayInOrder() throws {
        let lock = NSLock()
        var consumed: [UInt8] = []
        var idleCalls = 0
        var threads = Set<String>()
        func note() { threads.insert("\(Unmanaged.passUnretained(Thread.current).toOpaque())") }
        let pipe = BatchPipe(capacity: 2, batchSize: 16, whileIdle: {
            lock.lock(); defer { lock.unlock() }
            note()
            idleCalls += 1
            return idleCalls < 50
        }) { batch in
            lock.lock(); defer { lock.unlock() }
            note()
            consumed += batch
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
        XCTAssertEqual(consumed, (0..<200).map(UInt8.init))
        XCTAssertGreaterThan(idleCalls, 0)
        XCTAssertLessThanOrEqual(idleCalls, 50)
        XCTAssertEqual(threads.count, 1, "the consumer's thread does both")
    }
}
