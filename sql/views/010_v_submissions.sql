-- One row per received upload (every version). is_latest marks the newest accepted version of
-- (agency, period, system): that one's rows are the agency's report. On time = received before
-- core.period_due_at(period): 00:00 on the 21st of the month after the period, Vietnam time.
CREATE VIEW mart.v_submissions WITH (security_invoker = true) AS
WITH ranked AS (
    SELECT s.*,
           row_number() OVER (
               PARTITION BY s.agency_code, s.period, s.system, (s.status = 'accepted')
               ORDER BY s.received_at DESC, s.submission_id DESC
           ) AS accepted_rank
    FROM raw.submission s
)
SELECT submission_id,
       agency_code,
       period,
       system,
       object_key,
       version_id,
       sha256,
       received_at,
       coalesce(received_at < core.period_due_at(period), false) AS on_time,
       (status = 'accepted' AND accepted_rank = 1) AS is_latest,
       status,
       error_count,
       warning_count,
       task_count,
       indicator_count,
       nil_report,
       feedback_key
FROM ranked;
