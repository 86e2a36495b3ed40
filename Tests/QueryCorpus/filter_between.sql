-- compare: ordered
SELECT transcript_id, expression_fold_change
FROM cancer_transcript_base
WHERE expression_fold_change BETWEEN 0.5 AND 1.5
  AND expression_fold_change <> 1.0
ORDER BY transcript_id;
