-- How many uncertain NQ57-NQ71 pairs wait for a reviewer. :period NULL means every period.
SELECT count(*) AS n
FROM mart.v_review_queue
WHERE CAST(:period AS text) IS NULL OR period = :period
