-- A session default of a BI login: a limit (statement_timeout, lock_timeout, ...) or its search_path
-- (composed with psycopg.sql: login and setting are identifiers, value a literal or an identifier).
ALTER ROLE {login} SET {setting} = {value}
