-- One indicator of the shipped catalogue (nq57/data/indicators.csv) with its 2030 target, updating it.
INSERT INTO core.indicator (indicator_code, name, unit, target_op, target_low, target_high, monitoring_agency)
VALUES (:code, :name, :unit, :op, :low, :high, :agency)
ON CONFLICT (indicator_code) DO UPDATE
SET name = excluded.name,
    unit = excluded.unit,
    target_op = excluded.target_op,
    target_low = excluded.target_low,
    target_high = excluded.target_high,
    monitoring_agency = excluded.monitoring_agency
