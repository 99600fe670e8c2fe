-- Real tasks per period and status for the trend (periods given as a list, oldest first).
SELECT period, coalesce(status_code, '') AS status_code, count(*) AS tasks
FROM mart.v_tasks
WHERE period = ANY(:periods)
GROUP BY period, coalesce(status_code, '')
ORDER BY period, status_code
