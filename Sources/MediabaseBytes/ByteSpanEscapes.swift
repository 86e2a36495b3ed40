extension Span where Element == UInt8 {
    /// The offset of the first backslash that escapes what follows it (the last of an odd run of
    /// backslashes: in an even run they escape each other) and whose following bytes `isMatch`
    /// accepts; nil when there is none. The backslashes are found with `memchr`.
    @inlinable package func firstEscape(where isMatch: (Span<UInt8>) -> Bool) -> Int? {
        var index = 0
        while let at = firstIndex(of: 0x5C, from: index) {
            var end = at + 1
            while end < count, self[end] == 0x5C { end += 1 }
            if (end - at) % 2 == 1, isMatch(extracting(end..<count)) { return end - 1 }
            index = end
        }
        return nil
    }
}
