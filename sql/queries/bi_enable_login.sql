-- An existing BI login made able to log in with a new password (composed with psycopg.sql: login is an
-- identifier, verifier the hashed password literal).
ALTER ROLE {login} WITH LOGIN PASSWORD {verifier}
