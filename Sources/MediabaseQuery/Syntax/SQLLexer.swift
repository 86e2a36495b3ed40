/// Splits PostgreSQL SQL text into tokens, following the lexical rules of the PostgreSQL
/// manual (section 4.1, "Lexical Structure") with `standard_conforming_strings` on:
///
/// * `'…'` strings with `''` for a quote; `E'…'` strings where a backslash escapes the next
///   character; `B'…'`, `X'…'`, `N'…'`, `U&'…'`; `$$…$$` and `$tag$…$tag$` dollar quotes;
/// * `"…"` identifiers with `""` for a quote, and `U&"…"`;
/// * `-- …` comments to the end of the line and `/* … */` comments, which nest;
/// * numbers (`42`, `3.5`, `.5`, `1e-3`, `1_000`, `0x1F`), `$1` parameters, `::`, and
///   operators, where a run like `>=-` is split as PostgreSQL splits it.
///
/// An unterminated string, quoted identifier or comment is an error at the place it starts.
struct SQLLexer {
    private let bytes: [UInt8]
    private var offset = 0
    private var line = 1
    private var lineStart = 0
    /// Where ``column`` was counted up to.
    private var columnOffset = 0
    private var column = 1
    private var tokens: [SQLToken] = []

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    static func tokenize(_ bytes: [UInt8]) throws -> [SQLToken] {
        var lexer = SQLLexer(bytes)
        return try lexer.run()
    }

    private mutating func run() throws -> [SQLToken] {
        while offset < bytes.count {
            let start = offset
            let position = currentPosition()
            let kind = try scanToken(at: position)
            tokens.append(SQLToken(kind: kind, start: start, end: offset, line: position.line, column: position.column))
        }
        return tokens
    }

    /// The position of ``offset``; the column counts characters (UTF-8 lead bytes), carried
    /// on from the previous token's so that a long line costs no more than a short one.
    private mutating func currentPosition() -> SourcePosition {
        if columnOffset < lineStart {
            columnOffset = lineStart
            column = 1
        }
        while columnOffset < offset {
            if bytes[columnOffset] & 0xC0 != 0x80 { column += 1 }
            columnOffset += 1
        }
        return SourcePosition(line: line, column: column)
    }

    private func byte(_ ahead: Int = 0) -> UInt8? {
        offset + ahead < bytes.count ? bytes[offset + ahead] : nil
    }

    /// Moves past one byte, keeping track of lines.
    private mutating func advance() {
        if bytes[offset] == UInt8(ascii: "\n") {
            line += 1
            lineStart = offset + 1
        }
        offset += 1
    }

