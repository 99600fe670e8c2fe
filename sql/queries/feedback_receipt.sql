-- The receipt of one upload for its feedback workbook: the upload as mart.v_submissions shows it, and the
-- version whose rows count for its agency and period in its system (for an upload whose system could not
-- be read, the counting version of each system). One row per counting version; one row with NULL
-- counting_* when none counts.
SELECT s.submission_id,
       s.object_key,
       s.sha256,
       s.received_at,
       s.agency_code,
       s.period,
       s.system,
       s.status,
       c.system        AS counting_system,
       c.submission_id AS counting_submission_id,
       c.object_key    AS counting_object_key,
       c.received_at   AS counting_received_at
FROM mart.v_submissions s
LEFT JOIN mart.v_latest_submissions c
       ON c.agency_code = s.agency_code AND c.period = s.period
      AND (c.system = s.system OR s.system IS NULL)
WHERE s.submission_id = :submission_id
ORDER BY c.system
