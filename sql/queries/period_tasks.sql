-- One system's task rows that count for a period (mart.v_period_tasks), in code order: the dedupe input.
SELECT task_code, task_name, lead_agency_code, assigning_doc, doc_item, deadline_date, deadline_type,
       product, link_code
FROM mart.v_period_tasks
WHERE period = :period AND system = :system
ORDER BY task_code
