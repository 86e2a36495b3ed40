import Foundation
import XCTest
import MediabaseQuery
import MediabaseModel

/// The rewriter on small inputs. Each expected text is written out by hand from the rules of
/// docs/spec.md §9 and the column table of docs/commands.md; the equivalence of the rewrites on real data is
/// `QueryEquivalenceTests` (EndToEndTests).
final class QueryRewriterTests: XCTestCase {
    private static let joins = "public.transcripts t LEFT JOIN patient_p1.expression_data pe ON t.transcript_id = pe.transcript_id JOIN public.genes g ON t.gene_id = g.gene_id"

    private func rewrite(_ sql: String, dialect: QueryDialect = .postgres) throws -> String {
        try QueryRewriter(patientSchema: "patient_p1", dialect: dialect).rewrite(sql)
    }

    /// The problems of a refused input, as `line:column: message` strings.
    private func problems(_ sql: String, dialect: QueryDialect = .postgres, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            let output = try rewrite(sql, dialect: dialect)
            XCTFail("expected a refusal, got: \(output)", file: file, line: line)
            return []
        } catch let error as QueryRewriteError {
            return error.problems.map { "\($0.position.line):\($0.position.column): \($0.message)" }
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return []
        }
    }

    // MARK: - The guide's queries

    func testGuideQueryOne() throws {
        let sql = """
            SELECT
                gene_symbol,
                expression_fold_change
            FROM cancer_transcript_base
            WHERE expression_fold_change > 2.0
            ORDER BY expression_fold_change DESC
            LIMIT 20;
            """
        XCTAssertEqual(try rewrite(sql), """
            SELECT
                g.gene_symbol,
                COALESCE(pe.expression_fold_change, 1.0) AS expression_fold_change
            FROM public.transcripts t
            LEFT JOIN patient_p1.expression_data pe ON t.transcript_id = pe.transcript_id
            JOIN public.genes g ON t.gene_id = g.gene_id
            WHERE COALESCE(pe.expression_fold_change, 1.0) > 2.0
            ORDER BY COALESCE(pe.expression_fold_change, 1.0) DESC
            LIMIT 20;
            """)
    }

    func testGuideQueryTwoReusesItsGenesJoinAndKeepsTheDrugTable() throws {
        let sql = """
            SELECT
                ctb.gene_symbol,
                ctb.expression_fold_change,
                okd.molecule_name
            FROM cancer_transcript_base ctb
            JOIN genes g ON ctb.gene_id = g.gene_id
            JOIN opentargets_known_drugs okd ON g.gene_id = okd.target_gene_id
            WHERE ctb.expression_fold_change > 3.0
              AND okd.is_approved = true
            ORDER BY ctb.expression_fold_change DESC;
            """
        XCTAssertEqual(try rewrite(sql), """
            SELECT
                g.gene_symbol,
                COALESCE(pe.expression_fold_change, 1.0) AS expression_fold_change,
                okd.molecule_name
            FROM public.transcripts t
            LEFT JOIN patient_p1.expression_data pe ON t.transcript_id = pe.transcript_id
            JOIN public.genes g ON t.gene_id = g.gene_id
            JOIN public.opentargets_known_drugs okd ON g.gene_id = okd.target_gene_id
            WHERE COALESCE(pe.expression_fold_change, 1.0) > 3.0
              AND okd.is_approved = true
            ORDER BY COALESCE(pe.expression_fold_change, 1.0) DESC;
            """)
    }

    // MARK: - Names

    func testStringsCommentsAndQuotedIdentifiersAreTokens() throws {
        let sql = """
            SELECT 'it''s gene_symbol', E'a\\'gene_symbol', $q$ gene_symbol $q$, "gene_symbol" /* gene_symbol /* nested */ */
            FROM cancer_transcript_base -- gene_symbol
            """
        XCTAssertEqual(try rewrite(sql), """
            SELECT 'it''s gene_symbol', E'a\\'gene_symbol', $q$ gene_symbol $q$, g.gene_symbol /* gene_symbol /* nested */ */
            FROM public.transcripts t
            LEFT JOIN patient_p1.expression_data pe ON t.transcript_id = pe.transcript_id
            JOIN public.genes g ON t.gene_id = g.gene_id -- gene_symbol
            """)
    }

    func testAliasesOfTheQueryAreNotReused() throws {
        // `t` and `g` are the query's own; the legacy alias `x` disappears.
        XCTAssertEqual(try rewrite("SELECT x.gene_id, g FROM cancer_transcript_base x JOIN other t ON t.id = x.transcript_id, (SELECT 1 AS g) s"),
                       "SELECT t2.gene_id, g FROM public.transcripts t2 LEFT JOIN patient_p1.expression_data pe ON t2.transcript_id = pe.transcript_id JOIN public.genes g2 ON t2.gene_id = g2.gene_id JOIN other t ON t.id = t2.transcript_id, (SELECT 1 AS g) s")
        // A legacy alias `t` is free again.
        XCTAssertEqual(try rewrite("SELECT t.transcript_id FROM cancer_transcript_base t"), "SELECT t.transcript_id FROM \(Self.joins)")
    }

    func testEachLegacyOccurrenceHasItsOwnTablesAndCorrelatedNamesResolveOutward() throws {
        let sql = "SELECT a.transcript_id FROM cancer_transcript_base a WHERE a.expression_fold_change > (SELECT avg(b.expression_fold_change) FROM cancer_transcript_base b WHERE b.gene_id = a.gene_id)"
        XCTAssertEqual(try rewrite(sql), "SELECT t.transcript_id FROM \(Self.joins) WHERE COALESCE(pe.expression_fold_change, 1.0) > (SELECT avg(COALESCE(pe2.expression_fold_change, 1.0)) FROM public.transcripts t2 LEFT JOIN patient_p1.expression_data pe2 ON t2.transcript_id = pe2.transcript_id JOIN public.genes g2 ON t2.gene_id = g2.gene_id WHERE t2.gene_id = t.gene_id)")
    }

    func testColumnsOfASubqueryAreNotTheLegacyTables() throws {
        let sql = "WITH up AS (SELECT gene_symbol, expression_fold_change FROM cancer_transcript_base) SELECT gene_symbol, expression_fold_change FROM up"
        XCTAssertEqual(try rewrite(sql), "WITH up AS (SELECT g.gene_symbol, COALESCE(pe.expression_fold_change, 1.0) AS expression_fold_change FROM \(Self.joins)) SELECT gene_symbol, expression_fold_change FROM up")
    }

    func testTheLegacyTableOnTheRightOfAJoinIsParenthesized() throws {
        XCTAssertEqual(try rewrite("SELECT ctb.gene_id FROM opentargets_known_drugs o LEFT JOIN cancer_transcript_base ctb ON ctb.gene_id = o.target_gene_id"),
                       "SELECT t.gene_id FROM public.opentargets_known_drugs o LEFT JOIN (\(Self.joins)) ON t.gene_id = o.target_gene_id")
    }

    func testAGenesJoinUsingTheGeneIdIsReusedToo() throws {
        XCTAssertEqual(try rewrite("SELECT c.transcript_id, gene_id, x.chromosome FROM cancer_transcript_base c JOIN genes x USING (gene_id)"),
                       "SELECT t.transcript_id, t.gene_id, x.chromosome FROM public.transcripts t LEFT JOIN patient_p1.expression_data pe ON t.transcript_id = pe.transcript_id JOIN public.genes x ON t.gene_id = x.gene_id")
    }

    func testAGenesTableBeforeTheLegacyOneKeepsItsJoin() throws {
        XCTAssertEqual(try rewrite("SELECT c.gene_symbol FROM genes x JOIN cancer_transcript_base c ON c.gene_id = x.gene_id JOIN opentargets_known_drugs o ON o.target_gene_id = x.gene_id"),
                       "SELECT x.gene_symbol FROM public.genes x JOIN public.transcripts t ON t.gene_id = x.gene_id LEFT JOIN patient_p1.expression_data pe ON t.transcript_id = pe.transcript_id JOIN public.opentargets_known_drugs o ON o.target_gene_id = x.gene_id")
    }

    func testLateralSubqueriesAndPsqlVariables() throws {
        XCTAssertEqual(try rewrite("SELECT x.n FROM cancer_transcript_base c, LATERAL (SELECT c.gene_id AS n) x WHERE c.gene_symbol = :'symbol'"),
                       "SELECT x.n FROM \(Self.joins), LATERAL (SELECT t.gene_id AS n) x WHERE g.gene_symbol = :'symbol'")
    }

    func testWholeRowAndAmbiguousReferencesAreRefused() {
        XCTAssertEqual(problems("SELECT row_to_json(c) FROM cancer_transcript_base c").map { String($0.prefix(5)) }, ["1:20:"])
        XCTAssertEqual(problems("SELECT gene_id FROM cancer_transcript_base a, cancer_transcript_base b"),
                       ["1:8: column reference \"gene_id\" is ambiguous: more than one cancer_transcript_base is in scope; qualify it"])
    }

    // MARK: - Columns

    func testStarCoordinatesAndTheirIntegerCasts() throws {
        XCTAssertEqual(try rewrite("SELECT * FROM cancer_transcript_base"),
                       "SELECT t.transcript_id, g.gene_symbol, t.gene_id, g.gene_type, g.chromosome, jsonb_strip_nulls(jsonb_build_object('end', t.end_position, 'start', t.start_position, 'strand', t.strand)) AS coordinates, COALESCE(pe.expression_fold_change, 1.0) AS expression_fold_change FROM \(Self.joins)")
        XCTAssertEqual(try rewrite("SELECT (coordinates->>'end')::int - (coordinates->>'start')::bigint, coordinates->>'strand' FROM cancer_transcript_base"),
                       "SELECT t.end_position - t.start_position, CAST(t.strand AS text) AS \"?column?\" FROM \(Self.joins)")
    }

    /// PostgreSQL names an unaliased item after its column, function or cast type; where the
    /// rewrite would change that name, the original's becomes an alias.
    func testOutputNamesThatTheRewriteWouldChangeBecomeAliases() throws {
        XCTAssertEqual(try rewrite("SELECT (coordinates->>'start')::int, CAST(coordinates->>'end' AS double precision), coordinates->>'strand' AS s, gene_symbol FROM cancer_transcript_base"),
                       "SELECT t.start_position AS int4, CAST(CAST(t.end_position AS text) AS double precision) AS float8, CAST(t.strand AS text) AS s, g.gene_symbol FROM \(Self.joins)")
        XCTAssertEqual(try rewrite("SELECT round(expression_fold_change::numeric, 2), expression_fold_change::text FROM cancer_transcript_base"),
                       "SELECT round(COALESCE(pe.expression_fold_change, 1.0)::numeric, 2), COALESCE(pe.expression_fold_change, 1.0)::text AS expression_fold_change FROM \(Self.joins)")
    }

    /// v0.5 selects other columns of a query grouped by its primary key; v0.6 groups by the
    /// keys of genes and the patient's table as well, which keeps the groups.
    func testGroupingByTheLegacyPrimaryKeyAddsTheOtherTablesKeys() throws {
        XCTAssertEqual(try rewrite("SELECT transcript_id, gene_symbol, expression_fold_change, count(okd.id) FROM cancer_transcript_base ctb LEFT JOIN opentargets_known_drugs okd ON okd.target_gene_id = ctb.gene_id GROUP BY ctb.transcript_id"),
                       "SELECT t.transcript_id, g.gene_symbol, COALESCE(pe.expression_fold_change, 1.0) AS expression_fold_change, count(okd.id) FROM \(Self.joins) LEFT JOIN public.opentargets_known_drugs okd ON okd.target_gene_id = t.gene_id GROUP BY t.transcript_id, g.gene_id, pe.transcript_id")
        XCTAssertEqual(try rewrite("SELECT transcript_id, gene_symbol FROM cancer_transcript_base GROUP BY 1"),
                       "SELECT t.transcript_id, g.gene_symbol FROM \(Self.joins) GROUP BY 1, g.gene_id, pe.transcript_id")
        XCTAssertEqual(try rewrite("SELECT gene_id, count(*) FROM cancer_transcript_base GROUP BY gene_id"),
                       "SELECT t.gene_id, count(*) FROM \(Self.joins) GROUP BY t.gene_id")
    }

    func testDataModifyingStatementsThatReadTheLegacyTable() throws {
        XCTAssertEqual(try rewrite("UPDATE marks m SET fc = c.expression_fold_change, sym = upper(gene_symbol) FROM cancer_transcript_base c WHERE m.transcript_id = c.transcript_id RETURNING m.transcript_id"),
                       "UPDATE marks m SET fc = COALESCE(pe.expression_fold_change, 1.0), sym = upper(g.gene_symbol) FROM \(Self.joins) WHERE m.transcript_id = t.transcript_id RETURNING m.transcript_id")
        XCTAssertEqual(try rewrite("DELETE FROM marks USING cancer_transcript_base c WHERE marks.transcript_id = c.transcript_id AND c.expression_fold_change < 1"),
                       "DELETE FROM marks USING \(Self.joins) WHERE marks.transcript_id = t.transcript_id AND COALESCE(pe.expression_fold_change, 1.0) < 1")
        XCTAssertEqual(try rewrite("WITH up AS (SELECT transcript_id FROM cancer_transcript_base WHERE expression_fold_change > 2) INSERT INTO marks (transcript_id) SELECT transcript_id FROM up"),
                       "WITH up AS (SELECT t.transcript_id FROM \(Self.joins) WHERE COALESCE(pe.expression_fold_change, 1.0) > 2) INSERT INTO marks (transcript_id) SELECT transcript_id FROM up")
        XCTAssertEqual(try rewrite("WITH d AS (DELETE FROM marks WHERE transcript_id IN (SELECT transcript_id FROM cancer_transcript_base WHERE gene_symbol = 'TP53') RETURNING *) SELECT count(*) FROM d"),
                       "WITH d AS (DELETE FROM marks WHERE transcript_id IN (SELECT t.transcript_id FROM \(Self.joins) WHERE g.gene_symbol = 'TP53') RETURNING *) SELECT count(*) FROM d")
        XCTAssertEqual(problems("WITH x AS (SELECT 1) UPDATE cancer_transcript_base SET gene_symbol = 'A'"),
                       ["1:29: UPDATE on cancer_transcript_base is refused: v0.6 keeps the core read-only and a patient's values in patient_p1.expression_data, written by `mediabase patients`"])
        XCTAssertEqual(problems("WITH d AS (DELETE FROM cancer_transcript_base RETURNING transcript_id) SELECT * FROM d").count, 1)
        XCTAssertEqual(problems("WITH d AS (DELETE FROM marks RETURNING transcript_id) SELECT * FROM d, cancer_transcript_base c", dialect: .sqlite),
                       ["1:6: a WITH query that writes (INSERT, UPDATE, DELETE inside WITH) has no SQLite equivalent: run it as a statement of its own"])
    }

    func testDataModifyingStatementsForSQLite() throws {
        XCTAssertEqual(try rewrite("UPDATE marks m SET fc = c.expression_fold_change FROM cancer_transcript_base c WHERE m.transcript_id = c.transcript_id", dialect: .sqlite),
                       "UPDATE marks AS m SET fc = COALESCE(pe.expression_fold_change, 1.0) FROM \(Self.joins) WHERE m.transcript_id = t.transcript_id")
        XCTAssertEqual(try rewrite("DELETE FROM marks USING cancer_transcript_base c WHERE marks.transcript_id = c.transcript_id", dialect: .sqlite),
                       "DELETE FROM marks WHERE EXISTS (SELECT 1 FROM \(Self.joins) WHERE marks.transcript_id = t.transcript_id)")
        XCTAssertEqual(problems("SELECT v.s FROM (VALUES ('TP53')) AS v(s) JOIN cancer_transcript_base c ON c.gene_symbol = v.s", dialect: .sqlite),
                       ["1:40: column aliases on a FROM item (AS v(a, b)) are PostgreSQL-only; for VALUES write a CTE, WITH v(a, b) AS (VALUES …), which SQLite has"])
    }

    func testIncompleteDataModifyingStatementsAreParseErrors() {
        XCTAssertEqual(problems("WITH x"), ["1:6: syntax error: the input ends where AS was expected"])
        XCTAssertEqual(problems("UPDATE x SET a"), ["1:14: syntax error: the input ends where \"=\" in UPDATE's SET was expected"])
        XCTAssertEqual(problems("WITH x AS (SELECT 1) DELETE"), ["1:22: syntax error: the input ends where FROM was expected"])
        XCTAssertEqual(try rewrite("UPDATE x SET a[1] = 2"), "UPDATE x SET a[1] = 2")
    }

    /// Every prefix of a query is a parse error or a rewrite, never a crash.
    func testTruncatedInputsAreParseErrors() {
        let sql = "WITH x AS (SELECT gene_symbol, AVG(expression_fold_change) FROM cancer_transcript_base GROUP BY GROUPING SETS ((gene_symbol), ()) HAVING count(*) FILTER (WHERE coordinates->>'strand' = '-1') > 0 ORDER BY 2 DESC) UPDATE m SET a[1] = x.avg FROM x WHERE m.s = x.gene_symbol RETURNING *"
        let bytes = Array(sql.utf8)
        for cut in 1..<bytes.count {
            for dialect in QueryDialect.allCases {
                do {
                    _ = try rewrite(String(decoding: bytes[..<cut], as: UTF8.self), dialect: dialect)
                } catch {
                    XCTAssertTrue(error is QueryRewriteError, "\(cut): \(error)")
                }
            }
        }
    }

    func testCollationsForSQLite() throws {
        XCTAssertEqual(try rewrite("SELECT gene_symbol FROM cancer_transcript_base ORDER BY gene_symbol COLLATE \"C\" LIMIT 3", dialect: .sqlite),
                       "SELECT g.gene_symbol FROM \(Self.joins) ORDER BY g.gene_symbol COLLATE BINARY NULLS LAST LIMIT 3")
        XCTAssertEqual(try rewrite("SELECT 1 WHERE 'a' < 'B' COLLATE pg_catalog.\"POSIX\"", dialect: .sqlite), "SELECT 1 WHERE 'a' < 'B' COLLATE BINARY")
        XCTAssertEqual(problems("SELECT gene_symbol FROM cancer_transcript_base ORDER BY gene_symbol COLLATE \"en_US\"", dialect: .sqlite),
                       ["1:77: COLLATE \"en_US\" has no SQLite counterpart: SQLite compares text by bytes (COLLATE \"C\"), or ignoring ASCII case (COLLATE NOCASE, no PostgreSQL equivalent)"])
    }

    func testColumnsWithoutAScalarHomeAreRefusedWithTheirPlaceAndTable() {
        let found = problems("""
            SELECT gene_symbol,
                   drugs, ctb.go_terms
            FROM cancer_transcript_base ctb WHERE coordinates->>'chr' = '1' OR ctb.nosuch IS NULL
            """)
        XCTAssertEqual(found.count, 4)
        XCTAssertTrue(found[0].hasPrefix("2:8: column \"drugs\" of cancer_transcript_base has no scalar home in v0.6: its values are in public.gene_drug_interactions"), found[0])
        XCTAssertTrue(found[1].hasPrefix("2:19: column \"go_terms\"") && found[1].contains("public.transcript_go_terms"), found[1])
        XCTAssertTrue(found[2].hasPrefix("3:53: cancer_transcript_base.coordinates->'chr' has no v0.6 home"), found[2])
        XCTAssertTrue(found[3].hasPrefix("3:72: cancer_transcript_base has no column \"nosuch\""), found[3])
    }

    /// The query layer depends on nothing, so it lists the columns itself: they must be the
    /// model's, in the model's order, under the model's table name.
    func testTheColumnMapListsTheModelsLegacyColumnsInOrder() {
        XCTAssertEqual(LegacyColumnMap.columns.map(\.name), LegacyColumn.allCases.map(\.name))
        XCTAssertEqual(LegacyColumnMap.tableName, LegacyColumns.tableName)
    }

    func testEveryLegacyColumnHasAnEntryAndARowInTheDocs() throws {
        XCTAssertEqual(LegacyColumnMap.columns.count, 27)
        XCTAssertEqual(LegacyColumnMap.starColumns, ["transcript_id", "gene_symbol", "gene_id", "gene_type", "chromosome", "coordinates", "expression_fold_change"])
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let text = try String(contentsOf: root.appendingPathComponent("docs/commands.md"), encoding: .utf8)
        let section = text.components(separatedBy: "## rewrite-query").dropFirst().first?.components(separatedBy: "\n## ").first ?? ""
        let tableRows = section.split(separator: "\n").filter { $0.hasPrefix("| `") }
        for (name, home) in LegacyColumnMap.columns {
            guard let row = tableRows.first(where: { $0.hasPrefix("| `\(name)`") || $0.contains(", `\(name)`") }) else {
                XCTFail("docs/commands.md's column table has no row for \(name)")
                continue
            }
            XCTAssertEqual(row.contains("| refused"), home.isRefused, "docs/commands.md row of \(name): \(row)")
        }
    }

    // MARK: - Statements

    func testWritesToTheLegacyTableAreRefused() {
        let found = problems("""
            UPDATE cancer_transcript_base SET expression_fold_change = 2;
            INSERT INTO public.cancer_transcript_base (transcript_id) VALUES ('x');
            DELETE FROM cancer_transcript_base;
            ALTER TABLE cancer_transcript_base ADD COLUMN x int;
            DROP TABLE IF EXISTS cancer_transcript_base;
            TRUNCATE cancer_transcript_base;
            """)
        XCTAssertEqual(found.map { String($0.prefix(while: { $0 != " " })) }, ["1:8:", "2:13:", "3:13:", "4:13:", "5:22:", "6:10:"])
        XCTAssertTrue(found.allSatisfy { $0.contains("on cancer_transcript_base is refused") && $0.contains("patient_p1.expression_data") }, "\(found)")
    }

    func testAQueryInsideOtherStatementsIsRewritten() throws {
        XCTAssertEqual(try rewrite("INSERT INTO results SELECT transcript_id FROM cancer_transcript_base; EXPLAIN SELECT gene_id FROM cancer_transcript_base"),
                       "INSERT INTO results SELECT t.transcript_id FROM \(Self.joins); EXPLAIN SELECT t.gene_id FROM \(Self.joins)")
        XCTAssertEqual(try rewrite("SET search_path = public; SELECT 1"), "SET search_path = public; SELECT 1")
        XCTAssertEqual(try rewrite("COPY (SELECT transcript_id FROM cancer_transcript_base) TO STDOUT WITH CSV HEADER"),
                       "COPY (SELECT t.transcript_id FROM \(Self.joins)) TO STDOUT WITH CSV HEADER")
        XCTAssertEqual(problems("COPY cancer_transcript_base TO STDOUT").map { String($0.prefix(32)) }, ["1:6: COPY cancer_transcript_base"])
    }

    func testPsqlMetaCommandsAreKeptAndBackslashGEndsAStatement() throws {
        let sql = "\\timing on\nSELECT gene_id FROM cancer_transcript_base \\gx\nSELECT 1"
        XCTAssertEqual(try rewrite(sql), "\\timing on\nSELECT t.gene_id FROM \(Self.joins) \\gx\nSELECT 1")
        XCTAssertEqual(try rewrite(sql, dialect: .sqlite), "-- \\timing on\nSELECT t.gene_id FROM \(Self.joins) ; -- \\gx\nSELECT 1")
    }

    func testParseErrorsNameLineAndColumn() {
        XCTAssertEqual(problems("SELECT a\nFROM b WHERE c = 'open"), ["2:18: unterminated string: the closing ' is missing"])
        XCTAssertEqual(problems("SELECT a,\n  FROM b"), ["2:3: syntax error at \"FROM\": expected an expression"])
        XCTAssertEqual(problems("SELECT (a FROM b"), ["1:11: syntax error at \"FROM\": expected \")\""])
        XCTAssertEqual(problems("/* open /* nested */\nSELECT 1"), ["1:1: unterminated /* comment */"])
    }

    func testThePatientSchemaIsCheckedBeforeUse() {
        XCTAssertThrowsError(try QueryRewriter(patientSchema: "patient_x; DROP TABLE y", dialect: .postgres))
        XCTAssertThrowsError(try QueryRewriter(patientSchema: "patient_P1", dialect: .postgres))
        XCTAssertThrowsError(try QueryRewriter(patientSchema: "public", dialect: .postgres))
        XCTAssertNoThrow(try QueryRewriter(patientSchema: "patient_p1_2", dialect: .sqlite))
    }

    // MARK: - SQLite

    func testSQLiteTranslations() throws {
        let sql = "SELECT expression_fold_change::numeric(6, 2), CAST(gene_id AS varchar), POSITION('1' IN gene_id) FROM cancer_transcript_base WHERE gene_symbol ILIKE 'tp%' AND chromosome LIKE 'chr1_' AND E'a\\tb' <> $$x$$ ORDER BY 1 DESC, 2"
        XCTAssertEqual(try rewrite(sql, dialect: .sqlite),
                       "SELECT ROUND(CAST(COALESCE(pe.expression_fold_change, 1.0) AS REAL), 2) AS expression_fold_change, CAST(t.gene_id AS TEXT) AS gene_id, instr(t.gene_id, '1') AS position FROM \(Self.joins) WHERE g.gene_symbol LIKE 'tp%' AND g.chromosome GLOB 'chr1?' AND 'a\tb' <> 'x' ORDER BY 1 DESC NULLS FIRST, 2 NULLS LAST")
    }

    func testSQLiteRefusesWhatItCannotRun() {
        let found = problems("SELECT DISTINCT ON (gene_id) gene_id, array_agg(transcript_id), gene_symbol ~ '^TP' FROM cancer_transcript_base WHERE gene_symbol LIKE gene_id", dialect: .sqlite)
        XCTAssertEqual(found.map { String($0.prefix(while: { $0 != " " })) }, ["1:17:", "1:39:", "1:77:", "1:131:"], "\(found)")
    }
}

private extension LegacyColumnMap.Home {
    var isRefused: Bool {
        if case .refused = self { return true }
        return false
    }
}
