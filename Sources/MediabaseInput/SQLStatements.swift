import MediabaseModel
/// A table name as written in SQL: optional schema, name.
package struct QualifiedName: Hashable {
    package var schema: String?
    package var name: String
}

/// Parses the handful of statements of a pg_dump script that matter for reading data:
/// `CREATE TABLE`, `COPY ... FROM stdin`, `ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY`, `SET`.
package enum SQLStatements {
    /// Words that end a column's type in a column definition (CREATE TABLE grammar, gram.y).
    private static let typeTerminators: Set<String> = [
        "not", "null", "default", "constraint", "primary", "unique", "check", "references",
        "collate", "generated", "deferrable", "initially", "compression", "storage",
    ]

    /// Words that start a table constraint rather than a column.
    private static let tableConstraintStarts: Set<String> = [
        "constraint", "primary", "unique", "check", "foreign", "exclude", "like",
    ]

    package static func tokens(_ sql: String) throws -> [SQLToken] {
        let bytes = Array(sql.utf8)
        var tokenizer = SQLTokenizer(bytes.span)
        var result: [SQLToken] = []
        while let token = try tokenizer.next() { result.append(token) }
        return result
    }

    /// Reads `[schema.]name` at `index`, advancing past it.
    package static func qualifiedName(_ tokens: [SQLToken], _ index: inout Int) -> QualifiedName? {
        guard let first = identifier(tokens, index) else { return nil }
        index += 1
        if index + 1 < tokens.count, tokens[index] == .symbol("."), let second = identifier(tokens, index + 1) {
            index += 2
            return QualifiedName(schema: first, name: second)
        }
        return QualifiedName(schema: nil, name: first)
    }

    static func identifier(_ tokens: [SQLToken], _ index: Int) -> String? {
        guard index < tokens.count else { return nil }
        switch tokens[index] {
        case let .word(word): return word
        case let .quotedIdentifier(name): return name
        default: return nil
        }
    }

    /// Reads a parenthesised, comma-separated identifier list at `index`.
    static func identifierList(_ tokens: [SQLToken], _ index: inout Int) -> [String]? {
        guard index < tokens.count, tokens[index] == .symbol("(") else { return nil }
        index += 1
        var names: [String] = []
        while index < tokens.count {
            guard let name = identifier(tokens, index) else { return nil }
            names.append(name)
            index += 1
            if index < tokens.count, tokens[index] == .symbol(",") {
                index += 1
                continue
            }
            if index < tokens.count, tokens[index] == .symbol(")") {
                index += 1
                return names
            }
            return nil
        }
        return nil
    }

    /// Parses `CREATE [UNLOGGED|TEMP] TABLE [IF NOT EXISTS] name (columns and constraints)
    /// [INHERITS (parent, ...)]` and `CREATE TABLE name PARTITION OF parent ...`; `parent` is
    /// the table it is a partition of, or the first it inherits from (`inherits` true).
    static func parseCreateTable(_ tokens: [SQLToken])
        -> (name: QualifiedName, columns: [ColumnInfo], primaryKey: [String], parent: QualifiedName?, inherits: Bool)? {
        var index = 0
        guard tokens.first == .word("create") else { return nil }
        index = 1
        while index < tokens.count, case let .word(word) = tokens[index],
              ["unlogged", "temp", "temporary", "global", "local", "foreign"].contains(word) { index += 1 }
        guard index < tokens.count, tokens[index] == .word("table") else { return nil }
        index += 1
        if index + 2 < tokens.count, tokens[index] == .word("if"), tokens[index + 1] == .word("not"), tokens[index + 2] == .word("exists") {
            index += 3
        }
        guard let name = qualifiedName(tokens, &index) else { return nil }
        // `CREATE TABLE name PARTITION OF parent ...` (older pg_dump): its columns are the parent's.
        if index + 2 < tokens.count, tokens[index] == .word("partition"), tokens[index + 1] == .word("of") {
            index += 2
            guard let parent = qualifiedName(tokens, &index) else { return nil }
            return (name, [], [], parent, false)
        }
        guard index < tokens.count, tokens[index] == .symbol("(") else { return nil }
        index += 1
        var columns: [ColumnInfo] = []
        var primaryKey: [String] = []
        while index < tokens.count, tokens[index] != .symbol(")") {
            let elementStart = index
            if case let .word(word) = tokens[index], tableConstraintStarts.contains(word) {
                if let key = primaryKeyColumns(tokens, from: index) { primaryKey = key }
                skipElement(tokens, &index)
            } else if let columnName = identifier(tokens, index) {
                index += 1
                var typeTokens: [SQLToken] = []
                var depth = 0
                while index < tokens.count {
                    let token = tokens[index]
                    if depth == 0 {
                        if token == .symbol(",") || token == .symbol(")") { break }
                        if case let .word(word) = token, typeTerminators.contains(word) { break }
                    }
                    if token == .symbol("(") { depth += 1 }
                    if token == .symbol(")") { depth -= 1 }
                    typeTokens.append(token)
                    index += 1
                }
                let rest = index
                skipElement(tokens, &index)
                if tokens[rest..<index].contains(.word("primary")) { primaryKey = [columnName] }
                columns.append(ColumnInfo(name: columnName, type: typeText(typeTokens)))
            } else {
                skipElement(tokens, &index)
            }
            if index == elementStart { index += 1 }
            if index < tokens.count, tokens[index] == .symbol(",") { index += 1 }
        }
        var parent: QualifiedName?
        index += 1
        if index + 1 < tokens.count, tokens[index] == .word("inherits"), tokens[index + 1] == .symbol("(") {
            index += 2
            parent = qualifiedName(tokens, &index)
        }
        return (name, columns, primaryKey, parent, parent != nil)
    }

    /// Parses `ALTER TABLE [ONLY] parent ATTACH PARTITION child ...`.
    static func parseAttachPartition(_ tokens: [SQLToken]) -> (parent: QualifiedName, partition: QualifiedName)? {
        guard tokens.count > 5, tokens[0] == .word("alter"), tokens[1] == .word("table") else { return nil }
        var index = 2
        if tokens[index] == .word("only") { index += 1 }
        guard let parent = qualifiedName(tokens, &index) else { return nil }
        guard index + 1 < tokens.count, tokens[index] == .word("attach"), tokens[index + 1] == .word("partition") else { return nil }
        index += 2
        guard let partition = qualifiedName(tokens, &index) else { return nil }
        return (parent, partition)
    }

    /// Advances past one column or constraint definition, to the `,` or `)` that ends it.
    private static func skipElement(_ tokens: [SQLToken], _ index: inout Int) {
        var depth = 0
        while index < tokens.count {
            let token = tokens[index]
            if depth == 0, token == .symbol(",") || token == .symbol(")") { return }
            if token == .symbol("(") { depth += 1 }
            if token == .symbol(")") { depth -= 1 }
            index += 1
        }
    }

    /// `[CONSTRAINT name] PRIMARY KEY (a, b)` starting at `index`.
    private static func primaryKeyColumns(_ tokens: [SQLToken], from start: Int) -> [String]? {
        var index = start
        if tokens[index] == .word("constraint") { index += 2 }
        guard index + 1 < tokens.count, tokens[index] == .word("primary"), tokens[index + 1] == .word("key") else { return nil }
        index += 2
        return identifierList(tokens, &index)
    }

    /// Re-spells type tokens as text: `character varying(10)`, `text[]`, `public.mytype`.
    static func typeText(_ tokens: [SQLToken]) -> String? {
        guard !tokens.isEmpty else { return nil }
        var text = ""
        var previous: SQLToken?
        for token in tokens {
            let piece: String
            switch token {
            case let .word(word): piece = word
            case let .quotedIdentifier(name): piece = "\"\(name)\""
            case let .number(number): piece = number
            case let .symbol(symbol): piece = symbol
            case let .string(bytes): piece = "'\(String(decoding: bytes, as: UTF8.self))'"
            }
            let glued: Bool
            if let previous {
                let noSpaceBefore: Bool
                if case let .symbol(symbol) = token { noSpaceBefore = ["(", ")", "[", "]", ",", "."].contains(symbol) } else { noSpaceBefore = false }
                let noSpaceAfter: Bool
                if case let .symbol(symbol) = previous { noSpaceAfter = ["(", "[", ".", ","].contains(symbol) } else { noSpaceAfter = false }
                glued = noSpaceBefore || noSpaceAfter
            } else {
                glued = true
            }
            if !glued { text += " " }
            text += piece
            previous = token
        }
        return text
    }

    /// Parses `COPY name (columns) FROM stdin`; nil for other COPY forms.
    package static func parseCopy(_ tokens: [SQLToken]) -> (name: QualifiedName, columns: [String]?)? {
        var index = 0
        guard tokens.first == .word("copy") else { return nil }
        index = 1
        guard let name = qualifiedName(tokens, &index) else { return nil }
        var columns: [String]?
        if index < tokens.count, tokens[index] == .symbol("(") {
            guard let list = identifierList(tokens, &index) else { return nil }
            columns = list
        }
        guard index + 1 < tokens.count, tokens[index] == .word("from"), tokens[index + 1] == .word("stdin") else { return nil }
        return (name, columns)
    }

    /// Parses `ALTER TABLE [ONLY] name ADD CONSTRAINT c PRIMARY KEY (cols)`.
    static func parsePrimaryKey(_ tokens: [SQLToken]) -> (name: QualifiedName, columns: [String])? {
        guard tokens.count > 4, tokens[0] == .word("alter"), tokens[1] == .word("table") else { return nil }
        var index = 2
        if tokens[index] == .word("only") { index += 1 }
        guard let name = qualifiedName(tokens, &index) else { return nil }
        guard index < tokens.count, tokens[index] == .word("add") else { return nil }
        index += 1
        guard index < tokens.count, let columns = primaryKeyColumns(tokens, from: index) else { return nil }
        return (name, columns)
    }
}

