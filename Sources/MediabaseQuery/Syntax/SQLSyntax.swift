// The syntax tree the parser builds: just enough structure of PostgreSQL's SELECT for the
// rewriter to know, for every name, which FROM item of which scope it refers to. Every node
// keeps the indices of its first and last significant token, so that the rewriter can replace
// exactly that stretch of the original text and leave the rest (layout, comments) alone.

/// One statement of the input, up to its `;`.
final class Statement {
    enum Kind {
        /// SELECT, WITH … SELECT, VALUES, or a parenthesized query.
        case query(Query)
        /// `CREATE TABLE/VIEW … AS query`, `EXPLAIN query`: the query part is rewritten, the
        /// rest kept.
        case wrappedQuery(Query)
        /// TRUNCATE, ALTER, DROP, COPY…: `targets` are the tables it names as its object.
        case write(verb: String, targets: [QualifiedName])
        /// `[WITH …] INSERT / UPDATE / DELETE`.
        case modify(DataModification)
        /// Anything else (SET, BEGIN, …), kept as it is.
        case other
    }

    let kind: Kind
    let first: Int
    let last: Int

    init(kind: Kind, first: Int, last: Int) {
        self.kind = kind
        self.first = first
        self.last = last
    }
}

/// `[WITH …] INSERT INTO target … | UPDATE target SET … [FROM …] | DELETE FROM target [USING …]`,
/// `[WHERE …] [RETURNING …]`: the parts that read tables, which are rewritten when the target is
/// not the legacy table.
final class DataModification {
    let verb: String
    /// The written table (a `.table` item with its alias).
    let target: FromItem
    var ctes: [CommonTableExpression] = []
    /// `UPDATE … FROM` or `DELETE … USING`.
    var from: [FromItem] = []
    /// The right-hand sides of UPDATE's SET.
    var values: [Expr] = []
    var whereClause: Expr?
    var returning: [SelectTarget] = []
    /// The rows of an INSERT (`SELECT …`, `VALUES …`).
    var query: Query?

    init(verb: String, target: FromItem) {
        self.verb = verb
        self.target = target
    }

    var targetName: QualifiedName? {
        if case let .table(name) = target.kind { return name }
        return nil
    }
}

/// A dotted name: token indices of its parts (`public`, `cancer_transcript_base`).
struct QualifiedName {
    let parts: [Int]
}

/// A query expression: `[WITH …] body [ORDER BY …] [LIMIT …]`.
final class Query {
    var ctes: [CommonTableExpression] = []
    var body: SetTerm
    var orderBy: [SortItem] = []
    /// LIMIT, OFFSET and FETCH counts.
    var limits: [Expr] = []
    let first: Int
    var last: Int

    init(body: SetTerm, first: Int, last: Int) {
        self.body = body
        self.first = first
        self.last = last
    }
}

/// `name [(columns)] AS (statement)` in a WITH clause.
final class CommonTableExpression {
    let name: Int
    let columns: [Int]?
    let statement: Statement

    init(name: Int, columns: [Int]?, statement: Statement) {
        self.name = name
        self.columns = columns
        self.statement = statement
    }
}

/// The body of a query: SELECTs combined by UNION / INTERSECT / EXCEPT.
indirect enum SetTerm {
    case select(SelectCore)
    case values(rows: [[Expr]])
    case nested(Query)
    case setOperation(SetTerm, SetTerm)
    /// `TABLE name`.
    case table(QualifiedName, first: Int)
}

/// `SELECT … FROM … WHERE … GROUP BY … HAVING … WINDOW …`.
final class SelectCore {
    let first: Int
    var distinctOn: (first: Int, exprs: [Expr])?
    var targets: [SelectTarget] = []
    var from: [FromItem] = []
    var whereClause: Expr?
    var groupBy: [Expr] = []
    var having: Expr?
    /// Expressions inside named window definitions.
    var windows: [Expr] = []

    init(first: Int) {
        self.first = first
    }
}

/// One item of a select list: `expr [[AS] alias]` or `*`.
struct SelectTarget {
    let expr: Expr
    /// The alias's token, if any.
    let alias: Int?
}