    private mutating func scanToken(at position: SourcePosition) throws -> SQLToken.Kind {
        let first = bytes[offset]
        switch first {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C:
            while let next = byte(), Self.isSpace(next) { advance() }
            return .trivia
        case UInt8(ascii: "-") where byte(1) == UInt8(ascii: "-"):
            while let next = byte(), next != UInt8(ascii: "\n") { advance() }
            return .trivia
        case UInt8(ascii: "\\"):
            // A psql meta-command (`\timing on`, `\x`) up to the end of the line: kept as it is,
            // like a comment; `\g`, `\gx`, `\gset` … also end the statement, as `;` does.
            let sends = byte(1) == UInt8(ascii: "g")
            while let next = byte(), next != UInt8(ascii: "\n") { advance() }
            return sends ? .semicolon : .trivia
        case UInt8(ascii: "/") where byte(1) == UInt8(ascii: "*"):
            try scanBlockComment(at: position)
            return .trivia
        case UInt8(ascii: "'"):
            try scanQuoted(UInt8(ascii: "'"), backslashEscapes: false, at: position, what: "string")
            return .string
        case UInt8(ascii: "\""):
            try scanQuoted(UInt8(ascii: "\""), backslashEscapes: false, at: position, what: "quoted identifier")
            return .quotedIdentifier
        case UInt8(ascii: "("): advance(); return .leftParen
        case UInt8(ascii: ")"): advance(); return .rightParen
        case UInt8(ascii: "["): advance(); return .leftBracket
        case UInt8(ascii: "]"): advance(); return .rightBracket
        case UInt8(ascii: ","): advance(); return .comma
        case UInt8(ascii: ";"): advance(); return .semicolon
        case UInt8(ascii: ":"):
            advance()
            if byte() == UInt8(ascii: ":") {
                advance()
                return .doubleColon
            }
            if byte() == UInt8(ascii: "=") {
                advance()
                return .op
            }
            // A psql variable (`:name`, `:'name'`, `:"name"`), interpolated before the server
            // sees the text: a value, like a parameter.
            if let next = byte(), Self.isIdentifierStart(next) || next == UInt8(ascii: "'") || next == UInt8(ascii: "\""), !inSubscript() {
                if next == UInt8(ascii: "'") || next == UInt8(ascii: "\"") {
                    try scanQuoted(next, backslashEscapes: false, at: position, what: "psql variable")
                } else {
                    while let part = byte(), Self.isIdentifierPart(part) { advance() }
                }
                return .parameter
            }
            return .colon
        case UInt8(ascii: "."):
            if let next = byte(1), Self.isDigit(next) {
                scanNumber()
                return .number
            }
            advance()
            return .dot
        case UInt8(ascii: "$"):
            if let next = byte(1), Self.isDigit(next) {
                advance()
                while let digit = byte(), Self.isDigit(digit) { advance() }
                return .parameter
            }
            if let tagEnd = dollarTagEnd() {
                try scanDollarQuoted(tagEnd: tagEnd, at: position)
                return .string
            }
            throw QueryRewriteError(at: position, "unexpected \"$\" (neither a $1 parameter nor a $tag$ dollar quote)")
        default:
            if Self.isDigit(first) {
                scanNumber()
                return .number
            }
            if Self.isIdentifierStart(first) {
                return try scanWordOrPrefixedString(at: position)
            }
            if Self.isOperatorCharacter(first) {
                scanOperator()
                return .op
            }
            throw QueryRewriteError(at: position, "unexpected character \(Self.describe(first))")
        }
    }

    /// Whether the last `[` or `]` before ``offset`` opened a subscript (`a[i:j]` is a slice).
    private func inSubscript() -> Bool {
        for token in tokens.reversed() {
            if token.kind == .leftBracket { return true }
            if token.kind == .rightBracket || token.kind == .semicolon { return false }
        }
        return false
    }

    private mutating func scanBlockComment(at position: SourcePosition) throws {
        var depth = 0
        repeat {
            guard let current = byte() else {
                throw QueryRewriteError(at: position, "unterminated /* comment */")
            }
            if current == UInt8(ascii: "/"), byte(1) == UInt8(ascii: "*") {
                depth += 1
                advance()
                advance()
            } else if current == UInt8(ascii: "*"), byte(1) == UInt8(ascii: "/") {
                depth -= 1
                advance()
                advance()
            } else {
                advance()
            }
        } while depth > 0
    }

    /// Scans `'…'` or `"…"` from the opening quote: a doubled quote is a quote; with
    /// `backslashEscapes` (E strings) a backslash escapes the next byte.
    private mutating func scanQuoted(_ quote: UInt8, backslashEscapes: Bool, at position: SourcePosition, what: String) throws {
        advance()
        while true {
            guard let current = byte() else {
                throw QueryRewriteError(at: position, "unterminated \(what): the closing \(quote == UInt8(ascii: "'") ? "'" : "\"") is missing")
            }
            advance()
            if backslashEscapes, current == UInt8(ascii: "\\") {
                guard byte() != nil else { continue }
                advance()
            } else if current == quote {
                if byte() == quote {
                    advance()
                } else {
                    return
                }
            }
        }
    }

    /// The end offset of a `$tag$` opening at ``offset``, or nil.
    private func dollarTagEnd() -> Int? {
        var index = offset + 1
        while index < bytes.count {
            let current = bytes[index]
            if current == UInt8(ascii: "$") { return index + 1 }
            let allowed = index == offset + 1 ? Self.isIdentifierStart(current) : Self.isIdentifierPart(current) && current != UInt8(ascii: "$")
            guard allowed else { return nil }
            index += 1
        }
        return nil
    }

