import Foundation

/// `--dialect sqlite`: PostgreSQL syntax written so that SQLite (3.35 or newer, with its math
/// functions) computes the same result, or refused with its place when SQLite cannot.
///
/// | PostgreSQL | SQLite |
/// |---|---|
/// | `x::int`, `CAST(x AS bigint)` | `CAST(ROUND(x) AS INTEGER)` (PostgreSQL rounds, SQLite would truncate) |
/// | `x::numeric`, `::float8`, `::double precision`, `::real` | `CAST(x AS REAL)` |
/// | `x::numeric(p, s)` | `ROUND(CAST(x AS REAL), s)` |
/// | `x::text`, `::varchar` | `CAST(x AS TEXT)` |
/// | `a ILIKE 'p'` | `a LIKE 'p'` (SQLite's LIKE ignores ASCII case), `ESCAPE '\'` when the pattern has a backslash |
/// | `a LIKE 'p%'` | `a GLOB 'p*'` (PostgreSQL's LIKE is case-sensitive, SQLite's is not) |
/// | `a IS [NOT] DISTINCT FROM b` | `a IS [NOT] b` |
/// | `a ^ b` | `power(a, b)` |
/// | `x = ANY (SELECT …)` | `x IN (SELECT …)` |
/// | `E'…'`, `$$…$$` | `'…'` |
/// | `string_agg(x, s)`, `char_length`, `strpos`, `position(a IN b)`, `substring(x FROM a FOR b)`, `left`, `right`, `greatest`, `least`, `concat` | `group_concat`, `length`, `instr`, `instr(b, a)`, `substr(x, a, b)`, `substr`, `substr`, `max`/`min` of coalesces, `\|\|` |
/// | `ORDER BY x [ASC]`, `ORDER BY x DESC` | `… NULLS LAST`, `… NULLS FIRST` (PostgreSQL's default places; SQLite's is the reverse) |
extension StatementRewriter {
    /// Functions SQLite has with PostgreSQL's meaning.
    static let sqliteSameFunctions: Set<String> = [
        "count", "sum", "avg", "min", "max", "abs", "round", "coalesce", "nullif", "length", "lower", "upper", "trim", "ltrim", "rtrim",
        "replace", "substr", "ceil", "ceiling", "floor", "sqrt", "power", "pow", "exp", "ln", "log", "log10", "mod", "sign", "trunc",
        "pi", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "degrees", "radians", "random",
        "row_number", "rank", "dense_rank", "ntile", "lag", "lead", "first_value", "last_value", "nth_value", "percent_rank", "cume_dist",
    ]

    func translateLiteral(_ expr: Expr) {
        let first = expr.first
        if expr.first != expr.last || tokens[first].kind == .word {
            guard let word = parser.word(at: first), ["null", "true", "false", "current_date", "current_time", "current_timestamp"].contains(word) else {
                refuse(at: first, "the typed literal \(text(first).uppercased()) '…' is PostgreSQL-only")
                return
            }
            return
        }
        guard tokens[first].kind == .string else { return }
        let literal = text(first)
        if literal.hasPrefix("'") { return }
        guard let value = SQLStringLiteral.value(literal) else {
            refuse(at: first, "the string \(literal.prefix(20)) (a bit string or U& escape) is PostgreSQL-only")
            return
        }
        edits.replace(tokens[first].start, endOf(first), with: [.text(SQLStringLiteral.quoted(value))])
    }

