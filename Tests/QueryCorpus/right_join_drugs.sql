-- compare: ordered
SELECT c.transcript_id, o.molecule_name
FROM opentargets_known_drugs o
RIGHT JOIN cancer_transcript_base c ON c.gene_id = o.target_gene_id
WHERE c.expression_fold_change > 2
ORDER BY 1, 2;
