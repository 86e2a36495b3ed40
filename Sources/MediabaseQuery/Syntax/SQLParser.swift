/// A recursive-descent parser for the statements `rewrite-query` meets: PostgreSQL's SELECT in
/// full (WITH, set operations, joins, subqueries anywhere, GROUP BY, HAVING, window functions,
/// ORDER BY, LIMIT/OFFSET/FETCH) and, for every other statement, enough to name what it
/// writes to.
///
/// Expressions are parsed with PostgreSQL's operator precedence (manual table 4.2), so that
/// the operand of a `::` cast or the pattern of a LIKE is known exactly. It works on the
/// significant tokens (no whitespace, no comments); the nodes keep token indices.
struct SQLParser {
    let tokens: [SQLToken]
    private let source: [UInt8]
    /// Lower-cased text of each word token, nil for other tokens.
    private let words: [String?]
    private var index = 0

    init(source: [UInt8], tokens: [SQLToken]) {
        self.source = source
        self.tokens = tokens
        words = tokens.map { $0.kind == .word ? String(decoding: source[$0.start..<$0.end], as: UTF8.self).lowercased() : nil }
    }

    // MARK: - Statements

    /// Parses every statement; empty statements (`;;`) are skipped.
    mutating func parseStatements() throws -> [Statement] {
        var statements: [Statement] = []
        while index < tokens.count {
            if tokenKind() == .semicolon {
                index += 1
                continue
            }
            let statement = try parseStatement()
            statements.append(statement)
            if index < tokens.count {
                guard tokenKind() == .semicolon else { throw unexpected("\";\" or the end of the statement") }
                index += 1
            }
        }
        return statements
    }

    private mutating func parseStatement() throws -> Statement {
        let first = index
        let kind: Statement.Kind
        switch word() {
        case "with":
            let ctes = try parseWithClause()
            if let verb = word(), ["insert", "update", "delete"].contains(verb) {
                let modification = try parseModification()
                modification.ctes = ctes
                kind = .modify(modification)
            } else {
                kind = .query(try parseQuery(ctes: ctes, first: first))
            }
        case "select", "values", "table":
            kind = .query(try parseQuery())
        case _ where tokenKind() == .leftParen:
            kind = .query(try parseQuery())
        case "explain":
            index += 1
            if tokenKind() == .leftParen {
                try skipBalanced()
            } else {
                while let option = word(), ["analyze", "analyse", "verbose"].contains(option) { index += 1 }
            }
            kind = .wrappedQuery(try parseQuery())
        case "create":
            kind = try parseCreate()
        case "insert", "update", "delete":
            kind = .modify(try parseModification())
        case "truncate":
            index += 1
            _ = accept("table")
            var targets: [QualifiedName] = []
            repeat {
                _ = accept("only")
                targets.append(try parseQualifiedName())
                if isOperator("*") { index += 1 }
            } while accept(.comma)
            kind = .write(verb: "TRUNCATE", targets: targets)
            skipToStatementEnd()
        case "alter", "drop":
            let verb = word()!.uppercased()
            index += 1
            var targets: [QualifiedName] = []
            if accept("table") || accept("view") || accept("index") || (accept("materialized") && accept("view")) {
                if accept("if") { _ = accept("not"); try expect("exists") }
                _ = accept("only")
                repeat { targets.append(try parseQualifiedName()) } while verb == "DROP" && accept(.comma)
            }
            kind = .write(verb: verb, targets: targets)
            skipToStatementEnd()
        case "copy":
            index += 1
            if accept(.leftParen) {
                // `COPY (query) TO …`: an export, whose query is rewritten.
                let query = try parseQuery()
                try expect(.rightParen)
                skipToStatementEnd()
                kind = .wrappedQuery(query)
            } else {
                let target = try parseQualifiedName()
                if index < tokens.count, tokenKind() == .leftParen { try skipBalanced() }
                kind = .write(verb: word() == "to" ? "COPY … TO" : "COPY", targets: [target])
                skipToStatementEnd()
            }
        case "lock", "vacuum", "analyze", "cluster", "reindex", "comment", "grant", "revoke":
            let verb = word()!.uppercased()
            index += 1
            var targets: [QualifiedName] = []
            while index < tokens.count, tokenKind() != .semicolon {
                if tokenKind() == .word || tokenKind() == .quotedIdentifier, let name = try? parseQualifiedName() {
                    targets.append(name)
                } else {
                    index += 1
                }
            }
            kind = .write(verb: verb, targets: targets)
        default:
            skipToStatementEnd()
            kind = .other
        }
        return Statement(kind: kind, first: first, last: index - 1)
    }

