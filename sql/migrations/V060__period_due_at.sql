-- The submission deadline of a period (DESIGN §7): 00:00 on the 21st of the month after the period,
-- Asia/Ho_Chi_Minh. The one SQL home of the rule; its Python twin is nq57.periods.due_at.
-- NULL for text that is not a YYYY-MM month, so no view ever raises on ledger content.
-- search_path pinned and operators schema-qualified: views and policies may call it safely.
CREATE OR REPLACE FUNCTION core.period_due_at(period text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN period OPERATOR(pg_catalog.~) '^[0-9]{4}-(0[1-9]|1[0-2])$' THEN
            (pg_catalog.make_date(pg_catalog.substr(period, 1, 4)::int, pg_catalog.substr(period, 6, 2)::int, 1)
             OPERATOR(pg_catalog.+) interval '1 month 20 days')::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh'
    END
$$;
