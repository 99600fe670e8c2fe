"""The PostgreSQL warehouse: connection, migrations, reference dimensions, ledger and staging loads.

Business queries are files `sql/queries/<name>.sql`, read with `named_query(name)`. Schema changes are ordered SQL files `sql/migrations/V###__name.sql`, applied once each and recorded in
`public.nq57_schema_version`. Views are `sql/views/NNN_<view>.sql` (one view per file, in dependency
order) and are re-created on every migrate, so a view change is a file change and nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import pandas as pd
from psycopg import sql
from sqlalchemy import Connection, Engine, Row, create_engine, text

from nq57 import reference
from nq57.columns import INDICATORS, TASKS, Table
from nq57.intake.issues import Issue
from nq57.settings import SQL_DIR, Timeouts

if TYPE_CHECKING:
    from nq57.intake.submission import SubmissionResult

_MIGRATION_LOCK = 57_2025  # pg_advisory_xact_lock key: one migrator at a time


@lru_cache(maxsize=4)
def engine(url: str) -> Engine:
    """The pipeline's engine for `url`; every session it opens is bounded by `nq57.settings.Timeouts`
    (read when the engine is first made): libpq connect_timeout, and statement_timeout, lock_timeout and
    idle_in_transaction_session_timeout as session settings, so a stuck lock or a runaway query fails with
    LockNotAvailable (55P03) or QueryCanceled (57014) instead of waiting forever."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    limits = Timeouts()
    options = (f"-c statement_timeout={limits.warehouse_statement} -c lock_timeout={limits.warehouse_lock} "
               f"-c idle_in_transaction_session_timeout={limits.warehouse_idle_in_transaction}")
    return create_engine(url, pool_pre_ping=True, future=True,
                         connect_args={"connect_timeout": limits.warehouse_connect, "options": options})


@cache
def named_query(name: str) -> str:
    """The text of `sql/queries/<name>.sql`: business queries live in `sql/` as files, named for what they hold.

    Raises:
        FileNotFoundError: no such query file.
    """
    return (SQL_DIR / "queries" / f"{name}.sql").read_text(encoding="utf-8")


def migrate(url: str) -> list[str]:
    """Apply pending migrations, re-create the views, reload reference data. Returns migrations applied."""
    applied: list[str] = []
    with engine(url).begin() as conn:
        conn.execute(text(named_query("migration_lock")), {"key": _MIGRATION_LOCK})
        conn.execute(text(named_query("migration_ledger")))
        done = {row.version for row in conn.execute(text(named_query("applied_migrations")))}
        for path in sorted((SQL_DIR / "migrations").glob("V*.sql")):
            version = path.stem
            if version in done:
                continue
            body = path.read_text(encoding="utf-8")
            conn.exec_driver_sql(body)
            conn.execute(text(named_query("record_migration")),
                         {"version": version, "checksum": hashlib.sha256(body.encode()).hexdigest()})
            applied.append(version)
        views = sorted((SQL_DIR / "views").glob("*.sql"))
        for path in reversed(views):
            conn.exec_driver_sql(f"DROP VIEW IF EXISTS mart.{_view_name(path.stem)} CASCADE")
        for path in views:
            conn.exec_driver_sql(path.read_text(encoding="utf-8"))
        _load_reference(conn)
    return applied


def _view_name(stem: str) -> str:
    return re.sub(r"^\d+_", "", stem)


def _load_reference(conn: Connection) -> None:
    agencies = [
        {"code": a.code, "name": a.name, "kind": a.kind, "short": a.short_name}
        for a in reference.agencies().values()
    ]
    conn.execute(text(named_query("reference_upsert_agency")), agencies)
    conn.execute(text(named_query("reference_delete_agency_aliases")))
    aliases = [{"alias": alias, "code": code, "kind": kind} for alias, (code, kind) in reference.agency_aliases().items()]
    conn.execute(text(named_query("reference_insert_agency_alias")), aliases)
    indicators = [
        {"code": i.code, "name": i.name, "unit": i.unit, "op": i.target_op, "low": i.target_low,
         "high": i.target_high, "agency": i.monitoring_agency}
        for i in reference.indicators().values()
    ]
    conn.execute(text(named_query("reference_upsert_indicator")), indicators)


# ---------------------------------------------------------------- ledger


@dataclass(frozen=True)
class ReceivedObject:
    """An object version found in the submissions bucket."""

    bucket: str
    key: str
    version_id: str
    size: int
    received_at: dt.datetime
    agency_code: str
    period: str


def known_versions(url: str, bucket: str) -> set[tuple[str, str]]:
    """(object_key, version_id) pairs already in the ledger for this bucket."""
    with engine(url).connect() as conn:
        rows = conn.execute(text(named_query("ledgered_versions")), {"bucket": bucket})
        return {(r.object_key, r.version_id) for r in rows}


