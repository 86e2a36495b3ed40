-- compare: ordered
SELECT transcript_id, chromosome,
       expression_fold_change - lag(expression_fold_change) OVER (PARTITION BY chromosome ORDER BY (coordinates->>'start')::int, transcript_id) AS step,
       rank() OVER (ORDER BY expression_fold_change DESC, transcript_id)
FROM cancer_transcript_base
ORDER BY chromosome, (coordinates->>'start')::int, transcript_id;
