"""BI access on real PostgreSQL: group roles, row-level security, logins (V050, V151, V153 + nq57.ops.bi_logins).

Agency logins read schema `agency` (one view per mart view, through SECURITY DEFINER functions run as
nq57_agency_gate, so their plans never scan other agencies' rows); they cannot read mart or the tables.

Every test connects AS the login it made (same server and database as `warehouse_url`, user and password
replaced) and proves what that login can and cannot read or write. Roles are cluster-wide and the server
is shared by the session: each test names its logins uniquely and drops them in a finalizer.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid
from decimal import Decimal

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from nq57.ops import bi_logins as bi_access
from nq57.storage import warehouse
from nq57.uploads import Upload

pytestmark = pytest.mark.integration

MART_VIEWS = ("v_submissions", "v_latest_submissions", "v_tasks", "v_indicators", "v_compliance")
RLS_TABLES = ("raw.submission", "raw.submission_issue", "staging.task", "staging.indicator", "core.agency",
              "core.agency_role")
WRITES = (
    "INSERT INTO raw.submission (bucket, object_key, version_id, sha256, size_bytes, agency_code, period, received_at)"
    " VALUES ('b', 'T01/2026-10/x.xlsx', 'v9', 'f', 1, 'T01', '2026-10', now())",
    "UPDATE raw.submission SET status = 'rejected'",
    "DELETE FROM raw.submission",
    "INSERT INTO staging.task (submission_id, source_sheet, source_row, task_code, task_name, assigning_doc)"
    " SELECT submission_id, 'NhiemVu', 99, 'X', 'x', 'x' FROM raw.submission LIMIT 1",
    "UPDATE staging.task SET progress_pct = 0",
    "DELETE FROM staging.task",
    "UPDATE staging.indicator SET value = 0",
    "DELETE FROM staging.indicator",
    "UPDATE core.agency SET name = 'x'",
    "INSERT INTO core.agency_role VALUES (current_user, 'BKHCN')",
    "UPDATE core.agency_role SET agency_code = 'BKHCN'",
    "DELETE FROM core.agency_role",
    "UPDATE core.indicator SET unit = 'x'",
    "DELETE FROM raw.submission_issue",
    "TRUNCATE staging.task",
    "INSERT INTO mart.v_submissions (submission_id) VALUES (1)",
    "UPDATE mart.v_review_queue SET score = 0",  # an automatically updatable view
    "DELETE FROM mart.v_review_queue",
    "CREATE TABLE mart.sneaky (x int)",
    "CREATE TABLE core.sneaky (x int)",
    "SET ROLE nq57_bi_reader",
    "SET ROLE nq57_loader",
)

# insufficient_privilege (also RLS), wrong_object_type, object_not_in_prerequisite_state (view not updatable)
REFUSALS = {"42501", "42809", "55000"}


# ---------------------------------------------------------------- helpers


def role_url(url: str, login: str, password: str) -> str:
    return make_url(url).set(username=login, password=password).render_as_string(hide_password=False)


class Login:
    """A connection factory for one role; every statement in its own transaction."""

    def __init__(self, url: str, login: str, password: str):
        self.name = login
        self.engine = create_engine(role_url(url, login, password), poolclass=NullPool)

    def rows(self, sql: str, **params) -> list[tuple]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]

    def column(self, sql: str, **params) -> list:
        return [r[0] for r in self.rows(sql, **params)]

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar_one()

    def execute(self, sql: str, **params) -> int:
        with self.engine.begin() as conn:
            return conn.execute(text(sql), params).rowcount

    def refused(self, sql: str, **params) -> str:
        """The SQLSTATE the statement fails with (the test fails if it succeeds)."""
        with pytest.raises(DBAPIError) as caught, self.engine.begin() as conn:
            conn.execute(text(sql), params)
        return caught.value.orig.sqlstate

    def close(self) -> None:
        self.engine.dispose()


@pytest.fixture
def logins(warehouse_url):
    """Unique login names for this test; the roles are dropped afterwards (roles are cluster-wide)."""
    made: list[str] = []
    opened: list[Login] = []
    suffix = uuid.uuid4().hex[:8]

    class Registry:
        password = secrets.token_urlsafe(16)

        @staticmethod
        def name(base: str) -> str:
            made.append(f"{base}_{suffix}")
            return made[-1]

        @staticmethod
        def track(name: str) -> str:
            made.append(name)
            return name

        @staticmethod
        def connect(login: str, password: str | None = None) -> Login:
            opened.append(Login(warehouse_url, login, password or Registry.password))
            return opened[-1]

    yield Registry
    for login in opened:
        login.close()
    drop_roles(warehouse_url, made)


def drop_roles(url: str, names: list[str]) -> None:
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            for name in dict.fromkeys(names):
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
    finally:
        admin.dispose()


def seed(url: str) -> dict[str, int]:
    """Two agencies' submissions, staged rows, issues and consolidation rows, as the pipeline would write them."""
    received = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)
    ledger = {  # name: (agency, period, system, status)
        "t01": ("T01", "2026-10", "NQ57", "accepted"),
        "bk": ("BKHCN", "2026-10", "NQ57", "accepted"),
        "bk_sep": ("BKHCN", "2026-09", "NQ57", "accepted"),
        "bk_71": ("BKHCN", "2026-10", "NQ71", "rejected"),
    }
    ids: dict[str, int] = {}
    with warehouse.transaction(url) as conn:
        for name, (agency, period, system, status) in ledger.items():
            ids[name] = conn.execute(text(
                "INSERT INTO raw.submission (bucket, object_key, version_id, sha256, size_bytes, agency_code, period,"
                " system, received_at, status) VALUES ('nq57-submissions', :key, 'v1', :sha, 100, :agency, :period,"
                " :system, :received, :status) RETURNING submission_id"
            ), {"key": f"{agency}/{period}/{name}.xlsx", "sha": name * 8, "agency": agency, "period": period,
                "system": system, "received": received, "status": status}).scalar_one()
            conn.execute(text(
                "INSERT INTO raw.submission_issue (submission_id, seq, severity, rule, message)"
                " VALUES (:id, 0, 'warning', 'test.rule', :msg)"), {"id": ids[name], "msg": f"issue of {agency}"})
        tasks = [("t01", "NQ57-T01-0001", "T01"), ("t01", "NQ57-T01-0002", "T01"),
                 ("bk", "NQ57-BKHCN-0001", "BKHCN"), ("bk_sep", "NQ57-BKHCN-0001", "BKHCN")]
        for row, (sub, code, lead) in enumerate(tasks, start=5):
            conn.execute(text(
                "INSERT INTO staging.task (submission_id, source_sheet, source_row, task_code, task_name, assigning_doc,"
                " lead_agency_code, status_code, progress_pct) VALUES (:id, 'NhiemVu', :row, :code, :name,"
                " '57-NQ/TW', :lead, 'dang_thuc_hien', 50)"
            ), {"id": ids[sub], "row": row, "code": code, "name": f"task {code}", "lead": lead})
        for sub, value in (("t01", 85.5), ("bk", 40), ("bk_sep", 39)):
            conn.execute(text(
                "INSERT INTO staging.indicator (submission_id, source_sheet, source_row, indicator_code, value)"
                " VALUES (:id, 'ChiTieu', 5, 'CT_1', :value)"), {"id": ids[sub], "value": value})
        for code, lead in (("NQ57-T01-0001", "T01"), ("NQ57-T01-0002", "T01"), ("NQ57-BKHCN-0001", "BKHCN")):
            conn.execute(text(
                "INSERT INTO core.task_identity (system, task_code, unified_task_id, first_period)"
                " VALUES ('NQ57', :code, :uid, '2026-09')"), {"code": code, "uid": "u:" + code})
            conn.execute(text(
                "INSERT INTO core.task_link (period, nq57_task_code, nq71_task_code, lead_agency_code, method, score)"
                " VALUES ('2026-10', :code, :n71, :lead, 'code', 1)"), {"code": code, "n71": code.replace("57", "71"),
                                                                        "lead": lead})
            conn.execute(text(
                "INSERT INTO core.review_queue (period, nq57_task_code, nq71_task_code, lead_agency_code, score)"
                " VALUES ('2026-10', :code, 'NQ71-X', :lead, 0.7)"), {"code": code, "lead": lead})
            conn.execute(text(
                "INSERT INTO core.task_crosswalk (nq57_task_code, nq71_task_code, lead_agency_code, decision, method,"
                " decided_by) VALUES (:code, 'NQ71-Y', :lead, 'rejected', 'review', 'tester')"),
                {"code": code, "lead": lead})
    return ids


