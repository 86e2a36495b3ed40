-- compare: ordered
SELECT gene_type, round(avg(NULLIF(expression_fold_change, 1))::numeric, 4), count(*) FILTER (WHERE expression_fold_change = 1)
FROM cancer_transcript_base
GROUP BY gene_type
HAVING count(*) > 1
ORDER BY 1;
