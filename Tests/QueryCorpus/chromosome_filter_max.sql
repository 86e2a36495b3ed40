-- compare: ordered
SELECT gene_symbol, chromosome, MAX(expression_fold_change)
FROM cancer_transcript_base
WHERE chromosome IN ('17', 'chr17')
GROUP BY gene_symbol, chromosome
ORDER BY 1;
