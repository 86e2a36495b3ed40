-- compare: ordered
-- sqlite: refused
-- SQLite 3.40 has no ORDER BY inside an aggregate: refused for --dialect sqlite.
SELECT gene_symbol, STRING_AGG(transcript_id, ',' ORDER BY transcript_id) AS transcripts
FROM cancer_transcript_base
GROUP BY gene_symbol
ORDER BY 1;
