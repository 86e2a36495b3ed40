import Foundation

extension String {
    /// Whether `self` sorts before `other` byte by byte in UTF-8, as SQLite's BINARY collation
    /// orders the ids the merges here interleave with its index scans. One memcmp: the generic
    /// `utf8.lexicographicallyPrecedes` took a quarter of a comparison request's time.
    func precedesInBytes(_ other: String) -> Bool {
        var left = self, right = other
        return left.withUTF8 { a in
            right.withUTF8 { b in
                let common = Swift.min(a.count, b.count)
                if common > 0, let x = a.baseAddress, let y = b.baseAddress {
                    let order = memcmp(x, y, common)
                    if order != 0 { return order < 0 }
                }
                return a.count < b.count
            }
        }
    }
}
