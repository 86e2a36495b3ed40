/// Values in first-seen order without repeats. Most lists here are a handful of values, which a
/// linear search deduplicates without hashing; longer ones switch to a set.
///
/// Inlinable, so that the normalizer's and the views' lists are specialized for their element
/// type: called through the generic entry point, each append looked its type's metadata up and
/// cost about 3,000 instructions (callgrind, lean rows).
package struct DistinctList<Element: Hashable> {
    @usableFromInline var stored: [Element] = []
    @usableFromInline var seen: Set<Element>?

    /// The values, first seen first.
    @inlinable package var elements: [Element] { stored }

    @inlinable package init() {}

    @inlinable package var count: Int { stored.count }

    @inlinable package mutating func append(_ element: Element) {
        if seen == nil {
            guard !stored.contains(element) else { return }
            if stored.count == 16 { seen = Set(stored) }
        }
        if seen != nil, !seen!.insert(element).inserted { return }
        stored.append(element)
    }

    /// Empties the list, keeping its storage for the next one.
    @inlinable package mutating func removeAll() {
        stored.removeAll(keepingCapacity: true)
        seen = nil
    }
}