def admin_rows(url: str, sql: str) -> list[tuple]:
    with warehouse.engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def scram_matches(verifier: str, password: str) -> bool:
    """Does a stored SCRAM-SHA-256 verifier (pg_authid.rolpassword) belong to this password? (RFC 5802)"""
    method, rest = verifier.split("$", 1)
    assert method == "SCRAM-SHA-256", verifier
    params, keys = rest.split("$")
    iterations, salt = params.split(":")
    stored_key, server_key = (base64.b64decode(k) for k in keys.split(":"))
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    return (hashlib.sha256(client_key).digest() == stored_key
            and hmac.digest(salted, b"Server Key", "sha256") == server_key)


def stored_password(url: str, login: str) -> str:
    return admin_rows(url, f"SELECT rolpassword FROM pg_authid WHERE rolname = '{login}'")[0][0]


def server_checks_passwords(url: str, login: str) -> bool:
    """False on trust authentication (the embedded server's unix socket), where any password connects."""
    probe = create_engine(role_url(url, login, "certainly-not-the-password"), poolclass=NullPool)
    try:
        with probe.connect():
            return False
    except DBAPIError:
        return True
    finally:
        probe.dispose()


# ---------------------------------------------------------------- the catalogue


def test_roles_and_row_level_security_are_in_place(warehouse_url):
    roles = {name: rest for name, *rest in admin_rows(
        warehouse_url, "SELECT rolname, rolcanlogin, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles")}
    for group in bi_access.GROUP_ROLES:
        assert roles[group] == [False, False, False, False], group  # NOLOGIN, no superuser, no BYPASSRLS
    flags = dict(admin_rows(warehouse_url,
                            "SELECT oid::regclass::text, (relrowsecurity AND relforcerowsecurity) FROM pg_class "
                            "WHERE relkind = 'r' AND relnamespace::regnamespace::text IN ('raw', 'staging', 'core')"))
    for table in (*RLS_TABLES, "core.task_identity", "core.task_link", "core.review_queue", "core.task_crosswalk"):
        assert flags[table] is True, f"{table}: RLS not enabled and forced"


