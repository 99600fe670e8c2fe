"""Consolidate a period: link NQ57 and NQ71 entries of the same real task and keep identities stable.

In one transaction that holds the period's advisory lock (one consolidation of a period at a time:
a second one waits, then consolidates what the first committed), reads the period's task rows
(`mart.v_period_tasks`), the persistent crosswalk and rejected pairs, runs `dedupe.match.link_tasks`,
replaces the period's links and review queue and updates `core.task_identity` so a linked pair shares
one `unified_task_id` (the same id every month; new codes only draw a new id, see migration V150).
The mart views read these tables, so nothing else needs refreshing.
"""

from __future__ import annotations

import json
import logging

import pandas as pd
from sqlalchemy import Connection, text

from nq57.dedupe.match import LinkResult, Thresholds, link_tasks
from nq57.settings import duration
from nq57.storage import warehouse

log = logging.getLogger(__name__)



def lock_wait() -> str:
    """How long a consolidation waits for another consolidation of the same period to finish (a PostgreSQL
    duration, NQ57_CONSOLIDATION_LOCK_WAIT, default 15min); past it, it fails with LockNotAvailable."""
    return duration("NQ57_CONSOLIDATION_LOCK_WAIT", "15min")


def period_tasks(conn: Connection, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = []
    for system in ("NQ57", "NQ71"):
        frame = pd.read_sql(text(warehouse.named_query("period_tasks")), conn,
                            params={"period": period, "system": system})
        frames.append(frame.astype(object).where(frame.notna(), None))
    return frames[0], frames[1]


def crosswalk(conn: Connection, decision: str) -> pd.DataFrame:
    return pd.read_sql(text(warehouse.named_query("crosswalk_pairs")), conn, params={"decision": decision})


def lock_period(conn: Connection, period: str) -> None:
    """Wait (at most `lock_wait()`) for any other consolidation of `period`, then hold its lock until commit.

    Raises:
        sqlalchemy.exc.OperationalError: (LockNotAvailable) the other consolidation did not finish in time.
    """
    conn.execute(text("SELECT set_config('lock_timeout', :wait, true)"), {"wait": lock_wait()})
    conn.execute(text(warehouse.named_query("lock_period_consolidation")), {"period": period})
    conn.execute(text("RESET lock_timeout"))


def consolidate_period(url: str, period: str, thresholds: Thresholds | None = None) -> dict:
    """Link the period's tasks and record the result; returns counts by method."""
    with warehouse.transaction(url) as conn:
        lock_period(conn, period)
        nq57, nq71 = period_tasks(conn, period)
        result = link_tasks(nq57, nq71, crosswalk(conn, "confirmed"), crosswalk(conn, "rejected"),
                            thresholds or Thresholds())
        _assign_identities(conn, period, nq57, nq71, result)
        _replace_links(conn, period, result)
        conn.execute(text(
            "INSERT INTO core.consolidation_run (period, consolidated_at, links, review_items) "
            "VALUES (:p, now(), :l, :r) ON CONFLICT (period) DO UPDATE SET consolidated_at = excluded.consolidated_at, "
            "links = excluded.links, review_items = excluded.review_items"),
            {"p": period, "l": len(result.links), "r": len(result.review)})
    counts = result.links["method"].value_counts().to_dict() if not result.links.empty else {}
    summary = {
        "period": period, "nq57_tasks": len(nq57), "nq71_tasks": len(nq71), "links": len(result.links),
        "by_method": {k: int(v) for k, v in counts.items()}, "review": len(result.review),
        "conflicts": len(result.conflicts),
    }
    log.info("consolidated %s: %s", period, summary)
    return summary


def _assign_identities(conn: Connection, period: str, nq57: pd.DataFrame, nq71: pd.DataFrame,
                       result: LinkResult) -> None:
    """Every new code gets an identity (codes seen before keep theirs); a linked NQ71 code joins its NQ57
    partner's identity."""
    systems = ["NQ57"] * len(nq57) + ["NQ71"] * len(nq71)
    codes = [*nq57["task_code"], *nq71["task_code"]]
    if codes:
        conn.execute(text(warehouse.named_query("assign_task_identities")),
                     {"systems": systems, "codes": codes, "period": period})
    links = [{"nq57_code": link.nq57_task_code, "nq71_code": link.nq71_task_code}
             for link in result.links.itertuples(index=False)]
    if links:
        conn.execute(text(warehouse.named_query("link_task_identity")), links)


def _replace_links(conn: Connection, period: str, result: LinkResult) -> None:
    conn.execute(text("DELETE FROM core.task_link WHERE period = :p"), {"p": period})
    conn.execute(text("DELETE FROM core.review_queue WHERE period = :p"), {"p": period})
    rows = [_row(period, link) for link in result.links.itertuples(index=False)]
    if rows:
        conn.execute(text(
            "INSERT INTO core.task_link (period, nq57_task_code, nq71_task_code, lead_agency_code, method, score, evidence) "
            "VALUES (:period, :a, :b, :agency, :method, :score, CAST(:evidence AS jsonb))"), rows)
    review = [_row(period, item) for item in result.review.itertuples(index=False)]
    if review:
        conn.execute(text(
            "INSERT INTO core.review_queue (period, nq57_task_code, nq71_task_code, lead_agency_code, score, evidence) "
            "VALUES (:period, :a, :b, :agency, :score, CAST(:evidence AS jsonb))"), review)


def _row(period: str, item) -> dict:
    return {"period": period, "a": item.nq57_task_code, "b": item.nq71_task_code,
            "agency": item.lead_agency_code, "method": getattr(item, "method", "review"),
            "score": round(float(item.score), 4), "evidence": json.dumps(item.evidence, ensure_ascii=False, default=str)}


def periods_to_consolidate(url: str) -> list[str]:
    """Periods with submissions processed since their last consolidation (or never consolidated)."""
    frame = warehouse.query(url, """
        SELECT DISTINCT s.period FROM raw.submission s
        LEFT JOIN core.consolidation_run r ON r.period = s.period
        WHERE s.status = 'accepted' AND (r.consolidated_at IS NULL OR s.processed_at > r.consolidated_at)
        ORDER BY 1""")
    return frame["period"].tolist()
