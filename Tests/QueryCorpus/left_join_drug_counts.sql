-- compare: ordered
SELECT gene_symbol, COUNT(okd.id) AS drugs
FROM cancer_transcript_base c
LEFT JOIN opentargets_known_drugs okd ON okd.target_gene_id = c.gene_id
GROUP BY gene_symbol
ORDER BY gene_symbol;
