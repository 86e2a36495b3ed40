-- compare: ordered
SELECT *
FROM (
    SELECT gene_symbol, transcript_id, expression_fold_change,
           rank() OVER (PARTITION BY gene_symbol ORDER BY expression_fold_change DESC) AS rk
    FROM cancer_transcript_base
) s
WHERE rk = 1
ORDER BY gene_symbol, transcript_id;
