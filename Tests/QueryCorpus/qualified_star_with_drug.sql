-- compare: ordered by 1
SELECT ctb.*, okd.molecule_name
FROM cancer_transcript_base ctb
JOIN opentargets_known_drugs okd ON okd.target_gene_id = ctb.gene_id
ORDER BY ctb.transcript_id, okd.molecule_name;
