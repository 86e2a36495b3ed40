-- compare: ordered
SELECT coordinates->>'strand' AS strand, COUNT(*)
FROM cancer_transcript_base
GROUP BY 1
ORDER BY 1;
