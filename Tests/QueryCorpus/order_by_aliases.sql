-- compare: ordered
SELECT gene_symbol AS symbol, expression_fold_change AS fc
FROM cancer_transcript_base
WHERE expression_fold_change < 1
ORDER BY fc, symbol, transcript_id;
