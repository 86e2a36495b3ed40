-- compare: ordered
SELECT transcript_id, gene_symbol, chromosome
FROM cancer_transcript_base
WHERE chromosome ILIKE 'CHR1%' AND gene_symbol NOT ILIKE 'linc%'
ORDER BY transcript_id;
