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
       t.result_text AS results,
       t.difficulties,
       t.recommendations,
       l.agency_code AS reporting_agency_code,
       o.agency_code AS owner_agency_code,
       l.submission_id,
       l.object_key,
       l.received_at,
       l.latest_upload_at,
       l.latest_upload_ordinal,
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

COMMENT ON VIEW mart.v_task_reports IS
    'One row per task row of each agency''s counting upload (the newest accepted version of its agency, period '
    'and system), with the agency that owns the task code. Every report of a code, counted or not.';
COMMENT ON COLUMN mart.v_task_reports.period IS 'Reporting period YYYY-MM.';
COMMENT ON COLUMN mart.v_task_reports.system IS 'Source system of the report: NQ57 or NQ71.';
COMMENT ON COLUMN mart.v_task_reports.task_code IS 'The task''s code in that system (Mã nhiệm vụ).';
COMMENT ON COLUMN mart.v_task_reports.link_code IS 'The same task''s code in the other system, when the agency wrote it (Mã nhiệm vụ tương ứng).';
COMMENT ON COLUMN mart.v_task_reports.task_name IS 'Task name as the agency wrote it (Tên nhiệm vụ).';
COMMENT ON COLUMN mart.v_task_reports.assigning_doc IS 'Number and symbol of the document assigning the task, e.g. 57-NQ/TW (Văn bản giao nhiệm vụ).';
COMMENT ON COLUMN mart.v_task_reports.doc_item IS 'Item of that document, e.g. II.3.h (Mục trong văn bản).';
COMMENT ON COLUMN mart.v_task_reports.lead_agency_code IS 'Lead agency the row names (Cơ quan chủ trì), as a code.';
COMMENT ON COLUMN mart.v_task_reports.deadline_date IS 'Deadline as a date: the last day of the month, quarter or year written; NULL for recurring tasks.';
COMMENT ON COLUMN mart.v_task_reports.deadline_type IS 'How the deadline was written: NGAY, THANG, QUY, NAM, THUONG_XUYEN, HANG_NAM.';
COMMENT ON COLUMN mart.v_task_reports.product IS 'Expected output, e.g. Nghị định (Sản phẩm).';
COMMENT ON COLUMN mart.v_task_reports.status_code IS 'Status the agency reported, one of the seven codes (core.label kind task_status).';
COMMENT ON COLUMN mart.v_task_reports.status_derived IS 'Status computed from deadline, completion date and period end; differs from status_code when the report is inconsistent.';
COMMENT ON COLUMN mart.v_task_reports.progress_pct IS 'Progress in percent, 0 to 100 (Tiến độ).';
COMMENT ON COLUMN mart.v_task_reports.completed_on IS 'Completion date (Ngày hoàn thành).';
COMMENT ON COLUMN mart.v_task_reports.task_group IS 'Section heading of the row in the file, e.g. I. Về hoàn thiện thể chế.';
COMMENT ON COLUMN mart.v_task_reports.results IS 'Results and outputs issued, as the agency wrote them (Kết quả, sản phẩm đã ban hành).';
COMMENT ON COLUMN mart.v_task_reports.difficulties IS 'Difficulties and obstacles, as the agency wrote them (Khó khăn, vướng mắc).';
COMMENT ON COLUMN mart.v_task_reports.recommendations IS 'Recommendations and proposals, as the agency wrote them (Kiến nghị, đề xuất).';
COMMENT ON COLUMN mart.v_task_reports.reporting_agency_code IS 'Agency whose upload holds the row.';
COMMENT ON COLUMN mart.v_task_reports.owner_agency_code IS 'Agency that owns the task code: the first to report it naming itself lead; NULL when no agency has.';
COMMENT ON COLUMN mart.v_task_reports.submission_id IS 'The upload holding the row (mart.v_submissions).';
COMMENT ON COLUMN mart.v_task_reports.object_key IS 'Object key of that upload in bucket nq57-submissions.';
COMMENT ON COLUMN mart.v_task_reports.received_at IS 'When that upload was first received.';
COMMENT ON COLUMN mart.v_task_reports.latest_upload_at IS 'When the newest version carrying that upload''s bytes was stored.';
COMMENT ON COLUMN mart.v_task_reports.latest_upload_ordinal IS 'Position of that version among its key''s versions in the store.';
COMMENT ON COLUMN mart.v_task_reports.source_sheet IS 'Sheet of the row in the uploaded file.';
COMMENT ON COLUMN mart.v_task_reports.source_row IS 'Excel row number of the row in that sheet.';
