-- compare: ordered
SELECT transcript_id, NTILE(4) OVER (ORDER BY expression_fold_change, transcript_id) AS quartile
FROM cancer_transcript_base
ORDER BY transcript_id;
