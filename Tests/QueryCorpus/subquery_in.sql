-- compare: ordered
SELECT transcript_id
FROM cancer_transcript_base
WHERE gene_id IN (SELECT target_gene_id FROM opentargets_known_drugs WHERE is_approved = true)
ORDER BY 1;
