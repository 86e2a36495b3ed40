-- compare: ordered
SELECT gene_symbol
FROM cancer_transcript_base
WHERE gene_id IN (SELECT gene_id
                  FROM cancer_transcript_base
                  WHERE expression_fold_change > (SELECT AVG(expression_fold_change) * 3 FROM cancer_transcript_base))
GROUP BY gene_symbol
ORDER BY 1;
