-- One row per NQ57 <-> NQ71 link found for a period, with how it was made (code / crosswalk / score /
-- review), its score and the per-feature evidence that explains it.
CREATE VIEW mart.v_task_links WITH (security_invoker = true) AS
SELECT coalesce(i.unified_task_id, 'nq57:' || l.nq57_task_code) AS unified_task_id,
       l.period,
       l.lead_agency_code,
       l.nq57_task_code,
       l.nq71_task_code,
       l.method,
       l.score,
       l.evidence
FROM core.task_link l
LEFT JOIN core.task_identity i ON i.system = 'NQ57' AND i.task_code = l.nq57_task_code;
