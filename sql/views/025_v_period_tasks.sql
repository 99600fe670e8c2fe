-- Each system's task rows that count for a period: one per task code, from the newest accepted upload
-- of the code's owner (mart.v_task_reports: the agency that first reported the code naming itself
-- lead). Another agency's report of an owned code never counts here, whatever lead it names: it is
-- listed in mart.v_task_code_claims and `contested` is true. A code nobody has claimed as lead (only
-- partners report it) counts from its newest report. Provenance (submission, file, sheet, row) is kept.
CREATE VIEW mart.v_period_tasks WITH (security_invoker = true) AS
SELECT DISTINCT ON (r.period, r.system, r.task_code)
       r.period,
       r.system,
       r.task_code,
       r.link_code,
       r.task_name,
       r.assigning_doc,
       r.doc_item,
       r.lead_agency_code,
       r.deadline_date,
       r.deadline_type,
       r.product,
       r.status_code,
       r.status_derived,
       r.progress_pct,
       r.completed_on,
       r.task_group,
       r.results,
       r.difficulties,
       r.recommendations,
       r.reporting_agency_code,
       r.submission_id,
       r.object_key,
       r.source_sheet,
       r.source_row,
       r.owner_agency_code,
       EXISTS (
           SELECT 1 FROM mart.v_task_reports x
           WHERE x.period = r.period AND x.system = r.system AND x.task_code = r.task_code
             AND x.reporting_agency_code <> r.reporting_agency_code
       ) AS contested
FROM mart.v_task_reports r
WHERE r.owner_agency_code IS NULL OR r.reporting_agency_code = r.owner_agency_code
ORDER BY r.period, r.system, r.task_code, r.latest_upload_at DESC, r.latest_upload_ordinal DESC, r.submission_id DESC;

COMMENT ON VIEW mart.v_period_tasks IS
    'One row per system, task code and period: the task row that counts, from the newest accepted upload of the '
    'code''s owner (or of any reporting agency for a code nobody owns).';
SELECT core.copy_column_comments('mart.v_task_reports', 'mart.v_period_tasks');
COMMENT ON COLUMN mart.v_period_tasks.contested IS 'Another agency also reported this task code in the period (see mart.v_task_code_claims).';
