-- Monthly report (issue 13): the indicator verdict's one home, and what the submission-state views need.

-- Does `value` meet a 2030 target written as operator + bounds (core.indicator)? NULL when there is no
-- value or the target is qualitative. The programme's "= X" targets (R&D 2 percent of GDP, 12 researchers per
-- 10,000 people, 100 percent, ...) are levels to reach, not points to hit, and the catalogue states no tolerance:
-- "=" is read as a floor (value >= X), so 10.9 against "= 10" meets it. "between" is inclusive.
-- search_path pinned and operators schema-qualified: views and policies may call it safely.
CREATE OR REPLACE FUNCTION core.indicator_meets_target(op text, low numeric, high numeric, value numeric)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN value IS NULL OR op IS NULL THEN NULL
        WHEN op OPERATOR(pg_catalog.=) '>=' THEN value OPERATOR(pg_catalog.>=) low
        WHEN op OPERATOR(pg_catalog.=) '>' THEN value OPERATOR(pg_catalog.>) low
        WHEN op OPERATOR(pg_catalog.=) '<=' THEN value OPERATOR(pg_catalog.<=) low
        WHEN op OPERATOR(pg_catalog.=) '<' THEN value OPERATOR(pg_catalog.<) low
        WHEN op OPERATOR(pg_catalog.=) '=' THEN value OPERATOR(pg_catalog.>=) low
        WHEN op OPERATOR(pg_catalog.=) 'between' THEN
            value OPERATOR(pg_catalog.>=) low AND value OPERATOR(pg_catalog.<=) high
    END
$$;
GRANT EXECUTE ON FUNCTION core.indicator_meets_target(text, numeric, numeric, numeric)
    TO nq57_bi_reader, nq57_agency_reader, nq57_loader;

-- mart.v_submissions and mart.v_compliance say why an upload was rejected (its first error): readers
-- need the issues table, which row-level security already filters per agency (V050).
GRANT SELECT ON raw.submission_issue TO nq57_bi_reader, nq57_agency_reader;
