-- compare: ordered by 2,1
SELECT gene_symbol, count(*)
FROM cancer_transcript_base
WHERE gene_symbol LIKE '%A%' OR gene_symbol ILIKE 'fam%'
GROUP BY gene_symbol
ORDER BY 2 DESC, 1;
