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
       a.name                                                       AS lead_agency_name,
       coalesce((n57).task_name, (n71).task_name)                   AS task_name,
       coalesce((n57).deadline_date, (n71).deadline_date)           AS deadline,
       coalesce((n57).deadline_type, (n71).deadline_type)           AS deadline_type,
       core.label_of('deadline_type', coalesce((n57).deadline_type, (n71).deadline_type)) AS deadline_type_label,
       coalesce((n57).status_code, (n71).status_code)               AS status_code,
       core.label_of('task_status', coalesce((n57).status_code, (n71).status_code)) AS status_label,
       coalesce((n57).progress_pct, (n71).progress_pct)             AS progress_pct,
       (n57).task_code                                              AS nq57_task_code,
       (n71).task_code                                              AS nq71_task_code,
       (n57).task_code IS NOT NULL AND (n71).task_code IS NOT NULL  AS in_both_systems,
       coalesce((n57).status_code <> (n71).status_code, false)      AS status_conflict,
       coalesce((n57).contested, false) OR coalesce((n71).contested, false) AS code_contested,
       (n57).status_code                                            AS nq57_status_code,
       (n71).status_code                                            AS nq71_status_code,
       core.label_of('task_status', (n57).status_code)              AS nq57_status_label,
       core.label_of('task_status', (n71).status_code)              AS nq71_status_label,
       (n57).progress_pct                                           AS nq57_progress_pct,
       (n71).progress_pct                                           AS nq71_progress_pct,
       coalesce((n57).status_derived, (n71).status_derived)         AS status_derived,
       core.label_of('task_status', coalesce((n57).status_derived, (n71).status_derived)) AS status_derived_label,
       coalesce((n57).completed_on, (n71).completed_on)             AS completed_on,
       coalesce((n57).assigning_doc, (n71).assigning_doc)           AS assigning_doc,
       coalesce((n57).product, (n71).product)                       AS product,
       coalesce((n57).task_group, (n71).task_group)                 AS task_group,
       coalesce((n57).results, (n71).results)                       AS results,
       coalesce((n57).difficulties, (n71).difficulties)             AS difficulties,
       coalesce((n57).recommendations, (n71).recommendations)       AS recommendations,
       (n57).submission_id                                          AS nq57_submission_id,
       (n71).submission_id                                          AS nq71_submission_id,
       coalesce((n57).object_key, (n71).object_key)                 AS object_key,
       coalesce((n57).source_sheet, (n71).source_sheet)             AS source_sheet,
       coalesce((n57).source_row, (n71).source_row)                 AS source_row,
       coalesce((n57).submission_id, (n71).submission_id)           AS submission_id
FROM paired
LEFT JOIN core.agency a ON a.agency_code = coalesce((n57).lead_agency_code, (n71).lead_agency_code);

COMMENT ON VIEW mart.v_tasks IS
    'One row per real task and period: the NQ57 and NQ71 entries of the same task are one row (both codes shown). '
    'Headline values are the NQ57 system''s where it reports the task, else the NQ71 system''s; where the two '
    'disagree on status both are kept (status_conflict).';
