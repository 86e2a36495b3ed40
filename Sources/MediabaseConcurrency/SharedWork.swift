/// Work that whichever thread asks first runs, once; a thread that asks for its value later
/// waits for it. For work that one thread does if it happens to have time, and another needs.
package final class SharedWork<Value: Sendable>: Sendable {
    private enum State {
        case notStarted(@Sendable () throws -> Value)
        case running
        case done(Result<Value, Error>)
    }

    private let state: Guarded<State>

    package init(_ work: @escaping @Sendable () throws -> Value) {
        state = Guarded(.notStarted(work))
    }

    /// Runs the work on this thread unless a thread has started it; its error is kept for
    /// ``value()``. Returns whether this thread ran it.
    @discardableResult
    package func runUnlessStarted() -> Bool {
        guard let work = claim() else { return false }
        let outcome = Result { try work() }
        state.withLock { $0 = .done(outcome) }
        return true
    }

    /// The work's value: run on this thread if no thread has started it, else waited for.
    package func value() throws -> Value {
        runUnlessStarted()
        return try state.withLock(waitingUntil: { if case .done = $0 { true } else { false } }) { state, _ in
            guard case let .done(outcome) = state else { preconditionFailure("waited until done") }
            return try outcome.get()
        }
    }

    /// The work, for the thread that is to run it; nil once a thread has.
    private func claim() -> (@Sendable () throws -> Value)? {
        state.withLock { state in
            guard case let .notStarted(work) = state else { return nil }
            state = .running
            return work
        }
    }
}
