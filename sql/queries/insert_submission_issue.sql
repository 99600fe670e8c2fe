-- One finding about a submission (rule ids and messages: nq57/intake/rules.py), in the order reported.
INSERT INTO raw.submission_issue (submission_id, seq, severity, rule, sheet, row_number, column_ref, message, hint)
VALUES (:submission_id, :seq, :severity, :rule, :sheet, :row, :column, :message, :hint)
