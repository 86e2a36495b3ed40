-- compare: ordered
WITH ranked AS (
    SELECT chromosome, gene_symbol, transcript_id, expression_fold_change,
           ROW_NUMBER() OVER (PARTITION BY chromosome ORDER BY expression_fold_change DESC, transcript_id) AS pos
    FROM cancer_transcript_base
)
SELECT r.chromosome, r.gene_symbol, r.transcript_id, r.expression_fold_change, okd.molecule_name
FROM ranked r
LEFT JOIN opentargets_known_drugs okd ON okd.target_gene_id = (SELECT gene_id FROM cancer_transcript_base c WHERE c.transcript_id = r.transcript_id)
WHERE r.pos <= 2
ORDER BY r.chromosome, r.pos, okd.molecule_name;
