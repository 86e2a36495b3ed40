import MediabaseBytes

// The identifier rules of docs/spec.md §4.1 over `Span` bytes, for the targets that hold no unsafe
// code (docs/architecture.md, "Unsafe code"): the same results as the pointer variants.

extension Identifiers {
    /// Trims spaces, tabs and line breaks at both ends.
    @_lifetime(copy bytes)
    package static func trimmed(_ bytes: Span<UInt8>) -> Span<UInt8> {
        bytes.extracting(trimmedRange(bytes))
    }

    /// Where the bytes are once ``trimmed(_:)-(Span<UInt8>)``.
    package static func trimmedRange(_ bytes: Span<UInt8>) -> Range<Int> {
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return start..<end
    }

    /// See ``normalizedEnsemblId(_:)-(UnsafeBufferPointer<UInt8>)``.
    package static func normalizedEnsemblId(_ raw: Span<UInt8>) -> String {
        raw.withUnsafeBufferPointer { normalizedEnsemblId($0) }
    }

    /// A trimmed external id or symbol (case kept).
    package static func trimmedText(_ raw: Span<UInt8>) -> String {
        String(utf8: trimmed(raw))
    }
}

extension Identifiers {
    /// Whether an Ensembl id carried a version suffix.
    package static func hasEnsemblVersion(_ raw: Span<UInt8>) -> Bool {
        raw.withUnsafeBufferPointer { hasEnsemblVersion($0) }
    }

    /// A trimmed Ensembl id without its `.digits` version suffix (other ids unchanged), without
    /// copying (see the pointer variant).
    @_lifetime(copy id)
    package static func withoutEnsemblVersion(_ id: Span<UInt8>) -> Span<UInt8> {
        let length = id.withUnsafeBufferPointer { withoutEnsemblVersion($0).count }
        return id.extracting(0..<length)
    }
}
