import MediabaseBytes

extension String {
    /// Whether `self` sorts before `other` byte by byte in UTF-8, as SQLite's BINARY collation
    /// orders the ids the merges here interleave with its index scans. One memcmp: the generic
    /// `utf8.lexicographicallyPrecedes` took a quarter of a comparison request's time.
    func precedesInBytes(_ other: String) -> Bool { utf8.span.compare(other.utf8.span) < 0 }
}
