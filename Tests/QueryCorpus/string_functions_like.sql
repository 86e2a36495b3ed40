-- compare: ordered
SELECT DISTINCT UPPER(gene_symbol) AS u, LOWER(gene_symbol), LENGTH(gene_symbol)
FROM cancer_transcript_base
WHERE gene_symbol LIKE 'SLC%'
ORDER BY 1;
