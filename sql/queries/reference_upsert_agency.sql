-- One agency of the shipped reference list (nq57/data/agencies.csv) into core.agency, updating its names.
INSERT INTO core.agency (agency_code, name, kind, short_name)
VALUES (:code, :name, :kind, :short)
ON CONFLICT (agency_code) DO UPDATE
SET name = excluded.name,
    kind = excluded.kind,
    short_name = excluded.short_name
