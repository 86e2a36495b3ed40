import Foundation

/// Walks the parsed statements, resolves every name as PostgreSQL would, and records the text
/// edits that turn v0.5 SQL into v0.6 SQL (and, for `--dialect sqlite`, into SQL that SQLite
/// runs the same way). Problems are collected, not thrown, so that one run reports them all.
final class StatementRewriter {
    let source: [UInt8]
    let tokens: [SQLToken]
    let parser: SQLParser
    let allTokens: [SQLToken]
    let allIndexOfSignificant: [Int]
    let patientSchema: String
    let dialect: QueryDialect

    private(set) var problems: [QueryRewriteError.Problem] = []
    var edits = TextEdits()
    private var occurrences: [LegacyOccurrence] = []
    /// The statement of each occurrence (significant token range), for naming.
    private var occurrenceStatements: [ClosedRange<Int>] = []
    /// Tokens that disappear from the output (legacy aliases and qualifiers), whose names are
    /// therefore free for the replacement tables.
    private var vanishingTokens: Set<Int> = []
    /// Joins to `genes` that became the replacement's own (by their first keyword token).
    private var reusedJoins: Set<Int> = []
    /// Where the current statement starts and ends (significant token indices).
    private var statementRange = 0...0
    /// Set while rewriting the first SELECT of a UNION / INTERSECT / EXCEPT.
    private var namingSetOperation = false

    init(source: [UInt8], parser: SQLParser, allTokens: [SQLToken], allIndexOfSignificant: [Int], patientSchema: String, dialect: QueryDialect) {
        self.source = source
        self.parser = parser
        tokens = parser.tokens
        self.allTokens = allTokens
        self.allIndexOfSignificant = allIndexOfSignificant
        self.patientSchema = patientSchema
        self.dialect = dialect
    }

    // MARK: - Statements

    /// Keywords of PostgreSQL syntax SQLite lacks, with what to write instead.
    static let sqliteMissingKeywords: [String: String] = [
        "lateral": "LATERAL is PostgreSQL-only; write a correlated subquery in the select list or a join",
        "fetch": "FETCH FIRST … ROWS is not translated for SQLite; write LIMIT",
        "tablesample": "TABLESAMPLE is PostgreSQL-only",
        "copy": "COPY is PostgreSQL-only; in the sqlite3 shell, .mode csv and .output do what COPY … TO does",
    ]

    func rewrite(_ statement: Statement) {
        statementRange = statement.first...max(statement.first, statement.last)
        if dialect == .sqlite {
            for index in statementRange {
                if let word = parser.word(at: index), let reason = Self.sqliteMissingKeywords[word] { refuse(at: index, reason) }
            }
            translateLimitClauses()
            translateCollations()
        }
        switch statement.kind {
        case let .query(query), let .wrappedQuery(query):
            _ = rewriteQuery(query, outer: nil, ctes: CTEEnvironment())
        case let .write(verb, targets):
            if verb == "COPY … TO", let target = targets.first(where: isLegacyTable) {
                refuse(at: target.parts.first!, "COPY cancer_transcript_base TO … is refused: write COPY (SELECT … FROM cancer_transcript_base) TO …, whose query rewrite-query rewrites")
            } else if let target = targets.first(where: isLegacyTable) {
                refuse(at: target.parts.first!, "\(verb) on cancer_transcript_base is refused: v0.6 keeps the core read-only and a patient's values in \(patientSchema).expression_data, written by `mediabase patients`")
            } else {
                refuseLegacyMention(in: statement, "rewrite-query rewrites queries that read cancer_transcript_base, not a \(verb) statement that uses it")
            }
        case let .modify(modification):
            rewriteModification(modification, outer: nil, ctes: CTEEnvironment())
        case .other:
            refuseLegacyMention(in: statement, "rewrite-query rewrites SELECT queries (also inside CREATE … AS, EXPLAIN, INSERT … SELECT); this statement uses cancer_transcript_base otherwise")
        }
    }

    private func refuseLegacyMention(in statement: Statement, _ message: String) {
        guard statement.first <= statement.last else { return }
        if let mention = (statement.first...statement.last).first(where: { normalizedName($0) == LegacyColumnMap.tableName }) {
            refuse(at: mention, message)
        }
    }

    /// PostgreSQL's byte-order collations are SQLite's BINARY; other collations (ICU or libc
    /// locales) have no SQLite counterpart.
    private func translateCollations() {
        for index in statementRange where parser.word(at: index) == "collate" && index < statementRange.upperBound {
            var last = index + 1
            while last + 2 <= statementRange.upperBound, tokens[last + 1].kind == .dot { last += 2 }
            let name = normalizedName(last)
            let schema = last > index + 1 ? normalizedName(last - 2) : "pg_catalog"
            if ["C", "POSIX", "ucs_basic"].contains(name), schema == "pg_catalog" {
                edits.replace(tokens[index + 1].start, endOf(last), with: [.text("BINARY")])
            } else {
                refuse(at: index + 1, "COLLATE \(text(last)) has no SQLite counterpart: SQLite compares text by bytes (COLLATE \"C\"), or ignoring ASCII case (COLLATE NOCASE, no PostgreSQL equivalent)")
            }
        }
    }

    /// SQLite has no `LIMIT ALL` and no OFFSET without a LIMIT before it: both become
    /// `LIMIT -1`, SQLite's "no limit".
    private func translateLimitClauses() {
        var depthOfLimit: [Int: Bool] = [:]
        var depth = 0
        for index in statementRange {
            switch tokens[index].kind {
            case .leftParen: depth += 1
            case .rightParen:
                depthOfLimit[depth] = nil
                depth -= 1
            default: break
            }
            switch parser.word(at: index) {
            case "select"?:
                depthOfLimit[depth] = false
            case "limit"?:
                depthOfLimit[depth] = true
                if parser.word(at: index + 1) == "all" {
                    edits.replace(tokens[index + 1].start, endOf(index + 1), with: [.text("-1")])
                }
            case "offset"? where depthOfLimit[depth] == false:
                edits.replace(tokens[index].start, tokens[index].start, with: [.text("LIMIT -1 ")])
            default: break
            }
        }
    }

