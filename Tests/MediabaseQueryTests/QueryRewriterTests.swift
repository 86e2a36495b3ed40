import MediabaseQuery
import XCTest

/// The rewriter on small inputs: each expected text is written out by hand from the rules of
/// SPEC 9 and the README's column table.
final class QueryRewriterTests: XCTestCase {
    private func rewrite(_ sql: String, dialect: QueryDialect = .postgres) throws -> String {
        try QueryRewriter(patientSchema: "patient_p1", dialect: dialect).rewrite(sql)
    }

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
}
