-- The verdict on one submission and what was read from it (counts are of staged rows: 0 when rejected).
UPDATE raw.submission
SET status = :status,
    system = :system,
    processed_at = now(),
    task_count = :tasks,
    indicator_count = :indicators,
    error_count = :errors,
    warning_count = :warnings,
    nil_report = :nil,
    report_date = :report_date
WHERE submission_id = :submission_id
