-- Every agency's submission state for one period (the report, the reminders). A period nobody has
-- uploaded for is not in mart.v_compliance: then every agency is listed with nothing received
-- (not_submitted, missing), so a month without uploads reads "58 chưa nộp", never "0 đơn vị phải báo cáo".
SELECT a.agency_code,
       a.name                                              AS agency_name,
       a.kind                                              AS agency_kind,
       :period                                             AS period,
       coalesce(c.nq57_submitted, false)                   AS nq57_submitted,
       coalesce(c.nq71_submitted, false)                   AS nq71_submitted,
       coalesce(c.nq57_on_time, false)                     AS nq57_on_time,
       coalesce(c.nq71_on_time, false)                     AS nq71_on_time,
       coalesce(c.on_time, false)                          AS on_time,
       coalesce(c.late, false)                             AS late,
       coalesce(c.missing, true)                           AS missing,
       coalesce(c.nil_report, false)                       AS nil_report,
       c.nq57_received_at,
       c.nq71_received_at,
       coalesce(c.due_at, core.period_due_at(:period))     AS due_at,
       coalesce(c.submission_state, 'not_submitted')       AS submission_state,
       coalesce(c.nq57_state, 'not_submitted')             AS nq57_state,
       coalesce(c.nq71_state, 'not_submitted')             AS nq71_state,
       c.nq57_counting_received_at,
       c.nq71_counting_received_at,
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
ORDER BY a.agency_code
