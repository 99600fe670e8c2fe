-- Agencies per period and submission state for the trend. Periods nobody uploaded for are absent
-- (the report counts every agency as not submitted there).
SELECT period, submission_state, count(*) AS agencies
FROM mart.v_compliance
WHERE period = ANY(:periods)
GROUP BY period, submission_state
ORDER BY period, submission_state
