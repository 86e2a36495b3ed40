-- compare: ordered
WITH gm AS (SELECT gene_id, AVG(expression_fold_change) AS m FROM cancer_transcript_base GROUP BY gene_id)
SELECT c.transcript_id, gene_id, c.expression_fold_change - gm.m AS delta
FROM cancer_transcript_base c
JOIN gm USING (gene_id)
ORDER BY 1;
