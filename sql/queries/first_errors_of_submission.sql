-- The first :limit errors reported on one submission, in the order reported.
SELECT sheet, row_number, column_ref, message
FROM raw.submission_issue
WHERE submission_id = :submission_id AND severity = 'error'
ORDER BY seq
LIMIT :limit
