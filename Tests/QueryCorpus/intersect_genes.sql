-- compare: ordered
SELECT gene_id FROM cancer_transcript_base WHERE expression_fold_change > 1.2
INTERSECT
SELECT gene_id FROM cancer_transcript_base WHERE expression_fold_change < 0.8
ORDER BY 1;