/// One item of ORDER BY: the expression, its direction, and whether it says where NULLs go.
struct SortItem {
    let expr: Expr
    /// The last token of the item (the expression, ASC/DESC, or NULLS FIRST/LAST).
    let last: Int
    let descending: Bool
    let placesNulls: Bool
}

/// An item of a FROM list.
final class FromItem {
    enum Kind {
        case table(QualifiedName)
        case subquery(Query)
        /// A function in FROM (`unnest(…)`, `generate_series(…)`).
        case function(Expr)
        case join(Join)
        /// `( join )`.
        case parenthesized(FromItem)
    }

    let kind: Kind
    let first: Int
    let last: Int
    /// The alias token (after an optional AS).
    let alias: Int?
    /// Column aliases: `AS x(a, b)`.
    let aliasColumns: [Int]?

    init(kind: Kind, first: Int, last: Int, alias: Int?, aliasColumns: [Int]?) {
        self.kind = kind
        self.first = first
        self.last = last
        self.alias = alias
        self.aliasColumns = aliasColumns
    }
}

/// `left [NATURAL] [INNER|LEFT|RIGHT|FULL|CROSS] JOIN right [ON cond | USING (cols)]`.
struct Join {
    enum Kind: Equatable { case inner, left, right, full, cross }

    let left: FromItem
    let right: FromItem
    let kind: Kind
    let natural: Bool
    /// The first token of the join keywords (`LEFT` in `LEFT JOIN`).
    let keywordFirst: Int
    let condition: Expr?
    let using: [Int]?
}

/// An expression node.
final class Expr {
    enum Kind {
        /// `a`, `t.a`, `s.t.a`: token indices of the parts.
        case column([Int])
        /// `t.*` (parts before the star) or a bare `*` (no parts).
        case star([Int])
        case literal
        /// `-x`, `NOT x`: the operator's token.
        case prefix(Int)
        /// `a op b` and the keyword forms (`LIKE`, `NOT ILIKE`, `BETWEEN … AND`, `IN`, `IS
        /// DISTINCT FROM`): the operator's tokens; children are the operands.
        case infix([Int])
        /// `x IS NULL`, `x ISNULL`: the operator's tokens.
        case postfix([Int])
        /// `x::type` (`colons` is the `::` token) or `CAST(x AS type)` (`colons` nil).
        case cast(typeFirst: Int, typeLast: Int, colons: Int?)
        case call(FunctionCall)
        case subquery(Query)
        /// `EXISTS (…)`, `ARRAY(…)`, `x IN (…)`'s subquery: the query and the keyword's token.
        case keywordSubquery(Query)
        /// `( … )`: one or more expressions (a row when more).
        case parenthesized
        case caseExpression
        /// `ARRAY[…]`, `ROW(…)`, subscripts, `COLLATE`, `AT TIME ZONE`: children only.
        case other
    }

    let kind: Kind
    let first: Int
    let last: Int
    let children: [Expr]

    init(_ kind: Kind, first: Int, last: Int, children: [Expr] = []) {
        self.kind = kind
        self.first = first
        self.last = last
        self.children = children
    }
}

/// A function call: `name(args [ORDER BY …]) [WITHIN GROUP (…)] [FILTER (WHERE …)] [OVER …]`.
struct FunctionCall {
    let name: [Int]
    let arguments: [Expr]
    /// The keyword (`FROM`, `FOR`, `IN`, `PLACING`) or nil (a comma) before each argument
    /// after the first, for the SQL-standard forms `POSITION(a IN b)`, `SUBSTRING(x FROM 1)`.
    let separators: [Int?]
    /// Expressions of an ORDER BY inside the parentheses, WITHIN GROUP, FILTER and OVER.
    let extras: [Expr]
    /// The ORDER BY items among them (inside the parentheses, WITHIN GROUP, OVER).
    let sortItems: [SortItem]
    let hasArgumentOrderBy: Bool
    let hasWithinGroup: Bool
    let distinct: Bool
}
