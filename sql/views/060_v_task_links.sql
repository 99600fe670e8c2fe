-- One row per NQ57 <-> NQ71 link found for a period, with how it was made (code / crosswalk / score /
-- review), its score and the per-feature evidence that explains it.
CREATE VIEW mart.v_task_links WITH (security_invoker = true) AS
SELECT coalesce(i.unified_task_id, 'nq57:' || l.nq57_task_code) AS unified_task_id,
       l.period,
       l.lead_agency_code,
       a.name AS lead_agency_name,
       l.nq57_task_code,
       l.nq71_task_code,
       l.method,
       core.label_of('link_method', l.method) AS method_label,
       l.score,
       l.evidence
FROM core.task_link l
LEFT JOIN core.task_identity i ON i.system = 'NQ57' AND i.task_code = l.nq57_task_code
LEFT JOIN core.agency a ON a.agency_code = l.lead_agency_code;

COMMENT ON VIEW mart.v_task_links IS
    'One row per link between an NQ57 task and an NQ71 task found for a period: how it was made, its score and '
    'the per-feature evidence that explains it.';
COMMENT ON COLUMN mart.v_task_links.unified_task_id IS 'Stable id of the real task (mart.v_tasks.unified_task_id).';
COMMENT ON COLUMN mart.v_task_links.period IS 'Reporting period YYYY-MM.';
COMMENT ON COLUMN mart.v_task_links.lead_agency_code IS 'Lead agency of both tasks (links are made within one lead agency).';
COMMENT ON COLUMN mart.v_task_links.lead_agency_name IS 'Name of the lead agency.';
COMMENT ON COLUMN mart.v_task_links.nq57_task_code IS 'Code of the task in the NQ57 system.';
COMMENT ON COLUMN mart.v_task_links.nq71_task_code IS 'Code of the task in the NQ71 system.';
COMMENT ON COLUMN mart.v_task_links.method IS 'code (the other system''s code written in a file), crosswalk (confirmed earlier), score (automatic match) or review (a reviewer confirmed it).';
COMMENT ON COLUMN mart.v_task_links.method_label IS 'method in Vietnamese.';
COMMENT ON COLUMN mart.v_task_links.score IS 'Similarity score from 0 to 1 (1 for code and crosswalk links).';
COMMENT ON COLUMN mart.v_task_links.evidence IS 'Per-feature evidence of the match (JSON): name, words, document, deadline, product, reconciled words.';
