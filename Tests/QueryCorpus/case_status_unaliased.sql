-- compare: ordered
SELECT CASE WHEN expression_fold_change > 2 THEN 'up'
            WHEN expression_fold_change < 0.5 THEN 'down'
            ELSE 'flat' END,
       count(*), avg(expression_fold_change)
FROM cancer_transcript_base
GROUP BY 1
ORDER BY 1;
