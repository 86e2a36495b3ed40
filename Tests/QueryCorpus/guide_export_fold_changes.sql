-- compare: unordered
-- sqlite: refused
-- The second guide's export of a patient's fold changes (step 3.1), a COPY of a query.
COPY (
    SELECT
        transcript_id,
        expression_fold_change as cancer_fold
    FROM cancer_transcript_base
    WHERE expression_fold_change != 1.0  -- Only non-baseline
) TO STDOUT WITH CSV HEADER;