    // MARK: - Queries

    /// Rewrites a query; returns the names of its output columns when they are known.
    @discardableResult
    func rewriteQuery(_ query: Query, outer: Scope?, ctes inherited: CTEEnvironment) -> [String]? {
        let ctes = rewriteCTEs(query.ctes, outer: outer, inherited: inherited)
        let outputs = rewriteSetTerm(query.body, outer: outer, ctes: ctes, orderBy: query.orderBy)
        if case .select = query.body {} else {
            // ORDER BY of a set operation or VALUES names output columns, which keep their names.
            translateSortItems(query.orderBy)
        }
        for limit in query.limits {
            rewriteExpr(limit, scope: outer ?? Scope(parent: nil), ctes: ctes)
        }
        return outputs
    }

    /// Rewrites the queries of a WITH clause; returns the names they add.
    private func rewriteCTEs(_ list: [CommonTableExpression], outer: Scope?, inherited: CTEEnvironment) -> CTEEnvironment {
        var ctes = inherited
        for cte in list {
            let name = normalizedName(cte.name)
            // A recursive CTE sees itself; its columns are known once its first branch is.
            ctes.add(name, columns: cte.columns.map { Set($0.map(normalizedName)) })
            var columns: [String]?
            switch cte.statement.kind {
            case let .query(inner), let .wrappedQuery(inner):
                columns = rewriteQuery(inner, outer: outer, ctes: ctes)
            case let .modify(modification):
                if dialect == .sqlite {
                    refuse(at: cte.name, "a WITH query that writes (INSERT, UPDATE, DELETE inside WITH) has no SQLite equivalent: run it as a statement of its own")
                }
                columns = rewriteModification(modification, outer: outer, ctes: ctes)
            case .write, .other:
                break
            }
            let known = cte.columns.map { $0.map(normalizedName) } ?? columns
            ctes.add(name, columns: known.map(Set.init))
        }
        return ctes
    }

    /// `[WITH …] INSERT / UPDATE / DELETE`: refused when it writes the legacy table; otherwise
    /// what it reads is rewritten (`UPDATE other … FROM cancer_transcript_base c WHERE …`, an
    /// INSERT's SELECT). Returns the names of its RETURNING columns when known.
    @discardableResult
    private func rewriteModification(_ modification: DataModification, outer: Scope?, ctes inherited: CTEEnvironment) -> [String]? {
        guard let target = modification.targetName else { return nil }
        if isLegacyTable(target) {
            refuse(at: target.parts.first!, "\(modification.verb) on cancer_transcript_base is refused: v0.6 keeps the core read-only and a patient's values in \(patientSchema).expression_data, written by `mediabase patients`")
            return nil
        }
        let ctes = rewriteCTEs(modification.ctes, outer: outer, inherited: inherited)
        if let query = modification.query {
            rewriteQuery(query, outer: outer, ctes: ctes)
            return nil
        }
        let scope = Scope(parent: outer)
        collectFromItem(modification.target, scope: scope, ctes: ctes, chainStart: true)
        for item in modification.from {
            collectFromItem(item, scope: scope, ctes: ctes, chainStart: true)
        }
        for item in modification.from {
            reuseGenesJoin(in: item, scope: scope)
            rewriteJoinConditions(item, scope: scope, ctes: ctes)
        }
        for value in modification.values { rewriteExpr(value, scope: scope, ctes: ctes) }
        if let whereClause = modification.whereClause { rewriteExpr(whereClause, scope: scope, ctes: ctes) }
        if dialect == .sqlite { translateModification(modification) }
        return rewriteTargets(modification.returning, scope: scope, ctes: ctes, namesSetOperation: false)
    }

    /// SQLite wants `AS` before the alias of the written table, and has no `DELETE … USING`:
    /// `DELETE FROM x USING items WHERE cond` becomes `DELETE FROM x WHERE EXISTS (SELECT 1
    /// FROM items WHERE cond)`, which deletes the same rows.
    private func translateModification(_ modification: DataModification) {
        if let alias = modification.target.alias, parser.word(at: alias - 1) != "as" {
            edits.replace(tokens[alias].start, tokens[alias].start, with: [.text("AS ")])
        }
        guard modification.verb == "DELETE", let firstItem = modification.from.first, let lastItem = modification.from.last else { return }
        let using = firstItem.first - 1
        edits.replace(tokens[using].start, endOf(using), with: [.text("WHERE EXISTS (SELECT 1 FROM")])
        let end = modification.whereClause?.last ?? lastItem.last
        edits.replace(endOf(end), endOf(end), with: [.text(")")])
    }

    private func rewriteSetTerm(_ term: SetTerm, outer: Scope?, ctes: CTEEnvironment, orderBy: [SortItem]) -> [String]? {
        switch term {
        case let .select(core):
            return rewriteSelect(core, outer: outer, ctes: ctes, orderBy: orderBy)
        case let .values(rows):
            for row in rows {
                for expr in row { rewriteExpr(expr, scope: outer ?? Scope(parent: nil), ctes: ctes) }
            }
            return rows.first.map { $0.indices.map { "column\($0 + 1)" } }
        case let .nested(query):
            return rewriteQuery(query, outer: outer, ctes: ctes)
        case let .setOperation(left, right):
            // The first SELECT names the columns that the ORDER BY of the whole refers to; SQLite
            // matches those names only against explicit aliases.
            namingSetOperation = true
            let names = rewriteSetTerm(left, outer: outer, ctes: ctes, orderBy: [])
            namingSetOperation = false
            _ = rewriteSetTerm(right, outer: outer, ctes: ctes, orderBy: [])
            return names
        case let .table(name, first):
            if isLegacyTable(name) {
                refuse(at: first, "TABLE cancer_transcript_base is refused: write SELECT … FROM cancer_transcript_base, which rewrite-query maps column by column")
            }
            return nil
        }
    }

    // MARK: - SELECT

