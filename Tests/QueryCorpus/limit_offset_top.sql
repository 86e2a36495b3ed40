-- compare: ordered
SELECT gene_symbol, expression_fold_change
FROM cancer_transcript_base
ORDER BY expression_fold_change DESC, transcript_id
LIMIT 10 OFFSET 5;
