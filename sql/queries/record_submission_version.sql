-- One ingested object version and the submission its bytes belong to (idempotent).
INSERT INTO raw.submission_version (bucket, object_key, version_id, sha256, submission_id, stored_at, ordinal)
VALUES (:bucket, :key, :version_id, :sha256, :submission_id, :stored_at, :ordinal)
ON CONFLICT DO NOTHING
