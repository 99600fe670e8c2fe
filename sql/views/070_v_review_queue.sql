-- Candidate NQ57 <-> NQ71 pairs a reviewer still has to decide (nq57 review export writes them to Excel).
CREATE VIEW mart.v_review_queue WITH (security_invoker = true) AS
SELECT q.period, q.lead_agency_code, q.nq57_task_code, q.nq71_task_code, q.score, q.evidence
FROM core.review_queue q
WHERE NOT EXISTS (
    SELECT 1 FROM core.task_crosswalk c
    WHERE c.nq57_task_code = q.nq57_task_code AND c.nq71_task_code = q.nq71_task_code
);