COMMENT ON COLUMN mart.v_tasks.unified_task_id IS 'Stable id of the real task across periods (core.task_identity); nq57:<code> or nq71:<code> before the task is consolidated.';
COMMENT ON COLUMN mart.v_tasks.period IS 'Reporting period YYYY-MM.';
COMMENT ON COLUMN mart.v_tasks.lead_agency_code IS 'Lead agency (Cơ quan chủ trì), as a code.';
COMMENT ON COLUMN mart.v_tasks.lead_agency_name IS 'Name of the lead agency (reference list).';
COMMENT ON COLUMN mart.v_tasks.task_name IS 'Task name as reported (Tên nhiệm vụ).';
COMMENT ON COLUMN mart.v_tasks.deadline IS 'Deadline as a date: the last day of the month, quarter or year written; NULL for recurring tasks.';
COMMENT ON COLUMN mart.v_tasks.deadline_type IS 'How the deadline was written: NGAY, THANG, QUY, NAM, THUONG_XUYEN, HANG_NAM.';
COMMENT ON COLUMN mart.v_tasks.deadline_type_label IS 'deadline_type in Vietnamese.';
COMMENT ON COLUMN mart.v_tasks.status_code IS 'Reported status, one of the seven codes: the NQ57 system''s where it reports the task.';
COMMENT ON COLUMN mart.v_tasks.status_label IS 'status_code in Vietnamese (Tình trạng).';
COMMENT ON COLUMN mart.v_tasks.progress_pct IS 'Progress in percent, 0 to 100 (Tiến độ).';
COMMENT ON COLUMN mart.v_tasks.nq57_task_code IS 'Code of the task in the NQ57 system; NULL when only NQ71 reports it.';
COMMENT ON COLUMN mart.v_tasks.nq71_task_code IS 'Code of the task in the NQ71 system; NULL when only NQ57 reports it.';
COMMENT ON COLUMN mart.v_tasks.in_both_systems IS 'Both systems report the task (linked: mart.v_task_links).';
COMMENT ON COLUMN mart.v_tasks.status_conflict IS 'The two systems report different statuses; both are shown, none is picked.';
COMMENT ON COLUMN mart.v_tasks.code_contested IS 'Another agency also reported one of the task''s codes (mart.v_task_code_claims).';
COMMENT ON COLUMN mart.v_tasks.nq57_status_code IS 'Status the NQ57 report gives.';
COMMENT ON COLUMN mart.v_tasks.nq71_status_code IS 'Status the NQ71 report gives.';
COMMENT ON COLUMN mart.v_tasks.nq57_status_label IS 'nq57_status_code in Vietnamese.';
COMMENT ON COLUMN mart.v_tasks.nq71_status_label IS 'nq71_status_code in Vietnamese.';
COMMENT ON COLUMN mart.v_tasks.nq57_progress_pct IS 'Progress the NQ57 report gives, in percent.';
COMMENT ON COLUMN mart.v_tasks.nq71_progress_pct IS 'Progress the NQ71 report gives, in percent.';
COMMENT ON COLUMN mart.v_tasks.status_derived IS 'Status computed from deadline, completion date and period end (a check on the reported one).';
COMMENT ON COLUMN mart.v_tasks.status_derived_label IS 'status_derived in Vietnamese.';
COMMENT ON COLUMN mart.v_tasks.completed_on IS 'Completion date (Ngày hoàn thành).';
COMMENT ON COLUMN mart.v_tasks.assigning_doc IS 'Number and symbol of the document assigning the task (Văn bản giao nhiệm vụ).';
COMMENT ON COLUMN mart.v_tasks.product IS 'Expected output (Sản phẩm).';
COMMENT ON COLUMN mart.v_tasks.task_group IS 'Section heading of the task in the file.';
COMMENT ON COLUMN mart.v_tasks.results IS 'Results and outputs issued this period (Kết quả, sản phẩm đã ban hành).';
COMMENT ON COLUMN mart.v_tasks.difficulties IS 'Difficulties and obstacles reported (Khó khăn, vướng mắc).';
COMMENT ON COLUMN mart.v_tasks.recommendations IS 'Recommendations and proposals reported (Kiến nghị, đề xuất).';
COMMENT ON COLUMN mart.v_tasks.nq57_submission_id IS 'Upload holding the NQ57 entry (mart.v_submissions).';
COMMENT ON COLUMN mart.v_tasks.nq71_submission_id IS 'Upload holding the NQ71 entry (mart.v_submissions).';
COMMENT ON COLUMN mart.v_tasks.object_key IS 'Object key of the upload the headline values come from.';
COMMENT ON COLUMN mart.v_tasks.source_sheet IS 'Sheet of the headline row in that upload.';
COMMENT ON COLUMN mart.v_tasks.source_row IS 'Excel row number of the headline row in that sheet.';
COMMENT ON COLUMN mart.v_tasks.submission_id IS 'Upload the headline values come from.';
