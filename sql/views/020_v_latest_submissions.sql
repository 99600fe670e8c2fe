-- The submission whose rows count for each (agency, period, system): the newest accepted version.
CREATE VIEW mart.v_latest_submissions WITH (security_invoker = true) AS
SELECT * FROM mart.v_submissions WHERE is_latest;

COMMENT ON VIEW mart.v_latest_submissions IS
    'One row per agency, period and system that has an accepted upload: the newest accepted version, whose rows '
    'count (mart.v_submissions where is_latest).';
SELECT core.copy_column_comments('mart.v_submissions', 'mart.v_latest_submissions');
