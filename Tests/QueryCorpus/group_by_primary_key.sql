-- compare: ordered
-- Grouped by the legacy table's primary key, the other columns depend on it in v0.5
-- (PostgreSQL's functional dependency); the rewrite groups by genes' and the patient table's keys too.
SELECT ctb.transcript_id, ctb.gene_symbol, ctb.chromosome, ctb.expression_fold_change,
       count(okd.id) AS known_drugs
FROM cancer_transcript_base ctb
LEFT JOIN opentargets_known_drugs okd ON okd.target_gene_id = ctb.gene_id
GROUP BY ctb.transcript_id
ORDER BY ctb.transcript_id;
