-- compare: ordered
SELECT transcript_id,
       PERCENT_RANK() OVER (ORDER BY expression_fold_change) AS pr,
       FIRST_VALUE(transcript_id) OVER (PARTITION BY gene_id ORDER BY expression_fold_change DESC, transcript_id) AS best_of_gene
FROM cancer_transcript_base
ORDER BY 1;
