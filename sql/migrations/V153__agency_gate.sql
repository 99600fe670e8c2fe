-- Agency logins read their rows through opaque functions, never by scanning shared tables (issue 17 item 10).
--
-- With SELECT on the base tables (or on security_invoker views over them), an agency login's own query
-- plans scan every agency's rows and let row-level security drop the others. EXPLAIN ANALYZE then shows
-- how many were dropped ("Rows Removed by Filter": other agencies' upload counts), and since comparisons
-- such as object_key >= 'T79/2026-10/a' are leakproof, PostgreSQL may use them as index conditions BEFORE
-- the policy: the row counts of a range probe tell whether another agency has a key in that range, so
-- key names can be read out one character at a time. No view option prevents either (security_barrier
-- only holds back non-leakproof conditions).
--
-- So agency logins (nq57_agency_reader) no longer read raw/staging/core or mart at all. Schema `agency`
-- holds one view per mart view, same name and columns, each a scan of a SECURITY DEFINER function owned
-- by nq57_agency_gate (NOLOGIN, no RLS exemption) that runs the mart view inside: the function's plan is
-- not part of the caller's EXPLAIN (which shows only the rows it returned), and the caller's conditions
-- apply to those rows only. Inside, row-level security filters as before, for the login that called:
-- core.rls_reader() is the session user while the gate runs, the current user everywhere else.
-- The functions and views are re-created with the mart views (sql/views/900_agency_views.sql).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'nq57_agency_gate') THEN
        BEGIN
            CREATE ROLE nq57_agency_gate NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- created meanwhile by the migration of another database on the same server
        END;
    END IF;
    -- The migrating role hands the gate functions to nq57_agency_gate: ALTER FUNCTION ... OWNER TO needs
    -- membership (superusers need none). A role with CREATEROLE that created the gate above may grant it
    -- to itself; where another role created it, a superuser must grant it once.
    IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
       AND NOT pg_catalog.pg_has_role(current_user, 'nq57_agency_gate', 'SET') THEN
        BEGIN
            EXECUTE 'GRANT nq57_agency_gate TO ' || quote_ident(current_user);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE EXCEPTION USING
                MESSAGE = 'the migrating role ' || current_user || ' must be a member of nq57_agency_gate',
                HINT = 'as a superuser, run once: GRANT nq57_agency_gate TO ' || quote_ident(current_user);
        END;
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION core.rls_reader() RETURNS name
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN current_user OPERATOR(pg_catalog.=) 'nq57_agency_gate'::name THEN session_user
                ELSE current_user END
$$;

CREATE OR REPLACE FUNCTION core.rls_agency_codes() RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT r.agency_code FROM core.agency_role r WHERE r.role_name OPERATOR(pg_catalog.=) core.rls_reader()
$$;

DROP POLICY agency_read ON core.agency_role;
CREATE POLICY agency_read ON core.agency_role FOR SELECT USING (role_name = core.rls_reader());

CREATE SCHEMA IF NOT EXISTS agency;
COMMENT ON SCHEMA agency IS
    'What agency BI logins read: the mart views, filtered to the login''s agency (one view per mart view).';
GRANT USAGE ON SCHEMA agency TO nq57_agency_reader;
-- Owning the gate functions needs CREATE on their schema (ALTER FUNCTION ... OWNER TO checks it); the role
-- has no login and no member but the migrating role.
GRANT USAGE, CREATE ON SCHEMA agency TO nq57_agency_gate;

-- The gate reads what agency readers used to read; agency readers keep nothing but schema agency.
GRANT USAGE ON SCHEMA raw, staging, core, mart TO nq57_agency_gate;
GRANT SELECT ON raw.submission, staging.task, staging.indicator, core.agency, core.indicator, core.agency_role,
                core.task_identity, core.task_link, core.review_queue, core.task_crosswalk
    TO nq57_agency_gate;
GRANT EXECUTE ON FUNCTION core.reported_periods() TO nq57_agency_gate;
GRANT SELECT ON ALL TABLES IN SCHEMA mart TO nq57_agency_gate;
ALTER DEFAULT PRIVILEGES IN SCHEMA mart GRANT SELECT ON TABLES TO nq57_agency_gate;

REVOKE SELECT ON raw.submission, staging.task, staging.indicator, core.agency, core.indicator, core.agency_role,
                 core.task_identity, core.task_link, core.review_queue, core.task_crosswalk
    FROM nq57_agency_reader;
REVOKE EXECUTE ON FUNCTION core.reported_periods() FROM nq57_agency_reader;
REVOKE SELECT ON ALL TABLES IN SCHEMA mart FROM nq57_agency_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA mart REVOKE SELECT ON TABLES FROM nq57_agency_reader;
REVOKE USAGE ON SCHEMA raw, staging, core, mart FROM nq57_agency_reader;
