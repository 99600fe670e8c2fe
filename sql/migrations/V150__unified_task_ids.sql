-- Unified task ids that never collide or wrap (issue 17 item 2).
--
-- Before: every consolidation spent one value of core.unified_task_seq per task code of the period,
-- existing codes included (nextval ran before ON CONFLICT DO NOTHING), and the id was the value
-- left-padded to 6 digits with lpad(), which TRUNCATES longer text: from 1,000,000 on, different tasks
-- got ids already given out (1000000 -> NV100000). Now a value is drawn only for a code never seen, and
-- the id keeps every digit: NV000001 ... NV999999, then NV1000000, NV1000001, ... (existing ids unchanged).
-- The sequence is bigint without CYCLE, so it never wraps; the unique index makes a collision
-- impossible rather than unlikely: every minted id belongs to exactly one identity that was never merged
-- (a linked NQ71 code takes its NQ57 partner's id and records its own in merged_from).

CREATE OR REPLACE FUNCTION core.format_unified_task_id(n bigint) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'NV' OPERATOR(pg_catalog.||)
           CASE WHEN n OPERATOR(pg_catalog.<) 1000000 THEN pg_catalog.lpad(n::text, 6, '0') ELSE n::text END
$$;

ALTER SEQUENCE core.unified_task_seq AS bigint NO MAXVALUE NO CYCLE;

CREATE UNIQUE INDEX task_identity_minted_once ON core.task_identity (unified_task_id) WHERE merged_from IS NULL;
