-- Whether a relation (e.g. mart.v_tasks) exists.
SELECT to_regclass(:relation) IS NOT NULL AS present
