-- compare: ordered
-- sqlite: refused
-- SQLite has no data-modifying WITH queries.
CREATE TEMP TABLE marks_cte AS SELECT transcript_id FROM cancer_transcript_base;
WITH gone AS (
    DELETE FROM marks_cte m
     USING cancer_transcript_base c
     WHERE c.transcript_id = m.transcript_id AND c.expression_fold_change < 1
    RETURNING m.transcript_id
)
SELECT count(*) AS removed, (SELECT count(*) FROM cancer_transcript_base WHERE expression_fold_change < 1) AS expected FROM gone;
