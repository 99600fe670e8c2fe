-- One row per agency and period: did it submit each system's report (an accepted upload, nil reports
-- included), on time (received before 00:00 on the 21st of the next month, Vietnam time), and who is
-- missing. Periods are those anyone has uploaded for (core.reported_periods() sees past row-level
-- security, so an agency's BI login still sees the periods it has not reported for, as missing).
CREATE VIEW mart.v_compliance WITH (security_invoker = true) AS
WITH periods AS (
    SELECT period FROM core.reported_periods()
),
accepted AS (
    SELECT agency_code, period, system,
           min(received_at)                 AS first_received_at,
           bool_or(on_time)                 AS on_time,
           bool_or(nil_report AND is_latest) AS nil_report
    FROM mart.v_submissions
    WHERE status = 'accepted'
    GROUP BY agency_code, period, system
)
SELECT a.agency_code,
       a.name                                         AS agency_name,
       a.kind                                         AS agency_kind,
       p.period,
       n57.agency_code IS NOT NULL                    AS nq57_submitted,
       n71.agency_code IS NOT NULL                    AS nq71_submitted,
       coalesce(n57.on_time, false)                   AS nq57_on_time,
       coalesce(n71.on_time, false)                   AS nq71_on_time,
       coalesce(n57.on_time, false) AND coalesce(n71.on_time, false) AS on_time,
       (n57.agency_code IS NOT NULL AND NOT n57.on_time)
           OR (n71.agency_code IS NOT NULL AND NOT n71.on_time)    AS late,
       n57.agency_code IS NULL OR n71.agency_code IS NULL          AS missing,
       coalesce(n57.nil_report, false) OR coalesce(n71.nil_report, false) AS nil_report,
       n57.first_received_at                          AS nq57_received_at,
       n71.first_received_at                          AS nq71_received_at,
       core.period_due_at(p.period)                   AS due_at
FROM core.agency a
CROSS JOIN periods p
LEFT JOIN accepted n57 ON n57.agency_code = a.agency_code AND n57.period = p.period AND n57.system = 'NQ57'
LEFT JOIN accepted n71 ON n71.agency_code = a.agency_code AND n71.period = p.period AND n71.system = 'NQ71';
