-- compare: ordered
-- sqlite: refused
-- Without its ORDER BY, string_agg's order is unspecified (PostgreSQL's too): SQLite 3.40 has no
-- ORDER BY inside an aggregate, so it is refused there.
SELECT gene_type, string_agg(DISTINCT chromosome, ',' ORDER BY chromosome) AS chromosomes, count(DISTINCT gene_id)
FROM cancer_transcript_base
GROUP BY 1
ORDER BY 1;
