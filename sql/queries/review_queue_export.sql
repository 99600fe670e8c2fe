-- The open review queue of one period (:period), each pair with both tasks as the agencies wrote them,
-- for `nq57 review export`.
SELECT q.period, q.lead_agency_code, q.nq57_task_code, q.nq71_task_code, q.score, q.evidence,
       a.task_name AS name57, a.deadline_date AS deadline57, a.assigning_doc AS doc57, a.doc_item AS item57,
       b.task_name AS name71, b.deadline_date AS deadline71, b.assigning_doc AS doc71, b.doc_item AS item71
FROM mart.v_review_queue q
LEFT JOIN mart.v_period_tasks a ON a.period = q.period AND a.system = 'NQ57' AND a.task_code = q.nq57_task_code
LEFT JOIN mart.v_period_tasks b ON b.period = q.period AND b.system = 'NQ71' AND b.task_code = q.nq71_task_code
WHERE q.period = :period
ORDER BY q.lead_agency_code, q.score DESC, q.nq57_task_code
