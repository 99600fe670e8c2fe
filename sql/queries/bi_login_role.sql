-- A role by name: its marker comment (which BI login kind made it, if any) and whether it already sees
-- every row (superuser, BYPASSRLS, or a member of the :reader or :loader group). No row: no such role.
SELECT r.rolname,
       pg_catalog.shobj_description(r.oid, 'pg_authid') AS comment,
       r.rolsuper OR r.rolbypassrls
       OR EXISTS (SELECT FROM pg_catalog.pg_roles g
                  WHERE g.rolname IN (:reader, :loader) AND pg_catalog.pg_has_role(r.oid, g.oid, 'MEMBER'))
       AS sees_all
FROM pg_catalog.pg_roles r
WHERE r.rolname = :name
