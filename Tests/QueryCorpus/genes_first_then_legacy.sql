-- compare: ordered
-- genes first: its join to the legacy table becomes the join to public.transcripts.
SELECT c.transcript_id, g.gene_symbol, g.gene_type, c.expression_fold_change
FROM genes g
JOIN cancer_transcript_base c ON g.gene_id = c.gene_id
WHERE c.expression_fold_change > 2
ORDER BY 1;
