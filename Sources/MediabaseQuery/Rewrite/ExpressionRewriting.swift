import Foundation

/// Expressions: legacy columns mapped to their v0.6 homes, subqueries rewritten in their own
/// scope, and for SQLite the PostgreSQL-only syntax translated (``SQLiteTranslation``).
extension StatementRewriter {
    func rewriteExpr(_ expr: Expr, scope: Scope, ctes: CTEEnvironment) {
        switch expr.kind {
        case let .column(parts):
            guard let (occurrence, column) = legacyColumn(resolve(parts, scope: scope), at: parts.last!),
                  checkColumn(column, at: parts.last!) else { return }
            markVanishing(parts)
            edits.replace(tokens[expr.first].start, endOf(expr.last), with: columnPieces(occurrence, column: column))
        case let .star(parts):
            if !parts.isEmpty, case .legacy? = resolve(parts + [expr.last], scope: scope, star: true) {
                refuse(at: expr.first, "a whole-row reference to cancer_transcript_base is refused: its columns are spread over three tables in v0.6; name the columns")
            }
        case .literal:
            if dialect == .sqlite { translateLiteral(expr) }
        case let .prefix(op):
            if dialect == .sqlite, tokens[op].kind == .op, ["@", "|/", "||/", "!!"].contains(text(op)) {
                refuse(at: op, "operator \(text(op)) is PostgreSQL-only; use abs(), sqrt() or a function SQLite has")
            }
            rewriteExpr(expr.children[0], scope: scope, ctes: ctes)
        case let .infix(operators):
            if rewriteCoordinateAccess(expr, scope: scope, castTo: nil) { return }
            if dialect == .sqlite, translateInfix(expr, operators: operators, scope: scope, ctes: ctes) { return }
            expr.children.forEach { rewriteExpr($0, scope: scope, ctes: ctes) }
        case let .postfix(operators):
            if dialect == .sqlite, let last = operators.last, let word = parser.word(at: last), ["unknown", "document", "normalized"].contains(word) {
                refuse(at: last, "IS \(word.uppercased()) is PostgreSQL-only")
            }
            rewriteExpr(expr.children[0], scope: scope, ctes: ctes)
        case let .cast(typeFirst, typeLast, colons):
            var operand = expr.children[0]
            while case .parenthesized = operand.kind, operand.children.count == 1 { operand = operand.children[0] }
            if case .infix = operand.kind, rewriteCoordinateAccess(operand, scope: scope, castTo: (expr, typeFirst, typeLast)) { return }
            if dialect == .sqlite { translateCast(expr, typeFirst: typeFirst, typeLast: typeLast, colons: colons) }
            rewriteExpr(expr.children[0], scope: scope, ctes: ctes)
        case let .call(call):
            if dialect == .sqlite { translateCall(expr, call: call) }
            expr.children.forEach { rewriteExpr($0, scope: scope, ctes: ctes) }
        case let .subquery(query), let .keywordSubquery(query):
            rewriteQuery(query, outer: scope, ctes: ctes)
        case .parenthesized, .caseExpression, .other:
            expr.children.forEach { rewriteExpr($0, scope: scope, ctes: ctes) }
        }
    }

    /// `coordinates->>'start'` (also `->`, `#>>'{start}'`, `#>'{start}'`) becomes the
    /// `public.transcripts` column of that key: as text, as PostgreSQL's `->>` gives it, or —
    /// cast to an integer type, `(coordinates->>'start')::int` — the integer column itself.
    /// Returns whether `expr` was such an access (rewritten or refused).
    func rewriteCoordinateAccess(_ expr: Expr, scope: Scope, castTo cast: (expr: Expr, typeFirst: Int, typeLast: Int)?) -> Bool {
        guard case let .infix(operators) = expr.kind, operators.count == 1, tokens[operators[0]].kind == .op,
              ["->>", "->", "#>>", "#>"].contains(text(operators[0])),
              case let .column(parts) = expr.children[0].kind,
              case let .legacy(occurrence, column)? = resolve(parts, scope: scope), column == "coordinates" else { return false }
        let op = text(operators[0])
        guard let rawKey = stringLiteral(expr.children[1]) else {
            refuse(at: expr.children[1].first, "the key of cancer_transcript_base.coordinates must be a string literal ('start', 'end' or 'strand') to be mapped to a column of public.transcripts")
            return true
        }
        let key = op.hasPrefix("#") ? rawKey.filter { $0 != "{" && $0 != "}" && $0 != " " } : rawKey
        guard let target = LegacyColumnMap.coordinateKeys[key] else {
            refuse(at: expr.children[1].first, "cancer_transcript_base.coordinates->'\(key)' has no v0.6 home: the coordinates are public.transcripts start_position, end_position and strand (keys 'start', 'end', 'strand')")
            return true
        }
        markVanishing(parts)
        let alias = TextEdit.Piece.alias(occurrence.id, .transcripts)
        if let cast {
            let type = typeText(cast.typeFirst, cast.typeLast)
            if ["int", "integer", "int4", "int8", "bigint"].contains(type) {
                edits.replace(tokens[cast.expr.first].start, endOf(cast.expr.last), with: [alias, .text("." + target)])
                return true
            }
            // Another type: the text form below, cast as written (and translated for SQLite).
            if dialect == .sqlite { translateCast(cast.expr, typeFirst: cast.typeFirst, typeLast: cast.typeLast, colons: nil) }
        }
        if op == "->" || op == "#>", dialect == .postgres {
            edits.replace(tokens[expr.first].start, endOf(expr.last), with: [.text("to_jsonb("), alias, .text("." + target + ")")])
        } else {
            edits.replace(tokens[expr.first].start, endOf(expr.last), with: [.text("CAST("), alias, .text("." + target + (dialect == .postgres ? " AS text)" : " AS TEXT)"))])
        }
        return true
    }