    private mutating func parseCreate() throws -> Statement.Kind {
        let start = index
        index += 1
        if accept("or") { try expect("replace") }
        while let modifier = word(), ["temp", "temporary", "unlogged", "global", "local", "materialized", "recursive"].contains(modifier) { index += 1 }
        if accept("table") || accept("view") {
            if accept("if") { try expect("not"); try expect("exists") }
            _ = try parseQualifiedName()
            if tokenKind() == .leftParen { try skipBalanced() }
            while index < tokens.count, word() != "as", tokenKind() != .semicolon { index += 1 }
            if accept("as"), let next = word(), ["select", "with", "values", "table"].contains(next) || tokenKind() == .leftParen {
                let query = try parseQuery()
                skipToStatementEnd()
                return .wrappedQuery(query)
            }
            skipToStatementEnd()
            return .other
        }
        if accept("unique") || word() == "index" {
            _ = accept("index")
            while index < tokens.count, word() != "on", tokenKind() != .semicolon { index += 1 }
            if accept("on") {
                _ = accept("only")
                let target = try parseQualifiedName()
                skipToStatementEnd()
                return .write(verb: "CREATE INDEX", targets: [target])
            }
        }
        index = start
        skipToStatementEnd()
        return .other
    }

    /// INSERT, UPDATE or DELETE, after any WITH clause.
    private mutating func parseModification() throws -> DataModification {
        let verb = word()!.uppercased()
        index += 1
        if verb == "INSERT" {
            try expect("into")
        } else if verb == "DELETE" {
            try expect("from")
        }
        _ = accept("only")
        let targetFirst = index
        let name = try parseQualifiedName()
        if isOperator("*") { index += 1 }
        var alias: Int?
        if accept("as") {
            alias = try expectName()
        } else if index < tokens.count, tokenKind() == .quotedIdentifier || (tokenKind() == .word && !Keywords.reserved.contains(words[index]!) && !["set", "values", "default", "overriding"].contains(words[index]!)) {
            alias = index
            index += 1
        }
        let modification = DataModification(verb: verb, target: FromItem(kind: .table(name), first: targetFirst, last: index - 1, alias: alias, aliasColumns: nil))
        switch verb {
        case "INSERT":
            if index < tokens.count, tokenKind() == .leftParen, !startsQuery() { try skipBalanced() }
            if accept("overriding") { index += 2; try expect("value") }
            if accept("default") {
                try expect("values")
            } else {
                modification.query = try parseQuery()
            }
            // ON CONFLICT … and RETURNING are kept as written.
            skipToStatementEnd()
            return modification
        case "UPDATE":
            try expect("set")
            repeat {
                if index < tokens.count, tokenKind() == .leftParen {
                    _ = try parseNameList()
                } else {
                    _ = try parseQualifiedName()
                    while accept(.leftBracket) {
                        _ = try parseExpression()
                        try expect(.rightBracket)
                    }
                }
                guard isOperator("=") else { throw unexpected("\"=\" in UPDATE's SET") }
                index += 1
                if !accept("default") { modification.values.append(try parseExpression()) }
            } while accept(.comma)
            if accept("from") {
                repeat { modification.from.append(try parseFromItem()) } while accept(.comma)
            }
        default:
            if accept("using") {
                repeat { modification.from.append(try parseFromItem()) } while accept(.comma)
            }
        }
        if accept("where") {
            if accept("current") {
                try expect("of")
                _ = try expectName()
            } else {
                modification.whereClause = try parseExpression()
            }
        }
        if accept("returning") {
            repeat { modification.returning.append(try parseTarget()) } while accept(.comma)
        }
        return modification
    }

    /// Moves to the `;` ending the statement (or the end), over balanced parentheses.
    private mutating func skipToStatementEnd() {
        var depth = 0
        while index < tokens.count {
            switch tokens[index].kind {
            case .leftParen: depth += 1
            case .rightParen:
                // The end of a data-modifying WITH query.
                if depth == 0 { return }
                depth -= 1
            case .semicolon where depth <= 0: return
            default: break
            }
            index += 1
        }
    }

    // MARK: - Queries

    /// `WITH [RECURSIVE] name [(columns)] AS [NOT] [MATERIALIZED] (statement), …`.
    private mutating func parseWithClause() throws -> [CommonTableExpression] {
        var ctes: [CommonTableExpression] = []
        try expect("with")
        _ = accept("recursive")
        repeat {
            let name = try expectName()
            var columns: [Int]?
            if index < tokens.count, tokenKind() == .leftParen { columns = try parseNameList() }
            try expect("as")
            if accept("not") { try expect("materialized") } else { _ = accept("materialized") }
            try expect(.leftParen)
            let statementFirst = index
            let statement: Statement
            if let next = word(), ["select", "with", "values", "table"].contains(next) || tokenKind() == .leftParen {
                statement = Statement(kind: .query(try parseQuery()), first: statementFirst, last: index - 1)
            } else {
                statement = try parseStatement()
            }
            try expect(.rightParen)
            ctes.append(CommonTableExpression(name: name, columns: columns, statement: statement))
        } while accept(.comma)
        return ctes
    }

