import MediabaseBytes

/// Identifier rules of docs/spec.md §4.1.
package enum Identifiers {
    /// Trims spaces, tabs and line breaks at both ends.
    @_lifetime(copy bytes)
    package static func trimmed(_ bytes: Span<UInt8>) -> Span<UInt8> {
        bytes.extracting(trimmedRange(bytes))
    }

    /// Where the bytes are once ``trimmed(_:)``.
    package static func trimmedRange(_ bytes: Span<UInt8>) -> Range<Int> {
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return start..<end
    }

    /// Where `range`'s bytes of `bytes` are once ``trimmed(_:)``, as a range of `bytes`.
    package static func trimmedRange(_ range: Range<Int>, of bytes: Span<UInt8>) -> Range<Int> {
        let trimmed = trimmedRange(bytes.extracting(range))
        return (range.lowerBound + trimmed.lowerBound)..<(range.lowerBound + trimmed.upperBound)
    }

    @inline(__always) package static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// Normalizes an Ensembl id: trimmed, a database prefix such as `ensembl:` dropped, the `ENS`
    /// prefix upper-cased and a version suffix stripped (`ensembl: ENST00000269305.4` →
    /// `ENST00000269305`). Ids that are not Ensembl ids come back only trimmed, since their dots
    /// and colons belong to them (`NM_000546.6`, `HGNC:11998`).
    package static func normalizedEnsemblId(_ raw: Span<UInt8>) -> String {
        let (range, upperCased) = ensemblIdRange(raw)
        let id = raw.extracting(range)
        if !upperCased { return String(utf8: id) }
        var bytes = [UInt8](id)
        bytes[0] = UInt8(ascii: "E")
        bytes[1] = UInt8(ascii: "N")
        bytes[2] = UInt8(ascii: "S")
        // Letters after ENS (species and feature code, `ENSMUSG`) are upper case in Ensembl.
        for index in 3..<bytes.count where bytes[index] >= 0x61 && bytes[index] <= 0x7A {
            bytes[index] -= 0x20
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Where ``normalizedEnsemblId(_:)`` finds its id in `raw` when the id is those bytes as they
    /// are (the usual case: no letter to upper-case), so that a caller may use them without a
    /// String; nil when the normalized id is a changed copy.
    package static func normalizedEnsemblIdRange(_ raw: Span<UInt8>) -> Range<Int>? {
        let (range, upperCased) = ensemblIdRange(raw)
        return upperCased ? nil : range
    }

    /// The bytes of `raw` the normalized id is made of, and whether its letters must be upper-cased
    /// (an Ensembl id written in lower case); see ``normalizedEnsemblId(_:)``.
    private static func ensemblIdRange(_ raw: Span<UInt8>) -> (range: Range<Int>, upperCased: Bool) {
        var range = trimmedRange(raw)
        var id = raw.extracting(range)
        // `ensembl:ENST…`, `Ensembl: ENSG…`: a database prefix before an Ensembl id.
        if let colon = id.firstIndex(of: 0x3A) {
            let after = trimmedRange((range.lowerBound + colon + 1)..<range.upperBound, of: raw)
            if isEnsembl(raw.extracting(after)) {
                range = after
                id = raw.extracting(range)
            }
        }
        guard isEnsembl(id) else { return (range, false) }
        // The id up to its version suffix.
        let end = versionDot(id) ?? id.count
        var upper = true
        for index in 0..<end where id[index] >= 0x61 && id[index] <= 0x7A {
            upper = false
            break
        }
        return (range.lowerBound..<(range.lowerBound + end), !upper)
    }

    /// Whether the bytes look like an Ensembl stable id: `ENS`, letters, then digits.
    static func isEnsembl(_ id: Span<UInt8>) -> Bool {
        guard id.count > 4, id[0] | 0x20 == UInt8(ascii: "e"), id[1] | 0x20 == UInt8(ascii: "n"), id[2] | 0x20 == UInt8(ascii: "s") else { return false }
        var index = 3
        while index < id.count, (id[index] | 0x20) >= UInt8(ascii: "a"), (id[index] | 0x20) <= UInt8(ascii: "z") { index += 1 }
        guard index < id.count, id[index] >= 0x30, id[index] <= 0x39 else { return false }
        while index < id.count, id[index] >= 0x30, id[index] <= 0x39 { index += 1 }
        return index == id.count || id[index] == 0x2E
    }

    package static func normalizedEnsemblId(_ text: String) -> String {
        normalizedEnsemblId(text.utf8.span)
    }

    /// The index of the dot before a version suffix (`.` then digits only, after more than the
    /// `ENS` prefix), as the normalization strips it.
    private static func versionDot(_ id: Span<UInt8>) -> Int? {
        guard let dot = lastDot(id), dot > 3, dot < id.count - 1 else { return nil }
        for index in (dot + 1)..<id.count where id[index] < 0x30 || id[index] > 0x39 { return nil }
        return dot
    }

    /// The index of the last dot, if any.
    private static func lastDot(_ id: Span<UInt8>) -> Int? {
        var index = id.count - 1
        while index >= 0, id[index] != 0x2E { index -= 1 }
        return index >= 0 ? index : nil
    }

    /// Whether an Ensembl id carried a version suffix.
    package static func hasEnsemblVersion(_ raw: Span<UInt8>) -> Bool {
        let id = trimmed(raw)
        guard let dot = lastDot(id) else { return false }
        return isEnsembl(id) && dot < id.count - 1
    }

    /// A trimmed Ensembl id without its `.digits` version suffix (other ids unchanged), without
    /// copying: for counting distinct ids as ``normalizedEnsemblId(_:)`` would make them.
    @_lifetime(copy id)
    package static func withoutEnsemblVersion(_ id: Span<UInt8>) -> Span<UInt8> {
        guard isEnsembl(id), let dot = lastDot(id), dot < id.count - 1 else { return id }
        for index in (dot + 1)..<id.count where id[index] < 0x30 || id[index] > 0x39 { return id }
        return id.extracting(0..<dot)
    }

    /// For a trimmed id, ``hasEnsemblVersion(_:)`` and the length of
    /// ``withoutEnsemblVersion(_:)`` (a prefix of the id) from one pass over it: inspect asks both of
    /// every row's transcript and gene id, and the two checks each ran the Ensembl test and searched
    /// for the last dot.
    package static func ensemblVersion(_ id: Span<UInt8>) -> (keyCount: Int, versioned: Bool) {
        let count = id.count
        let unversioned = (keyCount: count, versioned: false)
        guard count > 4, id[0] | 0x20 == UInt8(ascii: "e"), id[1] | 0x20 == UInt8(ascii: "n"), id[2] | 0x20 == UInt8(ascii: "s") else { return unversioned }
        var index = 3
        while index < count, (id[index] | 0x20) &- UInt8(ascii: "a") < 26 { index += 1 }
        guard index < count, id[index] &- 0x30 < 10 else { return unversioned }
        while index < count, id[index] &- 0x30 < 10 { index += 1 }
        // ``isEnsembl(_:)`` needs the digits to end the id or a dot to follow them; with no dot
        // before them, the last dot is at or after this one.
        guard index < count, id[index] == 0x2E else { return unversioned }
        var dot = count - 1
        while id[dot] != 0x2E { dot -= 1 }
        guard dot < count - 1 else { return unversioned }
        for digit in (dot + 1)..<count where id[digit] &- 0x30 >= 10 { return (count, true) }
        return (dot, true)
    }

    /// A trimmed external id or symbol (case kept).
    package static func trimmedText(_ raw: Span<UInt8>) -> String {
        String(utf8: trimmed(raw))
    }
}
