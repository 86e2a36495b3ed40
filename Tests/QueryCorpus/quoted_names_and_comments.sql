-- compare: ordered
-- expression_fold_change in a comment stays as it is
SELECT "gene_symbol" AS "Gene", expression_fold_change AS "FC" /* the patient's value: expression_fold_change */
FROM public.cancer_transcript_base
WHERE 'expression_fold_change' <> gene_symbol   -- a string is not a column
  AND expression_fold_change > 4
ORDER BY "FC" DESC, 1;
