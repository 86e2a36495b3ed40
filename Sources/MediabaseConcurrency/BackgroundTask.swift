/// Runs work on a thread of its own; ``wait()`` returns its result (as often as asked).
package final class BackgroundTask<Value: Sendable>: Sendable {
    private let result = Guarded<Result<Value, Error>?>(nil)

    package init(_ work: @escaping @Sendable () throws -> Value) {
        startThread { [result] in
            let outcome = Result { try work() }
            result.withLock { $0 = outcome }
        }
    }

    package func wait() throws -> Value {
        try result.withLock(waitingUntil: { $0 != nil }) { result, _ in try result!.get() }
    }
}
