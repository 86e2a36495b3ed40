-- compare: ordered
SELECT transcript_id,
       gene_symbol || ':' || chromosome AS label,
       SUBSTRING(transcript_id FROM 5 FOR 6) AS middle
FROM cancer_transcript_base
WHERE gene_type = 'lncRNA'
ORDER BY 1;
