/// Keyword sets the parser needs (PostgreSQL manual, appendix C).
enum Keywords {
    /// Reserved keywords and the "type/function name" ones that cannot be a bare alias
    /// (`SELECT a b` makes `b` an alias; `SELECT a FROM` does not).
    static let reserved: Set<String> = [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast", "check",
        "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role", "current_time",
        "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
        "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into",
        "lateral", "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order",
        "placing", "primary", "references", "returning", "select", "session_user", "some", "symmetric", "table", "then",
        "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where", "window", "with",
        "authorization", "binary", "collation", "concurrently", "cross", "freeze", "full", "ilike", "inner", "is",
        "isnull", "join", "left", "like", "natural", "notnull", "outer", "overlaps", "right", "similar", "tablesample",
        "verbose", "between", "escape", "over", "filter", "within", "qualify",
    ]

    /// Words that may follow a FROM item without being its alias.
    static let afterFromItem: Set<String> = ["set", "returning", "values"]

    /// Reserved words that are also functions: `left(s, 3)`, `x = ANY(…)`.
    static let functionLikeReserved: Set<String> = ["any", "some", "all", "left", "right", "similar"]

    /// Functions with the SQL-standard keyword argument syntax.
    static let standardSyntaxFunctions: Set<String> = ["position", "substring", "overlay", "trim", "extract"]

    /// Field words after INTERVAL.
    static let intervalUnits: Set<String> = ["year", "month", "day", "hour", "minute", "second", "to"]
}
