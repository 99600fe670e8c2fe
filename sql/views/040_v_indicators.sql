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
       j.agency_code,
       a.name                                                                       AS agency_name,
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
FROM judged j
LEFT JOIN core.agency a ON a.agency_code = j.agency_code;

COMMENT ON VIEW mart.v_indicators IS
    'One row per indicator, reporting agency and period, with the 2030 target of the catalogue and whether the '
    'reported value meets it. Where the agency''s NQ57 and NQ71 files give different values, both are kept and '
    'value is NULL (value_conflict).';
COMMENT ON COLUMN mart.v_indicators.period IS 'Reporting period YYYY-MM.';
COMMENT ON COLUMN mart.v_indicators.agency_code IS 'Reporting agency.';
COMMENT ON COLUMN mart.v_indicators.agency_name IS 'Name of the reporting agency (reference list).';
COMMENT ON COLUMN mart.v_indicators.indicator_code IS 'Catalogue code, e.g. CT_11_1 (Phụ lục I of the action programme).';
COMMENT ON COLUMN mart.v_indicators.indicator_name IS 'Indicator name from the catalogue.';
COMMENT ON COLUMN mart.v_indicators.value IS 'Reported value; NULL when the two systems disagree (value_conflict) or none was given.';
COMMENT ON COLUMN mart.v_indicators.unit IS 'Unit as reported, else the catalogue''s.';
COMMENT ON COLUMN mart.v_indicators.target_op IS '2030 target operator: >=, >, <=, <, = (read as a floor), between, or qualitative.';
COMMENT ON COLUMN mart.v_indicators.target_low IS '2030 target bound (the lower one for between).';
COMMENT ON COLUMN mart.v_indicators.target_high IS 'Upper 2030 target bound, for between.';
COMMENT ON COLUMN mart.v_indicators.meets_target IS 'The value meets the 2030 target (core.indicator_meets_target); NULL when unknown or qualitative.';
COMMENT ON COLUMN mart.v_indicators.note IS 'The agency''s note (Ghi chú): source, explanation, or why no value.';
COMMENT ON COLUMN mart.v_indicators.system IS 'Which systems'' files report it: NQ57, NQ71 or NQ57+NQ71.';
COMMENT ON COLUMN mart.v_indicators.submission_id IS 'Upload holding the value (the NQ57 one when both report it).';
COMMENT ON COLUMN mart.v_indicators.source_sheet IS 'Sheet of the value in that upload.';
COMMENT ON COLUMN mart.v_indicators.source_row IS 'Excel row number of the value in that sheet.';
COMMENT ON COLUMN mart.v_indicators.value_conflict IS 'The NQ57 and NQ71 files give different values; both are kept, none is picked.';
COMMENT ON COLUMN mart.v_indicators.nq57_value IS 'Value the NQ57 file gives.';
COMMENT ON COLUMN mart.v_indicators.nq71_value IS 'Value the NQ71 file gives.';
COMMENT ON COLUMN mart.v_indicators.nq57_meets_target IS 'Whether the NQ57 value meets the target.';
COMMENT ON COLUMN mart.v_indicators.nq71_meets_target IS 'Whether the NQ71 value meets the target.';
COMMENT ON COLUMN mart.v_indicators.nq57_submission_id IS 'Upload holding the NQ57 value.';
COMMENT ON COLUMN mart.v_indicators.nq71_submission_id IS 'Upload holding the NQ71 value.';
COMMENT ON COLUMN mart.v_indicators.nq57_source_row IS 'Excel row of the NQ57 value.';
COMMENT ON COLUMN mart.v_indicators.nq71_source_row IS 'Excel row of the NQ71 value.';
