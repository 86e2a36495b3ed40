import Foundation
import MediabaseBytes

/// One lexical token of a SQL statement.
package enum SQLToken: Equatable {
    /// Unquoted identifier or keyword, folded to lower case as PostgreSQL does.
    case word(String)
    /// Double-quoted identifier, case kept.
    case quotedIdentifier(String)
    /// A string constant (`'...'`, `E'...'`, `$$...$$`, `B'...'`, `X'...'`), decoded to its bytes.
    case string([UInt8])
    /// A numeric constant as written.
    case number(String)
    /// Punctuation or an operator: `(`, `)`, `,`, `.`, `;`, `[`, `]`, `::`, `-`, `+`, `=`, ...
    case symbol(String)
}

/// Splits one SQL statement into tokens, following PostgreSQL's lexical rules (scan.l): `''` inside
/// strings, backslash escapes in `E''` strings (and in plain strings when
/// `standard_conforming_strings` is off), dollar quoting, `--` and nested `/* */` comments.
struct SQLTokenizer: ~Escapable {
    private let bytes: Span<UInt8>
    private var index = 0
    private let standardConformingStrings: Bool
    /// Offset of the last token returned, for error messages.
    private(set) var tokenStart = 0

    @_lifetime(copy bytes)
    init(_ bytes: Span<UInt8>, standardConformingStrings: Bool = true) {
        self.bytes = bytes
        self.standardConformingStrings = standardConformingStrings
    }

