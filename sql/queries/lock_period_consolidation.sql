-- One consolidation of a period at a time (issue 17 item 8): a transaction-level advisory lock keyed on
-- the period, held until the consolidating transaction ends. A second consolidation of the same period
-- waits here (bounded by lock_timeout) and then works on what the first one committed.
SELECT pg_advisory_xact_lock(hashtextextended('nq57.consolidate:' || :period, 0))
