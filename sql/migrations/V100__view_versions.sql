-- Checksum of each mart view's file as last created, so migrate re-creates a view only when its file
-- changed (nq57.storage.warehouse.migrate): BI sessions keep their views across deployments.
CREATE TABLE IF NOT EXISTS public.nq57_view_version (
    view_name  text PRIMARY KEY,
    checksum   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
