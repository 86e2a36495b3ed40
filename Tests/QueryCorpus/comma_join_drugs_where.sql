-- compare: unordered
-- The old comma join to the drugs table.
SELECT c.gene_symbol, o.molecule_name, c.expression_fold_change
FROM public.cancer_transcript_base AS c, opentargets_known_drugs AS o
WHERE c.gene_id = o.target_gene_id AND o.phase >= 3;
