-- compare: ordered
SELECT gene_symbol,
       MIN((coordinates->>'start')::int) AS gene_start,
       MAX(CAST(coordinates->>'end' AS integer)) AS gene_end
FROM cancer_transcript_base
GROUP BY gene_symbol
ORDER BY gene_symbol;
