-- The submission whose rows count for each (agency, period, system): the newest accepted version.
CREATE VIEW mart.v_latest_submissions WITH (security_invoker = true) AS
SELECT * FROM mart.v_submissions WHERE is_latest;
