-- compare: unordered
SELECT DISTINCT chromosome, gene_type
FROM cancer_transcript_base;
