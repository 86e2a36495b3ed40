-- compare: ordered
-- Unaliased items: PostgreSQL names them int4, ?column?, numeric, round, case; the rewrite keeps the names.
SELECT transcript_id,
       (coordinates->>'start')::int,
       (coordinates->>'end')::bigint - (coordinates->>'start')::bigint,
       coordinates->>'strand',
       expression_fold_change::numeric(10, 3),
       round(expression_fold_change::numeric, 2),
       CASE WHEN expression_fold_change > 1 THEN 'up' ELSE 'not up' END
FROM cancer_transcript_base
ORDER BY 1
LIMIT 20;
