-- One row per received upload (every version). is_latest marks the newest accepted version of
-- (agency, period, system): that one's rows are the agency's report. On time = received before
-- core.period_due_at(period): 00:00 on the 21st of the month after the period, Vietnam time.
-- submission_state is one of accepted_on_time | accepted_late | rejected | received (not yet judged);
-- a rejected upload says why (first_error, error_count) and which version counts instead
-- (counting_submission_id / counting_received_at: the newest accepted version, NULL when there is none).
CREATE VIEW mart.v_submissions WITH (security_invoker = true) AS
WITH ranked AS (
    SELECT s.*,
           row_number() OVER (
               PARTITION BY s.agency_code, s.period, s.system, (s.status = 'accepted')
               ORDER BY s.received_at DESC, s.submission_id DESC
           ) AS accepted_rank
    FROM raw.submission s
),
counting AS (
    SELECT agency_code, period, system, submission_id, received_at
    FROM ranked
    WHERE status = 'accepted' AND accepted_rank = 1
),
first_error AS (
    SELECT DISTINCT ON (submission_id) submission_id, message
    FROM raw.submission_issue
    WHERE severity = 'error'
    ORDER BY submission_id, seq
)
SELECT r.submission_id,
       r.agency_code,
       r.period,
       r.system,
       r.object_key,
       r.version_id,
       r.sha256,
       r.received_at,
       coalesce(r.received_at < core.period_due_at(r.period), false) AS on_time,
       (r.status = 'accepted' AND r.accepted_rank = 1) AS is_latest,
       r.status,
       r.error_count,
       r.warning_count,
       r.task_count,
       r.indicator_count,
       r.nil_report,
       r.feedback_key,
       CASE r.status
           WHEN 'accepted' THEN CASE WHEN r.received_at < core.period_due_at(r.period)
                                     THEN 'accepted_on_time' ELSE 'accepted_late' END
           ELSE r.status
       END AS submission_state,
       e.message AS first_error,
       c.submission_id AS counting_submission_id,
       c.received_at AS counting_received_at
FROM ranked r
LEFT JOIN first_error e ON e.submission_id = r.submission_id
LEFT JOIN counting c ON c.agency_code = r.agency_code AND c.period = r.period AND c.system = r.system;
