-- compare: ordered
-- A gene's fold change as the mean over its transcripts, and how many differ from baseline.
SELECT gene_id, gene_symbol, gene_type,
       ROUND(AVG(expression_fold_change)::numeric, 3) AS gene_fc,
       COUNT(*) FILTER (WHERE expression_fold_change <> 1.0) AS changed
FROM cancer_transcript_base
GROUP BY gene_id, gene_symbol, gene_type
HAVING COUNT(*) > 1
ORDER BY gene_fc DESC, gene_id;
