-- compare: ordered
SELECT o.molecule_name, o.target_gene_id,
       (SELECT MAX(c.expression_fold_change) FROM cancer_transcript_base c WHERE c.gene_id = o.target_gene_id) AS max_fc
FROM opentargets_known_drugs o
ORDER BY 1, 2;
