-- The submission that already holds these bytes under this key (the first, should a warehouse from before
-- content identity hold several).
SELECT submission_id, status, system, task_count, indicator_count, error_count, warning_count, feedback_key
FROM raw.submission
WHERE bucket = :bucket AND object_key = :key AND sha256 = :sha256
ORDER BY submission_id
LIMIT 1
