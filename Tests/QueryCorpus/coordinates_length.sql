-- compare: ordered
SELECT transcript_id,
       (coordinates->>'start')::int AS start_pos,
       (coordinates->>'end')::bigint - (coordinates->>'start')::bigint AS length
FROM cancer_transcript_base
ORDER BY length DESC, transcript_id
LIMIT 15;
