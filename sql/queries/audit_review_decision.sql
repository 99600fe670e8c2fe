-- Every review decision as applied, with the file it came from (core.review_audit only grows).
INSERT INTO core.review_audit (nq57_task_code, nq71_task_code, decision, decided_by, source_file, note)
VALUES (:a, :b, :decision, :who, :file, :note)
