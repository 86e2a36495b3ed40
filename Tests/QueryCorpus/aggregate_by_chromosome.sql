-- compare: ordered
SELECT chromosome, COUNT(DISTINCT gene_id) AS genes, COUNT(*) AS transcripts
FROM cancer_transcript_base
GROUP BY chromosome
ORDER BY chromosome;
