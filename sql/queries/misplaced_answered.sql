-- (object_key, version_id) of every upload outside <agency>/<YYYY-MM>/ already answered in one bucket.
SELECT object_key, version_id
FROM raw.misplaced_upload
WHERE bucket = :bucket
