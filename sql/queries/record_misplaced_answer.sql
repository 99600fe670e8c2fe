-- One upload outside <agency>/<YYYY-MM>/ answered with the feedback workbook feedback_key. A version
-- answered twice (two runs racing) keeps its first record.
INSERT INTO raw.misplaced_upload (bucket, object_key, version_id, agency_code, size_bytes, sha256, received_at,
                                  rule, feedback_key)
VALUES (:bucket, :key, :version_id, :agency, :size, :sha256, :received_at, :rule, :feedback_key)
ON CONFLICT (bucket, object_key, version_id) DO NOTHING
