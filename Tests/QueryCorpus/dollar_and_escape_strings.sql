-- compare: ordered
SELECT transcript_id
FROM cancer_transcript_base
WHERE gene_symbol = $$TP53$$ OR gene_symbol = E'KRA\x53'
ORDER BY 1;