    /// A query; `ctes` when its WITH clause was read already (a statement starting with WITH
    /// may turn out to be an INSERT, UPDATE or DELETE), starting at `first`.
    mutating func parseQuery(ctes given: [CommonTableExpression]? = nil, first givenFirst: Int? = nil) throws -> Query {
        let first = givenFirst ?? index
        var ctes = given ?? []
        if given == nil, word() == "with" { ctes = try parseWithClause() }
        let body = try parseSetTerm()
        let query = Query(body: body, first: first, last: index - 1)
        query.ctes = ctes
        if accept("order") {
            try expect("by")
            query.orderBy = try parseSortList()
        }
        while true {
            if accept("limit") {
                if !accept("all") { query.limits.append(try parseExpression()) }
            } else if accept("offset") {
                query.limits.append(try parseExpression())
                if !accept("rows") { _ = accept("row") }
            } else if accept("fetch") {
                if !accept("first") { try expect("next") }
                if word() != "row", word() != "rows" { query.limits.append(try parseExpression()) }
                if !accept("rows") { try expect("row") }
                if !accept("only") { try expect("with"); try expect("ties") }
            } else if word() == "for", let next = word(at: index + 1), ["update", "share", "no", "key"].contains(next) {
                while index < tokens.count, tokenKind() != .semicolon, tokenKind() != .rightParen { index += 1 }
            } else {
                break
            }
        }
        query.last = index - 1
        return query
    }

    private mutating func parseSetTerm() throws -> SetTerm {
        var term = try parseSetPrimary()
        while let operation = word(), ["union", "intersect", "except"].contains(operation) {
            index += 1
            if !accept("all") { _ = accept("distinct") }
            let right = try parseSetPrimary()
            term = .setOperation(term, right)
        }
        return term
    }

    private mutating func parseSetPrimary() throws -> SetTerm {
        if tokens.indices.contains(index), tokenKind() == .leftParen {
            index += 1
            let query = try parseQuery()
            try expect(.rightParen)
            return .nested(query)
        }
        switch word() {
        case "select":
            return .select(try parseSelectCore())
        case "values":
            index += 1
            var rows: [[Expr]] = []
            repeat {
                try expect(.leftParen)
                rows.append(try parseExpressionList(until: .rightParen))
                try expect(.rightParen)
            } while accept(.comma)
            return .values(rows: rows)
        case "table":
            let first = index
            index += 1
            return .table(try parseQualifiedName(), first: first)
        default:
            throw unexpected("SELECT, VALUES or a parenthesized query")
        }
    }

    private mutating func parseSelectCore() throws -> SelectCore {
        let core = SelectCore(first: index)
        try expect("select")
        if accept("distinct") {
            if word() == "on" {
                let on = index
                index += 1
                try expect(.leftParen)
                core.distinctOn = (on, try parseExpressionList(until: .rightParen))
                try expect(.rightParen)
            }
        } else {
            _ = accept("all")
        }
        if !atClauseEnd() {
            repeat { core.targets.append(try parseTarget()) } while accept(.comma)
        }
        if accept("into") {
            _ = accept("temporary") || accept("temp") || accept("unlogged")
            _ = accept("table")
            _ = try parseQualifiedName()
        }
        if accept("from") {
            repeat { core.from.append(try parseFromItem()) } while accept(.comma)
        }
        if accept("where") { core.whereClause = try parseExpression() }
        if accept("group") {
            try expect("by")
            if !accept("all") { _ = accept("distinct") }
            repeat { core.groupBy.append(try parseGroupingItem()) } while accept(.comma)
        }
        if accept("having") { core.having = try parseExpression() }
        if accept("window") {
            repeat {
                _ = try expectName()
                try expect("as")
                core.windows += try parseWindowSpecification().0
            } while accept(.comma)
        }
        return core
    }

    /// Whether the next token ends a select list that has not started (`SELECT FROM t`).
    private func atClauseEnd() -> Bool {
        guard index < tokens.count else { return true }
        if [.semicolon, .rightParen].contains(tokens[index].kind) { return true }
        if let next = word(), ["from", "where", "group", "having", "window", "order", "limit", "offset", "union", "intersect", "except", "into", "fetch"].contains(next) { return true }
        return false
    }

    private mutating func parseTarget() throws -> SelectTarget {
        let expr = try parseExpression()
        if accept("as") {
            return SelectTarget(expr: expr, alias: try expectName(allowKeywords: true))
        }
        if index < tokens.count, tokenKind() == .quotedIdentifier || (tokenKind() == .word && !Keywords.reserved.contains(words[index]!)) {
            let alias = index
            index += 1
            return SelectTarget(expr: expr, alias: alias)
        }
        return SelectTarget(expr: expr, alias: nil)
    }

    private mutating func parseGroupingItem() throws -> Expr {
        if word() == "grouping", word(at: index + 1) == "sets" {
            let first = index
            index += 2
            try expect(.leftParen)
            var children: [Expr] = []
            if tokenKind() != .rightParen {
                repeat { children.append(try parseGroupingItem()) } while accept(.comma)
            }
            try expect(.rightParen)
            return Expr(.other, first: first, last: index - 1, children: children)
        }
        if tokenKind() == .leftParen, tokenKind(1) == .rightParen {
            index += 2
            return Expr(.parenthesized, first: index - 2, last: index - 1)
        }
        return try parseExpression()
    }

