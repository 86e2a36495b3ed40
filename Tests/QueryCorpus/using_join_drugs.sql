-- compare: unordered
SELECT c.gene_symbol, d.molecule_name
FROM cancer_transcript_base c
JOIN (SELECT target_gene_id AS gene_id, molecule_name FROM opentargets_known_drugs) d USING (gene_id)
WHERE c.expression_fold_change > 1;
