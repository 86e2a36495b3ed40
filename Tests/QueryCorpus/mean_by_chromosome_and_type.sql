-- compare: ordered
SELECT chromosome, gene_type, ROUND(AVG(expression_fold_change)::numeric, 3) AS mean_fc, COUNT(*) AS n
FROM cancer_transcript_base
GROUP BY chromosome, gene_type
ORDER BY 1, 2;
