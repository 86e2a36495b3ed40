-- compare: ordered
SELECT transcript_id,
       expression_fold_change - LAG(expression_fold_change) OVER (PARTITION BY gene_id ORDER BY transcript_id) AS step
FROM cancer_transcript_base
ORDER BY transcript_id;
