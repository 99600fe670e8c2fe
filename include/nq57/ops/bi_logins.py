"""Warehouse logins for BI tools (DESIGN §7: the mart views are the BI contract).

Migration V050 creates the group roles and the row-level security; this module makes the logins:

- an agency login (`bi_<code>` by default) is a member of `nq57_agency_reader` and is mapped to its
  agency in `core.agency_role`: it reads schema `agency`, one view per mart view with that agency's
  rows only (each a scan of a SECURITY DEFINER function, so its query plans never touch other
  agencies' rows: migration V153); it cannot read the mart views or the base tables;
- a reader login is a member of `nq57_bi_reader`: every row of every mart view, read-only.

Roles are cluster-wide, the agency mapping is per database. Run as the warehouse owner (the role that
runs migrations; it needs CREATEROLE, or is a superuser). The module only changes roles it created:
each carries a `COMMENT ON ROLE` marker, so `postgres`, the owner or the group roles can never be turned
into BI logins, re-passworded or dropped through it.

Passwords are hashed on the client (libpq's PQencryptPasswordConn, with the server's
password_encryption) and only the verifier is sent, so the plain text never reaches the server's
statement log. Statements are `sql/queries/bi_*.sql`; role names and literals are composed into them with
psycopg.sql.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence

from psycopg import sql
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from nq57.ops import warehouse_url
from nq57.storage import warehouse
from nq57.storage.warehouse import named_query

BI_READER = "nq57_bi_reader"
AGENCY_READER = "nq57_agency_reader"
AGENCY_SCHEMA = "agency"  # what agency logins read: the mart views, through opaque functions (V153)
LOADER = "nq57_loader"
GROUP_ROLES = (BI_READER, AGENCY_READER, LOADER)

MARKER = "nq57 BI login"
_AGENCY_MARK = f"{MARKER}: agency "
_READER_MARK = f"{MARKER}: reader"

# Session limits of every BI login (issue 17 item 9), set on the role so they apply whatever the BI tool
# sends: a runaway dashboard query is cancelled, a login never waits long on a lock, and a transaction a
# tool leaves open is closed, so it cannot hold a lock that the pipeline's view changes (and every reader
# queued behind them) would wait for. A DBA may ALTER ROLE ... SET another value per login.
BI_SESSION_LIMITS = {
    "statement_timeout": "5min",
    "lock_timeout": "10s",
    "idle_in_transaction_session_timeout": "2min",
}

# Lower case only: BI tools and psql fold unquoted names, and a login must be typed as it was created.
_LOGIN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_CODE = re.compile(r"^[A-Z0-9]{2,16}$")


def default_login(agency_code: str) -> str:
    """`bi_<code in lower case>`: the login of an agency unless told otherwise."""
    return "bi_" + agency_code.strip().lower()


def create_agency_login(url: str, agency_code: str, login: str | None = None, *, password: str) -> str:
    """Create (or update the password and agency of) a LOGIN role that reads one agency's rows.

    Idempotent. Returns the login name.
    """
    code = _agency_code(agency_code)
    name = _login_name(login or default_login(code))
    _check_password(password)
    with warehouse.engine(url).begin() as conn:
        _require_setup(conn)
        known = conn.execute(text(named_query("bi_agency_exists")), {"code": code})
        if not known.scalar_one():
            raise ValueError(f"unknown agency code {code!r} (not in core.agency)")
        role = _role(conn, name)
        if role is not None:
            _require_ours(role, name, _AGENCY_MARK)
            if role.sees_all:
                raise ValueError(f"role {name!r} is a member of {BI_READER} or {LOADER}: it would see every "
                                 "agency's rows; drop it first")
        _set_login(conn, name, password, create=role is None, comment=_AGENCY_MARK + code)
        _execute(conn, "bi_grant_group", group=sql.Identifier(AGENCY_READER), login=sql.Identifier(name))
        # Its views are in schema `agency` (migration V153): unqualified names find them there.
        _execute(conn, "bi_set_login_default", login=sql.Identifier(name), setting=sql.Identifier("search_path"),
                 value=sql.Identifier(AGENCY_SCHEMA))
        conn.execute(text(named_query("bi_map_login_to_agency")), {"login": name, "code": code})
    return name


def create_reader_login(url: str, login: str, password: str) -> str:
    """Create (or update the password of) a LOGIN role that reads every row of the mart views. Idempotent."""
    name = _login_name(login)
    _check_password(password)
    with warehouse.engine(url).begin() as conn:
        _require_setup(conn)
        role = _role(conn, name)
        if role is not None:
            _require_ours(role, name, _READER_MARK)
        _set_login(conn, name, password, create=role is None, comment=_READER_MARK)
        _execute(conn, "bi_grant_group", group=sql.Identifier(BI_READER), login=sql.Identifier(name))
    return name


def rotate_password(url: str, login: str, password: str) -> None:
    """Set a new password on an existing BI login (agency or reader)."""
    name = _login_name(login)
    _check_password(password)
    with warehouse.engine(url).begin() as conn:
        role = _role(conn, name)
        if role is None:
            raise LookupError(f"no login {name!r}")
        _require_ours(role, name, MARKER)
        _execute(conn, "bi_set_password", login=sql.Identifier(name),
                 verifier=sql.Literal(_verifier(conn, name, password)))


def drop_login(url: str, login: str) -> bool:
    """Drop a BI login and its agency mapping in this database. False if there was no such login."""
    name = _login_name(login)
    with warehouse.engine(url).begin() as conn:
        role = _role(conn, name)
        if role is not None:
            _require_ours(role, name, MARKER)
        if conn.execute(text(named_query("bi_agency_mapping_exists"))).scalar_one():
            conn.execute(text(named_query("bi_unmap_login")), {"login": name})
        if role is None:
            return False
        _execute(conn, "bi_drop_login", login=sql.Identifier(name))
    return True


# ---------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `nq57 bi-login` (the parser itself, its -v and its errors are `nq57.ops.cli`'s)."""
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--agency", metavar="CODE",
                     help="a login that sees this agency's rows only (named bi_<code> unless --login)")
    who.add_argument("--reader", metavar="NAME", help="a login that sees every row of the mart views")
    parser.add_argument("--login", metavar="NAME", help="login name for --agency (default: bi_<code in lower case>)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--rotate", action="store_true", help="only change the password of an existing login")
    what.add_argument("--drop", action="store_true", help="drop the login (and its agency mapping)")
    parser.add_argument("--password-env", metavar="VAR",
                        help="environment variable holding the password (never given on the command line); "
                             "not needed with --drop")
    warehouse_url.add_options(parser, "$WAREHOUSE_URL; connect as the warehouse owner, never an embedded server")


