-- compare: ordered
-- sqlite: refused
SELECT transcript_id
FROM cancer_transcript_base
ORDER BY expression_fold_change DESC, transcript_id
FETCH FIRST 5 ROWS ONLY;
