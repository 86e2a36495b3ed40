-- compare: ordered
-- SELECT * becomes the columns with a v0.6 home; compared on those.
SELECT * FROM cancer_transcript_base WHERE gene_symbol = 'TP53' ORDER BY transcript_id;