    /// The value of a string literal (`'a''b'`, `E'a\'b'`, `$$a$$`), or nil for anything else.
    func stringLiteral(_ expr: Expr) -> String? {
        guard case .literal = expr.kind, expr.first == expr.last, tokens[expr.first].kind == .string else { return nil }
        return SQLStringLiteral.value(text(expr.first))
    }

    /// A type name's text, lower-cased, spaces collapsed: `double precision`, `numeric(10,2)`.
    func typeText(_ first: Int, _ last: Int) -> String {
        (first...last).map { tokens[$0].kind == .word ? text($0).lowercased() : text($0) }
            .reduce(into: "") { result, part in
                if let previous = result.last, previous.isLetter || previous.isNumber, let next = part.first, next.isLetter || next.isNumber {
                    result += " "
                }
                result += part
            }
    }
}

/// PostgreSQL string literals: their value, and SQLite literals for a value.
enum SQLStringLiteral {
    /// The value of `'…'`, `E'…'`, `N'…'` or a dollar-quoted literal; nil for bit strings,
    /// `U&` strings and anything that is not a literal this knows.
    static func value(_ literal: String) -> String? {
        if literal.hasPrefix("$") {
            guard let tagEnd = literal.dropFirst().firstIndex(of: "$") else { return nil }
            let tag = literal[literal.startIndex...tagEnd]
            return String(literal.dropFirst(tag.count).dropLast(tag.count))
        }
        var body = Substring(literal)
        var escapes = false
        if let first = body.first, first != "'" {
            switch first {
            case "E", "e": escapes = true
            case "N", "n": break
            default: return nil
            }
            body = body.dropFirst()
        }
        guard body.count >= 2, body.first == "'", body.last == "'" else { return nil }
        let inner = Array(body.dropFirst().dropLast())
        var value = ""
        var index = 0
        while index < inner.count {
            let character = inner[index]
            if character == "'" {
                value.append("'")
                index += 2
                continue
            }
            if escapes, character == "\\", index + 1 < inner.count {
                let next = inner[index + 1]
                index += 2
                switch next {
                case "n": value.append("\n")
                case "t": value.append("\t")
                case "r": value.append("\r")
                case "b": value.append("\u{8}")
                case "f": value.append("\u{C}")
                case "x":
                    var digits = ""
                    while digits.count < 2, index < inner.count, inner[index].isHexDigit { digits.append(inner[index]); index += 1 }
                    guard let code = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(code) else { return nil }
                    value.unicodeScalars.append(scalar)
                case "u", "U":
                    let count = next == "u" ? 4 : 8
                    let digits = String(inner[index..<min(inner.count, index + count)])
                    guard digits.count == count, let code = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(code) else { return nil }
                    value.unicodeScalars.append(scalar)
                    index += count
                case "0"..."7":
                    var digits = String(next)
                    while digits.count < 3, index < inner.count, ("0"..."7").contains(inner[index]) { digits.append(inner[index]); index += 1 }
                    guard let code = UInt32(digits, radix: 8), let scalar = Unicode.Scalar(code) else { return nil }
                    value.unicodeScalars.append(scalar)
                default: value.append(next)
                }
                continue
            }
            value.append(character)
            index += 1
        }
        return value
    }

    /// `value` as a standard SQL literal: single quotes, a quote doubled.
    static func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
