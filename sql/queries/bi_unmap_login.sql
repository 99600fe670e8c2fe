-- Forget which agency a BI login sees, in this database.
DELETE FROM core.agency_role WHERE role_name = :login
