-- Each system's task rows that count for a period: from the newest accepted submission of each
-- (agency, period, system). Where several agencies report the same task code, the lead agency's own
-- report wins. Provenance (submission, file, sheet, row) is kept.
CREATE VIEW mart.v_period_tasks WITH (security_invoker = true) AS
SELECT DISTINCT ON (l.period, l.system, t.task_code)
       l.period,
       l.system,
       t.task_code,
       t.link_code,
       t.task_name,
       t.assigning_doc,
       t.doc_item,
       t.lead_agency_code,
       t.deadline_date,
       t.deadline_type,
       t.product,
       t.status_code,
       t.status_derived,
       t.progress_pct,
       t.completed_on,
       t.task_group,
       l.agency_code AS reporting_agency_code,
       l.submission_id,
       l.object_key,
       t.source_sheet,
       t.source_row
FROM mart.v_latest_submissions l
JOIN staging.task t USING (submission_id)
ORDER BY l.period, l.system, t.task_code, (t.lead_agency_code = l.agency_code) DESC, l.received_at DESC;
