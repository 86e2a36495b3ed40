-- compare: refused
-- NATURAL JOIN with the legacy table is refused: its columns are spread over three tables in v0.6.
SELECT gene_symbol, count(*)
FROM cancer_transcript_base NATURAL JOIN genes
GROUP BY gene_symbol;
