import Foundation

// COPY text field boundaries over `Span` bytes, for the layers above this one (docs/architecture.md,
// "Unsafe code"): the same rules as the pointer functions of ``CopyText``, with the `memchr`
// searches written there.

extension CopyText {
    /// The number of fields of `line` (see ``countRawFields(_:count:)``), or nil when it ends in an
    /// unpaired backslash.
    @inlinable package static func countRawFields(_ line: Span<UInt8>) -> Int? {
        line.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return 1 }
            return countRawFields(base, count: bytes.count)
        }
    }

    /// Whether `line` ends in an unpaired backslash (an odd run of them), which makes the newline
    /// after it data: the row continues on the next line (``LineEnd/continues``).
    @inlinable package static func endsInEscape(_ line: Span<UInt8>) -> Bool {
        guard line.count > 0, line[line.count - 1] == 0x5C else { return false }
        return line.withUnsafeBufferPointer { copyBackslashRun($0.baseAddress!, before: $0.count, from: 0) & 1 == 1 }
    }
}

extension Span where Element == UInt8 {
    /// Where the raw COPY text field that starts at `start` of this line (without its newline)
    /// ends: at the first TAB not escaped by an odd run of backslashes before it in the field (as
    /// ``CopyText/decodeLine(_:into:)`` reads it), or at the end of the line.
    ///
    /// `public` and `@inlinable`, the exception docs/architecture.md allows for a helper another
    /// target calls per value: inspect calls it for every field it does not compare with the
    /// previous row's, and as a `package` function it was a call of about 25 instructions around
    /// the `memchr`.
    @inlinable public func copyFieldEnd(from start: Int) -> Int {
        precondition(start >= 0 && start <= count, "range out of bounds")
        return withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            var searchFrom = start
            while let hit = memchr(base + searchFrom, 0x09, bytes.count - searchFrom) {
                let tab = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
                // An odd run of backslashes before the TAB, in the field, escapes it.
                if copyBackslashRun(base, before: tab, from: start) & 1 == 1 {
                    searchFrom = tab + 1
                    continue
                }
                return tab
            }
            return bytes.count
        }
    }
}
