-- compare: ordered
SELECT gene_symbol, expression_fold_change
FROM cancer_transcript_base
WHERE gene_id IN (SELECT target_gene_id FROM opentargets_known_drugs WHERE is_approved)
ORDER BY expression_fold_change DESC, transcript_id;
