-- One row per task row of each (agency, period, system)'s newest accepted upload, with the owner of its
-- task code. A task code belongs to the agency whose accepted upload first reported it naming itself
-- lead (earliest received, then lowest submission id, over every period of that system): the register
-- the NQ57 and NQ71 systems give each lead agency. Another agency that reports the code later, even
-- naming itself lead, does not become its owner (issue 17 item 5). owner_agency_code is NULL for a
-- code no reporting agency has claimed as lead. Read through row-level security like every mart view:
-- an agency login sees its own rows, and owners among them.
CREATE VIEW mart.v_task_reports WITH (security_invoker = true) AS
SELECT l.period,
       l.system,
       t.task_code,
       t.link_code,
       t.task_name,
       t.assigning_doc,
       t.doc_item,
       t.lead_agency_code,
       t.deadline_date,
       t.deadline_type,
       t.product,
       t.status_code,
       t.status_derived,
       t.progress_pct,
       t.completed_on,
       t.task_group,
       l.agency_code AS reporting_agency_code,
       o.agency_code AS owner_agency_code,
       l.submission_id,
       l.object_key,
       l.received_at,
       t.source_sheet,
       t.source_row
FROM mart.v_latest_submissions l
JOIN staging.task t USING (submission_id)
LEFT JOIN LATERAL (
    SELECT s.agency_code
    FROM staging.task c
    JOIN raw.submission s USING (submission_id)
    WHERE c.task_code = t.task_code
      AND s.system = l.system
      AND s.status = 'accepted'
      AND c.lead_agency_code = s.agency_code
    ORDER BY s.received_at, s.submission_id
    LIMIT 1
) o ON true;
