-- compare: ordered
SELECT ctb.transcript_id, g.gene_type, g.chromosome
FROM cancer_transcript_base ctb
JOIN genes g ON g.gene_id = ctb.gene_id
WHERE g.chromosome LIKE 'chr%'
ORDER BY 1;
