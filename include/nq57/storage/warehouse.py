"""The PostgreSQL warehouse: connection, migrations, reference dimensions, ledger and staging loads.

Business queries are files `sql/queries/<name>.sql`, read with `named_query(name)`. Schema changes are ordered SQL files `sql/migrations/V###__name.sql`, applied once each and recorded in
`public.nq57_schema_version`. Views are `sql/views/NNN_<view>.sql` (one view per file, in dependency
order), re-created when their file changed, so a view change is a file change and nothing else.
Provisioning (`nq57 init`) runs `migrate`; the DAGs never do.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import pandas as pd
from psycopg import sql
from sqlalchemy import Connection, Engine, Row, create_engine, text

from nq57 import reference
from nq57.columns import INDICATORS, TASKS, Table
from nq57.intake.issues import Issue
from nq57.settings import SQL_DIR, Timeouts
from nq57.uploads import Upload
from nq57.vocabulary import LABELS

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from nq57.intake.submission import SubmissionResult

_MIGRATION_LOCK = 57_2025  # pg_advisory_xact_lock key: one migrator at a time


@lru_cache(maxsize=4)
def engine(url: str) -> Engine:
    """The pipeline's engine for `url`; every session it opens is bounded by `nq57.settings.Timeouts`
    (read when the engine is first made): libpq connect_timeout, and statement_timeout, lock_timeout and
    idle_in_transaction_session_timeout as session settings, so a stuck lock or a runaway query fails with
    LockNotAvailable (55P03) or QueryCanceled (57014) instead of waiting forever. `postgresql://` and
    `postgres://` (libpq's other spelling, and Airflow's connection URIs) are read as `postgresql+psycopg://`."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url.removeprefix(prefix)
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


def migrate(url: str, *, lock_timeout: str = "3s", attempts: int = 20) -> list[str]:
    """Apply pending migrations, bring the views up to date, reload reference data. Returns migrations applied.

    Idempotent and cheap when nothing changed: a view is dropped and re-created only when its file changed
    (checksums in `public.nq57_view_version`), when it is missing, or when a migration ran, so BI sessions
    keep their views across deployments. DDL waits at most `lock_timeout` for a lock (an open BI reader
    transaction holds one on the views it read); then the whole transaction is rolled back and tried
    again, up to `attempts` times, so readers never queue behind a blocked migrator for long.

    Raises:
        sqlalchemy.exc.OperationalError: still blocked after `attempts` tries.
    """
    from sqlalchemy.exc import OperationalError

    for attempt in range(1, attempts + 1):
        try:
            with engine(url).begin() as conn:
                conn.execute(text(named_query("set_lock_timeout")), {"timeout": lock_timeout})
                return _migrate(conn)
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) != "55P03" or attempt == attempts:  # lock_not_available
                raise
            log.warning("migrate: waited %s for a lock held by another session (try %d of %d); retrying",
                        lock_timeout, attempt, attempts)
            time.sleep(min(2.0 * attempt, 10.0))
    raise AssertionError("unreachable")


def _migrate(conn: Connection) -> list[str]:
    conn.execute(text(named_query("migration_lock")), {"key": _MIGRATION_LOCK})
    conn.execute(text(named_query("migration_ledger")))
    done = {row.version for row in conn.execute(text(named_query("applied_migrations")))}
    pending = [p for p in sorted((SQL_DIR / "migrations").glob("V*.sql")) if p.stem not in done]
    views = sorted((SQL_DIR / "views").glob("*.sql"))
    if pending:  # a migration may change what views read: rebuild them all around it
        _drop_views(conn, views)
    applied: list[str] = []
    for path in pending:
        body = path.read_text(encoding="utf-8")
        conn.exec_driver_sql(body)
        conn.execute(text(named_query("record_migration")),
                     {"version": path.stem, "checksum": hashlib.sha256(body.encode()).hexdigest()})
        applied.append(path.stem)
    _refresh_views(conn, views, rebuild_all=bool(pending))
    _load_reference(conn)
    return applied


