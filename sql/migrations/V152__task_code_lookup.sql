-- Finding the owner of a task code (mart.v_task_reports) looks up every report of the code: index it.
CREATE INDEX task_code_lookup ON staging.task (task_code, submission_id) INCLUDE (lead_agency_code);
