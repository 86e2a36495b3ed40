/// One token of PostgreSQL SQL text, with its place in the source.
///
/// Whitespace and comments are tokens too (``Kind/trivia``), so that the rewriter can keep
/// them: it edits byte ranges of the original text and copies everything else through.
struct SQLToken {
    enum Kind: Equatable {
        /// An unquoted identifier or keyword (`SELECT`, `ctb`, `gene_symbol`).
        case word
        /// `"Gene Symbol"`: a case-sensitive identifier.
        case quotedIdentifier
        /// `'text'`, `E'text'`, `B'…'`, `X'…'`, `U&'…'` or `$tag$text$tag$`.
        case string
        case number
        /// `$1`.
        case parameter
        /// A run of operator characters (`=`, `<>`, `->>`, `||`).
        case op
        case leftParen, rightParen, leftBracket, rightBracket, comma, semicolon, dot, colon
        /// `::`.
        case doubleColon
        /// Whitespace, `-- …` or `/* … */`.
        case trivia
    }

    let kind: Kind
    /// Byte offsets of the token in the source: `start ..< end`.
    let start: Int
    let end: Int
    /// 1-based line and column (in characters) of the first byte.
    let line: Int
    let column: Int
}

/// A place in the source text, for messages: `line 3, column 14`.
package struct SourcePosition: Equatable, Sendable, CustomStringConvertible {
    package let line: Int
    package let column: Int

    package var description: String { "line \(line), column \(column)" }
}
