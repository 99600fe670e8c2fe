-- Agencies without an accepted report for one or both systems of :period (reminders). A period nobody
-- has uploaded for is not in mart.v_compliance: the agency dimension is the left side, so such a period
-- lists every agency as missing both systems. Per system: its state (not_submitted / rejected / on_time /
-- late) and, for a rejected one, when the newest rejected file arrived, its error count, first error and
-- feedback workbook.
SELECT a.agency_code,
       a.name                                          AS agency_name,
       a.kind                                          AS agency_kind,
       coalesce(c.nq57_submitted, false)               AS nq57_submitted,
       coalesce(c.nq71_submitted, false)               AS nq71_submitted,
       coalesce(c.nil_report, false)                   AS nil_report,
       coalesce(c.due_at, core.period_due_at(:period)) AS due_at,
       coalesce(c.nq57_state, 'not_submitted')         AS nq57_state,
       coalesce(c.nq71_state, 'not_submitted')         AS nq71_state,
       c.nq57_rejected_at,
       c.nq71_rejected_at,
       c.nq57_rejected_errors,
       c.nq71_rejected_errors,
       c.nq57_rejection_reason,
       c.nq71_rejection_reason,
       c.nq57_rejected_feedback_key,
       c.nq71_rejected_feedback_key
FROM core.agency a
LEFT JOIN mart.v_compliance c ON c.agency_code = a.agency_code AND c.period = :period
WHERE c.missing IS DISTINCT FROM false
ORDER BY a.agency_code
