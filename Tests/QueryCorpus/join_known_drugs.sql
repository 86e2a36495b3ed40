-- compare: ordered by 1,2
SELECT ctb.transcript_id, okd.molecule_name, okd.clinical_phase_label
FROM cancer_transcript_base ctb
JOIN opentargets_known_drugs okd ON okd.target_gene_id = ctb.gene_id
ORDER BY 1, 2;
