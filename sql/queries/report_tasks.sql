-- The real tasks of one period (mart.v_tasks), in a fixed order so two runs read the same rows.
SELECT *
FROM mart.v_tasks
WHERE period = :period
ORDER BY lead_agency_code NULLS LAST, deadline NULLS LAST, unified_task_id
