-- compare: unordered
SELECT gene_id FROM cancer_transcript_base
EXCEPT
SELECT target_gene_id FROM opentargets_known_drugs;
