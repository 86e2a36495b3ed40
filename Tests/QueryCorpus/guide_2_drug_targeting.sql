-- compare: ordered by 2
-- The second guide's query 2, as printed there: its genes join is reused.
SELECT
    ctb.gene_symbol,
    ctb.expression_fold_change,
    okd.molecule_name,
    okd.mechanism_of_action
FROM cancer_transcript_base ctb
JOIN genes g ON ctb.gene_id = g.gene_id
JOIN opentargets_known_drugs okd ON g.gene_id = okd.target_gene_id
WHERE ctb.expression_fold_change > 3.0
  AND okd.is_approved = true
ORDER BY ctb.expression_fold_change DESC;
