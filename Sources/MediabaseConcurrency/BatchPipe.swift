import Foundation

/// Hands byte batches from a producing thread to a consumer running on a thread of its own,
/// in order, with bounded memory: at most `capacity` batches wait, and emptied batches go back
/// to the producer, so their memory is reused rather than allocated (and zeroed) again.
///
/// A consumer failure is kept: the producer's next ``submit(_:)`` and ``close()`` throw it.
package final class BatchPipe: Sendable {
    private struct State {
        var queue: [[UInt8]] = []
        var spare: [[UInt8]] = []
        var closed = false
        var finished = false
        /// Whether the consumer is working on a batch.
        var consuming = false
        var failure: Error?
        var producerWaitSeconds = 0.0
        var consumerWaitSeconds = 0.0
    }

    private let capacity: Int
    private let batchSize: Int
    private let state = Guarded(State())

    /// Seconds the producer waited for room (the consumer was the bottleneck) and the consumer
    /// waited for batches (the producer was).
    package var producerWaitSeconds: Double { state.withLock { $0.producerWaitSeconds } }
    package var consumerWaitSeconds: Double { state.withLock { $0.consumerWaitSeconds } }

    /// - Parameter whileIdle: work the consumer does a piece at a time, on its thread, instead of
    ///   waiting whenever no batch is queued, until it returns false; each call should be short
    ///   (a batch that arrives meanwhile waits for it).
    package init(capacity: Int, batchSize: Int, whileIdle: (@Sendable () -> Bool)? = nil,
                 consume: @escaping @Sendable ([UInt8]) throws -> Void) {
        self.capacity = capacity
        self.batchSize = batchSize
        // The thread keeps the pipe alive until it is closed.
        startThread(stackSize: 1 << 22) { [self] in drain(whileIdle: whileIdle, consume: consume) }
    }

    /// A new, empty batch with room for a full one.
    package func emptyBatch() -> [UInt8] {
        var batch: [UInt8] = []
        batch.reserveCapacity(batchSize + 64 * 1024)
        return batch
    }

    /// Queues `batch` (if not empty) and replaces it with an empty one to fill next.
    package func submit(_ batch: inout [UInt8]) throws {
        guard !batch.isEmpty else { return }
        // The producer's reference is dropped before the lock is released, so the consumer
        // owns the buffer alone and can empty it for reuse without a copy.
        let reused = try state.withLock(waitingUntil: { [capacity] in $0.queue.count < capacity || $0.failure != nil }) { state, waited in
            state.producerWaitSeconds += waited
            if let failure = state.failure { throw failure }
            state.queue.append(batch)
            batch = state.spare.popLast() ?? []
            return !batch.isEmpty || batch.capacity > 0
        }
        if !reused { batch = emptyBatch() }
    }

    /// Waits until every queued batch is consumed (the pipe stays open) and rethrows the
    /// consumer's failure; what the consumer changed is then visible to the caller.
    package func waitUntilIdle() throws {
        try state.withLock(waitingUntil: { ($0.queue.isEmpty && !$0.consuming) || $0.failure != nil }) { state, _ in
            if let failure = state.failure { throw failure }
        }
    }

    /// Waits until every queued batch is consumed and rethrows the consumer's failure. Later
    /// calls do nothing; call it on every path, so the consumer thread never outlives its work.
    package func close() throws {
        let alreadyClosed = state.withLock { state in
            defer { state.closed = true }
            return state.closed
        }
        guard !alreadyClosed else { return }
        try state.withLock(waitingUntil: { $0.finished }) { state, _ in
            if let failure = state.failure { throw failure }
        }
    }

    private func drain(whileIdle: (@Sendable () -> Bool)?, consume: @Sendable ([UInt8]) throws -> Void) {
        var idleWork = whileIdle
        while true {
            if let work = idleWork, state.withLock({ $0.queue.isEmpty && !$0.closed }) {
                if !work() { idleWork = nil }
                continue
            }
            let next: [UInt8]? = state.withLock(waitingUntil: { !$0.queue.isEmpty || $0.closed }) { state, waited in
                state.consumerWaitSeconds += waited
                if state.queue.isEmpty {
                    state.finished = true
                    return nil
                }
                state.consuming = true
                return state.queue.removeFirst()
            }
            guard var batch = next else { return }
            do {
                try consume(batch)
                batch.removeAll(keepingCapacity: true)
                state.withLock { state in
                    state.spare.append(batch)
                    state.consuming = false
                }
            } catch {
                state.withLock { state in
                    state.consuming = false
                    state.failure = error
                }
                // The failure unblocks the producer, whose next call throws it; wait for the close.
                state.withLock(waitingUntil: { $0.closed }) { state, _ in
                    state.queue.removeAll()
                    state.finished = true
                }
                return
            }
        }
    }
}
