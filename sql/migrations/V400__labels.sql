-- Vietnamese labels of the codes the mart views show (issue 14 item 6): task statuses, deadline types, upload
-- and report states, link methods. The rows come from nq57.vocabulary.LABELS and are reloaded on every
-- migrate, like the agency list: the vocabulary has one home, in the package, and BI tools read the same
-- words as the template, the feedback workbooks and the report.
CREATE TABLE core.label (
    kind  text NOT NULL,
    code  text NOT NULL,
    label text NOT NULL,
    PRIMARY KEY (kind, code)
);
COMMENT ON TABLE core.label IS
    'Vietnamese label of each code the mart views show, by kind (task_status, deadline_type, upload_status, '
    'upload_state, agency_state, system_state, link_method); loaded from nq57.vocabulary.LABELS on every migrate.';

-- The label of `code` among the labels of `kind`; NULL for a NULL or unknown code.
-- search_path pinned and operators schema-qualified: views may call it safely.
CREATE FUNCTION core.label_of(kind text, code text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT l.label FROM core.label l
    WHERE l.kind OPERATOR(pg_catalog.=) label_of.kind AND l.code OPERATOR(pg_catalog.=) label_of.code
$$;

-- Public vocabulary: no row-level security. Readers (and the gate agency logins read through) call the
-- function as themselves, so they read the table.
GRANT SELECT ON core.label TO nq57_bi_reader, nq57_agency_gate;
GRANT SELECT, INSERT, UPDATE, DELETE ON core.label TO nq57_loader;
REVOKE EXECUTE ON FUNCTION core.label_of(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION core.label_of(text, text) TO nq57_bi_reader, nq57_agency_gate, nq57_loader;

-- Views that pass columns through from another view (mart.v_latest_submissions, mart.v_period_tasks, …) take
-- their column comments from it: one description per column, written where the column is made. Copies the
-- comment of every column of `source` that `target` has under the same name. Run by the migrating role
-- from the view files; nobody else may call it.
CREATE FUNCTION core.copy_column_comments(source regclass, target regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT s.attname, pg_catalog.col_description(source, s.attnum) AS description
             FROM pg_catalog.pg_attribute s
             JOIN pg_catalog.pg_attribute t ON t.attrelid OPERATOR(pg_catalog.=) target
                                           AND t.attname OPERATOR(pg_catalog.=) s.attname
                                           AND NOT t.attisdropped
             WHERE s.attrelid OPERATOR(pg_catalog.=) source AND s.attnum OPERATOR(pg_catalog.>) 0
               AND NOT s.attisdropped LOOP
        EXECUTE 'COMMENT ON COLUMN ' || target::text || '.' || quote_ident(c.attname) || ' IS '
             || quote_nullable(c.description);
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION core.copy_column_comments(regclass, regclass) FROM PUBLIC;
