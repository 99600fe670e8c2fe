-- What ingest recorded since a moment (a DAG run's start): accepted and rejected uploads.
SELECT count(*) FILTER (WHERE status = 'accepted') AS accepted,
       count(*) FILTER (WHERE status = 'rejected') AS rejected
FROM raw.submission
WHERE processed_at >= :since
