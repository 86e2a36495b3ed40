-- compare: ordered
-- Byte order in both databases (SQLite: COLLATE BINARY).
SELECT transcript_id, gene_symbol
FROM cancer_transcript_base
ORDER BY gene_symbol COLLATE "C", transcript_id
LIMIT 15;
