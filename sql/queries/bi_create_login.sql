-- A new BI login (composed with psycopg.sql: login is an identifier, verifier the hashed password literal).
CREATE ROLE {login} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT PASSWORD {verifier}
