-- One ingest of a key at a time, until the transaction ends: deciding whether bytes are new and recording
-- them must not interleave with another ingest of the same key.
SELECT pg_advisory_xact_lock(hashtextextended(:bucket || '/' || :key, 57))
