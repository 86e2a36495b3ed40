-- compare: ordered
CREATE TEMP TABLE marks_insert (transcript_id text, fold double precision);
WITH up AS (
    SELECT transcript_id, expression_fold_change FROM cancer_transcript_base WHERE expression_fold_change > 1
)
INSERT INTO marks_insert SELECT * FROM up;
DELETE FROM marks_insert
 USING cancer_transcript_base c
 WHERE c.transcript_id = marks_insert.transcript_id AND c.expression_fold_change > 4;
SELECT transcript_id, fold FROM marks_insert ORDER BY transcript_id;