def test_mart_views_are_security_invoker_and_their_tables_readable_by_both_reader_roles(warehouse_url):
    """Guard for new views: a view read as its owner, or a base table without grants, would break the contract."""
    relations = admin_rows(warehouse_url,
                           "SELECT relname, relkind, coalesce('security_invoker=true' = ANY(reloptions), false)"
                           " FROM pg_class WHERE relnamespace = 'mart'::regnamespace AND relkind IN ('r','v','m','p','f')")
    assert relations, "no mart views?"
    for name, kind, invoker in relations:
        assert kind == "v" and invoker, f"mart.{name}: only security_invoker views belong in mart (RLS!)"
    behind = admin_rows(warehouse_url, """
        SELECT DISTINCT ref.oid::regclass::text
        FROM pg_class v
        JOIN pg_rewrite rw ON rw.ev_class = v.oid
        JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                        AND d.refclassid = 'pg_class'::regclass
        JOIN pg_class ref ON ref.oid = d.refobjid AND ref.oid <> v.oid AND ref.relkind IN ('r', 'p', 'v', 'm')
        WHERE v.relnamespace = 'mart'::regnamespace""")
    for (table,) in behind:
        for role in ("nq57_bi_reader", "nq57_agency_gate", "nq57_loader"):
            assert admin_rows(warehouse_url, f"SELECT has_table_privilege('{role}', '{table}', 'SELECT')")[0][0], \
                f"{role} cannot SELECT {table}, which a mart view reads: grant it (and add RLS if it has agency data)"


def test_reader_roles_write_nothing_and_read_only_what_the_views_need(warehouse_url):
    rows = admin_rows(warehouse_url, """
        SELECT r.rolname, c.oid::regclass::text, c.relkind, p.privilege,
               has_table_privilege(r.oid, c.oid, p.privilege)
        FROM pg_roles r
        CROSS JOIN pg_class c
        CROSS JOIN unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) p(privilege)
        WHERE r.rolname IN ('nq57_bi_reader', 'nq57_agency_reader')
          AND c.relnamespace::regnamespace::text IN ('raw', 'staging', 'core', 'mart', 'public')
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f')""")
    granted = {(role, rel, priv) for role, rel, kind, priv, has in rows if has}
    assert not {g for g in granted if g[2] != "SELECT"}, "reader roles may only SELECT"
    needed = {"raw.submission", "raw.submission_issue", "staging.task", "staging.indicator", "core.agency",
              "core.indicator", "core.task_identity", "core.task_link", "core.review_queue", "core.task_crosswalk",
              "core.label"}
    mart = {rel for _, rel, kind, _, _ in rows if kind == "v"}
    assert {rel for role, rel, _ in granted if role == "nq57_bi_reader"} == needed | mart
    # Agency readers: nothing in raw, staging, core, mart or public; one agency view per mart view.
    assert {rel for role, rel, _ in granted if role == "nq57_agency_reader"} == set()
    agency_views = admin_rows(warehouse_url, """
        SELECT c.relname, has_table_privilege('nq57_agency_reader', c.oid, 'SELECT') FROM pg_class c
        WHERE c.relnamespace = 'agency'::regnamespace AND c.relkind = 'v'""")
    assert {f"mart.{name}" for name, _ in agency_views} == mart and all(ok for _, ok in agency_views)
    # Whatever the gate that serves them can SELECT that carries agency data is row-filtered.
    agency_data = admin_rows(warehouse_url, """
        SELECT DISTINCT c.oid::regclass::text, c.relrowsecurity AND c.relforcerowsecurity
        FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND NOT a.attisdropped
        WHERE c.relkind = 'r' AND c.relnamespace::regnamespace::text IN ('raw', 'staging', 'core')
          AND a.attname IN ('agency_code', 'lead_agency_code', 'submission_id', 'role_name')
          AND has_table_privilege('nq57_agency_gate', c.oid, 'SELECT')""")
    assert agency_data and all(forced for _, forced in agency_data), agency_data


# ---------------------------------------------------------------- agency logins


def test_an_agency_login_sees_only_its_own_rows(warehouse_url, logins):
    ids = seed(warehouse_url)
    t01 = logins.connect(bi_access.create_agency_login(warehouse_url, "T01", logins.name("bi_t01"),
                                                       password=logins.password))
    bk = logins.connect(bi_access.create_agency_login(warehouse_url, "BKHCN", logins.name("bi_bkhcn"),
                                                      password=logins.password))

    assert t01.rows("SELECT agency_code, period, status FROM agency.v_submissions") == [("T01", "2026-10", "accepted")]
    assert t01.column("SELECT DISTINCT agency_code FROM agency.v_latest_submissions") == ["T01"]
    assert sorted(t01.column("SELECT nq57_task_code FROM agency.v_tasks")) == ["NQ57-T01-0001", "NQ57-T01-0002"]
    assert set(t01.column("SELECT submission_id FROM agency.v_tasks")) == {ids["t01"]}
    assert t01.rows("SELECT agency_code, indicator_code, value FROM agency.v_indicators") == \
        [("T01", "CT_1", Decimal("85.5"))]
    assert sorted(t01.rows("SELECT agency_code, period, nq57_submitted FROM agency.v_compliance")) == [
        ("T01", "2026-09", False), ("T01", "2026-10", True)]
    assert t01.column("SELECT DISTINCT lead_agency_code FROM agency.v_task_links") == ["T01"]
    assert t01.column("SELECT DISTINCT lead_agency_code FROM agency.v_review_queue") == ["T01"]
    assert t01.column("SELECT DISTINCT reporting_agency_code FROM agency.v_period_tasks") == ["T01"]
    # Unqualified names find schema agency (the login's search_path).
    assert t01.column("SELECT DISTINCT agency_code FROM v_submissions") == ["T01"]

    # Asking for another agency's rows by name or id returns nothing.
    assert t01.scalar("SELECT count(*) FROM agency.v_submissions WHERE agency_code = 'BKHCN'") == 0
    assert t01.scalar("SELECT count(*) FROM agency.v_tasks WHERE nq57_task_code LIKE 'NQ57-BKHCN%'") == 0
    assert t01.scalar("SELECT count(*) FROM agency.v_indicators WHERE agency_code = 'BKHCN'") == 0
    assert t01.scalar("SELECT count(*) FROM agency.v_compliance WHERE agency_code <> 'T01'") == 0

    # The mart views and every table stay closed (42501 = insufficient_privilege).
    for table in (*(f"mart.{v}" for v in (*MART_VIEWS, "v_period_tasks", "v_task_links", "v_review_queue")),
                  *RLS_TABLES, "core.task_identity", "core.task_link", "core.indicator", "raw.submission_issue",
                  "core.agency_alias", "core.review_audit", "core.consolidation_run", "public.nq57_schema_version"):
        assert t01.refused(f"SELECT * FROM {table}") == "42501", table
    assert t01.column("SELECT agency_code FROM agency.v_submissions_rows()") == ["T01"]  # the same gate
    assert t01.refused("SELECT * FROM core.reported_periods()") == "42501"

    # And the other agency sees its own rows, not T01's.
    assert sorted(bk.column("SELECT period || ' ' || system FROM agency.v_submissions")) == \
        ["2026-09 NQ57", "2026-10 NQ57", "2026-10 NQ71"]
    assert set(bk.column("SELECT agency_code FROM agency.v_compliance")) == {"BKHCN"}
    assert set(bk.column("SELECT nq57_task_code FROM agency.v_tasks")) == {"NQ57-BKHCN-0001"}


