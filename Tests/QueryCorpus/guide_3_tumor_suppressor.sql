-- compare: error
-- sqlite: skip
-- The second guide's query 3, as printed there. PostgreSQL has no round(double precision,
-- integer): it fails on v0.5 and its rewrite fails the same way on v0.6 (SQLite runs it).
SELECT
    gene_symbol,
    expression_fold_change,
    ROUND((1.0 - expression_fold_change) * 100, 1) as percent_loss
FROM cancer_transcript_base
WHERE gene_symbol IN ('TP53', 'PTEN', 'RB1', 'BRCA1', 'BRCA2')
  AND expression_fold_change < 0.8
ORDER BY expression_fold_change ASC;
