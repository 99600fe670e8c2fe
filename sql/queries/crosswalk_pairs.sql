-- The NQ57 <-> NQ71 pairs of the persistent crosswalk with one decision ('confirmed' or 'rejected').
SELECT nq57_task_code, nq71_task_code, lead_agency_code
FROM core.task_crosswalk
WHERE decision = :decision
