-- compare: ordered by 1,2
SELECT upper(gene_symbol), length(transcript_id), substr(chromosome, 1, 3), gene_id || ':' || gene_type
FROM cancer_transcript_base
ORDER BY 1, 2
LIMIT 25;