def test_an_agency_login_writes_nothing(warehouse_url, logins):
    seed(warehouse_url)
    t01 = logins.connect(bi_access.create_agency_login(warehouse_url, "T01", logins.name("bi_t01"),
                                                       password=logins.password))
    before = admin_rows(warehouse_url, "SELECT count(*), string_agg(status, ',' ORDER BY submission_id) "
                                       "FROM raw.submission")
    for statement in WRITES:
        assert t01.refused(statement) in REFUSALS, statement
    assert admin_rows(warehouse_url, "SELECT count(*), string_agg(status, ',' ORDER BY submission_id) "
                                     "FROM raw.submission") == before
    assert admin_rows(warehouse_url, "SELECT count(*) FROM staging.task")[0][0] == 4
    assert admin_rows(warehouse_url, "SELECT count(*), sum(score) FROM core.review_queue") == [(3, Decimal("2.1"))]


def test_an_agency_login_sees_its_missing_periods_in_compliance(warehouse_url, logins):
    seed(warehouse_url)  # BKHCN uploaded for 2026-09, T01 did not
    t01 = logins.connect(bi_access.create_agency_login(warehouse_url, "T01", logins.name("bi_t01"),
                                                       password=logins.password))
    assert ("T01", "2026-09", True) in t01.rows("SELECT agency_code, period, missing FROM agency.v_compliance")


# ---------------------------------------------------------------- reader logins, the pipeline


def test_a_reader_login_sees_every_row_and_writes_nothing(warehouse_url, logins):
    seed(warehouse_url)
    reader = logins.connect(bi_access.create_reader_login(warehouse_url, logins.name("bi_reader"), logins.password))
    for view in (*MART_VIEWS, "v_period_tasks", "v_task_links", "v_review_queue"):
        everything = sorted(admin_rows(warehouse_url, f"SELECT * FROM mart.{view}"), key=repr)
        assert everything, view
        assert sorted(reader.rows(f"SELECT * FROM mart.{view}"), key=repr) == everything, view
    assert set(reader.column("SELECT agency_code FROM mart.v_submissions")) == {"T01", "BKHCN"}
    assert reader.scalar("SELECT count(*) FROM mart.v_compliance") == \
        admin_rows(warehouse_url, "SELECT count(*) FROM core.agency")[0][0] * 2
    for statement in WRITES:
        if "agency_role" in statement or statement == "SET ROLE nq57_bi_reader":
            continue  # it cannot even read core.agency_role; it is a member of nq57_bi_reader
        assert reader.refused(statement) in REFUSALS, statement
    assert reader.refused("SELECT * FROM core.agency_role") == "42501"
    assert reader.refused("SELECT * FROM core.review_audit") == "42501"


def test_the_owner_and_the_loader_role_read_and_write_everything_under_force(warehouse_url, logins):
    ids = seed(warehouse_url)  # written as the migrating owner (the embedded superuser): COPY-free INSERTs
    loader_name = logins.name("nq57test_loader")
    with warehouse.transaction(warehouse_url) as conn:
        conn.exec_driver_sql(f"CREATE ROLE {loader_name} LOGIN PASSWORD '{logins.password}' IN ROLE nq57_loader")
    loader = logins.connect(loader_name)

    assert loader.scalar("SELECT count(*) FROM raw.submission") == 4
    assert loader.scalar("SELECT count(*) FROM staging.task") == 4
    assert loader.scalar("SELECT count(*) FROM core.agency") == admin_rows(warehouse_url,
                                                                            "SELECT count(*) FROM core.agency")[0][0]
    assert loader.scalar("SELECT count(*) FROM mart.v_submissions") == 4
    with loader.engine.begin() as conn:  # INSERT ... RETURNING, sequence included
        new_id = conn.execute(text(
            "INSERT INTO raw.submission (bucket, object_key, version_id, sha256, size_bytes, agency_code, period,"
            " received_at) VALUES ('b', 'T04/2026-10/a.xlsx', 'v1', 'aa', 1, 'T04', '2026-10', now())"
            " RETURNING submission_id")).scalar_one()
    assert loader.execute(
        "INSERT INTO staging.task (submission_id, source_sheet, source_row, task_code, task_name, assigning_doc)"
        " VALUES (:id, 'NhiemVu', 5, 'NQ57-T04-0001', 't', 'd')", id=new_id) == 1
    assert loader.execute("UPDATE raw.submission SET status = 'accepted' WHERE submission_id = :id", id=new_id) == 1
    assert loader.execute("UPDATE staging.task SET progress_pct = 10") == 5
    assert loader.execute("DELETE FROM raw.submission_issue WHERE submission_id = :id", id=ids["bk_71"]) == 1
    assert loader.execute("DELETE FROM raw.submission WHERE submission_id = :id", id=new_id) == 1
    assert loader.execute("INSERT INTO core.task_link (period, nq57_task_code, nq71_task_code, method, score)"
                          " VALUES ('2026-11', 'A', 'B', 'score', 0.9)") == 1
    assert loader.refused("INSERT INTO core.agency_role VALUES (current_user, 'T01')") == "42501"
    assert loader.refused("TRUNCATE staging.task") == "42501"  # TRUNCATE ignores RLS: not granted

    # PostgreSQL refuses COPY FROM where RLS applies (0A000): a non-superuser pipeline must INSERT instead.
    raw = loader.engine.raw_connection()
    try:
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="row-level security"), raw.driver_connection.cursor() as cursor:
            with cursor.copy("COPY staging.indicator (submission_id, source_sheet, source_row, indicator_code) "
                             "FROM STDIN") as copy:
                copy.write_row((ids["t01"], "ChiTieu", 6, "CT_2"))
    finally:
        raw.close()

    # The owner (here the superuser that migrated) still reads and writes every row.
    assert admin_rows(warehouse_url, "SELECT count(*) FROM staging.task")[0][0] == 4
    with warehouse.transaction(warehouse_url) as conn:
        assert conn.execute(text("UPDATE raw.submission SET warning_count = 1")).rowcount == 4