    private func rewriteSelect(_ core: SelectCore, outer: Scope?, ctes: CTEEnvironment, orderBy: [SortItem]) -> [String]? {
        let namesSetOperation = namingSetOperation
        namingSetOperation = false
        let scope = Scope(parent: outer)
        for item in core.from {
            collectFromItem(item, scope: scope, ctes: ctes, chainStart: true)
        }
        for item in core.from {
            reuseGenesJoin(in: item, scope: scope)
            rewriteJoinConditions(item, scope: scope, ctes: ctes)
        }
        if let distinctOn = core.distinctOn {
            if dialect == .sqlite {
                refuse(at: distinctOn.first, "DISTINCT ON has no SQLite equivalent; use a window function (row_number() OVER (PARTITION BY …)) instead")
            }
            for expr in distinctOn.exprs { rewriteExpr(expr, scope: scope, ctes: ctes) }
        }
        let outputs = rewriteTargets(core.targets, scope: scope, ctes: ctes, namesSetOperation: namesSetOperation)
        if let whereClause = core.whereClause { rewriteExpr(whereClause, scope: scope, ctes: ctes) }
        for expr in core.groupBy { rewriteExpr(expr, scope: scope, ctes: ctes) }
        keepFunctionalDependencies(core, scope: scope)
        if let having = core.having { rewriteExpr(having, scope: scope, ctes: ctes) }
        for expr in core.windows { rewriteExpr(expr, scope: scope, ctes: ctes) }
        // ORDER BY: a bare name matching an output column refers to that column (SQL-92 rule),
        // unless that column is the same legacy column, which is then written out like any
        // other use of it.
        for item in orderBy {
            if case let .column(parts) = item.expr.kind, parts.count == 1 {
                let name = normalizedName(parts[0])
                if let target = core.targets.first(where: { ($0.alias.map(normalizedName) ?? figuredName($0.expr)) == name }) {
                    let sameColumn: Bool
                    if target.alias == nil, case let .column(targetParts) = target.expr.kind, targetParts.count == 1 {
                        sameColumn = true
                    } else {
                        sameColumn = false
                    }
                    if !sameColumn { continue }
                }
            }
            rewriteExpr(item.expr, scope: scope, ctes: ctes)
        }
        translateSortItems(orderBy)
        return outputs
    }

    /// A select list (or RETURNING list): each item rewritten, with an alias where its output
    /// name would change. Returns the output names when known.
    private func rewriteTargets(_ targets: [SelectTarget], scope: Scope, ctes: CTEEnvironment, namesSetOperation: Bool) -> [String]? {
        var outputs: [String]? = []
        for target in targets {
            if case let .star(parts) = target.expr.kind {
                let names = rewriteStar(target.expr, parts: parts, scope: scope)
                if let names, outputs != nil { outputs! += names } else { outputs = nil }
                continue
            }
            let originalName = target.alias.map(normalizedName) ?? figuredName(target.expr)
            rewriteExpr(target.expr, scope: scope, ctes: ctes)
            if target.alias == nil, needsAlias(target.expr, scope: scope) || (namesSetOperation && dialect == .sqlite && isRewrittenColumn(target.expr, scope: scope)) {
                edits.replace(endOf(target.expr.last), endOf(target.expr.last), with: [.text(" AS " + quotedName(originalName))])
            }
            outputs?.append(originalName)
        }
        return outputs
    }

    /// v0.5 lets a query grouped by the legacy table's primary key (`GROUP BY transcript_id`)
    /// select its other columns, which depend on it. In v0.6 those come from `genes` and the
    /// patient's table, so their primary keys join the GROUP BY: `g.gene_id` and
    /// `pe.transcript_id` are functions of `t.transcript_id` in the replacement's joins, so the
    /// groups stay the same, and PostgreSQL then sees the other columns depend on them.
    private func keepFunctionalDependencies(_ core: SelectCore, scope: Scope) {
        guard let lastItem = core.groupBy.last else { return }
        var grouped: [LegacyOccurrence] = []
        for item in core.groupBy {
            var expr = item
            if case .literal = expr.kind, let position = Int(text(expr.first)), position >= 1, position <= core.targets.count {
                expr = core.targets[position - 1].expr
            }
            guard case let .column(parts) = expr.kind, case let .legacy(occurrence, column)? = resolve(parts, scope: scope),
                  column == "transcript_id", !grouped.contains(where: { $0 === occurrence }) else { continue }
            grouped.append(occurrence)
        }
        for occurrence in grouped {
            edits.replace(endOf(lastItem.last), endOf(lastItem.last), with: [
                .text(", "), .alias(occurrence.id, .genes), .text(".gene_id, "), .alias(occurrence.id, .expression), .text(".transcript_id"),
            ])
        }
    }

    /// Whether a select item without an alias must get one to keep its output column's name:
    /// when its name comes from a legacy column whose replacement is an expression, and in
    /// SQLite (which names a column by its text) whenever it is not a bare column.
    private func needsAlias(_ expr: Expr, scope: Scope) -> Bool {
        if dialect == .sqlite, figuredName(expr) != "?column?", !isBareColumn(expr) { return true }
        var inner = expr
        while true {
            switch inner.kind {
            case .cast:
                inner = inner.children[0]
                continue
            case .parenthesized where inner.children.count == 1:
                inner = inner.children[0]
                continue
            case let .column(parts):
                if case let .legacy(_, column)? = resolve(parts, scope: scope), let home = LegacyColumnMap.home(of: column) {
                    return home == .foldChange || home == .coordinates
                }
                return false
            case .infix:
                // `coordinates->>'start'` (PostgreSQL's `?column?`, or under a cast the type's
                // name) becomes a column of public.transcripts, which would name it.
                return isCoordinateAccess(inner, scope: scope)
            default:
                return false
            }
        }
    }

    private func isCoordinateAccess(_ expr: Expr, scope: Scope) -> Bool {
        guard case let .infix(operators) = expr.kind, operators.count == 1, ["->>", "->", "#>>", "#>"].contains(text(operators[0])),
              case let .column(parts) = expr.children[0].kind,
              case let .legacy(_, column)? = resolve(parts, scope: scope) else { return false }
        return column == "coordinates"
    }

