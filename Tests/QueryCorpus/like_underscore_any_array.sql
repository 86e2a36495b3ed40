-- compare: ordered
SELECT transcript_id, gene_symbol
FROM cancer_transcript_base
WHERE gene_symbol LIKE 'TP5_' OR lower(gene_symbol) = ANY (ARRAY['egfr', 'kras'])
ORDER BY transcript_id;
