-- compare: ordered
SELECT c.transcript_id, s.n
FROM cancer_transcript_base c
JOIN (SELECT gene_id, COUNT(*) AS n FROM cancer_transcript_base GROUP BY gene_id) s ON s.gene_id = c.gene_id
WHERE c.expression_fold_change < 1
ORDER BY 1;
