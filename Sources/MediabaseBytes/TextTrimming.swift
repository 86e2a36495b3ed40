extension StringProtocol where UTF8View: BidirectionalCollection {
    /// The text without leading and trailing white space and line breaks (Unicode White_Space).
    @inlinable public var trimmingWhitespace: String {
        // Nothing to trim at either end (an ASCII letter, digit or punctuation): no copy.
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return String(self)
        }
        // ASCII white space (TAB, LF, VT, FF, CR, space) is trimmed by byte; when the ends left are
        // ASCII too, no other white space can follow, and the bytes between are the result.
        let bytes = utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] &- 0x09 < 5 { start = bytes.index(after: start) }
        guard start < end else { return "" }
        var last = bytes.index(before: end)
        while bytes[last] == 0x20 || bytes[last] &- 0x09 < 5 {
            end = last
            last = bytes.index(before: last)
        }
        if bytes[start] < 0x80, bytes[last] < 0x80 { return String(decoding: bytes[start..<end], as: UTF8.self) }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let lastScalar = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        // Scalar indexes are UTF-8 boundaries: the bytes of the scalars from `first` to `lastScalar`.
        return String(decoding: bytes[first..<scalars.index(after: lastScalar)], as: UTF8.self)
    }
}
