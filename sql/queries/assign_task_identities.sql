-- Give a unified task id to each (system, task_code) of a period that has none yet; codes seen before keep
-- theirs and spend no sequence value. :systems and :codes are parallel text arrays. Ids are minted in
-- (system, task_code) order by core.format_unified_task_id (migration V150).
INSERT INTO core.task_identity (system, task_code, unified_task_id, first_period)
SELECT n.system, n.task_code, core.format_unified_task_id(nextval('core.unified_task_seq')), :period
FROM (
    SELECT DISTINCT c.system, c.task_code
    FROM unnest(CAST(:systems AS text[]), CAST(:codes AS text[])) AS c (system, task_code)
    WHERE NOT EXISTS (
        SELECT 1 FROM core.task_identity i WHERE i.system = c.system AND i.task_code = c.task_code
    )
    ORDER BY c.system, c.task_code
) n
ON CONFLICT (system, task_code) DO NOTHING
