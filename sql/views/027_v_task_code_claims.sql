-- Reports of a task code by an agency other than its owner (issue 17 item 5), for MoST to follow up:
-- one row per such task row in a newest accepted upload, with the owner, the lead the report names
-- and whether it names itself. These rows never count in mart.v_period_tasks, mart.v_tasks or the
-- report. Codes no agency owns yet appear here when more than one agency reports them in a period.
CREATE VIEW mart.v_task_code_claims WITH (security_invoker = true) AS
SELECT r.period,
       r.system,
       r.task_code,
       r.owner_agency_code,
       r.reporting_agency_code,
       r.lead_agency_code,
       r.lead_agency_code = r.reporting_agency_code AS names_itself_lead,
       r.task_name,
       r.status_code,
       r.submission_id,
       r.object_key,
       r.source_sheet,
       r.source_row
FROM mart.v_task_reports r
WHERE (r.owner_agency_code IS NOT NULL AND r.reporting_agency_code <> r.owner_agency_code)
   OR (r.owner_agency_code IS NULL AND EXISTS (
           SELECT 1 FROM mart.v_task_reports x
           WHERE x.period = r.period AND x.system = r.system AND x.task_code = r.task_code
             AND x.reporting_agency_code <> r.reporting_agency_code));
