-- compare: ordered
SELECT transcript_id, gene_symbol, expression_fold_change
FROM cancer_transcript_base
WHERE gene_symbol IN ('TP53', 'EGFR', 'KRAS', 'MYC')
ORDER BY transcript_id;