def test_a_non_superuser_owner_keeps_full_access_under_force(services, logins):
    """A hardened set-up: the warehouse owned by a plain role (CREATEROLE only, not a superuser as the compose
    file's POSTGRES_USER is) that migrates and loads: FORCE applies to it, its policy keeps every row."""
    admin = make_url(warehouse.engine(services.warehouse_url).url)
    owner = logins.track(f"nq57test_owner_{uuid.uuid4().hex[:8]}")
    database = f"nq57_test_{uuid.uuid4().hex[:10]}"
    root = create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with root.connect() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{logins.password}'")
        # The DBA's one step for a non-superuser owner on a cluster where another role created the gate
        # role (V153 says so when it is missing).
        conn.exec_driver_sql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'nq57_agency_gate') "
                             "THEN CREATE ROLE nq57_agency_gate NOLOGIN NOINHERIT; END IF; END $$")
        conn.exec_driver_sql(f"GRANT nq57_agency_gate TO {owner}")
        conn.exec_driver_sql(f'CREATE DATABASE "{database}" OWNER {owner}')
    owner_url = role_url(admin.set(database=database).render_as_string(hide_password=False), owner, logins.password)
    admin_url = admin.set(database=database).render_as_string(hide_password=False)
    try:
        warehouse.migrate(owner_url)
        assert admin_rows(owner_url, "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user") \
            == [(False, False)]
        assert admin_rows(owner_url, "SELECT relforcerowsecurity FROM pg_class "
                                     "WHERE oid = 'staging.task'::regclass") == [(True,)]
        ids = seed(owner_url)  # the owner writes under FORCE through its policy
        agencies = admin_rows(owner_url, "SELECT count(*) FROM core.agency")[0][0]
        assert agencies > 2
        t01_name = bi_access.create_agency_login(admin_url, "T01", logins.name("bi_t01"), password=logins.password)
        t01 = Login(admin_url, t01_name, logins.password)
        try:
            assert t01.column("SELECT agency_code FROM agency.v_submissions") == ["T01"]
            assert t01.column("SELECT DISTINCT agency_code FROM agency.v_compliance") == ["T01"]
        finally:
            t01.close()
        # The owner sees everything, the pipeline's own write path works, a second migrate (views
        # re-created, reference data upserted into core.agency under FORCE) works.
        assert admin_rows(owner_url, "SELECT count(*) FROM mart.v_submissions")[0][0] == 4
        assert admin_rows(owner_url, "SELECT count(*) FROM mart.v_compliance")[0][0] == agencies * 2
        obj = Upload("nq57-submissions", "T04/2026-10/r.xlsx", "v1", 10,
                     dt.datetime(2026, 11, 1, tzinfo=dt.UTC), "T04", "2026-10")
        with warehouse.transaction(owner_url) as conn:
            new_id = warehouse.register(conn, obj, "cafe")
            assert warehouse.register(conn, obj, "cafe") == new_id
            conn.execute(text("DELETE FROM staging.task WHERE submission_id = :id"), {"id": ids["t01"]})
        assert warehouse.migrate(owner_url) == []
        assert admin_rows(owner_url, "SELECT count(*) FROM raw.submission")[0][0] == 5
        assert admin_rows(owner_url, "SELECT count(*) FROM core.agency")[0][0] == agencies
    finally:
        warehouse.engine(owner_url).dispose()
        warehouse.engine(admin_url).dispose()
        warehouse.engine.cache_clear()
        with root.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        root.dispose()


# ---------------------------------------------------------------- grants across migrations, logins


def test_grants_survive_a_second_migrate_that_recreates_the_views(warehouse_url, logins):
    seed(warehouse_url)
    t01 = logins.connect(bi_access.create_agency_login(warehouse_url, "T01", logins.name("bi_t01"),
                                                       password=logins.password))
    reader = logins.connect(bi_access.create_reader_login(warehouse_url, logins.name("bi_reader"), logins.password))
    oids = dict(admin_rows(warehouse_url, "SELECT relname, oid FROM pg_class WHERE relnamespace = 'mart'::regnamespace"))
    # as if the first view's file had changed: migrate re-creates it and every view after it
    with warehouse.transaction(warehouse_url) as conn:
        conn.execute(text("UPDATE public.nq57_view_version SET checksum = 'changed' WHERE view_name = 'v_submissions'"))

    assert warehouse.migrate(warehouse_url) == []

    recreated = dict(admin_rows(warehouse_url,
                                "SELECT relname, oid FROM pg_class WHERE relnamespace = 'mart'::regnamespace"))
    assert set(recreated) == set(oids) and all(recreated[v] != oids[v] for v in oids), "views were not re-created"
    for view in recreated:
        assert t01.scalar(f"SELECT count(*) FROM agency.{view}") >= 0, view
        assert reader.scalar(f"SELECT count(*) FROM mart.{view}") >= 0, view
    assert t01.column("SELECT DISTINCT agency_code FROM agency.v_submissions") == ["T01"]
    assert reader.scalar("SELECT count(*) FROM mart.v_submissions") == 4


