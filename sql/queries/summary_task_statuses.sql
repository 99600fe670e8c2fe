-- Real tasks (NQ57 and NQ71 entries of one task counted once) per status: how many, how many reported
-- in both systems, how many with a status conflict between them. :period NULL means every period.
SELECT status_code,
       count(*) AS n,
       count(*) FILTER (WHERE in_both_systems) AS both,
       count(*) FILTER (WHERE status_conflict) AS conflicts
FROM mart.v_tasks
WHERE CAST(:period AS text) IS NULL OR period = :period
GROUP BY status_code
ORDER BY status_code
