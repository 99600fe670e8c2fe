-- Of the given periods, those with at least one accepted submission (something to consolidate).
SELECT DISTINCT period
FROM raw.submission
WHERE status = 'accepted' AND period = ANY(:periods)
ORDER BY period
