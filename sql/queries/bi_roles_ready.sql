-- Whether migration V050 has run: the agency mapping table and all :n group roles named in :groups exist.
SELECT to_regclass('core.agency_role') IS NOT NULL
   AND (SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = ANY(:groups)) = :n