def command(args: argparse.Namespace) -> int:
    """`nq57 bi-login`: every mistake (a missing password variable, an unknown agency, a login that does
    not exist or is not ours, a bad name) is an `OperatorError`, said in one line with exit status 2."""
    from nq57.ops.errors import OperatorError, explain

    if args.login and not args.agency:
        raise OperatorError("--login goes with --agency (--reader takes the login name itself)")
    password = ""
    if not args.drop:
        if not args.password_env:
            raise OperatorError("--password-env VAR is required: the password is read from that environment "
                                "variable, never from the command line")
        password = os.environ.get(args.password_env, "")
        if not password:
            raise OperatorError(f"environment variable {args.password_env} (--password-env) is not set or empty")
    url = warehouse_url.resolve(args)
    if not url:
        raise OperatorError("no warehouse: set WAREHOUSE_URL or give --warehouse URL / --warehouse-file FILE "
                            "(BI logins are made on the deployment's warehouse, as its owner)")

    name = args.reader or args.login or default_login(args.agency)
    try:
        if args.drop:
            print(f"login {name} dropped" if drop_login(url, name) else f"no login {name}")
        elif args.rotate:
            rotate_password(url, name, password)
            print(f"password of login {name} changed")
        elif args.agency:
            name = create_agency_login(url, args.agency, args.login, password=password)
            print(f"login {name} ready: reads the mart views filtered to agency {_agency_code(args.agency)} "
                  f"(member of {AGENCY_READER})")
        else:
            name = create_reader_login(url, name, password)
            print(f"login {name} ready: reads every row of the mart views (member of {BI_READER})")
    except (ValueError, LookupError) as exc:
        raise OperatorError(str(exc)) from exc
    except DBAPIError as exc:
        if explain(exc) is not None:
            raise
        # A statement the server refused (a role clash, a missing privilege): its own words, one line.
        detail = str(exc.orig if exc.orig is not None else exc).strip().splitlines()[0]
        raise OperatorError(f"the warehouse refused the change: {detail}") from exc
    return 0


