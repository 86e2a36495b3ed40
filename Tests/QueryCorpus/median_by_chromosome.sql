-- compare: ordered
-- sqlite: refused
-- SQLite has no ordered-set aggregates: refused for --dialect sqlite.
SELECT chromosome, percentile_cont(0.5) WITHIN GROUP (ORDER BY expression_fold_change) AS median_fc,
       stddev(expression_fold_change) AS sd
FROM cancer_transcript_base
GROUP BY chromosome
ORDER BY 1;
