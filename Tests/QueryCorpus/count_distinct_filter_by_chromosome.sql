-- compare: ordered
SELECT chromosome,
       COUNT(DISTINCT gene_id) AS genes,
       COUNT(*) FILTER (WHERE expression_fold_change > 1) AS up,
       COUNT(DISTINCT gene_id) FILTER (WHERE expression_fold_change < 1) AS genes_down
FROM cancer_transcript_base
GROUP BY chromosome
ORDER BY 2 DESC, 1;
