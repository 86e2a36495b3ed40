-- compare: ordered
-- Per gene: transcripts and the mean fold change.
SELECT gene_symbol, COUNT(*) AS transcripts, AVG(expression_fold_change) AS mean_fc
FROM cancer_transcript_base
GROUP BY gene_symbol
ORDER BY gene_symbol;
