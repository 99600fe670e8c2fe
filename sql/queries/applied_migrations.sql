-- The migrations already applied to this database.
SELECT version FROM public.nq57_schema_version
