-- compare: ordered
SELECT c.transcript_id, o.molecule_name
FROM cancer_transcript_base c
LEFT JOIN opentargets_known_drugs o ON o.target_gene_id = c.gene_id
WHERE c.gene_type = 'lncRNA' OR o.id IS NOT NULL
ORDER BY o.molecule_name DESC, c.transcript_id;