/// Table definitions learned from a dump's `CREATE TABLE` statements, used to type the columns
/// of the data that follows.
package final class SQLCatalog {
    private struct Definition {
        var columns: [ColumnInfo]
        var primaryKey: [String]
        /// The table it is a partition of, or inherits from.
        var parent: QualifiedName?
        /// Whether it inherits from `parent` (`INHERITS`): its declared columns are only those it
        /// adds, after the parent's. A partition declares all of them, or (`PARTITION OF`) none.
        var inherits = false
    }

    private var tables: [QualifiedName: Definition] = [:]

    package init() {}

    /// Learns from one statement; statements other than CREATE TABLE and primary-key
    /// ALTER TABLE are ignored.
    package func learn(statement: String) throws {
        try learn(tokens: SQLStatements.tokens(statement))
    }

    func learn(tokens: [SQLToken]) {
        if let table = SQLStatements.parseCreateTable(tokens) {
            tables[table.name] = Definition(columns: table.columns, primaryKey: table.primaryKey, parent: table.parent, inherits: table.inherits)
        } else if let key = SQLStatements.parsePrimaryKey(tokens) {
            tables[key.name]?.primaryKey = key.columns
        } else if let attach = SQLStatements.parseAttachPartition(tokens) {
            tables[attach.partition, default: Definition(columns: [], primaryKey: [])].parent = attach.parent
        }
    }

    /// The definitions of `name`'s parent, its parent's, ... up to the root (a cycle, which
    /// PostgreSQL does not allow, ends the walk).
    private func ancestors(of name: QualifiedName) -> [(name: QualifiedName, definition: Definition?)] {
        var chain: [(name: QualifiedName, definition: Definition?)] = []
        var next = tables[name]?.parent
        while let parent = next, parent != name, !chain.contains(where: { $0.name == parent }) {
            chain.append((parent, tables[parent]))
            next = tables[parent]?.parent
        }
        return chain
    }

    /// A table's columns in the order of its rows: a partition's own (pg_dump declares them all,
    /// in the partition's order), or its parent's when it declares none (`PARTITION OF`); an
    /// inheritance child's parent's, then those it adds.
    private func rowColumns(of name: QualifiedName) -> [ColumnInfo] {
        guard let definition = tables[name] else { return [] }
        // The table, then its ancestors up to the first that declares all of its row's columns.
        var levels = [definition]
        for (_, ancestor) in ancestors(of: name) {
            guard let last = levels.last, last.inherits || last.columns.isEmpty, let ancestor else { break }
            levels.append(ancestor)
        }
        var columns: [ColumnInfo] = []
        for level in levels.reversed() { columns += level.columns.filter { own in !columns.contains { $0.name == own.name } } }
        return columns
    }

    /// The columns declared for a table, when its CREATE TABLE was seen.
    package func columns(schema: String?, name: String) -> [ColumnInfo]? {
        tables[QualifiedName(schema: schema, name: name)]?.columns
    }

    /// The schema for the data of a table: `dataColumns` (from COPY or INSERT) in their order,
    /// typed from the CREATE TABLE when known; all declared columns when `dataColumns` is nil.
    ///
    /// A partition or inheritance child is typed from its ancestors where its own definition
    /// lacks a column (an inheritance child declares only the columns it adds), and names the
    /// root of its tree (``TableSchema/root``).
    package func schema(schema: String?, name: String, dataColumns: [String]?) -> TableSchema? {
        let qualified = QualifiedName(schema: schema, name: name)
        let definition = tables[qualified]
        let ancestors = ancestors(of: qualified)
        let declared = (definition?.columns ?? []) + ancestors.flatMap { $0.definition?.columns ?? [] }
        let columns: [ColumnInfo]
        if let dataColumns {
            columns = dataColumns.map { column in
                ColumnInfo(name: column, type: declared.first { $0.name == column }?.type)
            }
        } else if definition != nil {
            columns = rowColumns(of: qualified)
        } else {
            return nil
        }
        return TableSchema(schema: schema, name: name, columns: columns, primaryKey: definition?.primaryKey ?? [], root: ancestors.last?.name.name)
    }
}
