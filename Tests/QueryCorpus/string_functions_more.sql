-- compare: ordered
SELECT DISTINCT gene_symbol, LEFT(gene_symbol, 3) AS head, RIGHT(gene_symbol, 2) AS tail,
       STRPOS(gene_symbol, 'A') AS first_a, CHAR_LENGTH(gene_symbol) AS len, TRIM(gene_symbol) AS trimmed
FROM cancer_transcript_base
ORDER BY 1;
