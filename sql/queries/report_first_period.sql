-- The first period anyone uploaded for: the trend and the comparison start no earlier.
SELECT min(period) AS first_period FROM core.reported_periods()
