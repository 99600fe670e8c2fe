-- One row per agency and period: how each system's report stands and how the agency stands overall.
-- Periods are those anyone has uploaded for (core.reported_periods() sees past row-level security, so
-- an agency's BI login still sees the periods it has not reported for, as missing).
--
-- Per system (nq57_*, nq71_*): state is one of
--   on_time        an accepted report (nil reports included) first received before 00:00 on the 21st of
--                  the next month, Vietnam time (core.period_due_at)
--   late           an accepted report, first received after that
--   rejected       uploads received, none accepted (a file whose system could not be read counts for
--                  every system that has no upload of its own)
--   not_submitted  nothing received
-- submitted = an accepted report exists; received_at = when the first accepted one arrived;
-- counting_received_at = the version whose rows count (the newest accepted). rejected_at, rejected_errors,
-- rejection_reason (first error) and rejected_feedback_key describe the newest rejected upload that came
-- after the counting version (or, with no accepted report, the newest rejected upload): when an accepted
-- report is followed by a rejected correction, the earlier version still counts and these say so.
--
-- submission_state sorts every agency into exactly one of: on_time (both systems on time), late (both
-- accepted, at least one late), rejected (not complete, at least one system only rejected), partial (one
-- system accepted, nothing received for the other), not_submitted (nothing received for either).
-- The flags on_time / late / missing / nil_report are kept for BI; late and missing may both be true.
CREATE VIEW mart.v_compliance WITH (security_invoker = true) AS
WITH periods AS (
    SELECT period FROM core.reported_periods()
),
systems (system) AS (
    VALUES ('NQ57'), ('NQ71')
),
accepted AS (
    SELECT agency_code, period, system,
           min(received_at)                                 AS first_received_at,
           bool_or(on_time)                                 AS on_time,
           bool_or(nil_report AND is_latest)                AS nil_report,
           max(received_at) FILTER (WHERE is_latest)        AS counting_received_at,
           max(submission_id) FILTER (WHERE is_latest)      AS counting_submission_id,
           max(latest_upload_at) FILTER (WHERE is_latest)   AS counting_upload_at,
           max(latest_upload_ordinal) FILTER (WHERE is_latest) AS counting_upload_ordinal
    FROM mart.v_submissions
    WHERE status = 'accepted'
    GROUP BY agency_code, period, system
),
known AS (
    SELECT DISTINCT agency_code, period, system FROM mart.v_submissions WHERE system IS NOT NULL
),
rejected AS (
    SELECT DISTINCT ON (agency_code, period, system)
           agency_code, period, system, submission_id, received_at, latest_upload_at, latest_upload_ordinal,
           error_count, first_error, feedback_key
    FROM mart.v_submissions
    WHERE status = 'rejected'
    ORDER BY agency_code, period, system, latest_upload_at DESC, latest_upload_ordinal DESC, submission_id DESC
),
per_system AS (
    SELECT a.agency_code, p.period, y.system,
           acc.first_received_at, acc.on_time, acc.nil_report, acc.counting_received_at,
           rej.received_at AS rejected_at, rej.error_count AS rejected_errors, rej.first_error AS rejection_reason,
           rej.feedback_key AS rejected_feedback_key,
           CASE WHEN acc.agency_code IS NOT NULL THEN CASE WHEN acc.on_time THEN 'on_time' ELSE 'late' END
                WHEN rej.agency_code IS NOT NULL THEN 'rejected'
                ELSE 'not_submitted' END AS state
    FROM core.agency a
    CROSS JOIN periods p
    CROSS JOIN systems y
    LEFT JOIN accepted acc ON acc.agency_code = a.agency_code AND acc.period = p.period AND acc.system = y.system
    LEFT JOIN known k ON k.agency_code = a.agency_code AND k.period = p.period AND k.system = y.system
    LEFT JOIN rejected rej
           ON rej.agency_code = a.agency_code AND rej.period = p.period
          AND (rej.system = y.system OR (rej.system IS NULL AND k.agency_code IS NULL))
          AND (acc.agency_code IS NULL
               OR (rej.latest_upload_at, rej.latest_upload_ordinal, rej.submission_id)
                  > (acc.counting_upload_at, acc.counting_upload_ordinal, acc.counting_submission_id))
)
SELECT a.agency_code,
       a.name                                                   AS agency_name,
       a.kind                                                   AS agency_kind,
       p.period,
       n57.state IN ('on_time', 'late')                         AS nq57_submitted,
       n71.state IN ('on_time', 'late')                         AS nq71_submitted,
       n57.state = 'on_time'                                    AS nq57_on_time,
       n71.state = 'on_time'                                    AS nq71_on_time,
       n57.state = 'on_time' AND n71.state = 'on_time'          AS on_time,
       n57.state = 'late' OR n71.state = 'late'                 AS late,
       n57.state NOT IN ('on_time', 'late') OR n71.state NOT IN ('on_time', 'late') AS missing,
       coalesce(n57.nil_report, false) OR coalesce(n71.nil_report, false)        AS nil_report,
       n57.first_received_at                                    AS nq57_received_at,
       n71.first_received_at                                    AS nq71_received_at,
       core.period_due_at(p.period)                             AS due_at,
       o.state                                                  AS submission_state,
       core.label_of('agency_state', o.state)                   AS submission_state_label,
       n57.state                                                AS nq57_state,
       n71.state                                                AS nq71_state,
       core.label_of('system_state', n57.state)                 AS nq57_state_label,
       core.label_of('system_state', n71.state)                 AS nq71_state_label,
       n57.counting_received_at                                 AS nq57_counting_received_at,
       n71.counting_received_at                                 AS nq71_counting_received_at,
       n57.rejected_at                                          AS nq57_rejected_at,
       n71.rejected_at                                          AS nq71_rejected_at,
       n57.rejected_errors                                      AS nq57_rejected_errors,
       n71.rejected_errors                                      AS nq71_rejected_errors,
       n57.rejection_reason                                     AS nq57_rejection_reason,
       n71.rejection_reason                                     AS nq71_rejection_reason,
       n57.rejected_feedback_key                                AS nq57_rejected_feedback_key,
       n71.rejected_feedback_key                                AS nq71_rejected_feedback_key
FROM core.agency a
CROSS JOIN periods p
JOIN per_system n57 ON n57.agency_code = a.agency_code AND n57.period = p.period AND n57.system = 'NQ57'
JOIN per_system n71 ON n71.agency_code = a.agency_code AND n71.period = p.period AND n71.system = 'NQ71'
CROSS JOIN LATERAL (
    SELECT CASE WHEN n57.state IN ('on_time', 'late') AND n71.state IN ('on_time', 'late')
                     THEN CASE WHEN n57.state = 'on_time' AND n71.state = 'on_time' THEN 'on_time' ELSE 'late' END
                WHEN n57.state = 'rejected' OR n71.state = 'rejected' THEN 'rejected'
                WHEN n57.state = 'not_submitted' AND n71.state = 'not_submitted' THEN 'not_submitted'
                ELSE 'partial'
           END AS state
) o;

COMMENT ON VIEW mart.v_compliance IS
    'One row per agency of the reference list and period anyone uploaded for: how each system''s report stands and '
    'one overall state, the categories exclusive so they add up to the agency count. Deadline: 00:00 on the 21st '
    'of the month after the period, Vietnam time.';
COMMENT ON COLUMN mart.v_compliance.agency_code IS 'Agency of the reference list.';
COMMENT ON COLUMN mart.v_compliance.agency_name IS 'Name of the agency.';
COMMENT ON COLUMN mart.v_compliance.agency_kind IS 'ministry, agency (ministry-level or Government body) or province.';
COMMENT ON COLUMN mart.v_compliance.period IS 'Reporting period YYYY-MM.';
COMMENT ON COLUMN mart.v_compliance.nq57_submitted IS 'An accepted NQ57 report exists.';
COMMENT ON COLUMN mart.v_compliance.nq71_submitted IS 'An accepted NQ71 report exists.';
COMMENT ON COLUMN mart.v_compliance.nq57_on_time IS 'The accepted NQ57 report was first received before the deadline.';
COMMENT ON COLUMN mart.v_compliance.nq71_on_time IS 'The accepted NQ71 report was first received before the deadline.';
COMMENT ON COLUMN mart.v_compliance.on_time IS 'Both systems'' reports accepted and on time.';
COMMENT ON COLUMN mart.v_compliance.late IS 'At least one system''s accepted report came after the deadline.';
COMMENT ON COLUMN mart.v_compliance.missing IS 'At least one system has no accepted report.';
COMMENT ON COLUMN mart.v_compliance.nil_report IS 'A counting report declares that the agency had no task to report.';
COMMENT ON COLUMN mart.v_compliance.nq57_received_at IS 'When the first accepted NQ57 report arrived.';
COMMENT ON COLUMN mart.v_compliance.nq71_received_at IS 'When the first accepted NQ71 report arrived.';
COMMENT ON COLUMN mart.v_compliance.due_at IS 'Deadline of the period: 00:00 on the 21st of the next month, Vietnam time.';
COMMENT ON COLUMN mart.v_compliance.submission_state IS 'on_time (both systems on time), late (both accepted, one late), rejected (not complete, a system only rejected), partial (one system missing), not_submitted.';
COMMENT ON COLUMN mart.v_compliance.submission_state_label IS 'submission_state in Vietnamese, as the monthly report writes it.';
COMMENT ON COLUMN mart.v_compliance.nq57_state IS 'NQ57 report: on_time, late, rejected (uploads received, none accepted) or not_submitted.';
COMMENT ON COLUMN mart.v_compliance.nq71_state IS 'NQ71 report: on_time, late, rejected (uploads received, none accepted) or not_submitted.';
COMMENT ON COLUMN mart.v_compliance.nq57_state_label IS 'nq57_state in Vietnamese.';
COMMENT ON COLUMN mart.v_compliance.nq71_state_label IS 'nq71_state in Vietnamese.';
COMMENT ON COLUMN mart.v_compliance.nq57_counting_received_at IS 'When the NQ57 version whose rows count (the newest accepted) arrived.';
COMMENT ON COLUMN mart.v_compliance.nq71_counting_received_at IS 'When the NQ71 version whose rows count (the newest accepted) arrived.';
COMMENT ON COLUMN mart.v_compliance.nq57_rejected_at IS 'When the newest rejected NQ57 upload after the counting version arrived (or the newest, with none accepted).';
COMMENT ON COLUMN mart.v_compliance.nq71_rejected_at IS 'When the newest rejected NQ71 upload after the counting version arrived (or the newest, with none accepted).';
COMMENT ON COLUMN mart.v_compliance.nq57_rejected_errors IS 'Errors found in that rejected NQ57 upload.';
COMMENT ON COLUMN mart.v_compliance.nq71_rejected_errors IS 'Errors found in that rejected NQ71 upload.';
COMMENT ON COLUMN mart.v_compliance.nq57_rejection_reason IS 'First error of that rejected NQ57 upload, in Vietnamese.';
COMMENT ON COLUMN mart.v_compliance.nq71_rejection_reason IS 'First error of that rejected NQ71 upload, in Vietnamese.';
COMMENT ON COLUMN mart.v_compliance.nq57_rejected_feedback_key IS 'Feedback workbook of that rejected NQ57 upload (bucket nq57-feedback).';
COMMENT ON COLUMN mart.v_compliance.nq71_rejected_feedback_key IS 'Feedback workbook of that rejected NQ71 upload (bucket nq57-feedback).';
