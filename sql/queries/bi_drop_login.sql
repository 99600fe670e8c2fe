-- A BI login removed from the cluster (composed with psycopg.sql: login is an identifier).
DROP ROLE {login}
