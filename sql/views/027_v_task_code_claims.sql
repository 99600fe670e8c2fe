-- Reports of a task code by an agency other than its owner (issue 17 item 5), for MoST to follow up:
-- one row per such task row in a newest accepted upload, with the owner, the lead the report names
-- and whether it names itself. These rows never count in mart.v_period_tasks, mart.v_tasks or the
-- report. Codes no agency owns yet appear here when more than one agency reports them in a period.
CREATE VIEW mart.v_task_code_claims WITH (security_invoker = true) AS
SELECT r.period,
       r.system,
       r.task_code,
       r.owner_agency_code,
       o.name AS owner_agency_name,
       r.reporting_agency_code,
       a.name AS reporting_agency_name,
       r.lead_agency_code,
       r.lead_agency_code = r.reporting_agency_code AS names_itself_lead,
       r.task_name,
       r.status_code,
       core.label_of('task_status', r.status_code) AS status_label,
       r.submission_id,
       r.object_key,
       r.source_sheet,
       r.source_row
FROM mart.v_task_reports r
LEFT JOIN core.agency o ON o.agency_code = r.owner_agency_code
LEFT JOIN core.agency a ON a.agency_code = r.reporting_agency_code
WHERE (r.owner_agency_code IS NOT NULL AND r.reporting_agency_code <> r.owner_agency_code)
   OR (r.owner_agency_code IS NULL AND EXISTS (
           SELECT 1 FROM mart.v_task_reports x
           WHERE x.period = r.period AND x.system = r.system AND x.task_code = r.task_code
             AND x.reporting_agency_code <> r.reporting_agency_code));

COMMENT ON VIEW mart.v_task_code_claims IS
    'One row per task row in a counting upload that reports a task code another agency owns (or a code several '
    'agencies report and nobody owns): reports that never count, for MoST to follow up.';
SELECT core.copy_column_comments('mart.v_task_reports', 'mart.v_task_code_claims');
COMMENT ON COLUMN mart.v_task_code_claims.owner_agency_name IS 'Name of the agency that owns the task code.';
COMMENT ON COLUMN mart.v_task_code_claims.reporting_agency_name IS 'Name of the agency whose upload holds the row.';
COMMENT ON COLUMN mart.v_task_code_claims.names_itself_lead IS 'The reporting agency names itself lead of a code another agency owns.';
COMMENT ON COLUMN mart.v_task_code_claims.status_label IS 'The reported status in Vietnamese.';