    private mutating func parseSortList() throws -> [SortItem] {
        var items: [SortItem] = []
        repeat {
            let expr = try parseExpression()
            let descending = accept("desc")
            if !descending, !accept("asc"), accept("using") { index += 1 }
            let placesNulls = accept("nulls")
            if placesNulls, !accept("first") { try expect("last") }
            items.append(SortItem(expr: expr, last: index - 1, descending: descending, placesNulls: placesNulls))
        } while accept(.comma)
        return items
    }

    // MARK: - FROM

    private mutating func parseFromItem() throws -> FromItem {
        var item = try parseFromPrimary()
        while true {
            let keywordFirst = index
            let natural = accept("natural")
            var kind = Join.Kind.inner
            if accept("cross") {
                kind = .cross
            } else if accept("left") {
                kind = .left
                _ = accept("outer")
            } else if accept("right") {
                kind = .right
                _ = accept("outer")
            } else if accept("full") {
                kind = .full
                _ = accept("outer")
            } else {
                _ = accept("inner")
            }
            guard accept("join") else {
                index = keywordFirst
                return item
            }
            let right = try parseFromPrimary()
            var condition: Expr?
            var using: [Int]?
            if kind != .cross, !natural {
                if accept("on") {
                    condition = try parseExpression()
                } else if accept("using") {
                    using = try parseNameList()
                    if accept("as") { _ = try expectName() }
                } else {
                    throw unexpected("ON or USING after the joined table")
                }
            }
            let join = Join(left: item, right: right, kind: kind, natural: natural, keywordFirst: keywordFirst, condition: condition, using: using)
            item = FromItem(kind: .join(join), first: item.first, last: index - 1, alias: nil, aliasColumns: nil)
        }
    }

    private mutating func parseFromPrimary() throws -> FromItem {
        let first = index
        _ = accept("lateral")
        guard index < tokens.count else { throw unexpected("a table, a subquery or a function") }
        if tokenKind() == .leftParen {
            index += 1
            let kind: FromItem.Kind
            if startsQuery() {
                kind = .subquery(try parseQuery())
            } else {
                kind = .parenthesized(try parseFromItem())
            }
            try expect(.rightParen)
            let (alias, columns) = try parseAlias()
            return FromItem(kind: kind, first: first, last: index - 1, alias: alias, aliasColumns: columns)
        }
        if accept("rows") {
            try expect("from")
            let call = try parsePrimary()
            let (alias, columns) = try parseAlias()
            return FromItem(kind: .function(call), first: first, last: index - 1, alias: alias, aliasColumns: columns)
        }
        _ = accept("only")
        let nameStart = index
        let name = try parseQualifiedName()
        if index < tokens.count, tokenKind() == .leftParen {
            index = nameStart
            let call = try parsePrimary()
            if accept("with") { try expect("ordinality") }
            let (alias, columns) = try parseAlias()
            return FromItem(kind: .function(call), first: first, last: index - 1, alias: alias, aliasColumns: columns)
        }
        if isOperator("*") { index += 1 }
        let (alias, columns) = try parseAlias()
        if accept("tablesample") {
            index += 1
            try skipBalanced()
            if accept("repeatable") { try skipBalanced() }
        }
        return FromItem(kind: .table(name), first: first, last: index - 1, alias: alias, aliasColumns: columns)
    }

    private mutating func parseAlias() throws -> (Int?, [Int]?) {
        var alias: Int?
        if accept("as") {
            alias = try expectName(allowKeywords: true)
        } else if index < tokens.count, tokenKind() == .quotedIdentifier || (tokenKind() == .word && !Keywords.reserved.contains(words[index]!) && !Keywords.afterFromItem.contains(words[index]!)) {
            alias = index
            index += 1
        }
        var columns: [Int]?
        if alias != nil, index < tokens.count, tokenKind() == .leftParen {
            columns = try parseNameList()
        }
        return (alias, columns)
    }

    private func startsQuery() -> Bool {
        var probe = index
        while probe < tokens.count, tokens[probe].kind == .leftParen { probe += 1 }
        guard let next = word(at: probe) else { return false }
        return ["select", "with", "values", "table"].contains(next)
    }

    // MARK: - Expressions

    /// Binding strength of PostgreSQL's binary operators (manual table 4.2), loosest first.
    private enum Strength: Int, Comparable {
        case none = 0, or, and, not, isTest, comparison, patternOrRange, otherOperator, additive, multiplicative, exponent, unary, collate, cast

        static func < (lhs: Strength, rhs: Strength) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    mutating func parseExpression() throws -> Expr {
        try parseExpression(above: .none)
    }

    private mutating func parseExpressionList(until end: SQLToken.Kind) throws -> [Expr] {
        var exprs: [Expr] = []
        if index < tokens.count, tokenKind() == end { return exprs }
        repeat { exprs.append(try parseExpression()) } while accept(.comma)
        return exprs
    }

