-- One migration applied, with the sha256 of the file as it ran.
INSERT INTO public.nq57_schema_version (version, checksum) VALUES (:version, :checksum)
