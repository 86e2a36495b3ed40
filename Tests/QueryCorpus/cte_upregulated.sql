-- compare: ordered
WITH up AS (
    SELECT gene_id, transcript_id, expression_fold_change
    FROM cancer_transcript_base
    WHERE expression_fold_change > 1.5
)
SELECT gene_id, COUNT(*) AS n, MAX(expression_fold_change) AS top
FROM up
GROUP BY gene_id
ORDER BY gene_id;
