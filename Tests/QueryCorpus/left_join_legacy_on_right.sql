-- compare: ordered
SELECT o.molecule_name, c.transcript_id
FROM opentargets_known_drugs o
LEFT JOIN cancer_transcript_base c ON c.gene_id = o.target_gene_id AND c.expression_fold_change > 2
ORDER BY 1, 2;
