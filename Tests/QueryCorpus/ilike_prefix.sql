-- compare: ordered
SELECT transcript_id, gene_symbol
FROM cancer_transcript_base
WHERE gene_symbol ILIKE 'fam%'
ORDER BY transcript_id;
