import Foundation

/// Runs `produce` for items `0..<count` on worker threads and hands the results to `consume`
/// on the calling thread in item order.
///
/// At most `window` items are in flight (being produced or waiting to be consumed), so memory
/// stays bounded however fast the workers are; the output order, and so the bytes written,
/// never depend on the number of threads.
enum OrderedPipeline {
    /// Shared by the workers and the consumer; every field is read and written under `condition`.
    private final class State<Result>: @unchecked Sendable {
        let condition = NSCondition()
        var nextToProduce = 0
        var nextToConsume = 0
        var results: [Int: Result] = [:]
        var stopped = false
        var runningWorkers = 0
    }

    static func run<Result>(count: Int, threads: Int, window: Int,
                            produce: @escaping @Sendable (Int) -> Result, consume: (Result) throws -> Void) throws {
        let state = State<Result>()
        let workers = max(1, min(threads, count))
        state.runningWorkers = workers
        for _ in 0..<workers {
            let thread = Thread {
                while true {
                    state.condition.lock()
                    while !state.stopped, state.nextToProduce < count, state.nextToProduce - state.nextToConsume >= window {
                        state.condition.wait()
                    }
                    if state.stopped || state.nextToProduce >= count {
                        state.runningWorkers -= 1
                        state.condition.broadcast()
                        state.condition.unlock()
                        return
                    }
                    let index = state.nextToProduce
                    state.nextToProduce += 1
                    state.condition.unlock()
                    let result = produce(index)
                    state.condition.lock()
                    state.results[index] = result
                    state.condition.broadcast()
                    state.condition.unlock()
                }
            }
            thread.start()
        }
        defer {
            state.condition.lock()
            state.stopped = true
            state.condition.broadcast()
            while state.runningWorkers > 0 { state.condition.wait() }
            state.condition.unlock()
        }
        for index in 0..<count {
            state.condition.lock()
            while state.results[index] == nil { state.condition.wait() }
            let result = state.results.removeValue(forKey: index)!
            state.nextToConsume = index + 1
            state.condition.broadcast()
            state.condition.unlock()
            try consume(result)
        }
    }
}
