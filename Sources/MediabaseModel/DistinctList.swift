/// Values in first-seen order without repeats. Most lists here are a handful of values, which a
/// linear search deduplicates without hashing; longer ones switch to a set.
package struct DistinctList<Element: Hashable> {
    package private(set) var elements: [Element] = []
    private var seen: Set<Element>?

    package init() {}

    package var count: Int { elements.count }

    package mutating func append(_ element: Element) {
        if seen == nil {
            guard !elements.contains(element) else { return }
            if elements.count == 16 { seen = Set(elements) }
        }
        if seen != nil, !seen!.insert(element).inserted { return }
        elements.append(element)
    }

    /// Empties the list, keeping its storage for the next one.
    package mutating func removeAll() {
        elements.removeAll(keepingCapacity: true)
        seen = nil
    }
}
