-- (object_key, version_id) of every object version already ingested from one bucket.
SELECT object_key, version_id
FROM raw.submission_version
WHERE bucket = :bucket
