/// Bytes that steps running at once on different threads share: each takes what it would hold
/// before it builds it, gets what is left (up to what it asked), and gives it back when done.
///
/// The end steps of a conversion (the view tables' in-memory lookups on three connections, the
/// checks' sets of keys on a fourth) hold theirs from one pool, so their sum stays within what
/// `--memory-limit` leaves them, however they overlap. A step granted less than it needs takes
/// its slower form, which gives the same rows: which form runs may depend on timing, the
/// output does not.
package final class MemoryPool: Sendable {
    /// The bytes of the pool.
    package let capacity: Int
    private let free: Guarded<Int>

    package init(bytes: Int) {
        capacity = max(0, bytes)
        free = Guarded(capacity)
    }

    /// Bytes nobody holds now.
    package var available: Int { free.withLock { $0 } }

    /// Takes up to `wanted` bytes (fewer when fewer are free); returns how many.
    package func take(upTo wanted: Int) -> Int {
        free.withLock { free in
            let granted = min(max(0, wanted), free)
            free -= granted
            return granted
        }
    }

    /// Gives back bytes that ``take(upTo:)`` granted.
    package func giveBack(_ bytes: Int) {
        free.withLock { free in
            precondition(bytes >= 0 && free + bytes <= capacity, "giving back \(bytes) bytes the pool did not grant")
            free += bytes
        }
    }
}

/// Bytes one step holds of a ``MemoryPool``: granted up front (what the step may build), then
/// cut to what it built, and given back when the step ends.
package final class MemoryGrant {
    private let pool: MemoryPool
    /// Bytes held now.
    package private(set) var bytes: Int

    /// Takes up to `wanted` bytes of `pool`.
    package init(pool: MemoryPool, upTo wanted: Int) {
        self.pool = pool
        bytes = pool.take(upTo: wanted)
    }

    /// Keeps `kept` bytes at most, giving the rest back.
    package func shrink(to kept: Int) {
        let surplus = bytes - max(0, min(kept, bytes))
        guard surplus > 0 else { return }
        bytes -= surplus
        pool.giveBack(surplus)
    }

    /// Hands up to `wanted` of the bytes held to another holder, which gives them back to the
    /// pool itself; returns how many.
    package func handOver(upTo wanted: Int) -> Int {
        let handed = max(0, min(wanted, bytes))
        bytes -= handed
        return handed
    }

    /// Gives every byte back.
    package func end() { shrink(to: 0) }

    deinit { pool.giveBack(bytes) }
}
