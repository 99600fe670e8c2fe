-- Warehouse access for BI tools (DESIGN §7: the mart views are the BI contract).
--
-- Three group roles, cluster-wide, created once (NOLOGIN; logins are made members by `nq57 bi-login`):
--   nq57_bi_reader      reads every row of every mart view, writes nothing
--   nq57_agency_reader  same grants, but every row is filtered to the agency mapped to the login in
--                       core.agency_role
--   nq57_loader         what the pipeline needs: read/write raw, staging, core (NOBYPASSRLS: the
--                       policies give it every row)
--
-- The mart views are security_invoker, so a BI login reads the base tables with its own rights and is
-- filtered by their row-level security. RLS is ENABLEd and FORCEd on every table holding agency data,
-- so the owner goes through the policies too: a view or SECURITY DEFINER function owned by the owner
-- cannot hand another agency's rows to a reader, because the policies test current_user (the reader),
-- never the role the table happens to be read as.
--
-- Who sees everything: the table's owner (whoever owns it now, looked up in pg_class, so ownership
-- changes need no policy change), members of nq57_loader and, read-only, of nq57_bi_reader. Superusers
-- bypass RLS altogether (the embedded server's `postgres`, and the official image's POSTGRES_USER).
-- Foreign-key checks and ON DELETE CASCADE run as the owner with FORCE ignored (PostgreSQL does that
-- for referential integrity), so they are unaffected.
--
-- Caveat for the pipeline: PostgreSQL refuses COPY FROM into a table whose RLS applies to the current
-- user ("COPY FROM not supported with row-level security"). A superuser is not affected; a non-superuser
-- owner or an nq57_loader login must load staging.task / staging.indicator with INSERT (e.g. COPY into
-- a temporary table, then INSERT ... SELECT).

-- (No percent signs in this file: warehouse.migrate sends it through psycopg, which reads them as
-- parameter placeholders.)

