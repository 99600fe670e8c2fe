-- Every upload of one period (every period when :period is NULL), as mart.v_submissions shows it.
SELECT *
FROM mart.v_submissions
WHERE CAST(:period AS text) IS NULL OR period = :period
ORDER BY agency_code, system, submission_id