def test_login_creation_is_idempotent_and_only_touches_its_own_roles(warehouse_url, logins):
    seed(warehouse_url)
    name = logins.track("bi_t01")
    assert bi_access.create_agency_login(warehouse_url, "t01", password="first") == name
    assert bi_access.create_agency_login(warehouse_url, "T01", password="second") == name
    assert admin_rows(warehouse_url, "SELECT role_name, agency_code FROM core.agency_role") == [(name, "T01")]
    assert admin_rows(warehouse_url, f"SELECT rolcanlogin, pg_has_role('{name}', 'nq57_agency_reader', 'MEMBER'), "
                                     f"pg_has_role('{name}', 'nq57_bi_reader', 'MEMBER') "
                                     f"FROM pg_roles WHERE rolname = '{name}'") == [(True, True, False)]
    assert scram_matches(stored_password(warehouse_url, name), "second")
    assert logins.connect(name, "second").column("SELECT agency_code FROM agency.v_submissions") == ["T01"]

    # An explicit login can be moved to another agency; the mapping follows.
    other = logins.name("bi_custom")
    bi_access.create_agency_login(warehouse_url, "T01", other, password="x1")
    bi_access.create_agency_login(warehouse_url, "BKHCN", other, password="x1")
    assert admin_rows(warehouse_url, f"SELECT agency_code FROM core.agency_role WHERE role_name = '{other}'") \
        == [("BKHCN",)]

    reader = logins.name("bi_reader")
    assert bi_access.create_reader_login(warehouse_url, reader, "r1") == reader
    assert bi_access.create_reader_login(warehouse_url, reader, "r1") == reader

    for call, match in (
        (lambda: bi_access.create_agency_login(warehouse_url, "T01", "postgres", password="x"), "refusing"),
        (lambda: bi_access.create_reader_login(warehouse_url, name, "x"), "different kind"),
        (lambda: bi_access.create_agency_login(warehouse_url, "T01", reader, password="x"), "different kind"),
        (lambda: bi_access.create_agency_login(warehouse_url, "NOPE", password="x"), "unknown agency"),
        (lambda: bi_access.create_agency_login(warehouse_url, "T01'; DROP", password="x"), "not an agency code"),
        (lambda: bi_access.create_reader_login(warehouse_url, 'x"; DROP ROLE postgres; --', "x"), "not a usable"),
        (lambda: bi_access.create_reader_login(warehouse_url, "nq57_bi_reader", "x"), "not a usable"),
        (lambda: bi_access.create_reader_login(warehouse_url, logins.name("bi_empty"), ""), "non-empty"),
        (lambda: bi_access.rotate_password(warehouse_url, "postgres", "x"), "refusing"),
        (lambda: bi_access.drop_login(warehouse_url, "postgres"), "refusing"),
    ):
        with pytest.raises(ValueError, match=match):
            call()
    with pytest.raises(LookupError):
        bi_access.rotate_password(warehouse_url, logins.name("bi_absent"), "x")

    assert bi_access.drop_login(warehouse_url, name) is True
    assert bi_access.drop_login(warehouse_url, name) is False
    assert admin_rows(warehouse_url, f"SELECT count(*) FROM pg_roles WHERE rolname = '{name}'") == [(0,)]
    assert admin_rows(warehouse_url, f"SELECT count(*) FROM core.agency_role WHERE role_name = '{name}'") == [(0,)]


def test_rotate_password_replaces_the_stored_verifier(warehouse_url, logins):
    name = bi_access.create_agency_login(warehouse_url, "T01", logins.name("bi_t01"), password="old-password")
    old = stored_password(warehouse_url, name)
    assert scram_matches(old, "old-password")

    bi_access.rotate_password(warehouse_url, name, "new-pässword")

    new = stored_password(warehouse_url, name)
    assert scram_matches(new, "new-pässword") and not scram_matches(new, "old-password")
    assert "new-pässword" not in new  # only the verifier is stored (and sent)
    assert logins.connect(name, "new-pässword").scalar("SELECT current_user") == name
    if server_checks_passwords(warehouse_url, name):  # TCP with scram; the embedded socket trusts
        with pytest.raises(DBAPIError):
            logins.connect(name, "old-password").scalar("SELECT 1")