def _drop_views(conn: Connection, views: list) -> None:
    for path in reversed(views):
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS mart.{_view_name(path.stem)} CASCADE")


def _refresh_views(conn: Connection, views: list, *, rebuild_all: bool) -> None:
    """Re-create the views from the first one that changed (files are in dependency order: later views may
    read earlier ones, and DROP ... CASCADE takes dependants with it)."""
    recorded = {r.view_name: r.checksum for r in conn.execute(text(named_query("view_versions")))}
    first_changed = 0 if rebuild_all else None
    for index, path in enumerate(views):
        name = _view_name(path.stem)
        exists = conn.execute(text(named_query("relation_exists")), {"relation": f"mart.{name}"}).scalar_one()
        if first_changed is None and (not exists or recorded.get(name) != _checksum(path)):
            first_changed = index
    if first_changed is None:
        return
    changed = views[first_changed:]
    _drop_views(conn, changed)
    for path in changed:
        conn.exec_driver_sql(path.read_text(encoding="utf-8"))
        conn.execute(text(named_query("record_view_version")),
                     {"view_name": _view_name(path.stem), "checksum": _checksum(path)})
    log.info("views re-created: %s", ", ".join(_view_name(p.stem) for p in changed))


def _checksum(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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
    conn.execute(text(named_query("reference_delete_labels")))
    labels = [{"kind": kind, "code": code, "label": label} for kind, codes in LABELS.items() for code, label in codes.items()]
    conn.execute(text(named_query("reference_insert_label")), labels)


# ---------------------------------------------------------------- ledger


def known_versions(url: str, bucket: str) -> set[tuple[str, str]]:
    """(object_key, version_id) of every object version of this bucket already ingested."""
    with engine(url).connect() as conn:
        rows = conn.execute(text(named_query("ledgered_versions")), {"bucket": bucket})
        return {(r.object_key, r.version_id) for r in rows}


def answered_misplaced(url: str, bucket: str) -> set[tuple[str, str]]:
    """(object_key, version_id) of the uploads outside `<agency>/<YYYY-MM>/` already answered in this bucket."""
    with engine(url).connect() as conn:
        rows = conn.execute(text(named_query("misplaced_answered")), {"bucket": bucket})
        return {(r.object_key, r.version_id) for r in rows}


def record_misplaced_answer(url: str, *, bucket: str, key: str, version_id: str, agency: str, size: int,
                            sha256: str, received_at, rule: str, feedback_key: str) -> None:
    """Note that one upload outside the layout was answered with `feedback_key` (`raw.misplaced_upload`);
    recording the same version again changes nothing."""
    with engine(url).begin() as conn:
        conn.execute(text(named_query("record_misplaced_answer")), {
            "bucket": bucket, "key": key, "version_id": version_id, "agency": agency, "size": size,
            "sha256": sha256, "received_at": received_at, "rule": rule, "feedback_key": feedback_key})


def ledger_entry(url: str, upload: Upload):
    """The judged submission `upload`'s version belongs to (submission_id, status, system, counts,
    feedback_key), or None when that version was never ingested."""
    with engine(url).connect() as conn:
        return conn.execute(text(named_query("ledger_entry")), {
            "bucket": upload.bucket, "key": upload.key, "version_id": upload.version_id}).first()


def feedback_pending(url: str, bucket: str) -> list[Upload]:
    """Judged uploads whose feedback workbook was never written, oldest first."""
    with engine(url).connect() as conn:
        return [Upload.from_ledger_row(r) for r in conn.execute(text(named_query("feedback_pending")),
                                                                 {"bucket": bucket})]


def submission_upload(url: str, submission_id: int) -> Upload | None:
    """The upload behind one ledgered submission, or None when there is no such submission."""
    with engine(url).connect() as conn:
        row = conn.execute(text(named_query("submission_upload")), {"submission_id": submission_id}).first()
    return None if row is None else Upload.from_ledger_row(row)


def staged_since(url: str, since) -> dict[str, int]:
    """{"accepted": n, "rejected": m}: uploads judged at or after `since` (an aware datetime)."""
    with engine(url).connect() as conn:
        row = conn.execute(text(named_query("staged_since")), {"since": since}).one()
    return {"accepted": int(row.accepted), "rejected": int(row.rejected)}


def accepted_periods(url: str, candidates: list[str]) -> list[str]:
    """The periods among `candidates` that have at least one accepted submission."""
    with engine(url).connect() as conn:
        return [r.period for r in conn.execute(text(named_query("accepted_periods")), {"periods": list(candidates)})]


def register(conn: Connection, obj: Upload, sha256: str) -> int:
    """A new ledger row for bytes never seen under `obj.key`, with `obj` as its first version; returns its id.

    Call under `lock_key` after `submission_with_content` found nothing: the ledger holds one submission
    per (bucket, key, sha256). Registering the same version and bytes again returns the same id."""
    submission_id = conn.execute(text(
        "INSERT INTO raw.submission (bucket, object_key, version_id, sha256, size_bytes, agency_code, period, "
        "received_at, latest_upload_at, latest_upload_ordinal) "
        "VALUES (:bucket, :key, :version, :sha, :size, :agency, :period, :received, :received, :ordinal) "
        "ON CONFLICT (bucket, object_key, version_id, sha256) DO UPDATE SET size_bytes = excluded.size_bytes "
        "RETURNING submission_id"
    ), {"bucket": obj.bucket, "key": obj.key, "version": obj.version_id, "sha": sha256, "size": obj.size,
        "agency": obj.agency_code, "period": obj.period, "received": obj.last_modified,
        "ordinal": obj.ordinal}).scalar_one()
    record_version(conn, submission_id, obj, sha256)
    return submission_id


def lock_key(conn: Connection, bucket: str, key: str) -> None:
    """Hold the ingest lock of one object key until `conn`'s transaction ends (a PostgreSQL advisory lock),
    so concurrent ingests of the key's versions decide "new bytes or known bytes" one after the other.

    Raises:
        sqlalchemy.exc.OperationalError: waited longer than the session's lock_timeout (55P03).
    """
    conn.execute(text(named_query("lock_object_key")), {"bucket": bucket, "key": key})


def submission_with_content(conn: Connection, obj: Upload, sha256: str) -> Row | None:
    """The submission already holding these bytes under `obj.key` (submission_id, status, system, counts,
    feedback_key), or None: the same bytes are the same submission whatever version id the store gave."""
    return conn.execute(text(named_query("submission_with_content")),
                        {"bucket": obj.bucket, "key": obj.key, "sha256": sha256}).first()


def task_code_owners(conn: Connection, system: str, codes: list[str]) -> dict[str, str]:
    """Task code -> owning agency, for those of `codes` that have an owner in `system` (the agency whose
    accepted upload first reported the code naming itself lead: the rule of `mart.v_task_reports`)."""
    rows = conn.execute(text(named_query("task_code_owners")), {"system": system, "codes": list(codes)})
    return {r.task_code: r.agency_code for r in rows}


def record_version(conn: Connection, submission_id: int, obj: Upload, sha256: str) -> None:
    """Note that object version `obj` carries submission `submission_id`'s bytes; when it is the newest
    version carrying them, the submission becomes the newest upload of its key again (a revert to earlier
    bytes counts from the moment it was uploaded)."""
    params = {"bucket": obj.bucket, "key": obj.key, "version_id": obj.version_id, "sha256": sha256,
              "submission_id": submission_id, "stored_at": obj.last_modified, "ordinal": obj.ordinal}
    conn.execute(text(named_query("record_submission_version")), params)
    conn.execute(text(named_query("advance_latest_upload")), params)


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
