"""Charts of the drafted document as PNG images (matplotlib, Agg backend).

The font is matplotlib's bundled DejaVu Sans, which covers Vietnamese, so a chart looks the same on every
machine; PNG metadata carries no software version or date, so the same figures give the same bytes.
Each chart has one kind of quantity per axis (counts or percentages, never both).

`report_charts` is the one list of the report's charts: which are drawn for a month, in the order the
document shows them, numbered 1, 2, 3… with no gaps (a first month has no trend charts, a month without
completed tasks no per-agency chart). The document places each under the section it illustrates and the
annex's BieuDo sheet shows the same list, so "Biểu đồ N" is the same chart in both files.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter  # noqa: E402

from nq57 import periods  # noqa: E402
from nq57.outputs.report import vntext  # noqa: E402
from nq57.outputs.report.figures import (  # noqa: E402
    CATEGORY_LABELS,
    SYSTEM_STATE_LABELS,
    SYSTEM_STATES,
    ReportFigures,
    short_name,
)

CATEGORY_COLORS = {
    "done_on_time": "#2E7D32",
    "done_late": "#F9A825",
    "open_in_term": "#1565C0",
    "open_overdue": "#C62828",
    "recurring": "#6A1B9A",
    "unknown": "#9E9E9E",
}
STATE_COLORS = {"on_time": "#2E7D32", "late": "#F9A825", "rejected": "#EF6C00", "partial": "#8D6E63",
                "not_submitted": "#C62828"}
WIDTH_IN = 6.3  # 16 cm: the text width of an A4 page with the margins of NĐ 30/2020
DPI = 200

_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "nq57",
}


def _png(fig) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None}, bbox_inches="tight", pad_inches=0.08)
    plt.close(fig)
    return out.getvalue()


def _count_axis(axis) -> None:
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: vntext.count(int(v))))


def _label_bars(ax, bars, values: Sequence[int], horizontal: bool) -> None:
    for bar, value in zip(bars, values, strict=True):
        if not value:
            continue
        if horizontal:
            ax.annotate(vntext.count(value), (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                        xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
        else:
            ax.annotate(vntext.count(value), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)


def task_categories(figures: ReportFigures) -> bytes:
    """Tasks by category this month (and the previous month, where known): horizontal bars."""
    names = [n for n in CATEGORY_LABELS if n != "unknown" or figures.tasks["unknown"]]
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.42 * len(names) + 1.0))
        rows = range(len(names))
        current = [figures.tasks[n] for n in names]
        height = 0.38 if figures.previous_tasks is not None else 0.6
        bars = ax.barh([r - (height / 2 if figures.previous_tasks is not None else 0) for r in rows], current,
                       height=height, color=[CATEGORY_COLORS[n] for n in names],
                       label=vntext.month(figures.period).capitalize())
        _label_bars(ax, bars, current, horizontal=True)
        if figures.previous_tasks is not None:
            previous = [figures.previous_tasks[n] for n in names]
            old = ax.barh([r + height / 2 for r in rows], previous, height=height, color="#BDBDBD",
                          label=vntext.month(periods.previous(figures.period)).capitalize())
            _label_bars(ax, old, previous, horizontal=True)
            ax.legend(loc="lower right", frameon=False)
        ax.set_yticks(list(rows), [CATEGORY_LABELS[n] for n in names])
        ax.invert_yaxis()
        _count_axis(ax.xaxis)
        ax.set_xlabel("Số nhiệm vụ")
        ax.set_xlim(0, max([*current, *(figures.previous_tasks[n] for n in names)] if figures.previous_tasks
                           else current, default=0) * 1.15 + 1)
        return _png(fig)


def task_trend(figures: ReportFigures) -> bytes:
    """Tasks by category per month over the trend periods: stacked columns (counts only)."""
    points = figures.trend
    names = [n for n in CATEGORY_LABELS if n != "unknown" or any(p.tasks["unknown"] for p in points)]
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.9))
        labels = [periods.label(p.period) for p in points]
        bottoms = [0] * len(points)
        for name in names:
            values = [p.tasks[name] for p in points]
            ax.bar(labels, values, bottom=bottoms, color=CATEGORY_COLORS[name], label=CATEGORY_LABELS[name],
                   width=0.6)
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        for x, total in enumerate(bottoms):
            if total:
                ax.annotate(vntext.count(total), (x, total), xytext=(0, 2), textcoords="offset points",
                            ha="center", fontsize=8)
        _count_axis(ax.yaxis)
        ax.set_ylabel("Số nhiệm vụ")
        ax.set_ylim(0, max(bottoms, default=0) * 1.15 + 1)
        ax.set_xlim(-0.6, max(len(points), 6) - 0.4)
        ax.tick_params(axis="x", labelsize=7.5)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False, fontsize=7.5)
        return _png(fig)


def rate_trend(figures: ReportFigures) -> bytes:
    """Per month: completion rate, on-time completion rate and on-time submission rate (percentages only)."""
    points = figures.trend
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.6))
        labels = [periods.label(p.period) for p in points]
        series = (
            ("Tỷ lệ hoàn thành (trên nhiệm vụ có thời hạn)", [p.tasks.completion_rate for p in points], "#1565C0"),
            ("Tỷ lệ hoàn thành đúng hạn (trên nhiệm vụ đã hoàn thành)",
             [p.tasks.on_time_completion_rate for p in points], "#2E7D32"),
            ("Tỷ lệ đơn vị gửi đủ báo cáo đúng hạn",
             [p.compliance["on_time"] / p.agencies if p.agencies else None for p in points], "#EF6C00"),
        )
        for label, values, color in series:
            xs = [x for x, v in enumerate(values) if v is not None]
            ax.plot(xs, [values[x] * 100 for x in xs], marker="o", color=color, label=label, linewidth=1.6,
                    markersize=4)
        ax.set_xticks(range(len(labels)), labels)
        ax.set_xlim(-0.6, max(len(points), 6) - 0.4)
        ax.set_ylim(0, 105)
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.tick_params(axis="x", labelsize=7.5)
        ax.grid(axis="y", color="#E0E0E0", linewidth=0.6)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1, frameon=False, fontsize=7.5)
        return _png(fig)


def submissions(figures: ReportFigures) -> bytes:
    """Agencies per system by submission state: stacked horizontal bars, each adding up to every agency."""
    compliance = figures.compliance
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 1.9))
        systems = list(compliance.by_system)
        lefts = [0] * len(systems)
        for state in SYSTEM_STATES:
            values = [compliance.by_system[s][state] for s in systems]
            bars = ax.barh(systems, values, left=lefts, color=STATE_COLORS[state], label=SYSTEM_STATE_LABELS[state],
                           height=0.55)
            for bar, value in zip(bars, values, strict=True):
                if value:
                    ax.annotate(vntext.count(value), (bar.get_x() + bar.get_width() / 2, bar.get_y() +
                                                       bar.get_height() / 2), ha="center", va="center",
                                fontsize=8, color="white", fontweight="bold")
            lefts = [a + v for a, v in zip(lefts, values, strict=True)]
        ax.invert_yaxis()
        _count_axis(ax.xaxis)
        ax.set_xlim(0, max(compliance.agencies, 1))
        ax.set_xlabel(f"Số đơn vị (tổng {vntext.count(compliance.agencies)} đơn vị)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), ncol=4, frameon=False, fontsize=7.5)
        return _png(fig)


def on_time_by_agency(figures: ReportFigures, limit: int = 15) -> bytes | None:
    """Completed tasks per lead agency, on time vs late (lowest on-time rate first, at most `limit` agencies);
    None when no agency completed a task."""
    rows = [r for r in figures.scorecard if r.figures.completed]
    if not rows:
        return None
    rows.sort(key=lambda r: (r.figures.on_time_completion_rate or 0, -r.figures.completed))
    rows = rows[:limit]
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.32 * len(rows) + 1.2))
        labels = [short_name(r.code, {r.code or "": r.name}) for r in rows]
        on_time = [r.figures["done_on_time"] for r in rows]
        late = [r.figures["done_late"] for r in rows]
        ax.barh(labels, on_time, color=CATEGORY_COLORS["done_on_time"], label=CATEGORY_LABELS["done_on_time"],
                height=0.6)
        ax.barh(labels, late, left=on_time, color=CATEGORY_COLORS["done_late"], label=CATEGORY_LABELS["done_late"],
                height=0.6)
        for y, r in enumerate(rows):
            ax.annotate(f"{vntext.percent(r.figures.on_time_completion_rate, 0)} đúng hạn",
                        (r.figures.completed, y), xytext=(3, 0), textcoords="offset points", va="center",
                        fontsize=7.5)
        ax.invert_yaxis()
        _count_axis(ax.xaxis)
        ax.set_xlim(0, max(r.figures.completed for r in rows) * 1.35 + 1)
        ax.set_xlabel("Số nhiệm vụ đã hoàn thành")
        ax.legend(loc="lower right", frameon=False, fontsize=7.5)
        return _png(fig)


@dataclass(frozen=True)
class Chart:
    """One chart of the report: `key` names what it shows (the name of its drawing function here),
    `number` its place in `report_charts`, `caption` its text without the number, `png` the image."""

    key: str
    number: int
    caption: str
    png: bytes

    @property
    def title(self) -> str:
        """`Biểu đồ 2. Nhiệm vụ theo tình trạng thực hiện, …`: the caption as both files print it."""
        return f"Biểu đồ {self.number}. {self.caption}"


def report_charts(figures: ReportFigures) -> list[Chart]:
    """The charts this month's figures call for, in document order, numbered from 1 without gaps.

    Document order: section I (submissions, always drawn), then section II.1 (tasks by category when any
    task was reported; completed tasks on time or late by lead agency when any was completed; the two
    trend charts when there are at least two months of data).
    """
    month = vntext.month(figures.period)
    drawn: list[tuple[str, str, bytes | None]] = [
        ("submissions", f"Tình hình gửi báo cáo {month} theo hệ thống", submissions(figures)),
    ]
    if figures.tasks.total:
        versus = (f" so với {vntext.month(periods.previous(figures.period))}"
                  if figures.previous_tasks is not None else "")
        drawn.append(("task_categories", f"Nhiệm vụ theo tình trạng thực hiện, {month}{versus}",
                      task_categories(figures)))
    drawn.append(("on_time_by_agency", "Nhiệm vụ đã hoàn thành đúng hạn, quá hạn theo cơ quan chủ trì",
                  on_time_by_agency(figures)))
    if len(figures.trend) > 1:
        drawn += [("task_trend", "Diễn biến số nhiệm vụ theo tháng", task_trend(figures)),
                  ("rate_trend", "Diễn biến tỷ lệ hoàn thành và gửi báo cáo đúng hạn", rate_trend(figures))]
    shown = [(key, caption, png) for key, caption, png in drawn if png]
    return [Chart(key, number, caption, png) for number, (key, caption, png) in enumerate(shown, start=1)]
