-- compare: ordered
SELECT DISTINCT chromosome, REPLACE(chromosome, 'chr', '') AS bare, POSITION('chr' IN chromosome) AS at
FROM cancer_transcript_base
ORDER BY chromosome;
