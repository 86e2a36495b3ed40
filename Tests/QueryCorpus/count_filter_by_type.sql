-- compare: ordered
SELECT gene_type,
       COUNT(*) FILTER (WHERE expression_fold_change <> 1.0) AS changed,
       COUNT(*) AS total
FROM cancer_transcript_base
GROUP BY gene_type
ORDER BY gene_type;
