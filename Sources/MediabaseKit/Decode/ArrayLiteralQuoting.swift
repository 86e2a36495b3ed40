extension ArrayLiteral {
    /// Appends one element as PostgreSQL's `array_out` writes it: double-quoted when it is empty,
    /// contains `{`, `}`, `,`, `"`, `\` or white space, or equals `NULL` in any case; inside
    /// quotes `"` and `\` are backslash-escaped (PostgreSQL arrays.sgml, "Array Value Input").
    static func appendQuotedElement(_ element: [UInt8], to out: inout [UInt8]) {
        var needsQuotes = element.isEmpty
        if !needsQuotes {
            for byte in element {
                switch byte {
                case 0x7B, 0x7D, 0x2C, 0x22, 0x5C, 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D:
                    needsQuotes = true
                default: continue
                }
                break
            }
        }
        if !needsQuotes, element.count == 4,
           element[0] | 0x20 == UInt8(ascii: "n"), element[1] | 0x20 == UInt8(ascii: "u"),
           element[2] | 0x20 == UInt8(ascii: "l"), element[3] | 0x20 == UInt8(ascii: "l") {
            needsQuotes = true
        }
        guard needsQuotes else {
            out.append(contentsOf: element)
            return
        }
        out.append(0x22)
        for byte in element {
            if byte == 0x22 || byte == 0x5C { out.append(0x5C) }
            out.append(byte)
        }
        out.append(0x22)
    }
}
