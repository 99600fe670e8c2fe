-- Indicator values reported, and how many meet their 2030 target. :period NULL means every period.
SELECT count(*) AS n, count(*) FILTER (WHERE meets_target) AS met
FROM mart.v_indicators
WHERE CAST(:period AS text) IS NULL OR period = :period