    /// Translates an operator expression; returns whether its operands were rewritten already.
    func translateInfix(_ expr: Expr, operators: [Int], scope: Scope, ctes: CTEEnvironment) -> Bool {
        let words = operators.compactMap { parser.word(at: $0) }
        let symbol = tokens[operators[0]].kind == .op ? text(operators[0]) : nil
        if words.contains("ilike") {
            let ilike = operators.first { parser.word(at: $0) == "ilike" }!
            edits.replace(tokens[ilike].start, endOf(ilike), with: [.text("LIKE")])
            if expr.children.count == 2, stringLiteral(expr.children[1])?.contains("\\") ?? true {
                edits.replace(endOf(expr.children[1].last), endOf(expr.children[1].last), with: [.text(" ESCAPE '\\'")])
            }
            return false
        }
        if words.contains("like") {
            let like = operators.first { parser.word(at: $0) == "like" }!
            guard expr.children.count == 2 else {
                refuse(at: like, "LIKE … ESCAPE is not translated for SQLite; write the pattern with a backslash before % or _")
                return false
            }
            guard let pattern = stringLiteral(expr.children[1]) else {
                refuse(at: like, "LIKE with a pattern that is not a string literal is refused for SQLite: PostgreSQL's LIKE is case-sensitive and SQLite's is not; use a literal pattern (written as GLOB) or ILIKE")
                return false
            }
            edits.replace(tokens[like].start, endOf(like), with: [.text("GLOB")])
            edits.replace(tokens[expr.children[1].first].start, endOf(expr.children[1].last), with: [.text(SQLStringLiteral.quoted(Self.globPattern(fromLike: pattern)))])
            rewriteExpr(expr.children[0], scope: scope, ctes: ctes)
            return true
        }
        if words.contains("similar") {
            refuse(at: operators[0], "SIMILAR TO is PostgreSQL-only")
            return false
        }
        if words.contains("distinct") {
            edits.replace(tokens[operators.first!].start, endOf(operators.last!), with: [.text(words.contains("not") ? "IS" : "IS NOT")])
            return false
        }
        guard let symbol else { return false }
        switch symbol {
        case "^":
            let (left, right) = (expr.children[0], expr.children[1])
            edits.replace(tokens[expr.first].start, endOf(expr.last), with: [.text("power("), source(left), .text(", "), source(right), .text(")")])
        case "=", "<>", "!=":
            // `x = ANY (SELECT …)` → `x IN (SELECT …)`; `x = ANY (ARRAY[a, b])` → `x IN (a, b)`,
            // `x <> ALL (ARRAY[a, b])` → `x NOT IN (a, b)`.
            guard case let .call(call) = expr.children[1].kind, let name = parser.word(at: call.name.last!), call.arguments.count == 1 else { break }
            let wanted = symbol == "=" ? ["any", "some"] : ["all"]
            guard wanted.contains(name) else { break }
            let keyword = symbol == "=" ? "IN" : "NOT IN"
            let argument = call.arguments[0]
            if case .subquery = argument.kind {
                edits.replace(tokens[operators[0]].start, endOf(call.name.last!), with: [.text(keyword)])
            } else if parser.word(at: argument.first) == "array", argument.first + 1 < tokens.count, tokens[argument.first + 1].kind == .leftBracket {
                var pieces: [TextEdit.Piece] = [.text(keyword + " (")]
                for (position, element) in argument.children.enumerated() {
                    if position > 0 { pieces.append(.text(", ")) }
                    pieces.append(source(element))
                }
                edits.replace(tokens[operators[0]].start, endOf(expr.children[1].last), with: pieces + [.text(")")])
            }
        case "~", "~*", "!~", "!~*", "@>", "<@", "&&", "?", "?|", "?&", "#>", "#>>", "#-", "@@", "@?", "<->", "-|-", "&<", "&>", "<<", ">>", "#", "&", "|":
            refuse(at: operators[0], "operator \(symbol) is PostgreSQL-only (or means something else in SQLite)")
        default:
            break
        }
        return false
    }

    /// PostgreSQL's LIKE pattern (`\` escapes, `%`, `_`) as a GLOB pattern (`*`, `?`, and
    /// brackets around GLOB's own special characters).
    static func globPattern(fromLike pattern: String) -> String {
        var glob = ""
        var escaped = false
        for character in pattern {
            if escaped {
                glob += ["*", "?", "["].contains(character) ? "[\(character)]" : String(character)
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "%": glob += "*"
            case "_": glob += "?"
            case "*", "?", "[": glob += "[\(character)]"
            default: glob.append(character)
            }
        }
        return glob
    }

