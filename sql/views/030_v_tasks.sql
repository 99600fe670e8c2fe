-- One row per real task per period (DESIGN §7), NQ57 and NQ71 entries of the same task counted once.
-- Where both systems report a task, both codes are shown; where they disagree on status, both statuses
-- are shown and status_conflict is true: the headline status_code is the NQ57 system's (the Party
-- Central Office's register), never a silent merge. Tasks not yet consolidated fall back to their
-- own per-system identity. A task's row comes from its code's owner (mart.v_period_tasks);
-- code_contested says another agency also reported the code (mart.v_task_code_claims).
CREATE VIEW mart.v_tasks WITH (security_invoker = true) AS
WITH identified AS (
    SELECT p.*,
           coalesce(i.unified_task_id, lower(p.system) || ':' || p.task_code) AS unified_task_id
    FROM mart.v_period_tasks p
    LEFT JOIN core.task_identity i ON i.system = p.system AND i.task_code = p.task_code
),
paired AS (
    SELECT coalesce(a.unified_task_id, b.unified_task_id) AS unified_task_id,
           coalesce(a.period, b.period)                   AS period,
           a AS n57,
           b AS n71
    FROM (SELECT * FROM identified WHERE system = 'NQ57') a
    FULL JOIN (SELECT * FROM identified WHERE system = 'NQ71') b
           ON a.unified_task_id = b.unified_task_id AND a.period = b.period
)
SELECT unified_task_id,
       period,
       coalesce((n57).lead_agency_code, (n71).lead_agency_code)     AS lead_agency_code,
       coalesce((n57).task_name, (n71).task_name)                   AS task_name,
       coalesce((n57).deadline_date, (n71).deadline_date)           AS deadline,
       coalesce((n57).deadline_type, (n71).deadline_type)           AS deadline_type,
       coalesce((n57).status_code, (n71).status_code)               AS status_code,
       coalesce((n57).progress_pct, (n71).progress_pct)             AS progress_pct,
       (n57).task_code                                              AS nq57_task_code,
       (n71).task_code                                              AS nq71_task_code,
       (n57).task_code IS NOT NULL AND (n71).task_code IS NOT NULL  AS in_both_systems,
       coalesce((n57).status_code <> (n71).status_code, false)      AS status_conflict,
       coalesce((n57).contested, false) OR coalesce((n71).contested, false) AS code_contested,
       (n57).status_code                                            AS nq57_status_code,
       (n71).status_code                                            AS nq71_status_code,
       (n57).progress_pct                                           AS nq57_progress_pct,
       (n71).progress_pct                                           AS nq71_progress_pct,
       coalesce((n57).status_derived, (n71).status_derived)         AS status_derived,
       coalesce((n57).completed_on, (n71).completed_on)             AS completed_on,
       coalesce((n57).assigning_doc, (n71).assigning_doc)           AS assigning_doc,
       coalesce((n57).product, (n71).product)                       AS product,
       coalesce((n57).task_group, (n71).task_group)                 AS task_group,
       (n57).submission_id                                          AS nq57_submission_id,
       (n71).submission_id                                          AS nq71_submission_id,
       coalesce((n57).object_key, (n71).object_key)                 AS object_key,
       coalesce((n57).source_sheet, (n71).source_sheet)             AS source_sheet,
       coalesce((n57).source_row, (n71).source_row)                 AS source_row,
       coalesce((n57).submission_id, (n71).submission_id)           AS submission_id
FROM paired;
