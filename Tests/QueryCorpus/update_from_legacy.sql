-- compare: ordered
-- A scratch table filled and updated from the legacy table: INSERT … SELECT and UPDATE … FROM
-- only read cancer_transcript_base, so they are rewritten.
CREATE TEMP TABLE marks_update (transcript_id text PRIMARY KEY, fold double precision, symbol text);
INSERT INTO marks_update (transcript_id)
SELECT transcript_id FROM cancer_transcript_base WHERE expression_fold_change > 1.5;
UPDATE marks_update m
   SET fold = c.expression_fold_change, symbol = lower(gene_symbol)
  FROM cancer_transcript_base c
 WHERE c.transcript_id = m.transcript_id;
SELECT transcript_id, fold, symbol FROM marks_update ORDER BY transcript_id;
