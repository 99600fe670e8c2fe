-- The agency whose rows a BI login sees (row-level security reads core.agency_role; see V050).
INSERT INTO core.agency_role (role_name, agency_code)
VALUES (:login, :code)
ON CONFLICT (role_name) DO UPDATE SET agency_code = excluded.agency_code
