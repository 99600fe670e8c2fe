"""A plain-text run summary drawn from the mart views (what `nq57 run` and `make demo` print)."""

from __future__ import annotations

from nq57.storage import warehouse


def render(url: str, period: str | None = None) -> str:
    where = "WHERE period = :period" if period else ""
    params = {"period": period} if period else {}
    subs = warehouse.query(url, f"SELECT * FROM mart.v_submissions {where} ORDER BY agency_code, system, submission_id", **params)
    tasks = warehouse.query(url, f"SELECT status_code, count(*) AS n, count(*) FILTER (WHERE in_both_systems) AS both, "
                                 f"count(*) FILTER (WHERE status_conflict) AS conflicts FROM mart.v_tasks {where} "
                                 "GROUP BY 1 ORDER BY 1", **params)
    links = warehouse.query(url, f"SELECT method, count(*) AS n FROM mart.v_task_links {where} GROUP BY 1 ORDER BY 1", **params)
    review = warehouse.query(url, f"SELECT count(*) AS n FROM mart.v_review_queue {where}", **params)
    indicators = warehouse.query(url, f"SELECT count(*) AS n, count(*) FILTER (WHERE meets_target) AS met FROM mart.v_indicators {where}", **params)
    lines = [f"Submissions{' for ' + period if period else ''}: {len(subs)} received, "
             f"{int((subs['status'] == 'accepted').sum())} accepted, {int((subs['status'] == 'rejected').sum())} rejected"]
    for row in subs.itertuples():
        mark = "OK " if row.status == "accepted" else "REJ"
        lines.append(f"  {mark} {row.agency_code:<8} {row.system or '-':<5} {row.object_key:<42} "
                     f"tasks={row.task_count:<4} errors={row.error_count:<3} warnings={row.warning_count:<3} "
                     f"{'latest' if row.is_latest else ''}")
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
            issues = warehouse.query(url, "SELECT sheet, row_number, column_ref, message FROM raw.submission_issue "
                                          "WHERE submission_id = :id AND severity = 'error' ORDER BY seq LIMIT 2", id=row.submission_id)
            for issue in issues.itertuples():
                cell = f"{issue.sheet or ''}!{issue.column_ref or ''}{'' if issue.row_number != issue.row_number or issue.row_number is None else int(issue.row_number)}"
                lines.append(f"  {row.object_key}: {cell}: {issue.message}")
    feedback = subs.dropna(subset=["feedback_key"])
    if not feedback.empty:
        lines.append(f"Feedback workbooks: {len(feedback)} in bucket nq57-feedback, e.g. nq57-feedback/{feedback.feedback_key.iloc[0]}")
    return "\n".join(lines)
