-- compare: ordered by 1,3
SELECT ctb.gene_symbol, g.gene_type, okd.molecule_name, ctb.transcript_id
FROM cancer_transcript_base ctb
JOIN genes g ON ctb.gene_id = g.gene_id
LEFT JOIN opentargets_known_drugs okd ON okd.target_gene_id = g.gene_id
WHERE ctb.expression_fold_change > 2
ORDER BY 1, 3, 4;
