import MediabaseBytes

/// Appending text and numbers to byte buffers without going through `String` formatting: the
/// generator's output is built as `[UInt8]` and written in large chunks.
extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of `text`.
    @inline(__always) mutating func append(text: String) {
        append(text.utf8.span)
    }

    /// Appends the ASCII bytes of a static string (a literal).
    @inline(__always) mutating func append(literal: StaticString) {
        literal.withBytes { append($0) }
    }

    /// Appends `value` in decimal.
    mutating func append(decimal value: Int) {
        if value < 0 {
            append(0x2D)
            append(decimal: UInt64(value.magnitude))
        } else {
            append(decimal: UInt64(value))
        }
    }

    /// Appends `value` in decimal.
    mutating func append(decimal value: UInt64) {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        let start = count
        append(contentsOf: repeatElement(0x30, count: digits))
        rest = value
        var index = start + digits - 1
        while rest > 0 {
            self[index] = 0x30 + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
    }

    /// Appends `value` zero-padded to `width` digits (`append(padded: 460, width: 11)` gives
    /// `00000000460`, as in Ensembl ids).
    mutating func append(padded value: Int, width: Int) {
        var digits = 1
        var limit = 10
        while value >= limit, digits < 19 {
            digits += 1
            limit = limit &* 10
        }
        for _ in digits..<Swift.max(width, digits) { append(0x30) }
        append(decimal: value)
    }

    /// Appends `mantissa / 10^scale` as a plain decimal (`append(fixed: 85, scale: 2)` gives
    /// `0.85`), dropping trailing zeros of the fraction. No exponent is ever written, so the
    /// text is what PostgreSQL's `numeric` (inside jsonb) prints back.
    mutating func append(fixed mantissa: Int, scale: Int) {
        var scale = scale
        var mantissa = mantissa
        while scale > 0, mantissa % 10 == 0 {
            mantissa /= 10
            scale -= 1
        }
        if mantissa < 0 { append(0x2D) }
        let magnitude = Int(mantissa.magnitude)
        guard scale > 0 else {
            append(decimal: magnitude)
            return
        }
        var divisor = 1
        for _ in 0..<scale { divisor *= 10 }
        append(decimal: magnitude / divisor)
        append(0x2E)
        append(padded: magnitude % divisor, width: scale)
    }

    /// The number of line feeds in the buffer from `start` on.
    func lineFeeds(from start: Int = 0) -> Int {
        let bytes = span
        var count = 0
        var index = start
        while let newline = bytes.firstIndex(of: 0x0A, from: index) {
            count += 1
            index = newline + 1
        }
        return count
    }
}
