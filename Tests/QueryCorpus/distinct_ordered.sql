-- compare: ordered
SELECT DISTINCT gene_symbol, chromosome
FROM cancer_transcript_base
WHERE expression_fold_change > 1
ORDER BY chromosome, gene_symbol;
