-- Schema `agency`: for every mart view, a view of the same name and columns that agency BI logins read
-- (migration V153 explains why). Each is a scan of agency.<view>_rows(), a SECURITY DEFINER function owned
-- by nq57_agency_gate that returns the mart view's rows as row-level security shows them to the calling
-- login; its plan stays out of the caller's EXPLAIN. Re-created after the mart views on every migrate
-- (the functions return the mart views' row types, so re-creating a mart view drops them), for whatever
-- views sql/views holds. Not a mart view itself: `DROP VIEW IF EXISTS mart.agency_views` is a no-op.
-- (No percent signs: warehouse.migrate sends this file through psycopg.)
DO $$
DECLARE
    v text;
    f text;
BEGIN
    FOR v IN SELECT c.relname FROM pg_catalog.pg_class c
             WHERE c.relnamespace = 'mart'::regnamespace AND c.relkind = 'v' ORDER BY c.relname LOOP
        f := 'agency.' || quote_ident(v || '_rows') || '()';
        EXECUTE 'CREATE OR REPLACE FUNCTION ' || f || ' RETURNS SETOF mart.' || quote_ident(v)
             || ' LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS '
             || quote_literal('SELECT * FROM mart.' || quote_ident(v));
        EXECUTE 'ALTER FUNCTION ' || f || ' OWNER TO nq57_agency_gate';
        EXECUTE 'REVOKE EXECUTE ON FUNCTION ' || f || ' FROM PUBLIC';
        EXECUTE 'GRANT EXECUTE ON FUNCTION ' || f || ' TO nq57_agency_reader';
        EXECUTE 'CREATE OR REPLACE VIEW agency.' || quote_ident(v) || ' WITH (security_invoker = true) AS SELECT * FROM ' || f;
        EXECUTE 'GRANT SELECT ON agency.' || quote_ident(v) || ' TO nq57_agency_reader';
        EXECUTE 'COMMENT ON VIEW agency.' || quote_ident(v) || ' IS '
             || quote_literal('mart.' || v || ' for agency logins: the rows of the login''s own agency');
        PERFORM core.copy_column_comments(('mart.' || quote_ident(v))::regclass, ('agency.' || quote_ident(v))::regclass);
    END LOOP;
    EXECUTE 'GRANT SELECT ON ALL TABLES IN SCHEMA mart TO nq57_agency_gate';
    -- The gate reads whatever the mart views read (as whole-mart readers do; row-level security filters
    -- it), whichever migration added it; agency readers themselves read no table and no mart view.
    FOR f IN SELECT DISTINCT ref.oid::regclass::text
             FROM pg_catalog.pg_class v
             JOIN pg_catalog.pg_rewrite rw ON rw.ev_class = v.oid
             JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = rw.oid
                                        AND d.refclassid = 'pg_catalog.pg_class'::regclass
             JOIN pg_catalog.pg_class ref ON ref.oid = d.refobjid AND ref.oid <> v.oid AND ref.relkind IN ('r', 'p')
             WHERE v.relnamespace = 'mart'::regnamespace LOOP
        EXECUTE 'GRANT SELECT ON ' || f || ' TO nq57_agency_gate';
    END LOOP;
    EXECUTE 'REVOKE ALL ON ALL TABLES IN SCHEMA raw, staging, core, mart FROM nq57_agency_reader';
END
$$;
