-- One period's indicator values against their 2030 targets (mart.v_indicators), conflicts included.
SELECT *
FROM mart.v_indicators
WHERE period = :period
ORDER BY indicator_code, agency_code