def register(conn: Connection, obj: ReceivedObject, sha256: str) -> int:
    """Ledger row for an object version (idempotent: the same version and bytes give the same id)."""
    return conn.execute(text(
        "INSERT INTO raw.submission (bucket, object_key, version_id, sha256, size_bytes, agency_code, period, received_at) "
        "VALUES (:bucket, :key, :version, :sha, :size, :agency, :period, :received) "
        "ON CONFLICT (bucket, object_key, version_id, sha256) DO UPDATE SET size_bytes = excluded.size_bytes "
        "RETURNING submission_id"
    ), {"bucket": obj.bucket, "key": obj.key, "version": obj.version_id, "sha": sha256, "size": obj.size,
        "agency": obj.agency_code, "period": obj.period, "received": obj.received_at}).scalar_one()


def record_outcome(conn: Connection, submission_id: int, result: SubmissionResult, task_sheet: str | None,
                   indicator_sheet: str | None) -> None:
    """Replace everything known about one submission: issues, staged rows, verdict. One transaction.

    Rows are staged only when the file is accepted, in the staging columns the column registry names
    (`columns.Table.staging_columns`)."""
    conn.execute(text(named_query("clear_submission_outcome")), {"submission_id": submission_id})
    if result.issues:
        conn.execute(text(named_query("insert_submission_issue")),
                     [{"submission_id": submission_id, "seq": n, **issue.as_dict()} for n, issue in enumerate(result.issues)])
    if result.accepted:
        _copy_rows(conn, TASKS, submission_id, task_sheet, result.tasks)
        _copy_rows(conn, INDICATORS, submission_id, indicator_sheet, result.indicators)
    conn.execute(text(named_query("record_submission_verdict")), {
        "submission_id": submission_id, "status": "accepted" if result.accepted else "rejected",
        "system": result.system, "tasks": len(result.tasks) if result.accepted else 0,
        "indicators": len(result.indicators) if result.accepted else 0,
        "errors": result.error_count, "warnings": result.warning_count, "nil": result.nil_report,
        "report_date": result.report_date})


def _copy_rows(conn: Connection, table: Table, submission_id: int, sheet: str | None, frame: pd.DataFrame) -> None:
    """COPY rows in (psycopg `write_row`, the fastest load path measured in research/perf.md §4) through a
    temporary table: PostgreSQL refuses COPY straight into a table under row-level security.

    The statements are composed from the registry's staging columns, so they are built here rather than
    kept in `sql/queries/`."""
    if frame.empty:
        return
    columns = table.staging_columns
    target = sql.Identifier(*table.staging_table.split("."))
    names = sql.SQL(", ").join(map(sql.Identifier, ["submission_id", "source_sheet", *columns]))
    cursor = conn.connection.driver_connection.cursor()
    cursor.execute(sql.SQL("CREATE TEMP TABLE IF NOT EXISTS load_rows (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP")
                   .format(target))
    cursor.execute("TRUNCATE load_rows")
    with cursor.copy(sql.SQL("COPY load_rows ({}) FROM STDIN").format(names)) as copy:
        for row in frame[list(columns.values())].itertuples(index=False, name=None):
            copy.write_row((submission_id, sheet, *(None if _missing(v) else v for v in row)))
    cursor.execute(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM load_rows").format(target, names, names))
    cursor.execute("DROP TABLE load_rows")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NaT


def set_feedback_key(url: str, submission_id: int, key: str) -> None:
    with engine(url).begin() as conn:
        conn.execute(text("UPDATE raw.submission SET feedback_key = :k WHERE submission_id = :id"),
                     {"k": key, "id": submission_id})


def submission_issues(url: str, submission_id: int) -> list[Issue]:
    """The findings recorded for one submission, in the order they were reported."""
    with engine(url).connect() as conn:
        rows = conn.execute(text(
            "SELECT severity, rule, sheet, row_number, column_ref, message, hint FROM raw.submission_issue "
            "WHERE submission_id = :id ORDER BY seq"), {"id": submission_id})
        return [Issue(severity=r.severity, rule=r.rule, message=r.message, sheet=r.sheet, row=r.row_number,
                      column=r.column_ref, hint=r.hint) for r in rows]


@contextmanager
def transaction(url: str) -> Iterator[Connection]:
    with engine(url).begin() as conn:
        yield conn


def query(url: str, sql: str, **params) -> pd.DataFrame:
    """The result of one query as a DataFrame (for tables of figures; NULL integers become NaN floats)."""
    with engine(url).connect() as conn:
        return pd.read_sql(text(sql), conn, params=params)


def rows(url: str, sql: str, **params) -> list[Row]:
    """The result of one query as rows with attribute access and Python values (NULL stays None)."""
    with engine(url).connect() as conn:
        return list(conn.execute(text(sql), params))
