/// Runs `body` for each index in `0..<count` on up to `threads` threads, each taking the next
/// index not yet taken, and returns when every call has returned. The calling thread is one of
/// the workers; with one thread (or one index) everything runs on it, in order.
package func parallelForEach(count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let workers = max(1, min(threads, count))
    let state = Guarded((next: 0, running: workers))
    let work: @Sendable () -> Void = {
        while let index = state.withLock({ state -> Int? in
            guard state.next < count else { return nil }
            state.next += 1
            return state.next - 1
        }) {
            body(index)
        }
        state.withLock { $0.running -= 1 }
    }
    for _ in 1..<workers { startThread(work) }
    work()
    state.withLock(waitingUntil: { $0.running == 0 }) { _, _ in }
}
