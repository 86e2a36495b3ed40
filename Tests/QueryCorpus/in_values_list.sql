-- compare: ordered
SELECT gene_symbol, sum(CASE WHEN expression_fold_change > 1 THEN 1 ELSE 0 END), count(*)
FROM CANCER_TRANSCRIPT_BASE
WHERE gene_symbol IN (VALUES ('TP53'), ('EGFR'), ('KRAS'), ('MYC'), ('BRCA1'))
   OR gene_id IN (SELECT gene_id FROM cancer_transcript_base GROUP BY gene_id HAVING count(*) > 2)
GROUP BY gene_symbol
ORDER BY 1;
