-- compare: ordered
SELECT transcript_id, coordinates, coordinates->>'start', (coordinates->>'end')::integer
FROM cancer_transcript_base
ORDER BY transcript_id
LIMIT 8;
