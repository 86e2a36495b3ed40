-- compare: ordered
-- Each transcript against its gene's mean: the inner legacy table is a second one.
SELECT c1.transcript_id,
       c1.expression_fold_change - (SELECT AVG(c2.expression_fold_change)
                                    FROM cancer_transcript_base c2
                                    WHERE c2.gene_id = c1.gene_id) AS delta
FROM cancer_transcript_base c1
ORDER BY c1.transcript_id;
