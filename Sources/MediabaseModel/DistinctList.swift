/// Values in first-seen order without repeats. Most lists here are a handful of values, which a
/// linear search deduplicates without hashing; longer ones switch to a set.
///
/// `public`, not `package`: Swift (6.3) neither specializes nor inlines a `package` declaration
/// in another target, even an `@inlinable` one, while `-cross-module-optimization` does both for
/// `public` ones. Called through its generic entry point, an append looked its element type's
/// metadata up and cost about 3,000 instructions (callgrind, lean rows); docs/architecture.md.
public struct DistinctList<Element: Hashable> {
    @usableFromInline var stored: [Element] = []
    @usableFromInline var seen: Set<Element>?

    @inlinable public init() {}

    /// The values, first seen first.
    @inlinable public var elements: [Element] { stored }

    @inlinable public var count: Int { stored.count }

    @inlinable public mutating func append(_ element: Element) {
        if seen == nil {
            guard !stored.contains(element) else { return }
            if stored.count == 16 { seen = Set(stored) }
        }
        if seen != nil, !seen!.insert(element).inserted { return }
        stored.append(element)
    }

    /// Empties the list, keeping its storage for the next one.
    @inlinable public mutating func removeAll() {
        stored.removeAll(keepingCapacity: true)
        seen = nil
    }
}
