-- compare: ordered
SELECT transcript_id, gene_symbol
FROM cancer_transcript_base
WHERE gene_id = ANY (SELECT target_gene_id FROM opentargets_known_drugs)
ORDER BY transcript_id;
