-- One row per indicator per reporting agency per period, with the catalogue's 2030 target
-- (operator + bounds) and whether the reported value meets it. An agency may report the same indicator
-- in both systems' files: the most recently received accepted value counts, and `system` says whose.
CREATE VIEW mart.v_indicators WITH (security_invoker = true) AS
SELECT DISTINCT ON (l.period, l.agency_code, i.indicator_code)
       l.period,
       l.agency_code,
       i.indicator_code,
       c.name AS indicator_name,
       i.value,
       coalesce(i.unit, c.unit) AS unit,
       c.target_op,
       c.target_low,
       c.target_high,
       CASE
           WHEN i.value IS NULL OR c.target_op = 'qualitative' THEN NULL
           WHEN c.target_op = '>=' THEN i.value >= c.target_low
           WHEN c.target_op = '>' THEN i.value > c.target_low
           WHEN c.target_op = '<=' THEN i.value <= c.target_low
           WHEN c.target_op = '=' THEN i.value = c.target_low
           WHEN c.target_op = 'between' THEN i.value BETWEEN c.target_low AND c.target_high
       END AS meets_target,
       i.note,
       l.system,
       l.submission_id,
       i.source_sheet,
       i.source_row
FROM mart.v_latest_submissions l
JOIN staging.indicator i USING (submission_id)
LEFT JOIN core.indicator c USING (indicator_code)
ORDER BY l.period, l.agency_code, i.indicator_code, l.received_at DESC, l.submission_id DESC;
