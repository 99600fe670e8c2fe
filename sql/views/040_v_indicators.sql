-- One row per indicator per reporting agency per period, with the catalogue's 2030 target (operator +
-- bounds) and whether the reported value meets it (core.indicator_meets_target: "= X" is a floor).
-- An agency may report an indicator in both systems' files. Where the two values agree (or only one
-- system gives a value) `value` is that value; where they differ nothing is picked: `value` is NULL,
-- value_conflict is true and both values stay (nq57_value, nq71_value), each with its own verdict;
-- meets_target is then known only if both verdicts agree. `system` says who reported: NQ57, NQ71 or
-- NQ57+NQ71.
CREATE VIEW mart.v_indicators WITH (security_invoker = true) AS
WITH reported AS (
    SELECT l.period, l.agency_code, l.system, l.submission_id, i.indicator_code, i.value, i.unit, i.note,
           i.source_sheet, i.source_row
    FROM mart.v_latest_submissions l
    JOIN staging.indicator i USING (submission_id)
),
paired AS (
    SELECT coalesce(a.period, b.period)                 AS period,
           coalesce(a.agency_code, b.agency_code)       AS agency_code,
           coalesce(a.indicator_code, b.indicator_code) AS indicator_code,
           a AS n57,
           b AS n71,
           coalesce((a).value <> (b).value, false)      AS value_conflict
    FROM (SELECT * FROM reported WHERE system = 'NQ57') a
    FULL JOIN (SELECT * FROM reported WHERE system = 'NQ71') b
           ON a.period = b.period AND a.agency_code = b.agency_code AND a.indicator_code = b.indicator_code
),
judged AS (
    SELECT p.*,
           c.name AS indicator_name,
           c.unit AS catalogue_unit,
           c.target_op,
           c.target_low,
           c.target_high,
           core.indicator_meets_target(c.target_op, c.target_low, c.target_high, (p.n57).value) AS nq57_meets,
           core.indicator_meets_target(c.target_op, c.target_low, c.target_high, (p.n71).value) AS nq71_meets
    FROM paired p
    LEFT JOIN core.indicator c ON c.indicator_code = p.indicator_code
)
SELECT period,
       agency_code,
       indicator_code,
       indicator_name,
       CASE WHEN value_conflict THEN NULL ELSE coalesce((n57).value, (n71).value) END AS value,
       coalesce((n57).unit, (n71).unit, catalogue_unit)                              AS unit,
       target_op,
       target_low,
       target_high,
       CASE WHEN value_conflict THEN CASE WHEN nq57_meets = nq71_meets THEN nq57_meets END
            ELSE coalesce(nq57_meets, nq71_meets) END                                AS meets_target,
       coalesce((n57).note, (n71).note)                                             AS note,
       CASE WHEN (n57).submission_id IS NOT NULL AND (n71).submission_id IS NOT NULL THEN 'NQ57+NQ71'
            WHEN (n57).submission_id IS NOT NULL THEN 'NQ57' ELSE 'NQ71' END        AS system,
       coalesce((n57).submission_id, (n71).submission_id)                           AS submission_id,
       coalesce((n57).source_sheet, (n71).source_sheet)                             AS source_sheet,
       coalesce((n57).source_row, (n71).source_row)                                 AS source_row,
       value_conflict,
       (n57).value                                                                  AS nq57_value,
       (n71).value                                                                  AS nq71_value,
       nq57_meets                                                                   AS nq57_meets_target,
       nq71_meets                                                                   AS nq71_meets_target,
       (n57).submission_id                                                          AS nq57_submission_id,
       (n71).submission_id                                                          AS nq71_submission_id,
       (n57).source_row                                                             AS nq57_source_row,
       (n71).source_row                                                             AS nq71_source_row
FROM judged;
