-- compare: ordered
SELECT s.gene_id, s.mean_fc, o.molecule_name
FROM (SELECT gene_id, AVG(expression_fold_change) AS mean_fc
      FROM cancer_transcript_base
      GROUP BY gene_id) s
JOIN opentargets_known_drugs o ON o.target_gene_id = s.gene_id
ORDER BY s.gene_id, o.molecule_name;
