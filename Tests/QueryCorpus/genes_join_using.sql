-- compare: ordered
SELECT c.transcript_id, g.chromosome, gene_id
FROM cancer_transcript_base c
JOIN genes g USING (gene_id)
WHERE gene_id LIKE 'ENSG000001%'
ORDER BY 1;
