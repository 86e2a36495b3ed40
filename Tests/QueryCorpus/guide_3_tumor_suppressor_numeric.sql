-- compare: ordered by 2
-- The guide's query 3 with the cast PostgreSQL needs for ROUND(x, 1); the genes of the
-- synthetic data with a loss are not tumor suppressors, so the list is widened.
SELECT
    gene_symbol,
    expression_fold_change,
    ROUND(((1.0 - expression_fold_change) * 100)::numeric, 1) as percent_loss
FROM cancer_transcript_base
WHERE gene_symbol IN ('TP53', 'PTEN', 'RB1', 'BRCA1', 'BRCA2')
   OR expression_fold_change < 0.8
ORDER BY expression_fold_change ASC;