def test_bi_login_command(warehouse_url, logins, monkeypatch, capsys):
    seed(warehouse_url)
    monkeypatch.setenv("BI_PW", "pw-one")
    name = logins.name("bi_cli")
    base = ["--warehouse", warehouse_url, "--password-env", "BI_PW"]

    assert bi_access.main_bi(["--agency", "T01", "--login", name, *base]) == 0
    assert name in capsys.readouterr().out
    assert scram_matches(stored_password(warehouse_url, name), "pw-one")
    monkeypatch.setenv("BI_PW", "pw-two")
    assert bi_access.main_bi(["--agency", "T01", "--login", name, "--rotate", *base]) == 0
    assert scram_matches(stored_password(warehouse_url, name), "pw-two")
    assert logins.connect(name, "pw-two").column("SELECT DISTINCT agency_code FROM agency.v_submissions") == ["T01"]

    reader = logins.name("bi_cli_reader")
    monkeypatch.setenv("WAREHOUSE_URL", warehouse_url)
    assert bi_access.main_bi(["--reader", reader, "--password-env", "BI_PW"]) == 0
    assert logins.connect(reader, "pw-two").scalar("SELECT count(*) FROM mart.v_submissions") == 4

    capsys.readouterr()
    assert bi_access.main_bi(["--agency", "NOPE", *base]) == 2  # operator mistakes: one line, exit 2
    assert "unknown agency" in capsys.readouterr().err
    assert bi_access.main_bi(["--reader", "postgres", "--rotate", *base]) == 2
    assert "not made by nq57 bi-login" in capsys.readouterr().err
    assert bi_access.main_bi(["--agency", "T01", "--password-env", "NQ57_UNSET_VARIABLE"]) == 2
    assert bi_access.main_bi(["--agency", "T01", "--reader", "x", *base]) == 2
    assert "usage:" not in capsys.readouterr().err

    assert bi_access.main_bi(["--agency", "T01", "--login", name, "--drop", "--warehouse", warehouse_url]) == 0
    assert bi_access.main_bi(["--reader", reader, "--drop"]) == 0
    assert admin_rows(warehouse_url, f"SELECT count(*) FROM pg_roles WHERE rolname IN ('{name}', '{reader}')") \
        == [(0,)]


# ---------------------------------------------------------------- hardening (issue 17 items 3 and 10)


def _grant_create_on_public_to_everyone(url: str) -> None:
    """What clusters first created on PostgreSQL <= 14 have by default (and what a careless DBA may grant)."""
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("GRANT CREATE ON SCHEMA public TO PUBLIC")
    finally:
        admin.dispose()


# The attacker's `=`: true exactly for its own table's pg_class row, so core.rls_reads_all() would find a
# relation "owned" by the attacker and answer true. Exact argument types beat pg_catalog's =(oid, oid).
SHADOW_OID_EQ = """
CREATE TABLE public.mine (x int);
CREATE FUNCTION public.fake_eq(oid, regclass) RETURNS boolean LANGUAGE sql AS
  'SELECT $1 OPERATOR(pg_catalog.=) ''public.mine''::pg_catalog.regclass::pg_catalog.oid';
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.fake_eq);
"""
# The attacker's `=` for (text, name): true for every row, so core.rls_agency_codes() would return every
# mapped agency. pg_catalog has =(text, name) too: the attacker puts public first on its path.
SHADOW_TEXT_NAME_EQ = """
CREATE FUNCTION public.always(text, name) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = name, FUNCTION = public.always);
"""


@pytest.mark.parametrize("shadow", ["oid_regclass", "text_name"])
def test_an_agency_login_that_can_create_in_public_still_sees_only_its_own_rows(warehouse_url, logins, shadow):
    """Issue 17 item 3: shadowing `=` inside the policy helpers must not open other agencies' rows."""
    seed(warehouse_url)
    bi_access.create_agency_login(warehouse_url, "BKHCN", logins.name("bi_bkhcn"), password=logins.password)
    name = bi_access.create_agency_login(warehouse_url, "T01", logins.name("bi_t01"), password=logins.password)
    _grant_create_on_public_to_everyone(warehouse_url)
    t01 = logins.connect(name)
    with t01.engine.connect() as conn:
        conn.exec_driver_sql(SHADOW_OID_EQ if shadow == "oid_regclass" else SHADOW_TEXT_NAME_EQ)
        conn.exec_driver_sql("SET search_path = public, pg_catalog")
        seen = {
            "submissions": [r[0] for r in conn.execute(text("SELECT DISTINCT agency_code FROM agency.v_submissions"))],
            "tasks": sorted(r[0] for r in conn.execute(text("SELECT nq57_task_code FROM agency.v_tasks"))),
            "compliance": [r[0] for r in conn.execute(text("SELECT DISTINCT agency_code FROM agency.v_compliance"))],
            "links": [r[0] for r in conn.execute(text("SELECT DISTINCT lead_agency_code FROM agency.v_task_links"))],
            "indicators": [r[0] for r in conn.execute(text("SELECT DISTINCT agency_code FROM agency.v_indicators"))],
        }
        conn.rollback()
    assert seen == {"submissions": ["T01"], "tasks": ["NQ57-T01-0001", "NQ57-T01-0002"], "compliance": ["T01"],
                    "links": ["T01"], "indicators": ["T01"]}


def test_agency_logins_cannot_create_objects_anywhere(warehouse_url, logins):
    t01 = logins.connect(bi_access.create_agency_login(warehouse_url, "T01", logins.name("bi_t01"),
                                                       password=logins.password))
    for statement in (
        "CREATE TABLE public.sneaky (x int)",
        "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = name, FUNCTION = pg_catalog.texteqname)",
        "CREATE TEMP TABLE sneaky (x int)",
        "CREATE SCHEMA sneaky",
        "CREATE TABLE core.sneaky (x int)",
        "CREATE VIEW mart.sneaky AS SELECT 1 AS x",
    ):
        assert t01.refused(statement) == "42501", statement


def test_every_function_in_the_warehouse_schemas_pins_its_search_path(warehouse_url):
    """Guard for new helpers: policies and views may only call functions whose body cannot be re-resolved."""
    unpinned = admin_rows(warehouse_url, """
        SELECT p.oid::regprocedure::text FROM pg_proc p
        WHERE p.pronamespace::regnamespace::text IN ('raw', 'staging', 'core', 'mart', 'agency')
          AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, pg_temp']""")
    assert unpinned == []


def _plan(login: Login, query: str) -> list[str]:
    with login.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # any session may: it steers the plan to the index
        return [r[0] for r in conn.execute(text(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + query))]


