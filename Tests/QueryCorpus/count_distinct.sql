-- compare: unordered
SELECT COUNT(DISTINCT gene_id) AS genes, COUNT(DISTINCT chromosome) AS chromosomes, COUNT(*) AS transcripts
FROM cancer_transcript_base;
