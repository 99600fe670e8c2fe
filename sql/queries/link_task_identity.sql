-- A linked NQ71 code joins its NQ57 partner's unified task id; the id it had is kept in merged_from.
UPDATE core.task_identity t
SET merged_from = t.unified_task_id, unified_task_id = n.unified_task_id, updated_at = now()
FROM core.task_identity n
WHERE n.system = 'NQ57' AND n.task_code = :nq57_code
  AND t.system = 'NQ71' AND t.task_code = :nq71_code
  AND t.unified_task_id <> n.unified_task_id
