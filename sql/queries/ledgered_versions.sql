-- (object_key, version_id) of every upload already in the ledger for one bucket.
SELECT object_key, version_id
FROM raw.submission
WHERE bucket = :bucket
