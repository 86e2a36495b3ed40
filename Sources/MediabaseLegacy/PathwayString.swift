import MediabaseModel
/// A pathway named in the legacy `pathways` array.
package struct PathwayRef: Equatable, Sendable {
    package var id: String
    package var name: String
    package var source: String
}

/// Parses legacy pathway strings (docs/spec.md §4.1, "Pathway strings").
package enum PathwayString {
    /// `Apoptosis [Reactome:R-HSA-109581]` → id `R-HSA-109581`, name `Apoptosis`, source
    /// `Reactome`. Without a bracketed `Source:ID` suffix the id is `UNK-` and 16 hex digits of
    /// the FNV-1a hash of the trimmed name (stable across machines and runs) and the source is
    /// `unknown`. Returns nil for an empty string.
    package static func parse(_ text: String) -> PathwayRef? {
        let trimmed = text.trimmingWhitespace
        guard !trimmed.isEmpty else { return nil }
        // `[`, `:` and `]` are ASCII: in UTF-8 their bytes never occur inside another
        // character's, so the search runs on bytes (a character-level search showed in profiles).
        let utf8 = trimmed.utf8
        if utf8.last == UInt8(ascii: "]"), let open = utf8.lastIndex(of: UInt8(ascii: "[")) {
            let close = utf8.index(before: utf8.endIndex)
            let inside = utf8.index(after: open)
            if let colon = utf8[inside..<close].firstIndex(of: UInt8(ascii: ":")) {
                let source = trimmed[inside..<colon].trimmingWhitespace
                let id = trimmed[utf8.index(after: colon)..<close].trimmingWhitespace
                if !source.isEmpty, !id.isEmpty {
                    let name = trimmed[..<open].trimmingWhitespace
                    return PathwayRef(id: id, name: name.isEmpty ? id : name, source: source)
                }
            }
        }
        return PathwayRef(id: derivedId(trimmed), name: trimmed, source: "unknown")
    }

    /// The id given to a pathway known only by its name.
    package static func derivedId(_ name: String) -> String {
        let hex = String(ContentHash.fnv1a64(name.utf8), radix: 16)
        return "UNK-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
