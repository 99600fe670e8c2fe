-- The ledger row of one object version, if it was judged already (newest row first: the same version
-- re-read with other bytes is a new row).
SELECT submission_id, status, system, task_count, indicator_count, error_count, warning_count, feedback_key
FROM raw.submission
WHERE bucket = :bucket AND object_key = :key AND version_id = :version_id AND status IS NOT NULL
ORDER BY submission_id DESC
LIMIT 1
