"""Consolidate a period: link NQ57 and NQ71 entries of the same real task and keep identities stable.

Reads the period's task rows (`mart.v_period_tasks`), the persistent crosswalk and rejected pairs, runs
`dedupe.match.link_tasks`, then, in one transaction, replaces the period's links and review queue and
updates `core.task_identity` so a linked pair shares one `unified_task_id` (the same id every month).
The mart views read these tables, so nothing else needs refreshing.
"""

from __future__ import annotations

import json
import logging

import pandas as pd
from sqlalchemy import Connection, text

from nq57.dedupe.match import LinkResult, Thresholds, link_tasks
from nq57.storage import warehouse

log = logging.getLogger(__name__)

_TASK_QUERY = """
SELECT task_code, task_name, lead_agency_code, assigning_doc, doc_item, deadline_date, deadline_type,
       product, link_code
FROM mart.v_period_tasks WHERE period = :period AND system = :system ORDER BY task_code
"""


def period_tasks(url: str, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = []
    for system in ("NQ57", "NQ71"):
        frame = warehouse.query(url, _TASK_QUERY, period=period, system=system)
        frames.append(frame.astype(object).where(frame.notna(), None))
    return frames[0], frames[1]


def crosswalk(url: str, decision: str) -> pd.DataFrame:
    return warehouse.query(
        url, "SELECT nq57_task_code, nq71_task_code, lead_agency_code FROM core.task_crosswalk WHERE decision = :d",
        d=decision)


def consolidate_period(url: str, period: str, thresholds: Thresholds | None = None) -> dict:
    """Link the period's tasks and record the result; returns counts by method."""
    nq57, nq71 = period_tasks(url, period)
    result = link_tasks(nq57, nq71, crosswalk(url, "confirmed"), crosswalk(url, "rejected"),
                        thresholds or Thresholds())
    with warehouse.transaction(url) as conn:
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
    """Every code gets an identity; a linked NQ71 code joins its NQ57 partner's identity."""
    for system, frame in (("NQ57", nq57), ("NQ71", nq71)):
        for code in frame["task_code"]:
            conn.execute(text(
                "INSERT INTO core.task_identity (system, task_code, unified_task_id, first_period) "
                "VALUES (:s, :c, 'NV' || lpad(nextval('core.unified_task_seq')::text, 6, '0'), :p) "
                "ON CONFLICT (system, task_code) DO NOTHING"), {"s": system, "c": code, "p": period})
    for link in result.links.itertuples(index=False):
        conn.execute(text(
            "UPDATE core.task_identity t SET merged_from = t.unified_task_id, unified_task_id = n.unified_task_id, "
            "updated_at = now() FROM core.task_identity n "
            "WHERE n.system = 'NQ57' AND n.task_code = :a AND t.system = 'NQ71' AND t.task_code = :b "
            "AND t.unified_task_id <> n.unified_task_id"), {"a": link.nq57_task_code, "b": link.nq71_task_code})


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
