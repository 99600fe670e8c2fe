-- A BI login joins its group role, which carries the read grants (composed with psycopg.sql: both are
-- identifiers).
GRANT {group} TO {login}
