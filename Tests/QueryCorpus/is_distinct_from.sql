-- compare: unordered
SELECT COUNT(*) FROM cancer_transcript_base WHERE expression_fold_change IS DISTINCT FROM 1.0;
