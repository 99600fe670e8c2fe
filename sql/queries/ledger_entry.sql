-- The judged submission one object version belongs to, if it was ingested already.
SELECT s.submission_id, s.status, s.system, s.task_count, s.indicator_count, s.error_count, s.warning_count,
       s.feedback_key
FROM raw.submission_version v
JOIN raw.submission s USING (submission_id)
WHERE v.bucket = :bucket AND v.object_key = :key AND v.version_id = :version_id
ORDER BY s.submission_id DESC
LIMIT 1