    /// Parses an expression whose binary operators all bind more strongly than `floor`.
    private mutating func parseExpression(above floor: Strength) throws -> Expr {
        var left = try parsePrefix()
        while index < tokens.count {
            let token = tokens[index]
            let start = index
            // Casts and subscripts bind most strongly.
            if token.kind == .doubleColon {
                index += 1
                let (typeFirst, typeLast) = try parseTypeName()
                left = Expr(.cast(typeFirst: typeFirst, typeLast: typeLast, colons: start), first: left.first, last: typeLast, children: [left])
                continue
            }
            if token.kind == .leftBracket {
                index += 1
                var children = [left]
                if tokenKind() != .colon { children.append(try parseExpression()) }
                if accept(.colon), tokenKind() != .rightBracket { children.append(try parseExpression()) }
                try expect(.rightBracket)
                left = Expr(.other, first: left.first, last: index - 1, children: children)
                continue
            }
            guard let (strength, operatorTokens) = binaryOperator() else { break }
            guard strength > floor else { break }
            index += operatorTokens.count
            let keyword = word(at: operatorTokens.last!)
            switch keyword {
            case "collate":
                _ = try parseQualifiedName()
                left = Expr(.other, first: left.first, last: index - 1, children: [left])
            case "is":
                // IS [NOT] NULL / TRUE / FALSE / UNKNOWN / DOCUMENT / DISTINCT FROM x / NORMALIZED
                var operators = operatorTokens
                if word() == "not" { operators.append(index); index += 1 }
                if accept("distinct") {
                    try expect("from")
                    operators += [index - 2, index - 1]
                    let right = try parseExpression(above: .isTest)
                    left = Expr(.infix(operators), first: left.first, last: right.last, children: [left, right])
                } else {
                    guard index < tokens.count, tokenKind() == .word else { throw unexpected("NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS") }
                    operators.append(index)
                    index += 1
                    left = Expr(.postfix(operators), first: left.first, last: index - 1, children: [left])
                }
            case "isnull", "notnull":
                left = Expr(.postfix(operatorTokens), first: left.first, last: index - 1, children: [left])
            case "between":
                _ = accept("symmetric")
                let low = try parseExpression(above: .patternOrRange)
                try expect("and")
                let high = try parseExpression(above: .patternOrRange)
                left = Expr(.infix(operatorTokens), first: left.first, last: high.last, children: [left, low, high])
            case "in":
                try expect(.leftParen)
                let listFirst = index - 1
                let right: Expr
                if startsQuery() {
                    let query = try parseQuery()
                    right = Expr(.keywordSubquery(query), first: listFirst, last: index)
                } else {
                    right = Expr(.parenthesized, first: listFirst, last: -1, children: try parseExpressionList(until: .rightParen))
                }
                try expect(.rightParen)
                let list = Expr(right.kind, first: listFirst, last: index - 1, children: right.children)
                left = Expr(.infix(operatorTokens), first: left.first, last: index - 1, children: [left, list])
            case "like", "ilike", "similar":
                if keyword == "similar" { try expect("to") }
                let pattern = try parseExpression(above: .patternOrRange)
                var children = [left, pattern]
                if accept("escape") { children.append(try parseExpression(above: .patternOrRange)) }
                left = Expr(.infix(operatorTokens + (keyword == "similar" ? [index] : [])), first: left.first, last: index - 1, children: children)
            case "at":
                try expect("time")
                try expect("zone")
                let zone = try parseExpression(above: .collate)
                left = Expr(.other, first: left.first, last: zone.last, children: [left, zone])
            default:
                // Left-associative: the right operand binds more strongly than this operator.
                let right = try parseExpression(above: strength)
                left = Expr(.infix(operatorTokens), first: left.first, last: right.last, children: [left, right])
            }
        }
        return left
    }

    /// The binary operator at ``index`` (with its tokens: `NOT LIKE` is two), or nil.
    private func binaryOperator() -> (Strength, [Int])? {
        let token = tokens[index]
        if token.kind == .op {
            let text = self.text(index)
            switch text {
            case "=", "<", ">", "<=", ">=", "<>", "!=": return (.comparison, [index])
            case "+", "-": return (.additive, [index])
            case "*", "/", "%": return (.multiplicative, [index])
            case "^": return (.exponent, [index])
            default: return (.otherOperator, [index])
            }
        }
        guard let keyword = words[index] else { return nil }
        switch keyword {
        case "or": return (.or, [index])
        case "and": return (.and, [index])
        case "is", "isnull", "notnull": return (.isTest, [index])
        case "between", "in", "like", "ilike", "similar": return (.patternOrRange, [index])
        case "not":
            if let next = word(at: index + 1), ["between", "in", "like", "ilike", "similar"].contains(next) {
                return (.patternOrRange, [index, index + 1])
            }
            return nil
        case "collate": return (.collate, [index])
        case "at" where word(at: index + 1) == "time": return (.collate, [index])
        default: return nil
        }
    }