    private func isRewrittenColumn(_ expr: Expr, scope: Scope) -> Bool {
        guard case let .column(parts) = expr.kind, case .legacy? = resolve(parts, scope: scope) else { return false }
        return true
    }

    private func isBareColumn(_ expr: Expr) -> Bool {
        if case .column = expr.kind { return true }
        return false
    }

    /// PostgreSQL's name for an output column without an alias (FigureColname): the column's
    /// name, the function's name, `case`, or `?column?`.
    func figuredName(_ expr: Expr) -> String {
        switch expr.kind {
        case let .column(parts): return normalizedName(parts.last!)
        case let .cast(typeFirst, typeLast, _):
            let inner = figuredName(expr.children[0])
            return inner == "?column?" ? Self.internalTypeName(typeText(typeFirst, typeLast)) : inner
        case let .call(call): return normalizedName(call.name.last!)
        case .caseExpression: return "case"
        case .parenthesized where expr.children.count == 1: return figuredName(expr.children[0])
        case .keywordSubquery: return parser.word(at: expr.first) ?? "?column?"
        default: return "?column?"
        }
    }

    /// The name PostgreSQL gives a cast's column: the last part of the type's name after the
    /// grammar maps the SQL-standard spellings to its own (`int` → `int4`).
    static func internalTypeName(_ type: String) -> String {
        var name = type.lowercased()
        if let parenthesis = name.firstIndex(of: "(") { name = String(name[..<parenthesis]) }
        name = name.split(separator: " ").joined(separator: " ")
        if name.hasSuffix("[]") { return name }
        if let dot = name.lastIndex(of: ".") { name = String(name[name.index(after: dot)...]) }
        let standard: [String: String] = [
            "int": "int4", "integer": "int4", "smallint": "int2", "bigint": "int8", "real": "float4", "float": "float8",
            "double precision": "float8", "decimal": "numeric", "dec": "numeric", "boolean": "bool",
            "character varying": "varchar", "char varying": "varchar", "character": "bpchar", "char": "bpchar",
            "timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz",
            "time without time zone": "time", "time with time zone": "timetz",
        ]
        return standard[name] ?? name
    }

    // MARK: - FROM

    /// Adds the scope entries of a FROM item (and rewrites its subqueries and functions).
    /// `chainStart`: whether the item is the first of its join chain, where the legacy table's
    /// replacement needs no parentheses.
    private func collectFromItem(_ item: FromItem, scope: Scope, ctes: CTEEnvironment, chainStart: Bool) {
        if dialect == .sqlite, let columns = item.aliasColumns {
            var legacy = false
            if case let .table(name) = item.kind { legacy = isLegacyTable(name) }
            if !legacy {
                refuse(at: columns.first!, "column aliases on a FROM item (AS v(a, b)) are PostgreSQL-only; for VALUES write a CTE, WITH v(a, b) AS (VALUES …), which SQLite has")
            }
        }
        switch item.kind {
        case let .table(name):
            let tableName = normalizedName(name.parts.last!)
            let schema = name.parts.count > 1 ? normalizedName(name.parts[name.parts.count - 2]) : nil
            let exposed = item.alias.map(normalizedName) ?? tableName
            if name.parts.count == 1, ctes.contains(tableName) {
                scope.entries.append(.init(name: exposed, schema: nil, kind: .relation(columns: item.aliasColumns.map { Set($0.map(normalizedName)) } ?? ctes.columns(of: tableName)), qualifier: exposed))
                return
            }
            if isLegacyTable(name) {
                if let columns = item.aliasColumns {
                    refuse(at: columns.first!, "column aliases on cancer_transcript_base are not supported; alias the columns in the select list instead")
                    return
                }
                let occurrence = LegacyOccurrence(id: occurrences.count, exposedName: exposed)
                occurrences.append(occurrence)
                occurrenceStatements.append(statementRange)
                if let alias = item.alias { vanishingTokens.insert(alias) }
                scope.entries.append(.init(name: exposed, schema: item.alias == nil ? schema : nil, kind: .legacy(occurrence), qualifier: exposed))
                replaceLegacyTable(item, occurrence: occurrence, parenthesize: !chainStart)
                return
            }
            var columns: Set<String>?
            if schema == nil || schema == "public", let known = LegacyColumnMap.knownTables[tableName] {
                columns = known
                if schema == nil {
                    // The core's tables live in schema public (attached as `public` in SQLite).
                    edits.replace(tokens[name.parts[0]].start, tokens[name.parts[0]].start, with: [.text("public.")])
                }
            }
            if let aliasColumns = item.aliasColumns { columns = Set(aliasColumns.map(normalizedName)) }
            let qualifier = item.alias.map { text($0) } ?? (schema == nil ? text(name.parts.last!) : text(name.parts[name.parts.count - 2]) + "." + text(name.parts.last!))
            scope.entries.append(.init(name: exposed, schema: item.alias == nil ? schema : nil, kind: .relation(columns: columns), qualifier: qualifier))
        case let .subquery(query):
            // A subquery in FROM sees the FROM items before it only when LATERAL, and a query
            // that names them otherwise is an error in PostgreSQL already: resolving through
            // them covers LATERAL without changing the meaning of a valid query.
            let outputs = rewriteQuery(query, outer: scope, ctes: ctes)
            let columns = item.aliasColumns.map { Set($0.map(normalizedName)) } ?? outputs.map(Set.init)
            let name = item.alias.map(normalizedName) ?? ""
            scope.entries.append(.init(name: name, schema: nil, kind: .relation(columns: columns), qualifier: item.alias.map { text($0) } ?? ""))
        case let .function(call):
            rewriteExpr(call, scope: scope, ctes: ctes)
            let name = item.alias.map(normalizedName) ?? figuredName(call)
            let columns = item.aliasColumns.map { Set($0.map(normalizedName)) } ?? [name]
            scope.entries.append(.init(name: name, schema: nil, kind: .relation(columns: columns), qualifier: item.alias.map { text($0) } ?? name))
        case let .join(join):
            if join.using != nil || join.natural { scope.hasMergingJoin = true }
            collectFromItem(join.left, scope: scope, ctes: ctes, chainStart: chainStart)
            if let genesName = genesJoinedToLegacy(join, ctes: ctes) {
                collectLegacyAfterGenes(join, genesName: genesName, scope: scope)
                return
            }
            collectFromItem(join.right, scope: scope, ctes: ctes, chainStart: false)
            if join.natural, scope.entries.contains(where: { if case .legacy = $0.kind { return true } else { return false } }) {
                refuse(at: join.keywordFirst, "NATURAL JOIN with cancer_transcript_base is refused: its columns are spread over three tables in v0.6; join ON the columns instead")
            }
        case let .parenthesized(inner):
            collectFromItem(inner, scope: scope, ctes: ctes, chainStart: true)
        }
    }

