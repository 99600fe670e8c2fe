"""A plain-text run summary drawn from the mart views (what `nq57 run` and `make demo` print).

Queries: `sql/queries/summary_*.sql` and `first_errors_of_submission.sql`.
"""

from __future__ import annotations

from nq57.intake.issues import cell_ref
from nq57.storage import warehouse
from nq57.storage.warehouse import named_query


def counted(n: int, noun: str) -> str:
    """`1 error`, `2 errors`, `0 warnings`: a count with its English noun (regular plurals only)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def render(url: str, period: str | None = None) -> str:
    """The summary of one period (`YYYY-MM`), or of every period when `period` is None."""
    subs = warehouse.query(url, named_query("summary_submissions"), period=period)
    tasks = warehouse.query(url, named_query("summary_task_statuses"), period=period)
    links = warehouse.query(url, named_query("summary_link_methods"), period=period)
    review = warehouse.query(url, named_query("summary_review_queue_size"), period=period)
    indicators = warehouse.query(url, named_query("summary_indicators"), period=period)
    lines = [f"Submissions{' for ' + period if period else ''}: {len(subs)} received, "
             f"{int((subs['status'] == 'accepted').sum())} accepted, {int((subs['status'] == 'rejected').sum())} rejected"]
    for row in subs.itertuples():
        # A rejected file loads nothing (its rows were read, judged and left out): say so, not "0 tasks".
        mark, loaded = {"accepted": ("OK ", f"{counted(int(row.task_count), 'task')} loaded"),
                        "rejected": ("REJ", "nothing loaded")}.get(row.status, ("...", "not judged yet"))
        lines.append(f"  {mark} {row.agency_code:<8} {row.system or '-':<5} "
                     f"{row.object_key:<42} {loaded:<18} {counted(int(row.error_count), 'error'):<10} "
                     f"{counted(int(row.warning_count), 'warning'):<12}{' latest' if row.is_latest else ''}".rstrip())
    lines.append(f"Real tasks in mart.v_tasks (NQ57 and NQ71 entries of one task counted once): {int(tasks.n.sum())}, "
                 f"{int(tasks.both.sum())} in both systems, {int(tasks.conflicts.sum())} with a status conflict")
    for row in tasks.itertuples():
        lines.append(f"  {row.status_code or '-':<16} {row.n}")
    if not links.empty:
        methods = ", ".join(f"{row.method} {row.n}" for row in links.itertuples())
        lines.append(f"NQ57-NQ71 links in mart.v_task_links: {int(links.n.sum())} ({methods}); "
                     f"{int(review.n[0])} uncertain pairs waiting in the review queue (nq57 review export)")
    if not indicators.empty:
        lines.append(f"Indicators in mart.v_indicators: {int(indicators.n[0])} values, {int(indicators.met[0])} meeting the 2030 target")
    rejected = subs[subs["status"] == "rejected"]
    if not rejected.empty:
        lines.append("Why files were rejected (first issues; full list in each feedback workbook):")
        for row in rejected.itertuples():
            errors = warehouse.rows(url, named_query("first_errors_of_submission"),
                                    submission_id=row.submission_id, limit=2)
            for error in errors:
                where = "!".join(p for p in (error.sheet, cell_ref(error.column_ref, error.row_number)) if p)
                lines.append(": ".join(p for p in (f"  {row.object_key}", where, error.message) if p))
    return "\n".join(lines)


def feedback_keys(url: str, period: str) -> list[tuple[str, bool]]:
    """(key in the feedback bucket, accepted) of every upload of `period` that has its feedback workbook,
    rejected uploads first."""
    subs = warehouse.query(url, named_query("summary_submissions"), period=period).dropna(subset=["feedback_key"])
    found = [(row.feedback_key, row.status == "accepted") for row in subs.itertuples()]
    return sorted(found, key=lambda item: (item[1], item[0]))
