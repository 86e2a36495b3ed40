import Foundation

/// Hands byte batches from a producing thread to a consumer running on a thread of its own,
/// in order, with bounded memory: at most `capacity` batches wait, and emptied batches go back
/// to the producer, so their memory is reused rather than allocated (and zeroed) again.
///
/// A consumer failure is kept: the producer's next ``submit(_:)`` and ``close()`` throw it.
final class BatchPipe {
    private let capacity: Int
    private let batchSize: Int
    private let consume: ([UInt8]) throws -> Void
    private let condition = NSCondition()
    private var queue: [[UInt8]] = []
    private var spare: [[UInt8]] = []
    private var closed = false
    private var finished = false
    /// Whether the consumer is working on a batch.
    private var consuming = false
    private var failure: Error?
    /// Seconds the producer waited for room (the consumer was the bottleneck) and the consumer
    /// waited for batches (the producer was).
    private(set) var producerWaitSeconds = 0.0
    private(set) var consumerWaitSeconds = 0.0

    /// Work the consumer does a piece at a time while no batch waits (it returns false when
    /// there is no more); touched only by the consumer's thread.
    private var whileIdle: (() -> Bool)?

    /// - Parameter whileIdle: called on the consumer's thread, instead of waiting, whenever no
    ///   batch is queued, until it returns false; each call should be short (a batch that
    ///   arrives meanwhile waits for it).
    init(capacity: Int, batchSize: Int, whileIdle: (() -> Bool)? = nil, consume: @escaping ([UInt8]) throws -> Void) {
        self.capacity = capacity
        self.batchSize = batchSize
        self.whileIdle = whileIdle
        self.consume = consume
        // The thread keeps the pipe alive until it is closed.
        let thread = Thread { self.drain() }
        thread.stackSize = 1 << 22
        thread.start()
    }

    /// A new, empty batch with room for a full one.
    func emptyBatch() -> [UInt8] {
        var batch: [UInt8] = []
        batch.reserveCapacity(batchSize + 64 * 1024)
        return batch
    }

    /// Queues `batch` (if not empty) and replaces it with an empty one to fill next.
    func submit(_ batch: inout [UInt8]) throws {
        guard !batch.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        if queue.count >= capacity {
            let started = Date()
            while queue.count >= capacity && failure == nil { condition.wait() }
            producerWaitSeconds += Date().timeIntervalSince(started)
        }
        if let failure { throw failure }
        queue.append(batch)
        condition.broadcast()
        batch = spare.popLast() ?? emptyBatch()
    }

    /// Waits until every queued batch is consumed (the pipe stays open) and rethrows the
    /// consumer's failure; what the consumer changed is then visible to the caller.
    func waitUntilIdle() throws {
        condition.lock()
        defer { condition.unlock() }
        while (!queue.isEmpty || consuming) && failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Waits until every queued batch is consumed and rethrows the consumer's failure. Later
    /// calls do nothing; call it on every path, so the consumer thread never outlives its work.
    func close() throws {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        closed = true
        condition.broadcast()
        while !finished { condition.wait() }
        if let failure { throw failure }
    }

    private func drain() {
        while true {
            condition.lock()
            if queue.isEmpty && !closed, let work = whileIdle {
                condition.unlock()
                if !work() { whileIdle = nil }
                continue
            }
            if queue.isEmpty && !closed {
                let started = Date()
                while queue.isEmpty && !closed { condition.wait() }
                consumerWaitSeconds += Date().timeIntervalSince(started)
            }
            if queue.isEmpty {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            var batch = queue.removeFirst()
            consuming = true
            condition.broadcast()
            condition.unlock()
            do {
                try consume(batch)
                batch.removeAll(keepingCapacity: true)
                condition.lock()
                spare.append(batch)
                consuming = false
                condition.broadcast()
                condition.unlock()
            } catch {
                condition.lock()
                consuming = false
                failure = error
                // Drop what is queued and what comes, until closed, so the producer never waits forever.
                while !closed {
                    queue.removeAll()
                    condition.broadcast()
                    condition.wait()
                }
                queue.removeAll()
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }
}
