-- Uploads whose verdict is recorded but whose feedback workbook was never written (e.g. the run failed
-- between the two): the next ingest run writes it.
SELECT bucket, object_key, version_id, size_bytes, received_at, agency_code, period,
       latest_upload_ordinal AS ordinal
FROM raw.submission
WHERE bucket = :bucket AND status IS NOT NULL AND feedback_key IS NULL
ORDER BY received_at, submission_id