    /// For `genes g JOIN cancer_transcript_base ctb ON ctb.gene_id = g.gene_id` (the genes
    /// table first): the name the query gives `genes`, whose join is then the replacement's.
    private func genesJoinedToLegacy(_ join: Join, ctes: CTEEnvironment) -> String? {
        guard join.kind == .inner, !join.natural, join.using == nil,
              case let .table(genesName) = join.left.kind, join.left.aliasColumns == nil,
              normalizedName(genesName.parts.last!) == "genes", !(genesName.parts.count == 1 && ctes.contains("genes")),
              genesName.parts.count == 1 || (genesName.parts.count == 2 && normalizedName(genesName.parts[0]) == "public"),
              case let .table(legacyName) = join.right.kind, isLegacyTable(legacyName), join.right.aliasColumns == nil,
              !(legacyName.parts.count == 1 && ctes.contains(LegacyColumnMap.tableName)),
              let condition = join.condition, case let .infix(operators) = condition.kind, operators.count == 1, parser.text(operators[0]) == "=",
              case let .column(left) = condition.children[0].kind, case let .column(right) = condition.children[1].kind,
              left.count == 2, right.count == 2 else { return nil }
        let genesExposed = join.left.alias.map(normalizedName) ?? "genes"
        let legacyExposed = join.right.alias.map(normalizedName) ?? LegacyColumnMap.tableName
        let sides = [(normalizedName(left[0]), normalizedName(left[1])), (normalizedName(right[0]), normalizedName(right[1]))]
        guard genesExposed != legacyExposed, sides.contains(where: { $0 == (genesExposed, "gene_id") }),
              sides.contains(where: { $0 == (legacyExposed, "gene_id") }) else { return nil }
        return join.left.alias.map { text($0) } ?? text(genesName.parts.last!)
    }

    /// The legacy table joined to a `genes` before it: it becomes `public.transcripts t` in
    /// place (the query's ON condition, rewritten, joins it to genes) and the patient's table
    /// follows that condition.
    private func collectLegacyAfterGenes(_ join: Join, genesName: String, scope: Scope) {
        let item = join.right
        guard case let .table(name) = item.kind, let condition = join.condition else { return }
        let exposed = item.alias.map(normalizedName) ?? normalizedName(name.parts.last!)
        let occurrence = LegacyOccurrence(id: occurrences.count, exposedName: exposed)
        occurrence.reusedGenesName = genesName
        occurrences.append(occurrence)
        occurrenceStatements.append(statementRange)
        if let alias = item.alias { vanishingTokens.insert(alias) }
        scope.entries.append(.init(name: exposed, schema: item.alias == nil && name.parts.count > 1 ? normalizedName(name.parts[name.parts.count - 2]) : nil,
                                   kind: .legacy(occurrence), qualifier: exposed))
        let id = occurrence.id
        edits.replace(tokens[item.first].start, endOf(item.last), with: [.text("public.transcripts "), .alias(id, .transcripts)])
        edits.replace(endOf(condition.last), endOf(condition.last), with: [
            .text(lineSeparator(at: join.keywordFirst) + "LEFT JOIN \(patientSchema).expression_data "), .alias(id, .expression), .text(" ON "),
            .alias(id, .transcripts), .text(".transcript_id = "), .alias(id, .expression), .text(".transcript_id"),
        ])
    }

    /// Replaces `cancer_transcript_base [AS] ctb` by the three v0.6 tables.
    private func replaceLegacyTable(_ item: FromItem, occurrence: LegacyOccurrence, parenthesize: Bool) {
        let id = occurrence.id
        let separator = lineSeparator(at: item.first)
        var pieces: [TextEdit.Piece] = [.text(parenthesize ? "(" : ""), .text("public.transcripts "), .alias(id, .transcripts), .text(separator)]
        pieces += [.text("LEFT JOIN \(patientSchema).expression_data "), .alias(id, .expression), .text(" ON "), .alias(id, .transcripts),
                   .text(".transcript_id = "), .alias(id, .expression), .text(".transcript_id"), .text(separator)]
        pieces += [.text("JOIN public.genes "), .alias(id, .genes), .text(" ON "), .alias(id, .transcripts), .text(".gene_id = "),
                   .alias(id, .genes), .text(".gene_id"), .text(parenthesize ? ")" : "")]
        edits.replace(tokens[item.first].start, endOf(item.last), with: pieces)
    }

