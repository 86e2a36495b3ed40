-- compare: ordered
SELECT transcript_id,
       CASE gene_type WHEN 'protein_coding' THEN 'pc' WHEN 'lncRNA' THEN 'lnc' ELSE 'other' END AS kind
FROM cancer_transcript_base
ORDER BY 1;
