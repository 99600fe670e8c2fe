-- The table recording each applied migration (sql/migrations/V###__name.sql) and its checksum.
CREATE TABLE IF NOT EXISTS public.nq57_schema_version (
    version    text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
