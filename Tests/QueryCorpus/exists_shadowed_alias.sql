-- compare: ordered
-- The inner t is another cancer_transcript_base than the outer one.
SELECT o.molecule_name, o.target_gene_id
FROM opentargets_known_drugs o
WHERE EXISTS (SELECT 1 FROM cancer_transcript_base t WHERE t.gene_id = o.target_gene_id AND t.expression_fold_change > 3)
ORDER BY 1, 2;
