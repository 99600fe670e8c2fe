-- One migrator at a time: a transaction-level advisory lock on :key, released at commit.
SELECT pg_advisory_xact_lock(:key)
