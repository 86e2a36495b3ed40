-- compare: ordered
-- sqlite: refused
-- SQLite has no arrays: = ANY (array) is refused there (write IN (…)).
SELECT transcript_id, gene_type
FROM cancer_transcript_base
WHERE gene_type = ANY ('{protein_coding,lncRNA}'::text[])
ORDER BY transcript_id
LIMIT 20;
