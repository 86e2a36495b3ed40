-- compare: unordered
SELECT gene_symbol
FROM cancer_transcript_base
GROUP BY gene_symbol
HAVING MAX(expression_fold_change) > 2 AND MIN(expression_fold_change) < 1;
