-- compare: ordered by 1,2
SELECT c.gene_symbol, okd.molecule_name, c.expression_fold_change
FROM cancer_transcript_base AS c
INNER JOIN opentargets_known_drugs AS okd ON c.gene_id = okd.target_gene_id
WHERE okd.is_approved
  AND c.expression_fold_change >= 1
ORDER BY c.gene_symbol, okd.molecule_name, c.expression_fold_change DESC;
