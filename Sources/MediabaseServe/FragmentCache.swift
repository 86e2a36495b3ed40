import MediabaseBytes
import NIOConcurrencyHelpers

/// What the workers render from the core, kept for every worker: the gene fields and the
/// transcripts' own, each within its budget.
struct CoreFragments: Sendable {
    let genes = FragmentCache<[UInt8]>(cost: \.count)
    /// A transcript the core lacks is remembered too (as nil).
    let transcripts = FragmentCache<CachedTranscript?>(cost: { $0?.cost ?? 64 })
}

/// Values rendered from the core (JSON fragments), by key, within a byte budget, shared by the
/// workers.
///
/// The core is opened read-only and is served as it was at start (its `/stats` figures are read
/// once, like ``CoreSummary``), so a fragment stays true; patient values are never cached here (a patient file may be replaced at any
/// time; what a patient connection keeps is tied to the file it opened). Two generations: new fragments go into the current one; when it holds half the
/// budget it becomes the previous one and the old previous one is dropped. A fragment found
/// in the previous generation moves back into the current one, so what requests keep asking
/// for stays and the total stays within the budget.
final class FragmentCache<Value: Sendable>: Sendable {
    private struct Generations {
        var current: [String: Value] = [:]
        var previous: [String: Value] = [:]
        var currentBytes = 0
    }

    /// The budget of each of `mediabase serve`'s caches: the fragments of a few tens of thousands
    /// of genes or transcripts.
    static var defaultBudget: Int { 64 << 20 }

    private let generations = NIOLockedValueBox(Generations())
    /// Bytes of fragments (not counting keys and table overhead) kept at most.
    let budget: Int
    /// The bytes a value holds.
    private let cost: @Sendable (Value) -> Int

    init(budget: Int = FragmentCache.defaultBudget, cost: @escaping @Sendable (Value) -> Int) {
        self.budget = budget
        self.cost = cost
    }

    /// The fragment of `key`, rendered by `render` (outside the lock) when it is not cached.
    func fragment(_ key: String, render: () throws -> Value) rethrows -> Value {
        if let cached = generations.withLockedValue({ state -> Value? in
            if let fragment = state.current[key] { return fragment }
            guard let fragment = state.previous.removeValue(forKey: key) else { return nil }
            insert(key, fragment, into: &state)
            return fragment
        }) {
            return cached
        }
        let fragment = try render()
        generations.withLockedValue { insert(key, fragment, into: &$0) }
        return fragment
    }

    private func insert(_ key: String, _ fragment: Value, into state: inout Generations) {
        let size = cost(fragment)
        guard size <= budget / 2, state.current[key] == nil else { return }
        if state.currentBytes + size > budget / 2 {
            state.previous = state.current
            state.current = [:]
            state.currentBytes = 0
        }
        state.current[key] = fragment
        state.currentBytes += size
    }
}
