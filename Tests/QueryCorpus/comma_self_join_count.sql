-- compare: unordered
SELECT COUNT(*)
FROM cancer_transcript_base a, cancer_transcript_base b
WHERE a.gene_id = b.gene_id AND a.transcript_id < b.transcript_id AND a.expression_fold_change > 3;
