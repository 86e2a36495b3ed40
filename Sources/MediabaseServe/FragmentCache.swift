import NIOConcurrencyHelpers

/// JSON fragments rendered from the core, by key, within a byte budget, shared by the workers.
///
/// The core is opened read-only and is served as it was at start (its `/stats` figures are read
/// once, like ``CoreSummary``), so a fragment stays true; patient values are never cached (a patient file may be replaced at any
/// time). Two generations: new fragments go into the current one; when it holds half the
/// budget it becomes the previous one and the old previous one is dropped. A fragment found
/// in the previous generation moves back into the current one, so what requests keep asking
/// for stays and the total stays within the budget.
final class FragmentCache: Sendable {
    private struct Generations {
        var current: [String: [UInt8]] = [:]
        var previous: [String: [UInt8]] = [:]
        var currentBytes = 0
    }

    /// The budget of `mediabase serve`: the fragments of a few tens of thousands of genes.
    static let defaultBudget = 64 << 20

    private let generations = NIOLockedValueBox(Generations())
    /// Bytes of fragments (not counting keys and table overhead) kept at most.
    let budget: Int

    init(budget: Int = FragmentCache.defaultBudget) { self.budget = budget }

    /// The fragment of `key`, rendered by `render` (outside the lock) when it is not cached.
    func fragment(_ key: String, render: () throws -> [UInt8]) rethrows -> [UInt8] {
        if let cached = generations.withLockedValue({ state -> [UInt8]? in
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

    private func insert(_ key: String, _ fragment: [UInt8], into state: inout Generations) {
        guard fragment.count <= budget / 2, state.current[key] == nil else { return }
        if state.currentBytes + fragment.count > budget / 2 {
            state.previous = state.current
            state.current = [:]
            state.currentBytes = 0
        }
        state.current[key] = fragment
        state.currentBytes += fragment.count
    }
}
