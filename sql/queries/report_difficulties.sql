-- Difficulties and recommendations written in the counting submissions of one period, with where each
-- was written (file, sheet, row). Both systems' rows are read: the report merges identical texts.
SELECT l.agency_code        AS reporting_agency_code,
       l.system,
       l.object_key,
       t.source_sheet,
       t.source_row,
       t.task_code,
       t.task_name,
       t.lead_agency_code,
       t.task_group,
       t.difficulties,
       t.recommendations
FROM mart.v_latest_submissions l
JOIN staging.task t USING (submission_id)
WHERE l.period = :period
  AND (nullif(btrim(t.difficulties), '') IS NOT NULL OR nullif(btrim(t.recommendations), '') IS NOT NULL)
ORDER BY l.agency_code, l.system, t.source_row
