-- compare: ordered
-- A VALUES list joined to the legacy table, named in a CTE (SQLite has no FROM (VALUES …) AS v(a, b)).
WITH v(label, lo, hi) AS (VALUES ('down', 0, 0.67), ('flat', 0.67, 1.5), ('up', 1.5, 1000000))
SELECT v.label, count(*) AS transcripts
FROM v
JOIN cancer_transcript_base c ON c.expression_fold_change > v.lo AND c.expression_fold_change <= v.hi
GROUP BY v.label
ORDER BY v.label;
