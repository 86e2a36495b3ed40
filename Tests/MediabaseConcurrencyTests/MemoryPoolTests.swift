import Foundation
import XCTest
@testable import MediabaseConcurrency

final class MemoryPoolTests: XCTestCase {
    /// A step gets what is free up to what it asks, cuts its grant to what it built, and gives
    /// everything back at its end; what it holds is not granted to another step meanwhile.
    func testGrantsShareThePoolAndComeBack() {
        let pool = MemoryPool(bytes: 100)
        let first = MemoryGrant(pool: pool, upTo: 70)
        XCTAssertEqual(first.bytes, 70)
        let second = MemoryGrant(pool: pool, upTo: 70)
        XCTAssertEqual(second.bytes, 30, "only what is left")
        XCTAssertEqual(pool.available, 0)
        XCTAssertEqual(MemoryGrant(pool: pool, upTo: 10).bytes, 0, "nothing while both hold it all")
        first.shrink(to: 20)
        XCTAssertEqual(first.bytes, 20)
        XCTAssertEqual(pool.available, 50)
        first.shrink(to: 40)
        XCTAssertEqual(first.bytes, 20, "a grant does not grow back")
        second.end()
        XCTAssertEqual(pool.available, 80)
        first.end()
        XCTAssertEqual(pool.available, 100)
        XCTAssertEqual(pool.take(upTo: -5), 0)
        XCTAssertEqual(MemoryPool(bytes: -1).capacity, 0)
    }

    /// A grant that goes out of scope gives its bytes back.
    func testAGrantLeftBehindGivesItsBytesBack() {
        let pool = MemoryPool(bytes: 64)
        do {
            let grant = MemoryGrant(pool: pool, upTo: 48)
            grant.shrink(to: 16)
            XCTAssertEqual(pool.available, 48)
        }
        XCTAssertEqual(pool.available, 64)
    }

    /// Threads taking and giving back at once never see more granted than the pool holds.
    func testConcurrentGrantsNeverExceedThePool() {
        let pool = MemoryPool(bytes: 1000)
        let held = Guarded((now: 0, most: 0))
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<500 {
                let grant = MemoryGrant(pool: pool, upTo: 100 + (worker * 37 + round) % 400)
                // Counted after the pool grants and before it gets the bytes back: `now` never
                // exceeds what the grants hold.
                held.withLock { $0.now += grant.bytes; $0.most = max($0.most, $0.now) }
                let before = grant.bytes
                held.withLock { $0.now -= before - before / 2 }
                grant.shrink(to: before / 2)
                held.withLock { $0.now -= grant.bytes }
                grant.end()
            }
        }
        XCTAssertLessThanOrEqual(held.withLock { $0.most }, 1000)
        XCTAssertEqual(pool.available, 1000)
    }
}
