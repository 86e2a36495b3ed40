import Foundation

/// State shared by threads, reachable only under its lock, with waiting for a condition on it.
///
/// The layer's one unchecked type: every access goes through ``withLock(_:)`` or
/// ``withLock(waitingUntil:_:)``, which hold the lock for the closure's duration, and every
/// change wakes the waiters. The other primitives are built on it and checked by the compiler.
package final class Guarded<State>: @unchecked Sendable {
    private let condition = NSCondition()
    private var state: State

    package init(_ state: State) { self.state = state }

    /// Runs `body` on the state under the lock, then wakes the threads waiting for a change.
    @discardableResult
    package func withLock<Value>(_ body: (inout State) throws -> Value) rethrows -> Value {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&state)
    }

    /// Waits until `ready` holds for the state, then runs `body` on it under the lock and wakes
    /// the other waiters. Returns the seconds spent waiting with the value.
    package func withLock<Value>(waitingUntil ready: (State) -> Bool,
                                 _ body: (inout State, _ waitedSeconds: Double) throws -> Value) rethrows -> Value {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        var waited = 0.0
        if !ready(state) {
            let started = DispatchTime.now().uptimeNanoseconds
            repeat { condition.wait() } while !ready(state)
            waited = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        }
        return try body(&state, waited)
    }
}

/// Starts `body` on a new thread of its own (not a pool's: the work blocks on I/O and locks).
package func startThread(stackSize: Int = 1 << 23, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread(block: body)
    thread.stackSize = stackSize
    thread.start()
}
