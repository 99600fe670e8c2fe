-- The marker that says which kind of BI login a role is, so nq57 bi-login only ever changes its own roles
-- (composed with psycopg.sql: login is an identifier, mark a literal).
COMMENT ON ROLE {login} IS {mark}
