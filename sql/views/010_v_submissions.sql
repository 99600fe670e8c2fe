-- One row per received upload (its bytes under its key: the same bytes uploaded again are the same row).
-- is_latest marks the newest accepted upload of (agency, period, system), in the store's version order: that one's rows are the agency's report. On time = received before
-- core.period_due_at(period): 00:00 on the 21st of the month after the period, Vietnam time.
-- submission_state is one of accepted_on_time | accepted_late | rejected | received (not yet judged);
-- a rejected upload says why (first_error, error_count) and which version counts instead
-- (counting_submission_id / counting_received_at: the newest accepted version, NULL when there is none).
CREATE VIEW mart.v_submissions WITH (security_invoker = true) AS
WITH ranked AS (
    SELECT s.*,
           row_number() OVER (
               PARTITION BY s.agency_code, s.period, s.system, (s.status = 'accepted')
               ORDER BY s.latest_upload_at DESC, s.latest_upload_ordinal DESC, s.submission_id DESC
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
       a.name AS agency_name,
       r.period,
       r.system,
       r.object_key,
       r.version_id,
       r.sha256,
       r.received_at,
       r.latest_upload_at,
       r.latest_upload_ordinal,
       coalesce(r.received_at < core.period_due_at(r.period), false) AS on_time,
       (r.status = 'accepted' AND r.accepted_rank = 1) AS is_latest,
       r.status,
       core.label_of('upload_status', r.status) AS status_label,
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
       core.label_of('upload_state', CASE r.status
           WHEN 'accepted' THEN CASE WHEN r.received_at < core.period_due_at(r.period)
                                     THEN 'accepted_on_time' ELSE 'accepted_late' END
           ELSE r.status
       END) AS submission_state_label,
       e.message AS first_error,
       c.submission_id AS counting_submission_id,
       c.received_at AS counting_received_at
FROM ranked r
LEFT JOIN core.agency a ON a.agency_code = r.agency_code
LEFT JOIN first_error e ON e.submission_id = r.submission_id
LEFT JOIN counting c ON c.agency_code = r.agency_code AND c.period = r.period AND c.system = r.system;

COMMENT ON VIEW mart.v_submissions IS
    'One row per upload received (each distinct content under a key of nq57-submissions/<agency>/<YYYY-MM>/; the '
    'same bytes stored again are the same row), judged or not: '
    'its verdict, whether it arrived before the deadline, and which version counts for its agency, period and system.';
COMMENT ON COLUMN mart.v_submissions.submission_id IS 'Ledger id of the upload (raw.submission); nq57 reprocess takes it.';
COMMENT ON COLUMN mart.v_submissions.agency_code IS 'Uploading agency: the code of its folder in the bucket.';
COMMENT ON COLUMN mart.v_submissions.agency_name IS 'Name of the uploading agency (reference list).';
COMMENT ON COLUMN mart.v_submissions.period IS 'Reporting period YYYY-MM: the month reported on, from the upload folder.';
COMMENT ON COLUMN mart.v_submissions.system IS 'Source system the file reports on: NQ57 or NQ71; NULL when the file could not be read.';
COMMENT ON COLUMN mart.v_submissions.object_key IS 'Object key in bucket nq57-submissions: <agency>/<YYYY-MM>/<file name>.';
COMMENT ON COLUMN mart.v_submissions.version_id IS 'Object version id in the store (null on an unversioned store).';
COMMENT ON COLUMN mart.v_submissions.sha256 IS 'SHA-256 of the uploaded bytes (hex), also printed in the feedback workbook.';
COMMENT ON COLUMN mart.v_submissions.received_at IS 'When the store first received these bytes under this key (decides on time or late).';
COMMENT ON COLUMN mart.v_submissions.latest_upload_at IS 'When the newest version carrying these bytes was stored (later uploads count over earlier ones).';
COMMENT ON COLUMN mart.v_submissions.latest_upload_ordinal IS 'Position of that version among its key''s versions in the store (orders uploads stored in the same second).';
COMMENT ON COLUMN mart.v_submissions.on_time IS 'Received before 00:00 on the 21st of the month after the period, Vietnam time (core.period_due_at).';
COMMENT ON COLUMN mart.v_submissions.is_latest IS 'The newest accepted version of its agency, period and system: the one whose rows count.';
COMMENT ON COLUMN mart.v_submissions.status IS 'Verdict: accepted, rejected, or received (not judged yet).';
COMMENT ON COLUMN mart.v_submissions.status_label IS 'The verdict in Vietnamese.';
COMMENT ON COLUMN mart.v_submissions.error_count IS 'Findings that reject the file (severity error).';
COMMENT ON COLUMN mart.v_submissions.warning_count IS 'Findings reported without rejecting the file (severity warning).';
COMMENT ON COLUMN mart.v_submissions.task_count IS 'Task rows loaded (0 for a rejected file).';
COMMENT ON COLUMN mart.v_submissions.indicator_count IS 'Indicator rows loaded (0 for a rejected file).';
COMMENT ON COLUMN mart.v_submissions.nil_report IS 'The agency declared that it had no task to report this period (khong_phat_sinh).';
COMMENT ON COLUMN mart.v_submissions.feedback_key IS 'Key of the feedback workbook sent for this upload in bucket nq57-feedback.';
COMMENT ON COLUMN mart.v_submissions.submission_state IS 'accepted_on_time, accepted_late, rejected, or received (not judged yet).';
COMMENT ON COLUMN mart.v_submissions.submission_state_label IS 'submission_state in Vietnamese.';
COMMENT ON COLUMN mart.v_submissions.first_error IS 'The first finding that rejects the file, in Vietnamese as the agency read it.';
COMMENT ON COLUMN mart.v_submissions.counting_submission_id IS 'The version whose rows count for this agency, period and system (the newest accepted one); NULL when none is accepted.';
COMMENT ON COLUMN mart.v_submissions.counting_received_at IS 'When the counting version was received.';