    private mutating func parsePrefix() throws -> Expr {
        guard index < tokens.count else { throw unexpected("an expression") }
        let first = index
        if word() == "not" {
            index += 1
            let operand = try parseExpression(above: .not)
            return Expr(.prefix(first), first: first, last: operand.last, children: [operand])
        }
        if tokenKind() == .op, text(index) != "*" {
            index += 1
            let operand = try parseExpression(above: .unary)
            return Expr(.prefix(first), first: first, last: operand.last, children: [operand])
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws -> Expr {
        guard index < tokens.count else { throw unexpected("an expression") }
        let first = index
        let token = tokens[index]
        switch token.kind {
        case .number, .string, .parameter:
            index += 1
            return Expr(.literal, first: first, last: first)
        case .leftParen:
            index += 1
            if startsQuery() {
                let query = try parseQuery()
                try expect(.rightParen)
                return try parsePostfixSelection(Expr(.subquery(query), first: first, last: index - 1))
            }
            let items = try parseExpressionList(until: .rightParen)
            guard !items.isEmpty else { throw unexpected("an expression") }
            try expect(.rightParen)
            return try parsePostfixSelection(Expr(.parenthesized, first: first, last: index - 1, children: items))
        case .op where text(index) == "*":
            index += 1
            return Expr(.star([]), first: first, last: first)
        case .word, .quotedIdentifier:
            break
        default:
            throw unexpected("an expression")
        }
        if token.kind == .word, let keyword = words[index] {
            switch keyword {
            case "case":
                return try parseCase()
            case "cast", "try_cast":
                index += 1
                try expect(.leftParen)
                let operand = try parseExpression()
                try expect("as")
                let (typeFirst, typeLast) = try parseTypeName()
                try expect(.rightParen)
                return Expr(.cast(typeFirst: typeFirst, typeLast: typeLast, colons: nil), first: first, last: index - 1, children: [operand])
            case "exists":
                index += 1
                try expect(.leftParen)
                let query = try parseQuery()
                try expect(.rightParen)
                return Expr(.keywordSubquery(query), first: first, last: index - 1)
            case "array":
                index += 1
                if accept(.leftParen) {
                    let query = try parseQuery()
                    try expect(.rightParen)
                    return Expr(.keywordSubquery(query), first: first, last: index - 1)
                }
                return try parseArrayBrackets(first: first)
            case "null", "true", "false", "default", "current_date", "current_time", "current_timestamp", "localtime", "localtimestamp",
                 "current_user", "session_user", "current_role", "current_catalog", "user":
                index += 1
                return Expr(.literal, first: first, last: first)
            case "interval", "date", "timestamp", "time", "timestamptz":
                if index + 1 < tokens.count, tokenKind(1) == .string {
                    index += 2
                    while let unit = word(), Keywords.intervalUnits.contains(unit) { index += 1 }
                    return Expr(.literal, first: first, last: index - 1)
                }
            default:
                if Keywords.reserved.contains(keyword), !Keywords.functionLikeReserved.contains(keyword) {
                    throw unexpected("an expression")
                }
            }
        }
        // A name: a column, `t.*`, a function call, or a typed literal (`numeric '1.5'`).
        var parts = [index]
        index += 1
        while index + 1 < tokens.count, tokenKind() == .dot {
            if tokenKind(1) == .op, text(index + 1) == "*" {
                index += 2
                return Expr(.star(parts), first: first, last: index - 1)
            }
            guard tokenKind(1) == .word || tokenKind(1) == .quotedIdentifier else { break }
            parts.append(index + 1)
            index += 2
        }
        if index < tokens.count, tokenKind() == .leftParen {
            return try parsePostfixSelection(try parseCall(name: parts, first: first))
        }
        if parts.count == 1, tokens[first].kind == .word, index < tokens.count, tokenKind() == .string {
            index += 1
            return Expr(.literal, first: first, last: index - 1)
        }
        return Expr(.column(parts), first: first, last: index - 1)
    }

    /// `(expr).field`: a field of a composite value; kept as it is.
    private mutating func parsePostfixSelection(_ expr: Expr) throws -> Expr {
        guard index + 1 < tokens.count, tokenKind() == .dot else { return expr }
        index += 1
        if isOperator("*") { index += 1 } else { _ = try expectName(allowKeywords: true) }
        return Expr(.other, first: expr.first, last: index - 1, children: [expr])
    }

    private mutating func parseArrayBrackets(first: Int) throws -> Expr {
        try expect(.leftBracket)
        var children: [Expr] = []
        if tokenKind() != .rightBracket {
            repeat {
                if tokenKind() == .leftBracket {
                    children.append(try parseArrayBrackets(first: index))
                } else {
                    children.append(try parseExpression())
                }
            } while accept(.comma)
        }
        try expect(.rightBracket)
        return Expr(.other, first: first, last: index - 1, children: children)
    }

    private mutating func parseCase() throws -> Expr {
        let first = index
        index += 1
        var children: [Expr] = []
        if word() != "when" { children.append(try parseExpression()) }
        while accept("when") {
            children.append(try parseExpression())
            try expect("then")
            children.append(try parseExpression())
        }
        if accept("else") { children.append(try parseExpression()) }
        try expect("end")
        return Expr(.caseExpression, first: first, last: index - 1, children: children)
    }

    /// `name(…)` with PostgreSQL's call syntax: `*`, DISTINCT, `name => value`, the keyword
    /// separators of the SQL-standard functions, ORDER BY in an aggregate, WITHIN GROUP,
    /// FILTER and OVER.
    private mutating func parseCall(name: [Int], first: Int) throws -> Expr {
        try expect(.leftParen)
        let functionName = words[name.last!] ?? ""
        var arguments: [Expr] = []
        var separators: [Int?] = []
        var extras: [Expr] = []
        var distinct = false
        var hasArgumentOrderBy = false
        var sortItems: [SortItem] = []
        if tokenKind() != .rightParen {
            if accept("distinct") { distinct = true } else { _ = accept("all") }
            _ = accept("variadic")
            if functionName == "trim", let side = word(), ["both", "leading", "trailing"].contains(side) { index += 1 }
            if functionName == "extract", index < tokens.count, tokenKind() == .word || tokenKind() == .string {
                // The field (`year`, `'epoch'`) is a keyword here, not a column.
                arguments.append(Expr(.literal, first: index, last: index))
                index += 1
            } else if functionName == "position" {
                // `POSITION(a IN b)`: this IN is the separator, not the operator.
                arguments.append(try parseExpression(above: .patternOrRange))
            } else if !(functionName == "trim" && word() == "from") {
                arguments.append(try parseArgument())
            }
            while true {
                if accept(.comma) {
                    separators.append(nil)
                } else if let keyword = word(), ["from", "for", "in", "placing", "similar"].contains(keyword), Keywords.standardSyntaxFunctions.contains(functionName) {
                    separators.append(index)
                    index += 1
                } else {
                    break
                }
                _ = accept("variadic")
                arguments.append(try parseArgument())
            }
            if accept("order") {
                try expect("by")
                hasArgumentOrderBy = true
                let items = try parseSortList()
                sortItems += items
                extras += items.map(\.expr)
            }
        }
        try expect(.rightParen)
        var hasWithinGroup = false
        if word() == "within", word(at: index + 1) == "group" {
            index += 2
            hasWithinGroup = true
            try expect(.leftParen)
            try expect("order")
            try expect("by")
            let items = try parseSortList()
            sortItems += items
            extras += items.map(\.expr)
            try expect(.rightParen)
        }
        if word() == "filter", index + 1 < tokens.count, tokenKind(1) == .leftParen {
            index += 2
            try expect("where")
            extras.append(try parseExpression())
            try expect(.rightParen)
        }
        if accept("over") {
            if tokenKind() == .leftParen {
                let (exprs, items) = try parseWindowSpecification()
                extras += exprs
                sortItems += items
            } else {
                _ = try expectName()
            }
        }
        let call = FunctionCall(name: name, arguments: arguments, separators: separators, extras: extras, sortItems: sortItems,
                                hasArgumentOrderBy: hasArgumentOrderBy, hasWithinGroup: hasWithinGroup, distinct: distinct)
        return Expr(.call(call), first: first, last: index - 1, children: arguments + extras)
    }

    /// An argument: an expression, or `name => value` / `name := value` (the value is returned).
    private mutating func parseArgument() throws -> Expr {
        if index + 1 < tokens.count, tokenKind() == .word || tokenKind() == .quotedIdentifier,
           tokenKind(1) == .op, text(index + 1) == "=>" || text(index + 1) == ":=" {
            index += 2
        }
        if let next = word(), ["select", "with", "values"].contains(next) {
            // `ANY (SELECT …)`, `ALL (SELECT …)`.
            let first = index
            let query = try parseQuery()
            return Expr(.subquery(query), first: first, last: index - 1)
        }
        return try parseExpression()
    }

    /// `( [name] [PARTITION BY …] [ORDER BY …] [frame] )`: the expressions it holds, and its
    /// ORDER BY items.
    private mutating func parseWindowSpecification() throws -> ([Expr], [SortItem]) {
        try expect(.leftParen)
        var exprs: [Expr] = []
        var items: [SortItem] = []
        if index < tokens.count, tokenKind() == .word, let name = words[index], !["partition", "order", "rows", "range", "groups"].contains(name) {
            index += 1
        }
        if accept("partition") {
            try expect("by")
            exprs += try parseExpressionList(until: .rightParen)
        }
        if accept("order") {
            try expect("by")
            items = try parseSortList()
            exprs += items.map(\.expr)
        }
        if let frame = word(), ["rows", "range", "groups"].contains(frame) {
            // Frame bounds are constants (`2 PRECEDING`, `INTERVAL '1 day' FOLLOWING`).
            var depth = 0
            while index < tokens.count, !(depth == 0 && tokenKind() == .rightParen) {
                if tokenKind() == .leftParen { depth += 1 }
                if tokenKind() == .rightParen { depth -= 1 }
                index += 1
            }
        }
        try expect(.rightParen)
        return (exprs, items)
    }

    /// A type name after `::` or `AS` in CAST: `integer`, `double precision`, `numeric(10, 2)`,
    /// `character varying(20)`, `timestamp with time zone`, `text[]`, `pg_catalog.int4`.
    private mutating func parseTypeName() throws -> (Int, Int) {
        let first = index
        guard index < tokens.count, tokenKind() == .word || tokenKind() == .quotedIdentifier else {
            throw unexpected("a type name")
        }
        _ = try parseQualifiedName()
        if let last = words[index - 1] {
            switch last {
            case "double": try expect("precision")
            case "character", "char", "bit", "national": _ = accept("varying")
            default: break
            }
        }
        if tokens.indices.contains(index), tokenKind() == .leftParen { try skipBalanced() }
        if let last = words[first], ["timestamp", "time"].contains(last), word() == "with" || word() == "without" {
            index += 1
            try expect("time")
            try expect("zone")
        }
        if let last = words[first], last == "interval" {
            while let unit = word(), Keywords.intervalUnits.contains(unit) { index += 1 }
        }
        while index < tokens.count, tokenKind() == .leftBracket {
            index += 1
            if tokenKind() == .number { index += 1 }
            try expect(.rightBracket)
        }
        return (first, index - 1)
    }

    // MARK: - Names and tokens

    mutating func parseQualifiedName() throws -> QualifiedName {
        var parts = [try expectName()]
        while index + 1 < tokens.count, tokenKind() == .dot, tokenKind(1) == .word || tokenKind(1) == .quotedIdentifier {
            parts.append(index + 1)
            index += 2
        }
        return QualifiedName(parts: parts)
    }

    private mutating func parseNameList() throws -> [Int] {
        try expect(.leftParen)
        var names: [Int] = []
        repeat { names.append(try expectName(allowKeywords: true)) } while accept(.comma)
        try expect(.rightParen)
        return names
    }

    private mutating func expectName(allowKeywords: Bool = false) throws -> Int {
        guard index < tokens.count,
              tokenKind() == .quotedIdentifier || (tokenKind() == .word && (allowKeywords || !Keywords.reserved.contains(words[index]!))) else {
            throw unexpected("a name")
        }
        index += 1
        return index - 1
    }

    /// Skips a balanced `( … )` starting at ``index``.
    private mutating func skipBalanced() throws {
        let open = index
        try expect(.leftParen)
        var depth = 1
        while index < tokens.count, depth > 0 {
            if tokenKind() == .leftParen { depth += 1 }
            if tokenKind() == .rightParen { depth -= 1 }
            index += 1
        }
        guard depth == 0 else { throw QueryRewriteError(at: position(open), "this \"(\" is never closed") }
    }

    func word(at position: Int? = nil) -> String? {
        let position = position ?? index
        return position < tokens.count ? words[position] : nil
    }

    /// The kind of the token `offset` after the current one; nil past the end of the input.
    private func tokenKind(_ offset: Int = 0) -> SQLToken.Kind? {
        index + offset < tokens.count ? tokens[index + offset].kind : nil
    }

    func text(_ position: Int) -> String {
        String(decoding: source[tokens[position].start..<tokens[position].end], as: UTF8.self)
    }

    private func isOperator(_ text: String) -> Bool {
        index < tokens.count && tokenKind() == .op && self.text(index) == text
    }

    private mutating func accept(_ keyword: String) -> Bool {
        guard word() == keyword else { return false }
        index += 1
        return true
    }

    private mutating func accept(_ kind: SQLToken.Kind) -> Bool {
        guard index < tokens.count, tokenKind() == kind else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ keyword: String) throws {
        guard accept(keyword) else { throw unexpected(keyword.uppercased()) }
    }

    private mutating func expect(_ kind: SQLToken.Kind) throws {
        guard accept(kind) else {
            let names: [SQLToken.Kind: String] = [.leftParen: "\"(\"", .rightParen: "\")\"", .rightBracket: "\"]\"", .leftBracket: "\"[\"", .comma: "\",\""]
            throw unexpected(names[kind] ?? "\(kind)")
        }
    }

    private func position(_ token: Int) -> SourcePosition {
        SourcePosition(line: tokens[token].line, column: tokens[token].column)
    }

    /// A parse error at the current token.
    private func unexpected(_ expected: String) -> QueryRewriteError {
        guard index < tokens.count else {
            let end = tokens.last.map { SourcePosition(line: $0.line, column: $0.column) } ?? SourcePosition(line: 1, column: 1)
            return QueryRewriteError(at: end, "syntax error: the input ends where \(expected) was expected")
        }
        var found = text(index)
        if found.count > 40 { found = String(found.prefix(40)) + "…" }
        return QueryRewriteError(at: position(index), "syntax error at \"\(found)\": expected \(expected)")
    }
}

extension SQLToken.Kind: Hashable {}
