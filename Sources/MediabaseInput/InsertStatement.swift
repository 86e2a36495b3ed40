import MediabaseBytes
/// Decodes `INSERT INTO ... VALUES (...), (...)` statements of `pg_dump --inserts` and
/// `--column-inserts` into rows carrying each value's PostgreSQL text form, so that downstream
/// code sees the same bytes a COPY block would carry.
///
/// Literal forms: `NULL`; `true`/`false` (→ `t`/`f`, the boolean output form); numbers, with a
/// leading sign; string constants in every form the tokenizer knows, with any `::type` casts
/// dropped; `ARRAY[...]` constructors, nested or not (→ an array literal `{...}` quoted as
/// PostgreSQL's array_out does); parenthesised values.
struct InsertStatement {
    /// Target table.
    var table: QualifiedName
    /// Column list, when the statement names one (`--column-inserts`).
    var columns: [String]?

    /// Parses the head of the statement and calls `emit` once per VALUES tuple, with `row` filled
    /// and `row.raw` set to the tuple's text.
    static func parse(
        _ statement: Span<UInt8>, standardConformingStrings: Bool,
        head: (InsertStatement) throws -> Void, emit: (RowBuffer) throws -> Void, row: RowBuffer
    ) throws {
        var parser = Parser(tokenizer: SQLTokenizer(statement, standardConformingStrings: standardConformingStrings))
        try parser.expectWord("insert")
        try parser.expectWord("into")
        if try parser.peek() == .word("only") { _ = try parser.next() }
        guard let first = try parser.identifier() else { throw parser.failure("a table name") }
        var name = QualifiedName(schema: nil, name: first)
        if try parser.peek() == .symbol(".") {
            _ = try parser.next()
            guard let second = try parser.identifier() else { throw parser.failure("a table name after the schema") }
            name = QualifiedName(schema: first, name: second)
        }
        var columns: [String]?
        if try parser.peek() == .symbol("(") {
            _ = try parser.next()
            var list: [String] = []
            repeat {
                guard let column = try parser.identifier() else { throw parser.failure("a column name") }
                list.append(column)
            } while try parser.accept(.symbol(","))
            try parser.expect(.symbol(")"))
            columns = list
        }
        if try parser.peek() == .word("overriding") {
            _ = try parser.next()
            _ = try parser.next()
            try parser.expectWord("value")
        }
        try parser.expectWord("values")
        try head(InsertStatement(table: name, columns: columns))
        repeat {
            try parser.expect(.symbol("("))
            let tupleStart = parser.tokenizer.tokenStart
            row.reset()
            repeat {
                try parser.value(into: row)
            } while try parser.accept(.symbol(","))
            try parser.expect(.symbol(")"))
            let tupleEnd = parser.tokenizer.offset
            row.setRaw(statement.extracting(tupleStart..<tupleEnd))
            try emit(row)
        } while try parser.accept(.symbol(","))
        // `ON CONFLICT DO NOTHING` (pg_dump --on-conflict-do-nothing) and nothing else may follow.
        if let token = try parser.next() {
            guard token == .word("on") else { throw parser.failure("the end of the INSERT statement") }
        }
    }

    private struct Parser: ~Escapable {
        var tokenizer: SQLTokenizer
        private var lookahead: SQLToken??

        @_lifetime(copy tokenizer)
        init(tokenizer: SQLTokenizer) { self.tokenizer = tokenizer }

        mutating func next() throws -> SQLToken? {
            if let token = lookahead {
                lookahead = nil
                return token
            }
            return try tokenizer.next()
        }

        mutating func peek() throws -> SQLToken? {
            if let token = lookahead { return token }
            let token = try tokenizer.next()
            lookahead = .some(token)
            return token
        }

        mutating func accept(_ token: SQLToken) throws -> Bool {
            if try peek() == token {
                lookahead = nil
                return true
            }
            return false
        }

        func failure(_ expected: String) -> DecodeError { DecodeError(offset: tokenizer.tokenStart, expected: expected) }

        mutating func expect(_ token: SQLToken) throws {
            guard try next() == token else {
                if case let .symbol(symbol) = token { throw failure("'\(symbol)'") }
                throw failure("\(token)")
            }
        }

        mutating func expectWord(_ word: String) throws {
            guard try next() == .word(word) else { throw failure(word.uppercased()) }
        }

        mutating func identifier() throws -> String? {
            switch try next() {
            case let .word(word)?: return word
            case let .quotedIdentifier(name)?: return name
            default: return nil
            }
        }

        /// One value of a tuple, appended to `row` as a field.
        mutating func value(into row: RowBuffer) throws {
            var bytes: [UInt8] = []
            if try scalarOrArray(into: &bytes) {
                row.appendField(bytes.span)
            } else {
                row.appendNull()
            }
        }

        /// Parses a value, writing its text form to `out`; returns false for NULL.
        private mutating func scalarOrArray(into out: inout [UInt8]) throws -> Bool {
            guard let token = try next() else { throw failure("a value") }
            var isNull = false
            switch token {
            case .word("null"): isNull = true
            case .word("true"): out.append(UInt8(ascii: "t"))
            case .word("false"): out.append(UInt8(ascii: "f"))
            case .word("array"):
                try expect(.symbol("["))
                try arrayBody(into: &out)
            case let .number(number): out.append(contentsOf: number.utf8)
            case let .string(bytes): out.append(contentsOf: bytes)
            case .symbol("-"), .symbol("+"):
                let sign = token
                guard case let .number(number)? = try next() else { throw failure("a number after the sign") }
                if sign == .symbol("-") { out.append(UInt8(ascii: "-")) }
                out.append(contentsOf: number.utf8)
            case .symbol("("):
                isNull = !(try scalarOrArray(into: &out))
                try expect(.symbol(")"))
            default:
                throw failure("a literal value (NULL, true, false, a number, a string constant or ARRAY[...])")
            }
            try skipCasts()
            return !isNull
        }

        /// Skips `::type` casts: type words, qualified names, modifiers in parentheses, `[]`.
        private mutating func skipCasts() throws {
            while try accept(.symbol("::")) {
                var depth = 0
                while let token = try peek() {
                    if depth == 0, token == .symbol(",") || token == .symbol(")") || token == .symbol("::") || token == .symbol("]") { break }
                    if token == .symbol("(") || token == .symbol("[") { depth += 1 }
                    if token == .symbol(")") || token == .symbol("]") { depth -= 1 }
                    _ = try next()
                }
            }
        }

        /// The elements of `ARRAY[...]` after the `[`, written as an array literal.
        private mutating func arrayBody(into out: inout [UInt8]) throws {
            out.append(UInt8(ascii: "{"))
            if try accept(.symbol("]")) {
                out.append(UInt8(ascii: "}"))
                return
            }
            var first = true
            repeat {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                if try accept(.symbol("[")) {
                    try arrayBody(into: &out)
                } else if try peek() == .word("array") {
                    _ = try next()
                    try expect(.symbol("["))
                    try arrayBody(into: &out)
                } else {
                    var element: [UInt8] = []
                    if try scalarOrArray(into: &element) {
                        ArrayLiteral.appendQuotedElement(element, to: &out)
                    } else {
                        out.append(contentsOf: "NULL".utf8)
                    }
                }
            } while try accept(.symbol(","))
            try expect(.symbol("]"))
            out.append(UInt8(ascii: "}"))
            try skipCasts()
        }
    }
}
