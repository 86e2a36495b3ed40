import Foundation

/// Runs `produce` for items `0..<count` on worker threads and hands the results to `consume`
/// on the calling thread in item order.
///
/// At most `window` items are in flight (being produced or waiting to be consumed), so memory
/// stays bounded however fast the workers are; the output order, and so the bytes written,
/// never depend on the number of threads.
package enum OrderedPipeline {
    private struct State<Result> {
        var nextToProduce = 0
        var nextToConsume = 0
        var results: [Int: Result] = [:]
        var stopped = false
        var runningWorkers = 0
    }

    package static func run<Result: Sendable>(count: Int, threads: Int, window: Int,
                                              produce: @escaping @Sendable (Int) -> Result, consume: (Result) throws -> Void) throws {
        let workers = max(1, min(threads, count))
        let state = Guarded(State<Result>(runningWorkers: workers))
        for _ in 0..<workers {
            startThread {
                while true {
                    let index: Int? = state.withLock(waitingUntil: { state in
                        state.stopped || state.nextToProduce >= count || state.nextToProduce - state.nextToConsume < window
                    }) { state, _ in
                        if state.stopped || state.nextToProduce >= count {
                            state.runningWorkers -= 1
                            return nil
                        }
                        state.nextToProduce += 1
                        return state.nextToProduce - 1
                    }
                    guard let index else { return }
                    let result = produce(index)
                    state.withLock { $0.results[index] = result }
                }
            }
        }
        defer {
            state.withLock { $0.stopped = true }
            state.withLock(waitingUntil: { $0.runningWorkers == 0 }) { _, _ in }
        }
        for index in 0..<count {
            let result = state.withLock(waitingUntil: { $0.results[index] != nil }) { state, _ in
                state.nextToConsume = index + 1
                return state.results.removeValue(forKey: index)!
            }
            try consume(result)
        }
    }
}
