-- compare: ordered
SELECT a.transcript_id, b.transcript_id
FROM cancer_transcript_base a
JOIN cancer_transcript_base b ON a.gene_id = b.gene_id AND a.transcript_id < b.transcript_id
WHERE a.expression_fold_change > 2 AND b.expression_fold_change > 2
ORDER BY 1, 2;