    private mutating func scanDollarQuoted(tagEnd: Int, at position: SourcePosition) throws {
        let tag = Array(bytes[offset..<tagEnd])
        while offset < tagEnd { advance() }
        while offset < bytes.count {
            if bytes[offset] == UInt8(ascii: "$"), offset + tag.count <= bytes.count, Array(bytes[offset..<offset + tag.count]) == tag {
                for _ in 0..<tag.count { advance() }
                return
            }
            advance()
        }
        throw QueryRewriteError(at: position, "unterminated dollar-quoted string: the closing \(String(decoding: tag, as: UTF8.self)) is missing")
    }

    private mutating func scanNumber() {
        if byte() == UInt8(ascii: "0"), let marker = byte(1), [UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "b"), UInt8(ascii: "B")].contains(marker) {
            advance()
            advance()
            while let next = byte(), Self.isIdentifierPart(next) { advance() }
            return
        }
        while let next = byte(), Self.isDigit(next) || next == UInt8(ascii: "_") { advance() }
        // `1..2` is not a number followed by `.2`; a single dot belongs to the number.
        if byte() == UInt8(ascii: "."), byte(1) != UInt8(ascii: ".") {
            advance()
            while let next = byte(), Self.isDigit(next) || next == UInt8(ascii: "_") { advance() }
        }
        if let marker = byte(), marker | 0x20 == UInt8(ascii: "e") {
            let sign = byte(1) == UInt8(ascii: "+") || byte(1) == UInt8(ascii: "-") ? 1 : 0
            if let digit = byte(1 + sign), Self.isDigit(digit) {
                for _ in 0...(1 + sign) { advance() }
                while let next = byte(), Self.isDigit(next) { advance() }
            }
        }
    }

    /// A word, or a string with a one-letter prefix (`E'…'`, `B'…'`, `X'…'`, `N'…'`) or `U&`.
    private mutating func scanWordOrPrefixedString(at position: SourcePosition) throws -> SQLToken.Kind {
        let first = bytes[offset] | 0x20
        if byte(1) == UInt8(ascii: "'"), [UInt8(ascii: "e"), UInt8(ascii: "b"), UInt8(ascii: "x"), UInt8(ascii: "n")].contains(first) {
            advance()
            try scanQuoted(UInt8(ascii: "'"), backslashEscapes: first == UInt8(ascii: "e"), at: position, what: "string")
            return .string
        }
        if first == UInt8(ascii: "u"), byte(1) == UInt8(ascii: "&"), let quote = byte(2), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") {
            advance()
            advance()
            try scanQuoted(quote, backslashEscapes: false, at: position, what: quote == UInt8(ascii: "'") ? "string" : "quoted identifier")
            return quote == UInt8(ascii: "'") ? .string : .quotedIdentifier
        }
        while let next = byte(), Self.isIdentifierPart(next) { advance() }
        return .word
    }

    /// An operator: the longest run of operator characters, cut before `--` or `/*`; a run
    /// longer than one character cannot end in `+` or `-` unless it holds one of `~!@#%^&|`?`
    /// (so `a=-1` is `=` then `-`).
    private mutating func scanOperator() {
        var end = offset
        while end < bytes.count, Self.isOperatorCharacter(bytes[end]) {
            if end > offset, bytes[end] == UInt8(ascii: "-"), end + 1 < bytes.count, bytes[end + 1] == UInt8(ascii: "-") { break }
            if end > offset, bytes[end] == UInt8(ascii: "/"), end + 1 < bytes.count, bytes[end + 1] == UInt8(ascii: "*") { break }
            end += 1
        }
        let run = bytes[offset..<end]
        if run.count > 1, !run.contains(where: { Array("~!@#%^&|`?".utf8).contains($0) }) {
            while end > offset + 1, bytes[end - 1] == UInt8(ascii: "+") || bytes[end - 1] == UInt8(ascii: "-") { end -= 1 }
        }
        while offset < end { advance() }
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Letters, `_`, and any non-ASCII byte (PostgreSQL allows non-ASCII letters in identifiers).
    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    static func isIdentifierPart(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || isDigit(byte) || byte == UInt8(ascii: "$")
    }

    static func isOperatorCharacter(_ byte: UInt8) -> Bool {
        Array("+-*/<>=~!@#%^&|`?".utf8).contains(byte)
    }

    private static func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? "\"\(Character(Unicode.Scalar(byte)))\"" : "byte 0x\(String(byte, radix: 16))"
    }
}
