-- Whether this database has the BI login -> agency mapping table (absent before migration V050).
SELECT to_regclass('core.agency_role') IS NOT NULL
