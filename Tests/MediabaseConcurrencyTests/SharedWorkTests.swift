import Foundation
import XCTest
@testable import MediabaseConcurrency

final class SharedWorkTests: XCTestCase {
    private struct Failure: Error, Equatable { var code: Int }

    /// Asked for its value first, the work runs on the asking thread, once; later asks get the
    /// same value and a later offer to run it does nothing.
    func testTheFirstToAskRunsItOnce() throws {
        let runs = Guarded(0)
        let work = SharedWork { runs.withLock { $0 += 1; return $0 * 10 } }
        XCTAssertEqual(try work.value(), 10)
        XCTAssertEqual(try work.value(), 10)
        XCTAssertFalse(work.runUnlessStarted(), "already run")
        XCTAssertEqual(runs.withLock { $0 }, 1)
    }

    /// A thread that asks while another runs it waits for that run's value instead of running
    /// it again.
    func testAnAskWhileItRunsWaitsForThatRun() throws {
        let started = Guarded(false)
        let release = Guarded(false)
        let runs = Guarded(0)
        let work = SharedWork { () -> Int in
            runs.withLock { $0 += 1 }
            started.withLock { $0 = true }
            release.withLock(waitingUntil: { $0 }) { _, _ in }
            return 42
        }
        let runner = BackgroundTask { work.runUnlessStarted() }
        started.withLock(waitingUntil: { $0 }) { _, _ in }
        XCTAssertFalse(work.runUnlessStarted(), "another thread runs it")
        let asker = BackgroundTask { try work.value() }
        // The asker cannot have its value before the run ends.
        Thread.sleep(forTimeInterval: 0.05)
        release.withLock { $0 = true }
        XCTAssertEqual(try asker.wait(), 42)
        XCTAssertTrue(try runner.wait())
        XCTAssertEqual(runs.withLock { $0 }, 1)
    }

    /// The work's error reaches every thread that asks for its value, not the one that ran it.
    func testItsErrorReachesEveryAsker() {
        let work = SharedWork { () throws -> Int in throw Failure(code: 7) }
        XCTAssertTrue(work.runUnlessStarted())
        for _ in 0..<2 {
            XCTAssertThrowsError(try work.value()) { XCTAssertEqual($0 as? Failure, Failure(code: 7)) }
        }
    }

    /// Many threads at once: one runs it, all get its value.
    func testManyThreadsAtOnceRunItOnce() {
        let runs = Guarded(0)
        let work = SharedWork { () -> Int in
            runs.withLock { $0 += 1 }
            Thread.sleep(forTimeInterval: 0.01)
            return 5
        }
        let values = Guarded([Int]())
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            if index % 2 == 0 { work.runUnlessStarted() }
            let value = (try? work.value()) ?? -1
            values.withLock { $0.append(value) }
        }
        XCTAssertEqual(runs.withLock { $0 }, 1)
        XCTAssertEqual(values.withLock { $0 }, Array(repeating: 5, count: 8))
    }
}
