-- compare: ordered
-- sqlite: refused
-- SQLite has no column aliases on a FROM item: the CTE form is values_bands_join.sql.
SELECT v.symbol, count(c.transcript_id) AS transcripts
FROM (VALUES ('TP53'), ('EGFR'), ('KRAS'), ('MYC')) AS v(symbol)
LEFT JOIN cancer_transcript_base c ON c.gene_symbol = v.symbol
GROUP BY v.symbol
ORDER BY v.symbol;