    func translateCast(_ expr: Expr, typeFirst: Int, typeLast: Int, colons: Int?) {
        let type = typeText(typeFirst, typeLast)
        let operand = source(expr.children[0])
        let base = type.split(separator: "(").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? type
        let arguments = type.split(separator: "(").dropFirst().first.map { $0.dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        let pieces: [TextEdit.Piece]
        switch base {
        case "int", "integer", "int2", "int4", "int8", "smallint", "bigint":
            pieces = [.text("CAST(ROUND("), operand, .text(") AS INTEGER)")]
        case "numeric", "decimal":
            if arguments.count == 2, let scale = Int(arguments[1]) {
                pieces = [.text("ROUND(CAST("), operand, .text(" AS REAL), \(scale))")]
            } else if arguments.count == 1 {
                pieces = [.text("ROUND(CAST("), operand, .text(" AS REAL))")]
            } else {
                pieces = [.text("CAST("), operand, .text(" AS REAL)")]
            }
        case "real", "float", "float4", "float8", "double precision":
            pieces = [.text("CAST("), operand, .text(" AS REAL)")]
        case _ where ["text", "varchar", "character varying", "char varying", "name"].contains(base) && arguments.isEmpty:
            pieces = [.text("CAST("), operand, .text(" AS TEXT)")]
        default:
            refuse(at: typeFirst, "the cast to \(type) has no SQLite equivalent (SQLite has INTEGER, REAL and TEXT)")
            return
        }
        edits.replace(tokens[expr.first].start, endOf(expr.last), with: pieces)
    }

    func translateCall(_ expr: Expr, call: FunctionCall) {
        let nameToken = call.name.last!
        let name = normalizedName(nameToken)
        let arguments = call.arguments
        if call.name.count > 1 {
            refuse(at: call.name[0], "the schema-qualified function \(call.name.map(text).joined(separator: ".")) is not translated for SQLite")
            return
        }
        if call.hasWithinGroup {
            refuse(at: nameToken, "\(name)(…) WITHIN GROUP is PostgreSQL-only")
            return
        }
        func rename(_ to: String) {
            edits.replace(tokens[nameToken].start, endOf(nameToken), with: [.text(to)])
        }
        func replaceCall(_ pieces: [TextEdit.Piece]) {
            edits.replace(tokens[expr.first].start, endOf(expr.last), with: pieces)
        }
        switch name {
        case "trim" where !call.separators.isEmpty || parser.word(at: nameToken + 2).map({ ["both", "leading", "trailing"].contains($0) }) == true:
            refuse(at: nameToken, "TRIM(… FROM …) is not translated for SQLite; write trim(x) or trim(x, characters)")
        case "trunc" where arguments.count > 1:
            refuse(at: nameToken, "trunc(x, digits) has no SQLite equivalent (its trunc takes one argument); use round or a cast")
        case _ where Self.sqliteSameFunctions.contains(name):
            if name == "count", call.distinct, arguments.count > 1 {
                refuse(at: nameToken, "count(DISTINCT a, b) is PostgreSQL-only")
            }
        case "any", "some", "all":
            // Translated with their operator (translateInfix) when they can be.
            let previous = expr.first > 0 && tokens[expr.first - 1].kind == .op ? text(expr.first - 1) : ""
            let translatable = arguments.count == 1 && (name == "all" ? ["<>", "!="].contains(previous) : previous == "=")
            let listOrQuery: Bool
            if let argument = arguments.first, case .subquery = argument.kind {
                listOrQuery = true
            } else {
                listOrQuery = arguments.first.map { parser.word(at: $0.first) == "array" && tokens[$0.first + 1].kind == .leftBracket } ?? false
            }
            guard translatable, listOrQuery else {
                refuse(at: nameToken, "\(name.uppercased())(…) is translated for SQLite only as = ANY (SELECT … | ARRAY[…]) or <> ALL (…), which become [NOT] IN (…)")
                return
            }
        case "char_length", "character_length":
            rename("length")
        case "strpos":
            rename("instr")
        case "position" where arguments.count == 2:
            replaceCall([.text("instr("), source(arguments[1]), .text(", "), source(arguments[0]), .text(")")])
        case "substring" where call.separators.allSatisfy({ $0 == nil }):
            rename("substr")
        case "substring" where arguments.count >= 2:
            var pieces: [TextEdit.Piece] = [.text("substr("), source(arguments[0]), .text(", "), source(arguments[1])]
            if arguments.count == 3 { pieces += [.text(", "), source(arguments[2])] }
            replaceCall(pieces + [.text(")")])
        case "left" where arguments.count == 2:
            replaceCall([.text("substr("), source(arguments[0]), .text(", 1, "), source(arguments[1]), .text(")")])
        case "right" where arguments.count == 2:
            replaceCall([.text("substr("), source(arguments[0]), .text(", -("), source(arguments[1]), .text("))")])
        case "greatest", "least":
            // PostgreSQL skips NULL arguments, SQLite's max/min return NULL on any: each argument
            // falls back to the others.
            var pieces: [TextEdit.Piece] = [.text(name == "greatest" ? "max(" : "min(")]
            for (position, _) in arguments.enumerated() {
                if position > 0 { pieces.append(.text(", ")) }
                let order = [position] + arguments.indices.filter { $0 != position }
                pieces.append(.text("COALESCE("))
                for (count, index) in order.enumerated() {
                    if count > 0 { pieces.append(.text(", ")) }
                    pieces.append(source(arguments[index]))
                }
                pieces.append(.text(")"))
            }
            if arguments.count == 1 { pieces = [.text("("), source(arguments[0])] }
            replaceCall(pieces + [.text(")")])
        case "concat":
            var pieces: [TextEdit.Piece] = [.text("(")]
            for (position, argument) in arguments.enumerated() {
                if position > 0 { pieces.append(.text(" || ")) }
                pieces += [.text("COALESCE(CAST("), source(argument), .text(" AS TEXT), '')")]
            }
            replaceCall(pieces + [.text(")")])
        case "string_agg" where arguments.count == 2:
            if call.hasArgumentOrderBy {
                refuse(at: nameToken, "string_agg(… ORDER BY …) needs SQLite 3.44; order the rows in a subquery instead")
            } else if call.distinct {
                guard stringLiteral(arguments[1]) == "," else {
                    refuse(at: nameToken, "string_agg(DISTINCT x, separator) is translated for SQLite only with the separator ','")
                    return
                }
                replaceCall([.text("group_concat(DISTINCT "), source(arguments[0]), .text(")")])
            } else {
                rename("group_concat")
            }
        default:
            refuse(at: nameToken, "function \(text(nameToken))() has no SQLite equivalent that rewrite-query knows")
        }
        if dialect == .sqlite { translateSortItems(call.sortItems) }
    }

    /// Makes PostgreSQL's default NULL placement explicit: NULLs sort as larger than any value
    /// there (last ascending, first descending) and as smaller in SQLite.
    /// Comments and psql lines for SQLite: its block comments do not nest, so the inner `/*`
    /// and `*/` of a nested comment are broken up (the comment still ends where it ended); a
    /// psql meta-command (`\timing on`) becomes a `--` comment, after a `;` when it sends the
    /// statement (`\g`).
    func adaptTriviaForSQLite() {
        for token in allTokens where source[token.start] == UInt8(ascii: "\\") {
            // `\g` ends a statement: SQLite needs the `;`.
            edits.replace(token.start, token.start, with: [.text(token.kind == .semicolon ? "; -- " : "-- ")])
        }
        for token in allTokens where token.kind == .trivia && token.end - token.start >= 4 && source[token.start] == UInt8(ascii: "/") {
            let inner = Array(source[(token.start + 2)..<(token.end - 2)])
            var flattened: [UInt8] = []
            var index = 0
            var changed = false
            while index < inner.count {
                if index + 1 < inner.count, (inner[index] == UInt8(ascii: "/") && inner[index + 1] == UInt8(ascii: "*")) || (inner[index] == UInt8(ascii: "*") && inner[index + 1] == UInt8(ascii: "/")) {
                    flattened += [inner[index], UInt8(ascii: " "), inner[index + 1]]
                    index += 2
                    changed = true
                } else {
                    flattened.append(inner[index])
                    index += 1
                }
            }
            if changed {
                edits.replace(token.start, token.end, with: [.text("/*" + String(decoding: flattened, as: UTF8.self) + "*/")])
            }
        }
    }

    func translateSortItems(_ items: [SortItem]) {
        guard dialect == .sqlite else { return }
        for item in items where !item.placesNulls {
            edits.replace(endOf(item.last), endOf(item.last), with: [.text(item.descending ? " NULLS FIRST" : " NULLS LAST")])
        }
    }

    func source(_ expr: Expr) -> TextEdit.Piece {
        .source(tokens[expr.first].start, endOf(expr.last))
    }
}
