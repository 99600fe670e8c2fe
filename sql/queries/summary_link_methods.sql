-- NQ57-NQ71 links per linking method (code, crosswalk, score, review). :period NULL means every period.
SELECT method, count(*) AS n
FROM mart.v_task_links
WHERE CAST(:period AS text) IS NULL OR period = :period
GROUP BY method
ORDER BY method