def main_bi(argv: Sequence[str] | None = None) -> int:
    """`nq57 bi-login ARGS`: the same command, errors and exit statuses as through `nq57`."""
    from nq57.ops.cli import main

    return main(["bi-login", *(sys.argv[1:] if argv is None else argv)])


# ---------------------------------------------------------------- helpers


def _agency_code(value: str) -> str:
    code = value.strip().upper() if isinstance(value, str) else value
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValueError(f"not an agency code: {value!r}")
    return code


def _login_name(value: str) -> str:
    if not isinstance(value, str) or not _LOGIN.match(value) or value.startswith(("pg_", "nq57_")):
        raise ValueError(f"not a usable login name: {value!r} (lower-case letters, digits and _, at most 63, "
                         "not starting with a digit, pg_ or nq57_)")
    return value


def _check_password(password: str) -> None:
    if not isinstance(password, str) or not password or "\x00" in password:
        raise ValueError("the password must be a non-empty string")


def _require_setup(conn: Connection) -> None:
    ready = conn.execute(text(named_query("bi_roles_ready")),
                         {"groups": list(GROUP_ROLES), "n": len(GROUP_ROLES)}).scalar_one()
    if not ready:
        raise LookupError("the warehouse has no BI roles yet: run the migrations (V050__bi_roles_and_rls) first")


def _role(conn: Connection, name: str):
    """The role's marker comment and whether it already sees every row; None if there is no such role."""
    return conn.execute(text(named_query("bi_login_role")),
                        {"name": name, "reader": BI_READER, "loader": LOADER}).one_or_none()


def _require_ours(role, name: str, mark: str) -> None:
    comment = role.comment or ""
    if not comment.startswith(mark):
        kind = "not made by nq57 bi-login" if not comment.startswith(MARKER) else f"a different kind ({comment})"
        raise ValueError(f"role {name!r} exists and is {kind}: refusing to change it")


def _set_login(conn: Connection, name: str, password: str, *, create: bool, comment: str) -> None:
    verifier = sql.Literal(_verifier(conn, name, password))
    _execute(conn, "bi_create_login" if create else "bi_enable_login", login=sql.Identifier(name), verifier=verifier)
    _execute(conn, "bi_mark_login", login=sql.Identifier(name), mark=sql.Literal(comment))
    for setting, value in BI_SESSION_LIMITS.items():
        _execute(conn, "bi_set_login_default", login=sql.Identifier(name), setting=sql.Identifier(setting),
                 value=sql.Literal(value))


def _verifier(conn: Connection, name: str, password: str) -> str:
    """The password hashed by libpq the way the server is configured to store it (SCRAM-SHA-256 by default)."""
    pgconn = conn.connection.driver_connection.pgconn
    return pgconn.encrypt_password(password.encode("utf-8"), name.encode("utf-8")).decode("ascii")


def _execute(conn: Connection, query: str, **parts: sql.Composable) -> None:
    """A utility statement (no bind parameters there) in the connection's transaction: the named query
    `sql/queries/<query>.sql`, its `{placeholders}` filled with identifiers and literals by psycopg.sql."""
    with conn.connection.driver_connection.cursor() as cursor:
        cursor.execute(sql.SQL(named_query(query)).format(**parts))