    /// A newline and the indentation of the line of `token` when the statement spans lines,
    /// else a space.
    private func lineSeparator(at token: Int) -> String {
        let statementStart = tokens[statementRange.lowerBound].start
        let statementEnd = endOf(statementRange.upperBound)
        guard source[statementStart..<statementEnd].contains(UInt8(ascii: "\n")) else { return " " }
        var lineStart = tokens[token].start
        while lineStart > 0, source[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
        var indentEnd = lineStart
        while indentEnd < source.count, source[indentEnd] == UInt8(ascii: " ") || source[indentEnd] == UInt8(ascii: "\t") { indentEnd += 1 }
        return "\n" + String(decoding: source[lineStart..<indentEnd], as: UTF8.self)
    }

    /// The query's own `JOIN genes g ON ctb.gene_id = g.gene_id` becomes the replacement's
    /// genes join instead of a second one (the second guide's query 2). Only an inner join of
    /// the same chain, with nothing but that condition and no RIGHT or FULL join before it
    /// (those would make moving it change the result).
    private func reuseGenesJoin(in item: FromItem, scope: Scope) {
        // The chain's joins, first to last, each with its last token.
        var joins: [(join: Join, last: Int)] = []
        var leftmost = item
        while case let .join(join) = leftmost.kind {
            joins.insert((join, leftmost.last), at: 0)
            leftmost = join.left
        }
        if case let .parenthesized(inner) = leftmost.kind { reuseGenesJoin(in: inner, scope: scope) }
        for (join, _) in joins {
            if case let .parenthesized(inner) = join.right.kind { reuseGenesJoin(in: inner, scope: scope) }
        }
        guard case let .table(name) = leftmost.kind, isLegacyTable(name), leftmost.aliasColumns == nil else { return }
        let exposed = leftmost.alias.map(normalizedName) ?? normalizedName(name.parts.last!)
        guard let occurrence = occurrences.first(where: { $0.exposedName == exposed && $0.reusedGenesName == nil && isOccurrence($0, in: scope) }) else { return }
        for (join, joinLast) in joins {
            if join.kind == .right || join.kind == .full { return }
            guard join.kind == .inner, !join.natural, case let .table(genesName) = join.right.kind, join.right.aliasColumns == nil,
                  normalizedName(genesName.parts.last!) == "genes",
                  genesName.parts.count == 1 || (genesName.parts.count == 2 && normalizedName(genesName.parts[0]) == "public") else { continue }
            let genesExposed = join.right.alias.map(normalizedName) ?? "genes"
            if let using = join.using {
                // `JOIN genes USING (gene_id)`: the same join (its merged gene_id is t.gene_id).
                guard using.count == 1, normalizedName(using[0]) == "gene_id" else { continue }
            } else {
                guard let condition = join.condition, case let .infix(operators) = condition.kind, operators.count == 1, parser.text(operators[0]) == "=",
                      case let .column(left) = condition.children[0].kind, case let .column(right) = condition.children[1].kind,
                      left.count == 2, right.count == 2 else { continue }
                let sides = [(normalizedName(left[0]), normalizedName(left[1])), (normalizedName(right[0]), normalizedName(right[1]))]
                let matches = sides.contains { $0 == (exposed, "gene_id") } && sides.contains { $0 == (genesExposed, "gene_id") } && exposed != genesExposed
                guard matches else { continue }
            }
            reusedJoins.insert(join.keywordFirst)
            occurrence.reusedGenesName = join.right.alias.map { text($0) } ?? text(genesName.parts.last!)
            // Remove the join with the whitespace before it; keep a line break after a `--`.
            var startAll = allIndexOfSignificant[join.keywordFirst]
            while startAll > 0, allTokens[startAll - 1].kind == .trivia, !isComment(allTokens[startAll - 1]) { startAll -= 1 }
            let afterLineComment = startAll > 0 && isLineComment(allTokens[startAll - 1])
            edits.replace(allTokens[startAll].start, endOf(joinLast), with: [.text(afterLineComment ? "\n" : "")])
            return
        }
    }

    private func isOccurrence(_ occurrence: LegacyOccurrence, in scope: Scope) -> Bool {
        scope.entries.contains { if case let .legacy(found) = $0.kind { return found === occurrence } else { return false } }
    }

    private func rewriteJoinConditions(_ item: FromItem, scope: Scope, ctes: CTEEnvironment) {
        switch item.kind {
        case let .join(join):
            rewriteJoinConditions(join.left, scope: scope, ctes: ctes)
            rewriteJoinConditions(join.right, scope: scope, ctes: ctes)
            if let condition = join.condition { rewriteExpr(condition, scope: scope, ctes: ctes) }
            if let using = join.using, !reusedJoins.contains(join.keywordFirst), joinTouchesLegacy(join, scope: scope) {
                rewriteUsing(join, columns: using, scope: scope)
            }
        case let .parenthesized(inner):
            rewriteJoinConditions(inner, scope: scope, ctes: ctes)
        default:
            break
        }
    }

    /// `JOIN x USING (gene_id)` with the legacy table on one side: the columns are no longer
    /// in one table, so it becomes `ON t.gene_id = x.gene_id`. An unqualified `gene_id`
    /// elsewhere then names the legacy side's, which is the merged column of an inner join, and
    /// of a LEFT (RIGHT) join when the legacy table is on the left (right); other cases are
    /// refused.
    private func rewriteUsing(_ join: Join, columns: [Int], scope: Scope) {
        let leftLeaves = leaves(join.left, scope: scope)
        let rightLeaves = leaves(join.right, scope: scope)
        let legacyOnLeft = leftLeaves.contains { if case .legacy = $0.kind { return true } else { return false } }
        let legacyOnRight = rightLeaves.contains { if case .legacy = $0.kind { return true } else { return false } }
        let allowed = join.kind == .inner || (join.kind == .left && legacyOnLeft && !legacyOnRight) || (join.kind == .right && legacyOnRight && !legacyOnLeft)
        guard allowed, let first = columns.first, first >= 2 else {
            refuse(at: join.keywordFirst, "this JOIN … USING with cancer_transcript_base is refused (a FULL join, or an outer join with the legacy table on its nullable side): write it with ON")
            return
        }
        var pieces: [TextEdit.Piece] = [.text("ON ")]
        for (position, column) in columns.enumerated() {
            let name = normalizedName(column)
            guard let left = usingSide(leftLeaves, column: name, at: column), let right = usingSide(rightLeaves, column: name, at: column) else { return }
            if position > 0 { pieces.append(.text(" AND ")) }
            pieces += left + [.text(" = ")] + right
        }
        edits.replace(tokens[first - 2].start, endOf(columns.last! + 1), with: pieces)
    }

    /// The one table of a join side that has `column`, as the expression naming that column.
    private func usingSide(_ leaves: [Scope.Entry], column: String, at token: Int) -> [TextEdit.Piece]? {
        let having = leaves.filter { entry in
            switch entry.kind {
            case .legacy: return LegacyColumnMap.home(of: column) != nil
            case let .relation(columns): return columns?.contains(column) ?? true
            }
        }
        guard having.count == 1, let entry = having.first, !entry.qualifier.isEmpty else {
            refuse(at: token, "USING (\(text(token))) with cancer_transcript_base is refused: the column is not in exactly one named table of each side; write the join with ON")
            return nil
        }
        if case let .legacy(occurrence) = entry.kind {
            guard checkColumn(column, at: token) else { return nil }
            return columnPieces(occurrence, column: column)
        }
        return [.text(entry.qualifier + "." + quotedName(column))]
    }

    /// The scope entries of the tables inside a FROM item.
    private func leaves(_ item: FromItem, scope: Scope) -> [Scope.Entry] {
        switch item.kind {
        case let .join(join): return leaves(join.left, scope: scope) + leaves(join.right, scope: scope)
        case let .parenthesized(inner): return leaves(inner, scope: scope)
        case let .table(name):
            let exposed = item.alias.map(normalizedName) ?? normalizedName(name.parts.last!)
            return scope.entries.filter { $0.name == exposed }
        case let .function(call):
            let exposed = item.alias.map(normalizedName) ?? figuredName(call)
            return scope.entries.filter { $0.name == exposed }
        case .subquery:
            guard let alias = item.alias else { return [] }
            return scope.entries.filter { $0.name == normalizedName(alias) }
        }
    }

    private func joinTouchesLegacy(_ join: Join, scope: Scope) -> Bool {
        func touches(_ item: FromItem) -> Bool {
            switch item.kind {
            case let .table(name): return isLegacyTable(name)
            case let .join(inner): return touches(inner.left) || touches(inner.right)
            case let .parenthesized(inner): return touches(inner)
            default: return false
            }
        }
        return touches(join.left) || touches(join.right)
    }

    // MARK: - Stars

    /// `*` or `ctb.*` in a select list: the legacy table's columns with a home, and `x.*` for
    /// every other FROM item. Returns the output names when known.
    private func rewriteStar(_ expr: Expr, parts: [Int], scope: Scope) -> [String]? {
        if parts.isEmpty {
            guard scope.entries.contains(where: { if case .legacy = $0.kind { return true } else { return false } }) else {
                var names: [String]? = []
                for entry in scope.entries {
                    if case let .relation(columns?) = entry.kind, names != nil { names! += columns.sorted() } else { names = nil }
                }
                return scope.entries.count == 1 ? names : nil
            }
            if scope.hasMergingJoin {
                refuse(at: expr.first, "SELECT * over a JOIN … USING or NATURAL JOIN with cancer_transcript_base is refused: name the columns")
                return nil
            }
            var pieces: [TextEdit.Piece] = []
            var names: [String]? = []
            for entry in scope.entries {
                if !pieces.isEmpty { pieces.append(.text(", ")) }
                switch entry.kind {
                case let .legacy(occurrence):
                    pieces += starPieces(occurrence)
                    names? += LegacyColumnMap.starColumns
                case .relation:
                    if entry.qualifier.isEmpty {
                        refuse(at: expr.first, "SELECT * over a subquery without an alias is refused: give the subquery an alias")
                        return nil
                    }
                    pieces.append(.text(entry.qualifier + ".*"))
                    names = nil
                }
            }
            edits.replace(tokens[expr.first].start, endOf(expr.last), with: pieces)
            return names
        }
        guard case let .legacy(occurrence, _)? = resolve(parts + [expr.last], scope: scope, star: true) else { return nil }
        parts.forEach { vanishingTokens.insert($0) }
        edits.replace(tokens[expr.first].start, endOf(expr.last), with: starPieces(occurrence))
        return LegacyColumnMap.starColumns
    }

    private func starPieces(_ occurrence: LegacyOccurrence) -> [TextEdit.Piece] {
        var pieces: [TextEdit.Piece] = []
        for column in LegacyColumnMap.starColumns {
            if !pieces.isEmpty { pieces.append(.text(", ")) }
            let mapped = columnPieces(occurrence, column: column)
            pieces += mapped
            if case .text(let first)? = mapped.first, first.hasPrefix("COALESCE") || first.hasPrefix("json") {
                pieces.append(.text(" AS \(column)"))
            }
        }
        return pieces
    }

    // MARK: - Names

    enum Resolution {
        /// A column of a legacy table (perhaps one it does not have: ``checkColumn(_:_:at:)``).
        case legacy(LegacyOccurrence, column: String)
        /// The legacy table's alias used as a value (a whole-row reference).
        case wholeRow
        /// An unqualified legacy column with more than one legacy table in scope.
        case ambiguous
        case other
    }

    /// What a column reference refers to, by PostgreSQL's rules: a qualified name by the FROM
    /// item of that name in the nearest scope; an unqualified one by the nearest scope with an
    /// item that has (or may have) that column. Nil when nothing matches.
    func resolve(_ parts: [Int], scope: Scope, star: Bool = false) -> Resolution? {
        let column = star ? "*" : normalizedName(parts.last!)
        if parts.count >= 2 {
            let qualifier = normalizedName(parts[parts.count - 2])
            let schema = parts.count >= 3 ? normalizedName(parts[parts.count - 3]) : nil
            var current: Scope? = scope
            while let searched = current {
                if let entry = searched.entries.last(where: { $0.name == qualifier && (schema == nil || $0.schema == schema || ($0.schema == nil && schema == "public")) }) {
                    if case let .legacy(occurrence) = entry.kind { return .legacy(occurrence, column: column) }
                    return .other
                }
                current = searched.parent
            }
            return nil
        }
        let isLegacyColumn = LegacyColumnMap.home(of: column) != nil
        var current: Scope? = scope
        while let searched = current {
            var legacy: [LegacyOccurrence] = []
            var mayHave = false
            for entry in searched.entries {
                switch entry.kind {
                case let .legacy(occurrence):
                    if isLegacyColumn { legacy.append(occurrence) }
                    if entry.name == column, !isLegacyColumn { return .wholeRow }
                case let .relation(columns):
                    if columns?.contains(column) ?? !isLegacyColumn { mayHave = true }
                }
            }
            if let occurrence = legacy.first, legacy.count == 1 { return .legacy(occurrence, column: column) }
            if legacy.count > 1 { return .ambiguous }
            if mayHave { return .other }
            current = searched.parent
        }
        return nil
    }

    /// The replacement of a legacy column with a scalar home.
    func columnPieces(_ occurrence: LegacyOccurrence, column: String) -> [TextEdit.Piece] {
        let id = occurrence.id
        switch LegacyColumnMap.home(of: column) {
        case let .transcript(name)?: return [.alias(id, .transcripts), .text("." + name)]
        case let .gene(name)?: return [.alias(id, .genes), .text("." + name)]
        case .foldChange?: return [.text("COALESCE("), .alias(id, .expression), .text(".expression_fold_change, 1.0)")]
        case .coordinates?:
            let function = dialect == .postgres ? "jsonb_strip_nulls(jsonb_build_object(" : "json_object("
            return [.text(function + "'end', "), .alias(id, .transcripts), .text(".end_position, 'start', "), .alias(id, .transcripts),
                    .text(".start_position, 'strand', "), .alias(id, .transcripts), .text(".strand)" + (dialect == .postgres ? ")" : ""))]
        case .refused?, nil: return []
        }
    }

    /// Refuses what a name resolved to when it cannot be rewritten: an ambiguous name, a
    /// whole-row reference. Returns the legacy column it names, if any.
    func legacyColumn(_ resolution: Resolution?, at token: Int) -> (LegacyOccurrence, String)? {
        switch resolution {
        case let .legacy(occurrence, column)?:
            return (occurrence, column)
        case .ambiguous?:
            refuse(at: token, "column reference \"\(text(token))\" is ambiguous: more than one cancer_transcript_base is in scope; qualify it")
        case .wholeRow?:
            refuse(at: token, "a whole-row reference to cancer_transcript_base is refused: its columns are spread over three tables in v0.6; name the columns")
        case .other?, nil:
            break
        }
        return nil
    }

    /// Refuses a legacy column without a scalar home (or one the table does not have).
    /// Returns whether the column can be mapped.
    func checkColumn(_ column: String, at token: Int) -> Bool {
        switch LegacyColumnMap.home(of: column) {
        case nil:
            refuse(at: token, "cancer_transcript_base has no column \"\(column)\"; its columns: \(LegacyColumnMap.columns.map(\.name).joined(separator: ", "))")
            return false
        case let .refused(home)?:
            refuse(at: token, "column \"\(column)\" of cancer_transcript_base has no scalar home in v0.6: its values are in \(home)")
            return false
        default:
            return true
        }
    }

    func markVanishing(_ parts: [Int]) {
        parts.dropLast().forEach { vanishingTokens.insert($0) }
    }

    // MARK: - Output

    /// The output text, with names for the replacement tables that no identifier of their
    /// statement uses (the names of vanished legacy aliases are free again).
    func render() -> String {
        var names: [Int: [AliasRole: String]] = [:]
        var usedByStatement: [ClosedRange<Int>: Set<String>] = [:]
        for (occurrence, range) in zip(occurrences, occurrenceStatements) {
            var used = usedByStatement[range] ?? Set(range.filter {
                (tokens[$0].kind == .word || tokens[$0].kind == .quotedIdentifier) && !vanishingTokens.contains($0)
            }.map(normalizedName))
            defer { usedByStatement[range] = used }
            var assigned: [AliasRole: String] = [:]
            for role in AliasRole.allCases {
                if role == .genes, let reused = occurrence.reusedGenesName {
                    assigned[role] = reused
                    continue
                }
                var candidate = role.base
                var number = 2
                while used.contains(candidate) {
                    candidate = role.base + String(number)
                    number += 1
                }
                used.insert(candidate)
                assigned[role] = candidate
            }
            names[occurrence.id] = assigned
        }
        return edits.render(source) { names[$0]?[$1] ?? $1.base }
    }

    // MARK: - Helpers

    func isLegacyTable(_ name: QualifiedName) -> Bool {
        normalizedName(name.parts.last!) == LegacyColumnMap.tableName
    }

    /// An identifier as PostgreSQL compares it: unquoted lower-cased, quoted as written.
    func normalizedName(_ token: Int) -> String {
        let raw = text(token)
        if tokens[token].kind == .quotedIdentifier {
            var inner = raw
            if inner.hasPrefix("U&") { inner.removeFirst(2) }
            return String(inner.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"")
        }
        return raw.lowercased()
    }

    func text(_ token: Int) -> String { parser.text(token) }

    func endOf(_ token: Int) -> Int { tokens[token].end }

    func position(_ token: Int) -> SourcePosition {
        SourcePosition(line: tokens[token].line, column: tokens[token].column)
    }

    func refuse(at token: Int, _ message: String) {
        let problem = QueryRewriteError.Problem(position: position(token), message: message)
        if !problems.contains(problem) { problems.append(problem) }
    }

    /// A name for `AS`: bare when PostgreSQL would read it back unchanged, else double-quoted.
    func quotedName(_ name: String) -> String {
        let simple = name.utf8.first.map { SQLLexer.isIdentifierStart($0) && $0 < 0x80 && !($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) } ?? false
            && name.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || SQLLexer.isDigit($0) || $0 == UInt8(ascii: "_") }
        // `exists` is not reserved in PostgreSQL but is in SQLite (`SELECT EXISTS (…)`).
        if simple, !Keywords.reserved.contains(name), name != "exists" { return name }
        return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private func isComment(_ token: SQLToken) -> Bool {
        token.kind == .trivia && token.end - token.start >= 2 && (source[token.start] == UInt8(ascii: "-") || source[token.start] == UInt8(ascii: "/"))
    }

    private func isLineComment(_ token: SQLToken) -> Bool {
        token.kind == .trivia && token.end - token.start >= 2 && source[token.start] == UInt8(ascii: "-")
    }
}
