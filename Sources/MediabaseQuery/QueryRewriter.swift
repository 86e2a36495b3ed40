/// The SQL dialect `rewrite-query` writes.
package enum QueryDialect: String, CaseIterable, Sendable {
    /// PostgreSQL: the bundle loaded with `load.sh`.
    case postgres
    /// SQLite with the core attached as `public` and the patient file as `patient_<id>`.
    case sqlite
}

/// Rewrites SQL written for a v0.5 per-patient database (`cancer_transcript_base` with the
/// patient's `expression_fold_change`) into SQL for the v0.6 layout (docs/spec.md §9).
///
/// Each reference to the legacy table becomes `public.transcripts t LEFT JOIN
/// patient_<id>.expression_data pe ON t.transcript_id = pe.transcript_id JOIN public.genes g ON
/// t.gene_id = g.gene_id`, and each of its columns the expression of ``LegacyColumnMap``. The
/// rest of the text — other tables, layout, comments — is copied through: the rewriter parses
/// the input, then replaces only the token ranges that need it.
///
///     let rewriter = try QueryRewriter(patientSchema: "patient_p001", dialect: .postgres)
///     let v06 = try rewriter.rewrite("SELECT gene_symbol FROM cancer_transcript_base WHERE expression_fold_change > 2")
package struct QueryRewriter: Sendable {
    /// `patient_<id>`: the schema (PostgreSQL) or attached database (SQLite) of the patient.
    package let patientSchema: String
    package let dialect: QueryDialect

    /// - Parameter patientSchema: `patient_` and a patient id that docs/spec.md §5.1 allows, lower-cased
    ///   (`patient_p001`). It is the only name the rewriter puts into the SQL, so anything else
    ///   is refused here.
    package init(patientSchema: String, dialect: QueryDialect) throws {
        guard Self.isSchemaName(patientSchema) else {
            throw QueryRewriteError(at: SourcePosition(line: 1, column: 1),
                                    "the patient schema \"\(patientSchema.prefix(80))\" is not patient_ followed by a lower-cased patient id (^[a-z][a-z0-9_]{0,62}$)")
        }
        self.patientSchema = patientSchema
        self.dialect = dialect
    }

    /// `patient_` + `[a-z][a-z0-9_]{0,62}`.
    static func isSchemaName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let prefix = Array("patient_".utf8)
        guard bytes.count > prefix.count, bytes.count <= prefix.count + 63, Array(bytes.prefix(prefix.count)) == prefix else { return false }
        let id = bytes.dropFirst(prefix.count)
        guard let first = id.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
        return id.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_") }
    }

    /// Rewrites every statement of `sql`. Throws a ``QueryRewriteError`` listing every problem
    /// (parse error, refused column or statement, untranslatable syntax) with its place; then
    /// nothing is returned.
    package func rewrite(_ sql: String) throws -> String {
        let source = Array(sql.utf8)
        let allTokens = try SQLLexer.tokenize(source)
        let significant = allTokens.enumerated().filter { $0.element.kind != .trivia }
        var parser = SQLParser(source: source, tokens: significant.map(\.element))
        let statements = try parser.parseStatements()
        let rewriter = StatementRewriter(source: source, parser: parser, allTokens: allTokens,
                                         allIndexOfSignificant: significant.map(\.offset),
                                         patientSchema: patientSchema, dialect: dialect)
        for statement in statements {
            rewriter.rewrite(statement)
        }
        if dialect == .sqlite { rewriter.adaptTriviaForSQLite() }
        if !rewriter.problems.isEmpty {
            throw QueryRewriteError(rewriter.problems.sorted { ($0.position.line, $0.position.column) < ($1.position.line, $1.position.column) })
        }
        return rewriter.render()
    }
}
