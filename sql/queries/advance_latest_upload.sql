-- A newer version carrying a submission's bytes makes that submission the newest upload again (a revert).
UPDATE raw.submission
SET latest_upload_at = :stored_at, latest_upload_ordinal = :ordinal
WHERE submission_id = :submission_id
  AND (latest_upload_at, latest_upload_ordinal) < (:stored_at, :ordinal)
