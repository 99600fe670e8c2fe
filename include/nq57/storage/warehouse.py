"""The PostgreSQL warehouse: connection, migrations, reference dimensions, ledger and staging loads.

Schema changes are ordered SQL files `sql/migrations/V###__name.sql`, applied once each and recorded in
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

import pandas as pd
from sqlalchemy import Connection, Engine, create_engine, text

from nq57 import reference
from nq57.settings import SQL_DIR

_MIGRATION_LOCK = 57_2025  # pg_advisory_xact_lock key: one migrator at a time


@lru_cache(maxsize=4)
def engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, future=True)


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
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        conn.execute(text(
            "CREATE TABLE IF NOT EXISTS public.nq57_schema_version ("
            " version text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        ))
        done = {row.version for row in conn.execute(text("SELECT version FROM public.nq57_schema_version"))}
        for path in sorted((SQL_DIR / "migrations").glob("V*.sql")):
            version = path.stem
            if version in done:
                continue
            body = path.read_text(encoding="utf-8")
            conn.exec_driver_sql(body)
            conn.execute(text("INSERT INTO public.nq57_schema_version (version, checksum) VALUES (:v, :c)"),
                         {"v": version, "c": hashlib.sha256(body.encode()).hexdigest()})
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
    conn.execute(text(
        "INSERT INTO core.agency (agency_code, name, kind, short_name) VALUES (:code, :name, :kind, :short) "
        "ON CONFLICT (agency_code) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
        "short_name = excluded.short_name"
    ), agencies)
    conn.execute(text("DELETE FROM core.agency_alias"))
    aliases = [{"alias": alias, "code": code, "kind": kind} for alias, (code, kind) in reference.agency_aliases().items()]
    conn.execute(text("INSERT INTO core.agency_alias (alias, agency_code, alias_kind) VALUES (:alias, :code, :kind)"),
                 aliases)
    indicators = [
        {"code": i.code, "name": i.name, "unit": i.unit, "op": i.target_op, "low": i.target_low,
         "high": i.target_high, "agency": i.monitoring_agency}
        for i in reference.indicators().values()
    ]
    conn.execute(text(
        "INSERT INTO core.indicator (indicator_code, name, unit, target_op, target_low, target_high, monitoring_agency) "
        "VALUES (:code, :name, :unit, :op, :low, :high, :agency) ON CONFLICT (indicator_code) DO UPDATE SET "
        "name = excluded.name, unit = excluded.unit, target_op = excluded.target_op, target_low = excluded.target_low, "
        "target_high = excluded.target_high, monitoring_agency = excluded.monitoring_agency"
    ), indicators)



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


TASK_COLUMNS = {  # staging.task column <- parsed frame column
    "source_row": "source_row", "task_group": "task_group", "stt": "stt", "task_code": "ma_nhiem_vu",
    "link_code": "ma_lien_ket", "task_name": "ten_nhiem_vu", "assigning_doc": "van_ban_giao", "doc_item": "muc",
    "lead_agency_code": "co_quan_chu_tri", "lead_agency_raw": "co_quan_chu_tri_raw",
    "partner_agencies": "co_quan_phoi_hop", "deadline_raw": "thoi_han_raw", "deadline_date": "deadline_date",
    "deadline_type": "deadline_type", "product": "san_pham", "status_raw": "tinh_trang_raw",
    "status_code": "status_code", "status_derived": "status_derived", "progress_pct": "tien_do",
    "completed_on": "ngay_hoan_thanh", "result_text": "ket_qua", "difficulties": "kho_khan",
    "recommendations": "kien_nghi",
}
INDICATOR_COLUMNS = {
    "source_row": "source_row", "indicator_code": "ma_chi_tieu", "indicator_name": "ten_chi_tieu",
    "unit": "don_vi_tinh", "value": "gia_tri", "value_raw": "gia_tri_raw", "note": "ghi_chu",
}


def record_outcome(conn: Connection, submission_id: int, result, task_sheet: str | None,
                   indicator_sheet: str | None) -> None:
    """Replace everything known about one submission: issues, staged rows, verdict. One transaction."""
    for table in ("raw.submission_issue", "staging.task", "staging.indicator"):
        conn.execute(text(f"DELETE FROM {table} WHERE submission_id = :id"), {"id": submission_id})
    if result.issues:
        conn.execute(text(
            "INSERT INTO raw.submission_issue (submission_id, seq, severity, rule, sheet, row_number, column_ref, message, hint) "
            "VALUES (:id, :seq, :severity, :rule, :sheet, :row, :column, :message, :hint)"
        ), [{"id": submission_id, "seq": n, **issue.as_dict()} for n, issue in enumerate(result.issues)])
    if result.accepted:
        _copy_rows(conn, "staging.task", submission_id, task_sheet, result.tasks, TASK_COLUMNS)
        _copy_rows(conn, "staging.indicator", submission_id, indicator_sheet, result.indicators, INDICATOR_COLUMNS)
    conn.execute(text(
        "UPDATE raw.submission SET status = :status, system = :system, processed_at = now(), task_count = :tasks, "
        "indicator_count = :indicators, error_count = :errors, warning_count = :warnings, nil_report = :nil, "
        "report_date = :report_date WHERE submission_id = :id"
    ), {"id": submission_id, "status": "accepted" if result.accepted else "rejected", "system": result.system,
        "tasks": len(result.tasks) if result.accepted else 0,
        "indicators": len(result.indicators) if result.accepted else 0,
        "errors": result.error_count, "warnings": result.warning_count, "nil": result.nil_report,
        "report_date": result.report_date})


def _copy_rows(conn: Connection, table: str, submission_id: int, sheet: str | None, frame: pd.DataFrame,
               columns: dict[str, str]) -> None:
    """COPY rows in (psycopg `write_row`, the fastest load path measured in research/perf.md §4) through a
    temporary table: PostgreSQL refuses COPY straight into a table under row-level security."""
    if frame.empty:
        return
    target = ", ".join(["submission_id", "source_sheet", *columns])
    cursor = conn.connection.driver_connection.cursor()
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS load_rows (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
    cursor.execute("TRUNCATE load_rows")
    with cursor.copy(f"COPY load_rows ({target}) FROM STDIN") as copy:
        for row in frame[list(columns.values())].itertuples(index=False, name=None):
            copy.write_row((submission_id, sheet, *(None if _missing(v) else v for v in row)))
    cursor.execute(f"INSERT INTO {table} ({target}) SELECT {target} FROM load_rows")
    cursor.execute("DROP TABLE load_rows")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NaT


def set_feedback_key(url: str, submission_id: int, key: str) -> None:
    with engine(url).begin() as conn:
        conn.execute(text("UPDATE raw.submission SET feedback_key = :k WHERE submission_id = :id"),
                     {"k": key, "id": submission_id})


def submission_issues(url: str, submission_id: int) -> pd.DataFrame:
    with engine(url).connect() as conn:
        return pd.read_sql(text(
            "SELECT severity, rule, sheet, row_number, column_ref, message, hint FROM raw.submission_issue "
            "WHERE submission_id = :id ORDER BY seq"), conn, params={"id": submission_id})


@contextmanager
def transaction(url: str) -> Iterator[Connection]:
    with engine(url).begin() as conn:
        yield conn


def query(url: str, sql: str, **params) -> pd.DataFrame:
    with engine(url).connect() as conn:
        return pd.read_sql(text(sql), conn, params=params)
