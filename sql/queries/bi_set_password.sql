-- A new password for a BI login (composed with psycopg.sql: login is an identifier, verifier the hashed
-- password literal).
ALTER ROLE {login} WITH PASSWORD {verifier}
