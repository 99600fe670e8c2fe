-- The upload behind one ledgered submission (for reprocessing).
SELECT bucket, object_key, version_id, size_bytes, received_at, agency_code, period,
       latest_upload_ordinal AS ordinal
FROM raw.submission
WHERE submission_id = :submission_id
