-- compare: ordered
-- Grouped by the primary key inside a subquery, ranked outside.
SELECT transcript_id, gene_symbol, drug_count,
       dense_rank() OVER (ORDER BY drug_count DESC) AS drug_rank
FROM (SELECT c.transcript_id, c.gene_symbol, c.expression_fold_change, count(o.id) AS drug_count
      FROM cancer_transcript_base c
      JOIN opentargets_known_drugs o ON o.target_gene_id = c.gene_id
      GROUP BY c.transcript_id) per_transcript
WHERE expression_fold_change > 0
ORDER BY drug_rank, transcript_id;
