-- compare: ordered
-- sqlite: refused
-- SQLite's generate_series is a table of its own (column `value`); rewrite-query does not translate it.
SELECT n, count(c.transcript_id) AS at_least
FROM generate_series(1, 5) AS n
LEFT JOIN cancer_transcript_base c ON c.expression_fold_change >= n
GROUP BY n
ORDER BY n;
