/// Identifier rules of docs/spec.md §4.1.
package enum Identifiers {
    /// Trims spaces, tabs and line breaks at both ends.
    package static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    @inline(__always) package static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// Normalizes an Ensembl id: trimmed, a database prefix such as `ensembl:` dropped, the `ENS`
    /// prefix upper-cased and a version suffix stripped (`ensembl: ENST00000269305.4` →
    /// `ENST00000269305`). Ids that are not Ensembl ids come back only trimmed, since their dots
    /// and colons belong to them (`NM_000546.6`, `HGNC:11998`).
    package static func normalizedEnsemblId(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var id = trimmed(raw)
        // `ensembl:ENST…`, `Ensembl: ENSG…`: a database prefix before an Ensembl id.
        if let colon = id.firstIndex(of: 0x3A) {
            let after = trimmed(UnsafeBufferPointer(rebasing: id[(colon + 1)...]))
            if isEnsembl(after) { id = after }
        }
        guard isEnsembl(id) else { return String(decoding: id, as: UTF8.self) }
        var bytes = Array(id)
        bytes[0] = UInt8(ascii: "E")
        bytes[1] = UInt8(ascii: "N")
        bytes[2] = UInt8(ascii: "S")
        if let dot = bytes.lastIndex(of: 0x2E), dot > 3, dot < bytes.count - 1,
           bytes[(dot + 1)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            bytes.removeSubrange(dot...)
        }
        // Letters after ENS (species and feature code, `ENSMUSG`) are upper case in Ensembl.
        for index in 3..<bytes.count where bytes[index] >= 0x61 && bytes[index] <= 0x7A {
            bytes[index] -= 0x20
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the bytes look like an Ensembl stable id: `ENS`, letters, then digits.
    static func isEnsembl(_ id: UnsafeBufferPointer<UInt8>) -> Bool {
        guard id.count > 4, id[0] | 0x20 == UInt8(ascii: "e"), id[1] | 0x20 == UInt8(ascii: "n"), id[2] | 0x20 == UInt8(ascii: "s") else { return false }
        var index = 3
        while index < id.count, (id[index] | 0x20) >= UInt8(ascii: "a"), (id[index] | 0x20) <= UInt8(ascii: "z") { index += 1 }
        guard index < id.count, id[index] >= 0x30, id[index] <= 0x39 else { return false }
        while index < id.count, id[index] >= 0x30, id[index] <= 0x39 { index += 1 }
        return index == id.count || id[index] == 0x2E
    }

    package static func normalizedEnsemblId(_ text: String) -> String {
        var text = text
        return text.withUTF8 { normalizedEnsemblId($0) }
    }

    /// Whether an Ensembl id carried a version suffix.
    package static func hasEnsemblVersion(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        let id = trimmed(raw)
        guard let dot = id.lastIndex(of: 0x2E) else { return false }
        return isEnsembl(id) && dot < id.count - 1
    }

    /// A trimmed Ensembl id without its `.digits` version suffix (other ids unchanged), without
    /// copying: for counting distinct ids as ``normalizedEnsemblId(_:)`` would make them.
    package static func withoutEnsemblVersion(_ id: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard isEnsembl(id), let dot = id.lastIndex(of: 0x2E), dot < id.count - 1,
              id[(dot + 1)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return id }
        return UnsafeBufferPointer(rebasing: id[..<dot])
    }

    /// A trimmed external id or symbol (case kept).
    package static func trimmedText(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: trimmed(raw), as: UTF8.self)
    }
}