    /// Offset where scanning would resume.
    var offset: Int { index }

    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F || byte >= 0x80
    }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x24
    }

    private mutating func skipSpaceAndComments() throws {
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
                index += 1
            } else if byte == 0x2D, index + 1 < bytes.count, bytes[index + 1] == 0x2D {
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            } else if byte == 0x2F, index + 1 < bytes.count, bytes[index + 1] == 0x2A {
                var depth = 0
                repeat {
                    if index + 1 < bytes.count, bytes[index] == 0x2F, bytes[index + 1] == 0x2A {
                        depth += 1
                        index += 2
                    } else if index + 1 < bytes.count, bytes[index] == 0x2A, bytes[index + 1] == 0x2F {
                        depth -= 1
                        index += 2
                    } else if index < bytes.count {
                        index += 1
                    } else {
                        throw DecodeError(offset: index, expected: "the end of a /* comment */")
                    }
                } while depth > 0
            } else {
                return
            }
        }
    }

    /// The next token, or nil at the end of the statement.
    mutating func next() throws -> SQLToken? {
        try skipSpaceAndComments()
        guard index < bytes.count else { return nil }
        tokenStart = index
        let byte = bytes[index]
        // Prefixed string constants: E'...', B'...', X'...'.
        if index + 1 < bytes.count, bytes[index + 1] == 0x27 {
            switch byte | 0x20 {
            case UInt8(ascii: "e"):
                index += 1
                return .string(try quotedString(backslashEscapes: true))
            case UInt8(ascii: "b"), UInt8(ascii: "x"):
                index += 1
                return .string(try quotedString(backslashEscapes: false))
            default: break
            }
        }
        if byte == 0x27 {
            return .string(try quotedString(backslashEscapes: !standardConformingStrings))
        }
        if byte == 0x22 {
            index += 1
            var name: [UInt8] = []
            while true {
                guard index < bytes.count else { throw DecodeError(offset: tokenStart, expected: "a closing \" for the quoted identifier") }
                if bytes[index] == 0x22 {
                    if index + 1 < bytes.count, bytes[index + 1] == 0x22 {
                        name.append(0x22)
                        index += 2
                        continue
                    }
                    index += 1
                    return .quotedIdentifier(String(decoding: name, as: UTF8.self))
                }
                name.append(bytes[index])
                index += 1
            }
        }
        if byte == 0x24, let tag = Self.dollarTag(bytes, at: index) {
            index += tag.count
            let bodyStart = index
            while index < bytes.count {
                if bytes[index] == 0x24, index + tag.count <= bytes.count,
                   bytes.extracting(index..<(index + tag.count)).elementsEqual(tag) {
                    let body = [UInt8](bytes.extracting(bodyStart..<index))
                    index += tag.count
                    return .string(body)
                }
                index += 1
            }
            throw DecodeError(offset: tokenStart, expected: "the closing \(String(decoding: tag, as: UTF8.self)) of a dollar-quoted string")
        }
        if Self.isIdentifierStart(byte) {
            let start = index
            while index < bytes.count, Self.isIdentifierByte(bytes[index]) { index += 1 }
            return .word(String(utf8: bytes.extracting(start..<index)).lowercased())
        }
        if (byte >= 0x30 && byte <= 0x39) || (byte == 0x2E && index + 1 < bytes.count && bytes[index + 1] >= 0x30 && bytes[index + 1] <= 0x39) {
            let start = index
            while index < bytes.count, (bytes[index] >= 0x30 && bytes[index] <= 0x39) || bytes[index] == 0x2E { index += 1 }
            if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                var probe = index + 1
                if probe < bytes.count, bytes[probe] == 0x2B || bytes[probe] == 0x2D { probe += 1 }
                if probe < bytes.count, bytes[probe] >= 0x30, bytes[probe] <= 0x39 {
                    index = probe
                    while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
                }
            }
            return .number(String(utf8: bytes.extracting(start..<index)))
        }
        if byte == 0x3A, index + 1 < bytes.count, bytes[index + 1] == 0x3A {
            index += 2
            return .symbol("::")
        }
        index += 1
        return .symbol(String(UnicodeScalar(byte)))
    }

    /// The dollar-quote tag (`$$` or `$name$`) starting at `position` in `bytes`, if any; a `$`
    /// followed by a digit is a parameter (`$1`), not a tag.
    static func dollarTag(_ bytes: Span<UInt8>, at position: Int) -> [UInt8]? {
        var probe = position + 1
        if probe < bytes.count, bytes[probe] >= 0x30, bytes[probe] <= 0x39 { return nil }
        while probe < bytes.count, bytes[probe] != 0x24 {
            guard isIdentifierByte(bytes[probe]) else { return nil }
            probe += 1
        }
        guard probe < bytes.count else { return nil }
        return [UInt8](bytes.extracting(position...probe))
    }

    /// Decodes a `'...'` constant starting at the current quote.
    private mutating func quotedString(backslashEscapes: Bool) throws -> [UInt8] {
        let start = index
        index += 1
        var out: [UInt8] = []
        while true {
            // Copy the run of bytes up to the next quote (or backslash, when it escapes) at once.
            let stop = (backslashEscapes ? bytes.firstIndex(of: 0x27, or: 0x5C, from: index) : bytes.firstIndex(of: 0x27, from: index)) ?? bytes.count
            out.append(bytes.extracting(index..<stop))
            index = stop
            guard index < bytes.count else { throw DecodeError(offset: start, expected: "a closing ' for the string constant") }
            if bytes[index] == 0x27 {
                if index + 1 < bytes.count, bytes[index + 1] == 0x27 {
                    out.append(0x27)
                    index += 2
                    continue
                }
                index += 1
                return out
            }
            // A backslash, where backslashes escape (the run stops at one only then).
            index += 1
            guard index < bytes.count else { throw DecodeError(offset: index, expected: "a character after the backslash") }
            try appendEscape(into: &out)
        }
    }

    /// Decodes the escape after a backslash in an `E''` string (PostgreSQL docs 4.1.2.2).
    private mutating func appendEscape(into out: inout [UInt8]) throws {
        let code = bytes[index]
        index += 1
        switch code {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var value = Int(code - 0x30)
            var digits = 1
            while digits < 3, index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x37 {
                value = value * 8 + Int(bytes[index] - 0x30)
                index += 1
                digits += 1
            }
            out.append(UInt8(value & 0xFF))
        case UInt8(ascii: "x"):
            var value = 0
            var digits = 0
            while digits < 2, index < bytes.count, let digit = CopyText.hexValue(bytes[index]) {
                value = value * 16 + digit
                index += 1
                digits += 1
            }
            if digits == 0 { out.append(code) } else { out.append(UInt8(value)) }
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let width = code == UInt8(ascii: "u") ? 4 : 8
            var value: UInt32 = 0
            for _ in 0..<width {
                guard index < bytes.count, let digit = CopyText.hexValue(bytes[index]) else {
                    throw DecodeError(offset: index, expected: "\(width) hex digits after \\\(UnicodeScalar(code))")
                }
                value = value * 16 + UInt32(digit)
                index += 1
            }
            // A UTF-16 surrogate pair written as two \u escapes.
            if (0xD800...0xDBFF).contains(value), index + 6 <= bytes.count, bytes[index] == 0x5C, bytes[index + 1] == UInt8(ascii: "u") {
                var low: UInt32 = 0
                var valid = true
                for k in 0..<4 {
                    guard let digit = CopyText.hexValue(bytes[index + 2 + k]) else { valid = false; break }
                    low = low * 16 + UInt32(digit)
                }
                if valid, (0xDC00...0xDFFF).contains(low) {
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw DecodeError(offset: index, expected: "a valid Unicode code point, not U+\(String(value, radix: 16, uppercase: true))")
            }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            out.append(code)
        }
    }
}