-- ---------------------------------------------------------------- group roles (cluster-wide)

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['nq57_bi_reader', 'nq57_agency_reader', 'nq57_loader'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE 'CREATE ROLE ' || quote_ident(r) || ' NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT';
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- created meanwhile by the migration of another database on the same server
            END;
        END IF;
    END LOOP;
END
$$;

-- Logins need CONNECT (PUBLIC has it by default; this keeps working where a DBA revoked that).
DO $$
BEGIN
    EXECUTE 'GRANT CONNECT ON DATABASE ' || quote_ident(current_database())
         || ' TO nq57_bi_reader, nq57_agency_reader, nq57_loader';
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'CONNECT on this database not granted to the nq57 group roles (not its owner)';
END
$$;

-- ---------------------------------------------------------------- login -> agency

CREATE TABLE core.agency_role (
    role_name   text PRIMARY KEY,
    agency_code text NOT NULL REFERENCES core.agency
);
COMMENT ON TABLE core.agency_role IS
    'Agency of each BI login (member of nq57_agency_reader); maintained by `nq57 bi-login`.';

-- ---------------------------------------------------------------- policy helpers

-- May the current user read every row of tbl? Its owner (or a member of the owner role), the pipeline,
-- whole-mart readers. SECURITY INVOKER: current_user is the querying role, also inside invoker views.
CREATE FUNCTION core.rls_reads_all(tbl regclass) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')
        OR pg_catalog.pg_has_role(current_user, 'nq57_loader', 'USAGE')
        OR pg_catalog.pg_has_role(current_user, 'nq57_bi_reader', 'USAGE')
    FROM pg_catalog.pg_class c
    WHERE c.oid = tbl
$$;

-- May the current user write every row of tbl? Its owner and the pipeline.
CREATE FUNCTION core.rls_writes_all(tbl regclass) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')
        OR pg_catalog.pg_has_role(current_user, 'nq57_loader', 'USAGE')
    FROM pg_catalog.pg_class c
    WHERE c.oid = tbl
$$;

-- The agencies whose rows the current user may read (empty for roles not in core.agency_role).
CREATE FUNCTION core.rls_agency_codes() RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT r.agency_code FROM core.agency_role r WHERE r.role_name = current_user
$$;

-- Every period anyone has uploaded for, whoever asks (periods are not agency data). For
-- mart.v_compliance: its `periods` CTE reads raw.submission, which an agency reader sees filtered, so
-- periods in which that agency uploaded nothing drop out of its view. Reading the periods through
-- this function instead keeps the agency's "missing" rows. SECURITY DEFINER, returns nothing else.
CREATE FUNCTION core.reported_periods() RETURNS TABLE (period text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT DISTINCT s.period FROM raw.submission s
$$;
REVOKE EXECUTE ON FUNCTION core.reported_periods() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION core.reported_periods() TO nq57_bi_reader, nq57_agency_reader, nq57_loader;

-- ---------------------------------------------------------------- row-level security

-- Every table below: ENABLE + FORCE, full access for the owner / nq57_loader, read access for
-- nq57_bi_reader, and agency readers' rows by a predicate on the table's agency.
DO $$
DECLARE
    t regclass;  -- written into the policies as 'schema.table'::regclass (a constant that survives pg_dump)
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'raw.submission', 'raw.submission_issue', 'staging.task', 'staging.indicator',
        'core.agency', 'core.agency_role', 'core.task_identity', 'core.task_link', 'core.review_queue',
        'core.task_crosswalk'
    ]::regclass[] LOOP
        EXECUTE 'ALTER TABLE ' || t || ' ENABLE ROW LEVEL SECURITY';
        EXECUTE 'ALTER TABLE ' || t || ' FORCE ROW LEVEL SECURITY';
        EXECUTE 'CREATE POLICY full_read ON ' || t || ' FOR SELECT'
             || ' USING ((SELECT core.rls_reads_all(' || quote_literal(t::text) || '::regclass)))';
        EXECUTE 'CREATE POLICY full_write ON ' || t || ' FOR ALL'
             || ' USING ((SELECT core.rls_writes_all(' || quote_literal(t::text) || '::regclass)))'
             || ' WITH CHECK ((SELECT core.rls_writes_all(' || quote_literal(t::text) || '::regclass)))';
    END LOOP;
END
$$;

CREATE POLICY agency_read ON raw.submission FOR SELECT
    USING (agency_code IN (SELECT core.rls_agency_codes()));

CREATE POLICY agency_read ON raw.submission_issue FOR SELECT
    USING (submission_id IN (SELECT s.submission_id FROM raw.submission s
                             WHERE s.agency_code IN (SELECT core.rls_agency_codes())));

CREATE POLICY agency_read ON staging.task FOR SELECT
    USING (submission_id IN (SELECT s.submission_id FROM raw.submission s
                             WHERE s.agency_code IN (SELECT core.rls_agency_codes())));

CREATE POLICY agency_read ON staging.indicator FOR SELECT
    USING (submission_id IN (SELECT s.submission_id FROM raw.submission s
                             WHERE s.agency_code IN (SELECT core.rls_agency_codes())));

-- An agency reader sees its own agency row only (mart.v_compliance cross-joins core.agency).
CREATE POLICY agency_read ON core.agency FOR SELECT
    USING (agency_code IN (SELECT core.rls_agency_codes()));

-- ... and its own mapping (the policies above read this table as the reader).
CREATE POLICY agency_read ON core.agency_role FOR SELECT
    USING (role_name = current_user);

-- Unified identities of the task codes the agency itself reported (mart.v_tasks joins them).
CREATE POLICY agency_read ON core.task_identity FOR SELECT
    USING (EXISTS (SELECT 1 FROM staging.task t JOIN raw.submission s USING (submission_id)
                   WHERE t.task_code = task_identity.task_code AND s.system = task_identity.system
                     AND s.agency_code IN (SELECT core.rls_agency_codes())));

CREATE POLICY agency_read ON core.task_link FOR SELECT
    USING (lead_agency_code IN (SELECT core.rls_agency_codes()));

CREATE POLICY agency_read ON core.review_queue FOR SELECT
    USING (lead_agency_code IN (SELECT core.rls_agency_codes()));

CREATE POLICY agency_read ON core.task_crosswalk FOR SELECT
    USING (lead_agency_code IN (SELECT core.rls_agency_codes()));

-- ---------------------------------------------------------------- grants

GRANT USAGE ON SCHEMA raw, staging, core, mart TO nq57_bi_reader, nq57_agency_reader, nq57_loader;

-- Readers: SELECT on exactly the tables the (security_invoker) mart views read, nothing else.
GRANT SELECT ON raw.submission, staging.task, staging.indicator, core.agency, core.indicator,
                core.task_identity, core.task_link, core.review_queue, core.task_crosswalk
    TO nq57_bi_reader, nq57_agency_reader;
GRANT SELECT ON core.agency_role TO nq57_agency_reader;

-- The pipeline: read/write raw, staging, core, read mart. Not the login mapping.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA raw, staging, core TO nq57_loader;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA raw, staging, core TO nq57_loader;
REVOKE INSERT, UPDATE, DELETE ON core.agency_role FROM nq57_loader;

-- The views are dropped and re-created by every migrate, which loses grants made on them: default
-- privileges of the migrating role (the role running this migration, which must be the one that
-- keeps running migrations) grant SELECT on every view it creates in mart from now on.
GRANT SELECT ON ALL TABLES IN SCHEMA mart TO nq57_bi_reader, nq57_agency_reader, nq57_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA mart GRANT SELECT ON TABLES TO nq57_bi_reader, nq57_agency_reader, nq57_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA raw, staging, core GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO nq57_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA raw, staging, core GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO nq57_loader;
