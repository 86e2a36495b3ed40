-- compare: ordered
-- A CTE called g: the replacement's genes alias must not collide with it.
WITH g AS (
    SELECT gene_id, gene_symbol, AVG(expression_fold_change) AS avg_fc
    FROM cancer_transcript_base
    GROUP BY gene_id, gene_symbol
), ranked AS (
    SELECT *, RANK() OVER (ORDER BY avg_fc DESC, gene_symbol) AS r FROM g
)
SELECT gene_symbol, avg_fc, r FROM ranked WHERE r <= 10 ORDER BY r, gene_symbol;
