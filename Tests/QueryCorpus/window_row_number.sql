-- compare: ordered
SELECT gene_symbol, transcript_id, expression_fold_change,
       ROW_NUMBER() OVER (PARTITION BY gene_id ORDER BY expression_fold_change DESC, transcript_id) AS rn
FROM cancer_transcript_base
ORDER BY gene_symbol, rn;
