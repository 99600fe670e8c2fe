"""Consolidation under a long-lived warehouse and concurrent runs (issue 17 items 2 and 8), on real PostgreSQL.

Rows are seeded straight into the ledger and staging tables (as an accepted ingest leaves them), so a
period can carry hundreds of tasks without parsing workbooks.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from nq57.dedupe import consolidate
from nq57.storage import warehouse

pytestmark = pytest.mark.integration


def seed_period(url: str, period: str, tasks: int, agency: str = "BKHCN", first: int = 1) -> None:
    """One accepted NQ57 and one accepted NQ71 upload of `agency` with `tasks` tasks each; every NQ57 task
    names its NQ71 twin in link_code, so consolidation links them all by code."""
    received = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)
    with warehouse.transaction(url) as conn:
        for system in ("NQ57", "NQ71"):
            submission_id = conn.execute(text(
                "INSERT INTO raw.submission (bucket, object_key, version_id, sha256, size_bytes, agency_code, period,"
                " system, received_at, processed_at, status, task_count) VALUES ('nq57-submissions', :key, 'v1', :sha,"
                " 1, :agency, :period, :system, :received, now(), 'accepted', :n) RETURNING submission_id"
            ), {"key": f"{agency}/{period}/{system}-{first}.xlsx", "sha": f"{system}{period}{first}", "agency": agency,
                "period": period, "system": system, "received": received, "n": tasks}).scalar_one()
            conn.execute(text(
                "INSERT INTO staging.task (submission_id, source_sheet, source_row, task_code, link_code, task_name,"
                " assigning_doc, lead_agency_code, status_code, progress_pct)"
                " SELECT :id, 'NhiemVu', 4 + g, :system || '-' || :agency || '-' || lpad(g::text, 6, '0'),"
                "        CASE WHEN :system = 'NQ57' THEN 'NQ71-' || :agency || '-' || lpad(g::text, 6, '0') END,"
                "        'Nhiệm vụ số ' || g, '57-NQ/TW', :agency, 'DANG_TRONG_HAN', 50"
                " FROM generate_series(CAST(:first AS int), CAST(:last AS int)) g"
            ), {"id": submission_id, "system": system, "agency": agency, "first": first, "last": first + tasks - 1})


def rows(url: str, sql: str, **params) -> list[tuple]:
    with warehouse.engine(url).connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def sequence_value(url: str) -> int:
    return rows(url, "SELECT last_value FROM core.unified_task_seq")[0][0]


def identities(url: str) -> dict[tuple[str, str], str]:
    return {(s, c): u for s, c, u in rows(url, "SELECT system, task_code, unified_task_id FROM core.task_identity")}


# ---------------------------------------------------------------- item 2: ids


def test_existing_tasks_keep_their_ids_and_spend_no_sequence_value(warehouse_url):
    seed_period(warehouse_url, "2026-10", tasks=40)
    consolidate.consolidate_period(warehouse_url, "2026-10")
    first_ids, spent = identities(warehouse_url), sequence_value(warehouse_url)
    assert len(first_ids) == 80 and spent == 80  # one value per new code, nothing else

    for _ in range(3):  # consolidation fires every 15 minutes: re-runs must not burn the sequence
        consolidate.consolidate_period(warehouse_url, "2026-10")
    assert identities(warehouse_url) == first_ids
    assert sequence_value(warehouse_url) == spent

    seed_period(warehouse_url, "2026-11", tasks=45)  # the same 40 tasks next month, plus 5 new ones
    consolidate.consolidate_period(warehouse_url, "2026-11")
    now = identities(warehouse_url)
    assert {k: now[k] for k in first_ids} == first_ids
    assert sequence_value(warehouse_url) == spent + 10
    # Linked pairs share one id; every NQ57 task has its own.
    assert len({u for (s, _), u in now.items() if s == "NQ57"}) == 45
    assert all(now[("NQ71", c.replace("NQ57", "NQ71"))] == u for (s, c), u in now.items() if s == "NQ57")


def test_ids_stay_unique_past_the_old_six_digit_limit(warehouse_url):
    """Past 999,999 the old id (lpad to 6) truncated: value 1,000,000 became NV100000, already given out."""
    with warehouse.transaction(warehouse_url) as conn:
        for n in (100000, 100001, 100005):  # identities minted long ago, at those sequence values
            conn.execute(text("INSERT INTO core.task_identity (system, task_code, unified_task_id, first_period)"
                              " VALUES ('NQ57', :c, :u, '2020-01')"), {"c": f"OLD-{n}", "u": f"NV{n:06d}"})
        conn.execute(text("SELECT setval('core.unified_task_seq', 999990)"))
    seed_period(warehouse_url, "2026-10", tasks=30)
    consolidate.consolidate_period(warehouse_url, "2026-10")

    # Every id ever minted: the ones in use, and those linked NQ71 codes held before joining their partner.
    minted = rows(warehouse_url, "SELECT unified_task_id FROM core.task_identity WHERE merged_from IS NULL "
                                 "UNION ALL SELECT merged_from FROM core.task_identity WHERE merged_from IS NOT NULL")
    ids = [u for (u,) in minted]
    assert len(ids) == len(set(ids)) == 3 + 60
    assert {"NV999991", "NV999998", "NV1000000", "NV1000001", "NV1000050"} <= set(ids)
    assert sequence_value(warehouse_url) == 999990 + 60
    # v_tasks: one row per real task, each with its own id.
    tasks = rows(warehouse_url, "SELECT unified_task_id FROM mart.v_tasks WHERE period = '2026-10'")
    assert len(tasks) == 30 and len(set(tasks)) == 30


def test_id_format_keeps_every_digit(warehouse_url):
    got = rows(warehouse_url, "SELECT core.format_unified_task_id(n) FROM unnest(ARRAY[1, 999999, 1000000, "
                              "9223372036854775807]::bigint[]) n")
    assert [g for (g,) in got] == ["NV000001", "NV999999", "NV1000000", "NV9223372036854775807"]
    assert rows(warehouse_url, "SELECT seqtypid::regtype::text, seqcycle FROM pg_sequence "
                               "WHERE seqrelid = 'core.unified_task_seq'::regclass") == [("bigint", False)]


# ---------------------------------------------------------------- item 8: one consolidation of a period at a time


def test_concurrent_consolidations_of_one_period_never_collide(warehouse_url):
    """Two consolidations of the same period started together (3 of 11 rounds hit a unique-key violation)."""
    seed_period(warehouse_url, "2026-10", tasks=150)
    consolidate.consolidate_period(warehouse_url, "2026-10")
    expected = rows(warehouse_url, "SELECT nq57_task_code, nq71_task_code, method FROM core.task_link ORDER BY 1")
    errors: list[BaseException] = []
    for _ in range(8):
        start = threading.Barrier(2)

        def run(start: threading.Barrier = start) -> None:
            try:
                start.wait()
                consolidate.consolidate_period(warehouse_url, "2026-10")
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert rows(warehouse_url, "SELECT nq57_task_code, nq71_task_code, method FROM core.task_link ORDER BY 1") \
        == expected
    assert len(expected) == 150


def test_a_second_consolidation_of_a_period_waits_for_the_first(warehouse_url):
    """Deterministic: while a session holds the period's consolidation lock, a consolidation waits on it."""
    seed_period(warehouse_url, "2026-10", tasks=5)
    holder = create_engine(warehouse.engine(warehouse_url).url, poolclass=NullPool)
    outcome: list[object] = []
    try:
        with holder.connect() as conn:
            conn.execute(text(warehouse.named_query("lock_period_consolidation")), {"period": "2026-10"})
            worker = threading.Thread(target=lambda: outcome.append(
                consolidate.consolidate_period(warehouse_url, "2026-10")))
            worker.start()
            waiting = False
            for _ in range(600):  # until the worker's backend is seen waiting on the advisory lock
                waiting = bool(rows(warehouse_url, "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                                                   "AND NOT granted AND database = (SELECT oid FROM pg_database "
                                                   "WHERE datname = current_database())"))
                if waiting or not worker.is_alive():
                    break
                time.sleep(0.1)
            assert waiting, "the consolidation did not wait for the period's lock"
            assert outcome == [] and rows(warehouse_url, "SELECT count(*) FROM core.task_link") == [(0,)]
            conn.rollback()  # the first consolidation ends
        worker.join(timeout=600)
    finally:
        holder.dispose()
    assert outcome and outcome[0]["links"] == 5
    # Another period is not held up by it.
    seed_period(warehouse_url, "2026-11", tasks=2)
    assert consolidate.consolidate_period(warehouse_url, "2026-11")["links"] == 2