def test_explain_analyze_shows_an_agency_login_nothing_of_other_agencies(warehouse_url, logins):
    """Issue 17 item 10: row counts in an agency login's own query plans leaked how many uploads the other
    agencies made ("Rows Removed by Filter") and, through leakproof range conditions that PostgreSQL may
    evaluate in an index scan before the policy, whether another agency has a key in a range: key names
    one character at a time. Probe a range that holds 20 of BKHCN's keys and one that holds none."""
    seed(warehouse_url)
    with warehouse.transaction(warehouse_url) as conn:
        for n in range(20):
            conn.execute(text(
                "INSERT INTO raw.submission (bucket, object_key, version_id, sha256, size_bytes, agency_code, period,"
                " system, received_at, status) VALUES ('nq57-submissions', :key, 'v1', :sha, 1, 'BKHCN', '2026-10',"
                " 'NQ57', now(), 'accepted')"), {"key": f"BKHCN/2026-10/ke-hoach-mat-{n:02d}.xlsx", "sha": f"s{n}"})
        conn.exec_driver_sql("ANALYZE raw.submission")
    t01 = logins.connect(bi_access.create_agency_login(warehouse_url, "T01", logins.name("bi_t01"),
                                                       password=logins.password))
    probe = "SELECT * FROM {} WHERE object_key >= 'BKHCN/2026-10/{}' AND object_key < 'BKHCN/2026-10/{}'"
    hit, miss = ("ke-hoach", "ke-hoaci"), ("bao-cao", "bao-cap")

    # The tables and the mart views are not readable at all, so they cannot be probed.
    for relation in ("raw.submission", "mart.v_submissions", "mart.v_latest_submissions"):
        assert t01.refused("EXPLAIN ANALYZE " + probe.format(relation, *hit)) == "42501", relation
    # What it can read returns its own rows only, and its plan is the same whatever the other agencies hold.
    for relation in ("agency.v_submissions", "agency.v_latest_submissions"):
        plans = [[re.sub(r"'[^']*'", "'?'", line) for line in _plan(t01, probe.format(relation, *bounds))]
                 for bounds in (hit, miss)]
        assert plans[0] == plans[1], plans  # same nodes, same row counts: the probe learns nothing
        assert not [line for line in plans[0] if " on submission" in line], plans[0]
        removed = [int(line.rsplit(":", 1)[1]) for line in plans[0] if "Rows Removed" in line]
        assert all(n <= 1 for n in removed), plans[0]  # at most T01's own one upload, filtered by the probe
    for view in MART_VIEWS:
        plan = _plan(t01, f"SELECT * FROM agency.{view}")
        assert all(" on " not in line or "_rows" in line for line in plan), plan  # function scans only


def test_migration_revokes_the_old_create_on_public_default(services):
    """A database whose schema public lets everyone create (PostgreSQL <= 14 clusters, upgraded): V151 takes
    that back, and TEMPORARY too, keeping it for the pipeline."""
    admin = make_url(warehouse.engine(services.warehouse_url).url)
    database = f"nq57_test_{uuid.uuid4().hex[:10]}"
    root = create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    url = admin.set(database=database).render_as_string(hide_password=False)
    with root.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
    try:
        _grant_create_on_public_to_everyone(url)
        assert admin_rows(url, "SELECT has_schema_privilege('public', 'public', 'CREATE')") == [(True,)]
        warehouse.migrate(url)
        assert admin_rows(url, "SELECT has_schema_privilege('public', 'public', 'CREATE'), "
                               "has_database_privilege('public', current_database(), 'TEMPORARY'), "
                               "has_database_privilege('nq57_loader', current_database(), 'TEMPORARY'), "
                               "has_database_privilege('nq57_agency_reader', current_database(), 'TEMPORARY')") \
            == [(False, False, True, False)]
    finally:
        warehouse.engine(url).dispose()
        warehouse.engine.cache_clear()
        with root.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        root.dispose()


def test_migrate_keeps_unchanged_views_and_never_queues_behind_a_bi_reader(warehouse_url, logins):
    """Views BI sessions depend on are dropped only when their file changed; a change waits for an open
    reader transaction with a short lock timeout and retries, instead of queueing every reader behind it."""
    from sqlalchemy.exc import OperationalError

    seed(warehouse_url)
    reader = logins.connect(bi_access.create_reader_login(warehouse_url, logins.name("bi_reader"), logins.password))
    oids = dict(admin_rows(warehouse_url, "SELECT relname, oid FROM pg_class WHERE relnamespace = 'mart'::regnamespace"))

    assert warehouse.migrate(warehouse_url) == []
    assert dict(admin_rows(warehouse_url, "SELECT relname, oid FROM pg_class "
                                          "WHERE relnamespace = 'mart'::regnamespace")) == oids, "views were dropped"

    with warehouse.transaction(warehouse_url) as conn:
        conn.execute(text("UPDATE public.nq57_view_version SET checksum = 'changed' WHERE view_name = 'v_tasks'"))
    with reader.engine.connect() as held:  # an open BI transaction holds a lock on the view it read
        assert held.execute(text("SELECT count(*) FROM mart.v_tasks")).scalar_one() >= 0
        with pytest.raises(OperationalError, match="lock"):
            warehouse.migrate(warehouse_url, lock_timeout="200ms", attempts=2)
        # the failed attempt rolled back: other readers were never blocked and the views are intact
        assert reader.scalar("SELECT count(*) FROM mart.v_submissions") == 4
    assert warehouse.migrate(warehouse_url) == []
    after = dict(admin_rows(warehouse_url, "SELECT relname, oid FROM pg_class WHERE relnamespace = 'mart'::regnamespace"))
    assert after["v_submissions"] == oids["v_submissions"] and after["v_tasks"] != oids["v_tasks"]
