-- compare: ordered
-- Grouped by one side's primary key of a self-join: only that side's tables join the GROUP BY.
SELECT a.transcript_id, a.gene_symbol, a.expression_fold_change, count(b.transcript_id) AS siblings
FROM cancer_transcript_base a
JOIN cancer_transcript_base b ON a.gene_id = b.gene_id AND a.transcript_id <> b.transcript_id
GROUP BY a.transcript_id
ORDER BY 1;
