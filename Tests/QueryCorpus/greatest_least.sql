-- compare: ordered
SELECT transcript_id, GREATEST(expression_fold_change, 1.0) AS hi, LEAST(expression_fold_change, 1.0) AS lo
FROM cancer_transcript_base
WHERE gene_type <> 'protein_coding'
ORDER BY 1;
