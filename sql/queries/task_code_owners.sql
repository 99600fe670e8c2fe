-- The owner of each of these task codes in one system: the agency whose accepted upload first reported
-- the code naming itself lead (earliest received, then lowest submission id; the rule of
-- mart.v_task_reports).
SELECT DISTINCT ON (c.task_code) c.task_code, s.agency_code
FROM staging.task c
JOIN raw.submission s USING (submission_id)
WHERE s.system = :system
  AND s.status = 'accepted'
  AND c.lead_agency_code = s.agency_code
  AND c.task_code = ANY(:codes)
ORDER BY c.task_code, s.received_at, s.submission_id
