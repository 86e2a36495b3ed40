extension StringProtocol where UTF8View: BidirectionalCollection {
    /// The text without leading and trailing white space and line breaks.
    @inlinable public var trimmingWhitespace: String {
        // Fast path: nothing to trim at either end (an ASCII letter, digit or punctuation).
        if let first = utf8.first, let last = utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return String(self)
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
