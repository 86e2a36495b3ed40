/// One use of `cancer_transcript_base` in a FROM clause, and what replaces it.
final class LegacyOccurrence {
    let id: Int
    /// The name the query refers to it by: its alias, else `cancer_transcript_base`.
    let exposedName: String
    /// When the query joins `genes` on the gene id already, that join is reused: the alias (or
    /// table name) the query gives it, which then is not assigned.
    var reusedGenesName: String?

    init(id: Int, exposedName: String) {
        self.id = id
        self.exposedName = exposedName
    }
}

/// The FROM items of one SELECT, in order, with a link to the enclosing SELECT's scope (for
/// correlated subqueries): PostgreSQL's rules for resolving a column name.
final class Scope {
    struct Entry {
        enum Kind {
            case legacy(LegacyOccurrence)
            /// Another table, subquery or function; its column names when they are known.
            case relation(columns: Set<String>?)
        }

        /// Alias, else the table's own name (normalized: unquoted names lower-cased).
        let name: String
        /// The schema written before the table name when it has no alias.
        let schema: String?
        let kind: Kind
        /// The text that names it in a qualified star (`okd`, `public.genes`).
        let qualifier: String
    }

    let parent: Scope?
    var entries: [Entry] = []
    /// Whether a join of this FROM list uses USING or NATURAL, which merge columns and so
    /// change what `*` means.
    var hasMergingJoin = false

    init(parent: Scope?) {
        self.parent = parent
    }
}

/// The common table expressions visible at a point: name → output columns (nil: unknown).
struct CTEEnvironment {
    private var names: [String: Set<String>?] = [:]

    func contains(_ name: String) -> Bool { names[name] != nil }

    func columns(of name: String) -> Set<String>? { names[name] ?? nil }

    mutating func add(_ name: String, columns: Set<String>?) {
        names[name] = .some(columns)
    }
}
