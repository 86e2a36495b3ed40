-- compare: ordered
-- sqlite: refused
-- SQLite has no ordered-set aggregates.
SELECT gene_type,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY expression_fold_change) AS median_fc,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY expression_fold_change) AS p90
FROM cancer_transcript_base
GROUP BY gene_type
ORDER BY gene_type;
