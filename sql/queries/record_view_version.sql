-- Remember the checksum of a view's file as just created.
INSERT INTO public.nq57_view_version (view_name, checksum)
VALUES (:view_name, :checksum)
ON CONFLICT (view_name) DO UPDATE SET checksum = excluded.checksum, created_at = now()
