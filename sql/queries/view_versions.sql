-- Checksum of every mart view's SQL file as last created by migrate (empty before V100 ran).
SELECT view_name, checksum
FROM public.nq57_view_version
