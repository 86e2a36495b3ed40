-- compare: ordered
SELECT gene_symbol, 'up' AS direction FROM cancer_transcript_base WHERE expression_fold_change > 3
UNION
SELECT gene_symbol, 'down' FROM cancer_transcript_base WHERE expression_fold_change < 0.3
ORDER BY 1, 2;
