-- compare: ordered
SELECT gene_id, COUNT(*)
FROM cancer_transcript_base
GROUP BY gene_id
HAVING COUNT(*) > 5
ORDER BY 2 DESC, 1;
