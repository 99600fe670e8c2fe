-- One row per task per system per period, from the latest accepted submission of each agency
-- (before cross-system dedupe), with provenance back to the file, sheet and row.
CREATE VIEW mart.v_tasks WITH (security_invoker = true) AS
SELECT lower(l.system) || ':' || l.agency_code || ':' || t.task_code          AS unified_task_id,
       l.period,
       t.lead_agency_code,
       t.task_name,
       t.deadline_date                                                     AS deadline,
       t.deadline_type,
       t.status_code,
       t.status_derived,
       t.progress_pct,
       t.completed_on,
       CASE WHEN l.system = 'NQ57' THEN t.task_code ELSE t.link_code END   AS nq57_task_code,
       CASE WHEN l.system = 'NQ71' THEN t.task_code ELSE t.link_code END   AS nq71_task_code,
       false                                                               AS in_both_systems,
       false                                                               AS status_conflict,
       l.system,
       l.agency_code                                                       AS reporting_agency_code,
       t.assigning_doc,
       t.doc_item,
       t.product,
       t.task_group,
       l.submission_id,
       l.object_key,
       t.source_sheet,
       t.source_row
FROM mart.v_latest_submissions l
JOIN staging.task t USING (submission_id);
