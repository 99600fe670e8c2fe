-- Candidate NQ57 <-> NQ71 pairs a reviewer still has to decide (nq57 review export writes them to Excel).
CREATE VIEW mart.v_review_queue WITH (security_invoker = true) AS
SELECT q.period, q.lead_agency_code, a.name AS lead_agency_name, q.nq57_task_code, q.nq71_task_code, q.score,
       q.evidence
FROM core.review_queue q
LEFT JOIN core.agency a ON a.agency_code = q.lead_agency_code
WHERE NOT EXISTS (
    SELECT 1 FROM core.task_crosswalk c
    WHERE c.nq57_task_code = q.nq57_task_code AND c.nq71_task_code = q.nq71_task_code
);

COMMENT ON VIEW mart.v_review_queue IS
    'One row per candidate pair of an NQ57 task and an NQ71 task that a reviewer still has to decide (score between '
    'the two thresholds); nq57 review export writes them to Excel.';
COMMENT ON COLUMN mart.v_review_queue.period IS 'Reporting period YYYY-MM.';
COMMENT ON COLUMN mart.v_review_queue.lead_agency_code IS 'Lead agency of both tasks.';
COMMENT ON COLUMN mart.v_review_queue.lead_agency_name IS 'Name of the lead agency.';
COMMENT ON COLUMN mart.v_review_queue.nq57_task_code IS 'Code of the candidate task in the NQ57 system.';
COMMENT ON COLUMN mart.v_review_queue.nq71_task_code IS 'Code of the candidate task in the NQ71 system.';
COMMENT ON COLUMN mart.v_review_queue.score IS 'Similarity score from 0 to 1.';
COMMENT ON COLUMN mart.v_review_queue.evidence IS 'Per-feature evidence of the score (JSON).';
