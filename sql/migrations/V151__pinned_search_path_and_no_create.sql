-- Row-level security that cannot be talked around (issue 17 item 3).
--
-- 1. Every function a policy or a view calls runs with a pinned search_path (pg_catalog, then pg_temp
--    last so no temporary table shadows anything) and spells its operators OPERATOR(pg_catalog.=).
--    Without that, the body of a plain SQL function is parsed with the CALLER's search_path when the
--    policy runs: a login able to create objects in a schema on its path (public, on clusters first
--    created on PostgreSQL <= 14) could define its own `=` for (oid, regclass) or (text, name) and make
--    core.rls_reads_all() answer true, i.e. read every agency's rows.
-- 2. Nobody but the owner and the pipeline creates objects in this database: CREATE on schema public
--    and on the database, and TEMPORARY, are revoked from PUBLIC. The pipeline (nq57_loader, which
--    loads through a temporary table) and whole-mart readers keep TEMPORARY; agency readers create
--    nothing anywhere.
-- Statements that need ownership of the database or of schema public only warn when the migrating
-- role does not have it (a DBA then runs them once; see README "BI access").

CREATE OR REPLACE FUNCTION core.rls_reads_all(tbl regclass) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')
        OR pg_catalog.pg_has_role(current_user, 'nq57_loader', 'USAGE')
        OR pg_catalog.pg_has_role(current_user, 'nq57_bi_reader', 'USAGE')
    FROM pg_catalog.pg_class c
    WHERE c.oid OPERATOR(pg_catalog.=) tbl::pg_catalog.oid
$$;

CREATE OR REPLACE FUNCTION core.rls_writes_all(tbl regclass) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')
        OR pg_catalog.pg_has_role(current_user, 'nq57_loader', 'USAGE')
    FROM pg_catalog.pg_class c
    WHERE c.oid OPERATOR(pg_catalog.=) tbl::pg_catalog.oid
$$;

CREATE OR REPLACE FUNCTION core.rls_agency_codes() RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.agency_code FROM core.agency_role r WHERE r.role_name OPERATOR(pg_catalog.=) current_user
$$;

ALTER FUNCTION core.reported_periods() SET search_path = pg_catalog, pg_temp;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'public') THEN
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    END IF;
    EXECUTE 'REVOKE CREATE, TEMPORARY ON DATABASE ' || quote_ident(current_database()) || ' FROM PUBLIC';
    EXECUTE 'GRANT TEMPORARY ON DATABASE ' || quote_ident(current_database()) || ' TO nq57_loader, nq57_bi_reader';
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'nq57: could not revoke CREATE/TEMPORARY from PUBLIC (not the owner of this database): '
                  'run V151 as the database owner';
END
$$;
