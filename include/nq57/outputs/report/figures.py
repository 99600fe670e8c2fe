"""The report's figures, computed once from `ReportData` and shared by the workbook and the document.

Task framing — the Government's (Báo cáo 1270/BC-TCTTTg and the Government Office's monthly task reports,
research/domain.md §1.3): every real task (NQ57 and NQ71 entries of one task counted once; the headline
status is `mart.v_tasks.status_code`) falls in exactly one category

    done_on_time   Hoàn thành đúng hạn                 HT_DUNG_HAN
    done_late      Hoàn thành quá hạn                  HT_QUA_HAN
    open_in_term   Chưa hoàn thành, còn trong hạn      DANG_TRONG_HAN, CHUA_DEN_HAN
    open_overdue   Chưa hoàn thành, đã quá hạn         DANG_QUA_HAN, CHUA_QUA_HAN
    recurring      Nhiệm vụ thường xuyên (no deadline) THUONG_XUYEN
    unknown        status missing or outside the vocabulary (shown only when present)

so the categories add up to the total; tasks with a deadline are the first four. "Overdue" in the report
always means open and overdue; completed-late tasks are counted as completed.

Submission framing: every agency is in exactly one `SUBMISSION_STATES` category and every system of every
agency in exactly one `SYSTEM_STATES` category (`mart.v_compliance`, `sql/views/050_v_compliance.sql`).

Pure functions, no I/O; the same input gives the same figures in the same order.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from nq57 import periods, reference
from nq57.outputs.report.data import ReportData
from nq57.textnorm import clean, fold
from nq57.vocabulary import SUBMISSION_LABELS, SYSTEM_STATE_LABELS, SYSTEMS

TASK_CATEGORIES = ("done_on_time", "done_late", "open_in_term", "open_overdue", "recurring", "unknown")
CATEGORY_OF_STATUS = {
    "HT_DUNG_HAN": "done_on_time",
    "HT_QUA_HAN": "done_late",
    "DANG_TRONG_HAN": "open_in_term",
    "CHUA_DEN_HAN": "open_in_term",
    "DANG_QUA_HAN": "open_overdue",
    "CHUA_QUA_HAN": "open_overdue",
    "THUONG_XUYEN": "recurring",
}
CATEGORY_LABELS = {
    "done_on_time": "Hoàn thành đúng hạn",
    "done_late": "Hoàn thành quá hạn",
    "open_in_term": "Chưa hoàn thành, còn trong hạn",
    "open_overdue": "Chưa hoàn thành, đã quá hạn",
    "recurring": "Nhiệm vụ thường xuyên",
    "unknown": "Chưa xác định tình trạng",
}

SUBMISSION_STATES = tuple(SUBMISSION_LABELS)  # on_time, late, rejected, partial, not_submitted
SYSTEM_STATES = tuple(SYSTEM_STATE_LABELS)  # on_time, late, rejected, not_submitted

# Difficulty themes: folded keywords, tried in this order; the first theme with a match wins.
THEMES = (
    ("finance", "Kinh phí, tài chính, đầu tư",
     ("kinh phi", "ngan sach", "von", "tai chinh", "giai ngan", "du toan", "dau tu", "chi phi", "thanh toan")),
    ("people", "Nhân lực, tổ chức bộ máy",
     ("nhan luc", "can bo", "chuyen gia", "dao tao", "bien che", "bo may", "sap xep", "nhan su")),
    ("infrastructure", "Hạ tầng, dữ liệu, công nghệ",
     ("ha tang", "du lieu", "he thong", "ket noi", "phan mem", "cong nghe", "an toan thong tin", "an ninh mang",
      "thiet bi")),
    ("coordination", "Phối hợp, thủ tục, ý kiến các cơ quan",
     ("phoi hop", "y kien", "thu tuc", "lien nganh", "cho", "chua nhan duoc", "gop y")),
    ("institutions", "Thể chế, chính sách, pháp luật",
     ("the che", "chinh sach", "phap luat", "nghi dinh", "thong tu", "luat", "quy dinh", "huong dan",
      "tham dinh", "van ban")),
)
OTHER_THEME = ("other", "Vấn đề khác")
THEME_LABELS = {code: label for code, label, _ in THEMES} | {OTHER_THEME[0]: OTHER_THEME[1]}


# ---------------------------------------------------------------- small readers


def blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def text(value: object) -> str | None:
    """Stripped text, None when blank."""
    if blank(value):
        return None
    found = str(value).strip()
    return found or None


def truthy(value: object) -> bool:
    return not blank(value) and bool(value)


def as_float(value: object) -> float | None:
    if blank(value) or isinstance(value, bool):
        return None
    try:
        found = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(found) or math.isinf(found) else found


def as_date(value: object) -> dt.date | None:
    if blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return pd.Timestamp(str(value)).date()
    except (ValueError, TypeError):
        return None


def records(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None or frame.empty:
        return []
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def agency_order() -> dict[str, int]:
    """Reference-list order (ministries, ministry-level and Government agencies, then provinces by code)."""
    return {code: index for index, code in enumerate(reference.agencies())}


def agency_sort_key(code: str | None) -> tuple:
    order = agency_order()
    return (code is None, order.get(code or "", len(order)), code or "")


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# ---------------------------------------------------------------- tasks


def category(status: object) -> str:
    return CATEGORY_OF_STATUS.get(text(status) or "", "unknown")


@dataclass(frozen=True)
class TaskFigures:
    """Task counts in the Government framing. `by_category` has every `TASK_CATEGORIES` key."""

    by_category: Mapping[str, int]
    in_both_systems: int = 0
    conflicts: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_category.values())

    @property
    def with_deadline(self) -> int:
        """Tasks that have a deadline: completed (on time / late) plus open (in term / overdue)."""
        return self.completed + self.open

    @property
    def completed(self) -> int:
        return self.by_category["done_on_time"] + self.by_category["done_late"]

    @property
    def open(self) -> int:
        return self.by_category["open_in_term"] + self.by_category["open_overdue"]

    @property
    def completion_rate(self) -> float | None:
        """Completed / tasks with a deadline."""
        return ratio(self.completed, self.with_deadline)

    @property
    def on_time_completion_rate(self) -> float | None:
        """Completed on time / completed; None when nothing was completed."""
        return ratio(self.by_category["done_on_time"], self.completed)

    def __getitem__(self, name: str) -> int:
        """A category, or one of `total`, `with_deadline`, `completed`, `open`."""
        if name in self.by_category:
            return self.by_category[name]
        return int(getattr(self, name))


def category_counts(statuses: Iterable[object]) -> dict[str, int]:
    counts = dict.fromkeys(TASK_CATEGORIES, 0)
    for status in statuses:
        counts[category(status)] += 1
    return counts


def task_figures(tasks: pd.DataFrame | None) -> TaskFigures:
    """Figures of `mart.v_tasks` rows (`status_code`, `in_both_systems`, `status_conflict`)."""
    if tasks is None or tasks.empty:
        return TaskFigures(dict.fromkeys(TASK_CATEGORIES, 0))
    column = tasks["status_code"] if "status_code" in tasks else [None] * len(tasks)
    both = tasks["in_both_systems"] if "in_both_systems" in tasks else []
    conflicts = tasks["status_conflict"] if "status_conflict" in tasks else []
    return TaskFigures(category_counts(column), sum(map(truthy, both)), sum(map(truthy, conflicts)))


FRAMING_ROWS = (  # (label, figure, share of, headline row): the Government's table, in its order
    ("Tổng số nhiệm vụ", "total", None, True),
    ("1. Nhiệm vụ có thời hạn", "with_deadline", None, True),
    ("1.1. Đã hoàn thành", "completed", "with_deadline", True),
    ("   - Hoàn thành đúng hạn", "done_on_time", "with_deadline", False),
    ("   - Hoàn thành quá hạn", "done_late", "with_deadline", False),
    ("1.2. Chưa hoàn thành", "open", "with_deadline", True),
    ("   - Còn trong hạn", "open_in_term", "with_deadline", False),
    ("   - Đã quá hạn", "open_overdue", "with_deadline", False),
    ("2. Nhiệm vụ thường xuyên (không có thời hạn)", "recurring", None, True),
)
UNKNOWN_ROW = ("3. Chưa xác định được tình trạng", "unknown", None, True)


def framing_rows(current: TaskFigures, previous: TaskFigures | None) -> list[tuple[str, str, str | None, bool]]:
    """`FRAMING_ROWS`, plus the unknown-status row when either month has such tasks."""
    unknown = current["unknown"] or (previous is not None and previous["unknown"])
    return [*FRAMING_ROWS, UNKNOWN_ROW] if unknown else list(FRAMING_ROWS)


@dataclass(frozen=True)
class Change:
    """A figure this month, the previous month (None: no data) and the difference."""

    current: int
    previous: int | None

    @property
    def delta(self) -> int | None:
        return None if self.previous is None else self.current - self.previous


def changes(current: TaskFigures, previous: TaskFigures | None) -> dict[str, Change]:
    names = (*TASK_CATEGORIES, "total", "with_deadline", "completed", "open")
    return {n: Change(current[n], previous[n] if previous is not None else None) for n in names}


@dataclass(frozen=True)
class OverdueTask:
    lead_agency_code: str | None
    lead_agency_name: str
    task_name: str
    deadline: dt.date | None
    days_overdue: int | None
    status_code: str | None
    progress: float | None  # 0..1
    nq57_task_code: str | None
    nq71_task_code: str | None
    assigning_doc: str | None


def overdue_tasks(data: ReportData, names: Mapping[str, str]) -> list[OverdueTask]:
    """Open overdue tasks, by lead agency (reference order) then deadline; days counted to the period end."""
    end = periods.end(data.period)
    found = []
    for r in records(data.tasks):
        if category(r.get("status_code")) != "open_overdue":
            continue
        code = text(r.get("lead_agency_code"))
        deadline = as_date(r.get("deadline"))
        progress = as_float(r.get("progress_pct"))
        found.append(OverdueTask(
            lead_agency_code=code, lead_agency_name=names.get(code or "", code or "(không xác định)"),
            task_name=text(r.get("task_name")) or "", deadline=deadline,
            days_overdue=(end - deadline).days if deadline and end > deadline else None,
            status_code=text(r.get("status_code")), progress=None if progress is None else progress / 100,
            nq57_task_code=text(r.get("nq57_task_code")), nq71_task_code=text(r.get("nq71_task_code")),
            assigning_doc=text(r.get("assigning_doc")),
        ))
    found.sort(key=lambda t: (agency_sort_key(t.lead_agency_code), t.deadline or dt.date.max, t.task_name))
    return found


@dataclass(frozen=True)
class AgencyOverdue:
    code: str | None
    name: str
    open_overdue: int
    done_late: int


def overdue_by_agency(data: ReportData, names: Mapping[str, str]) -> list[AgencyOverdue]:
    """Lead agencies with open overdue tasks, most first (ties: reference order)."""
    counts: dict[str | None, list[int]] = {}
    for r in records(data.tasks):
        kind = category(r.get("status_code"))
        if kind in {"open_overdue", "done_late"}:
            entry = counts.setdefault(text(r.get("lead_agency_code")), [0, 0])
            entry[0 if kind == "open_overdue" else 1] += 1
    rows = [AgencyOverdue(code, names.get(code or "", code or "(không xác định)"), n, late)
            for code, (n, late) in counts.items() if n]
    rows.sort(key=lambda a: (-a.open_overdue, agency_sort_key(a.code)))
    return rows


@dataclass(frozen=True)
class DocumentRow:
    document: str
    figures: TaskFigures


def by_document(tasks: pd.DataFrame | None) -> list[DocumentRow]:
    """Tasks per assigning document, most tasks first. Spellings of one document (`71/NQ-CP`, `71-NQ/CP`,
    `Nghị quyết 71/NQ-CP`) are one row (`dedupe.normalize.normalize_doc_number`), shown as the spelling most
    used (ties: the shortest, then alphabetical)."""
    from nq57.dedupe.normalize import normalize_doc_number

    groups: dict[str, list[dict]] = {}
    spellings: dict[str, dict[str, int]] = {}
    for r in records(tasks):
        written = clean(text(r.get("assigning_doc")) or "")
        key = normalize_doc_number(written) if written else ""
        groups.setdefault(key, []).append(r)
        seen = spellings.setdefault(key, {})
        seen[written] = seen.get(written, 0) + 1
    rows = []
    for key, members in groups.items():
        shown = min(spellings[key].items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[0]
        rows.append(DocumentRow(shown or "(không ghi văn bản giao)", task_figures(pd.DataFrame(members))))
    rows.sort(key=lambda d: (-d.figures.total, d.document))
    return rows


# ---------------------------------------------------------------- submissions


@dataclass(frozen=True)
class ComplianceFigures:
    """Agencies by overall state and, per system, by system state; each mapping adds up to `agencies`."""

    agencies: int
    by_state: Mapping[str, int]
    by_system: Mapping[str, Mapping[str, int]]
    nil_reports: int = 0
    rejected_corrections: int = 0  # accepted reports followed by a rejected upload (the earlier one counts)

    @property
    def complete(self) -> int:
        return self.by_state["on_time"] + self.by_state["late"]

    @property
    def incomplete(self) -> int:
        return self.agencies - self.complete

    def __getitem__(self, name: str) -> int:
        if name in self.by_state:
            return self.by_state[name]
        return int(getattr(self, name))


def compliance_figures(compliance: pd.DataFrame | None) -> ComplianceFigures:
    by_state = dict.fromkeys(SUBMISSION_STATES, 0)
    by_system = {s: dict.fromkeys(SYSTEM_STATES, 0) for s in SYSTEMS}
    nil = corrections = 0
    rows = records(compliance)
    for r in rows:
        by_state[submission_state(r)] += 1
        for system in SYSTEMS:
            state = system_state(r, system)
            by_system[system][state] += 1
            corrections += state in {"on_time", "late"} and not blank(r.get(f"{system.lower()}_rejected_at"))
        nil += truthy(r.get("nil_report"))
    return ComplianceFigures(len(rows), by_state, by_system, nil, corrections)


def system_state(row: Mapping, system: str) -> str:
    """`nq57_state` / `nq71_state` of a compliance row (the view decides; absent reads as not submitted)."""
    state = text(row.get(f"{system.lower()}_state"))
    return state if state in SYSTEM_STATES else "not_submitted"


def submission_state(row: Mapping) -> str:
    """`submission_state` of a compliance row (the view decides; absent reads as not submitted)."""
    state = text(row.get("submission_state"))
    return state if state in SUBMISSION_STATES else "not_submitted"


def compliance_changes(current: ComplianceFigures, previous: ComplianceFigures | None) -> dict[str, Change]:
    names = (*SUBMISSION_STATES, "complete", "incomplete", "agencies")
    return {n: Change(current[n], previous[n] if previous is not None else None) for n in names}


# ---------------------------------------------------------------- per agency


@dataclass(frozen=True)
class ScorecardRow:
    code: str | None
    name: str
    figures: TaskFigures
    nq57_state: str | None
    nq71_state: str | None
    submission_state: str | None


def scorecard(data: ReportData, names: Mapping[str, str]) -> list[ScorecardRow]:
    """One row per agency (every agency of the compliance list, then any other lead agency), reference order."""
    tasks_by_agency: dict[str | None, list[dict]] = {}
    for r in records(data.tasks):
        tasks_by_agency.setdefault(text(r.get("lead_agency_code")), []).append(r)
    compliance = {text(r.get("agency_code")): r for r in records(data.compliance)}
    codes = list(dict.fromkeys([*compliance, *tasks_by_agency]))
    codes.sort(key=agency_sort_key)
    rows = []
    for code in codes:
        c = compliance.get(code)
        rows.append(ScorecardRow(
            code=code, name=names.get(code or "", code or "(không xác định)"),
            figures=task_figures(pd.DataFrame(tasks_by_agency.get(code, []))),
            nq57_state=system_state(c, "NQ57") if c else None, nq71_state=system_state(c, "NQ71") if c else None,
            submission_state=submission_state(c) if c else None,
        ))
    return rows


def agency_names(data: ReportData) -> dict[str, str]:
    """Agency code -> name: the warehouse's names (core.agency via the compliance rows), else the shipped list."""
    names = {code: agency.name for code, agency in reference.agencies().items()}
    for r in records(data.compliance):
        code, name = text(r.get("agency_code")), text(r.get("agency_name"))
        if code and name:
            names[code] = name
    return names


def short_name(code: str | None, names: Mapping[str, str]) -> str:
    """The reference short name (`Bộ KH&CN`, `UBND TP. Hồ Chí Minh`) where there is one."""
    agency = reference.agencies().get(code or "")
    if agency is not None and agency.short_name:
        return agency.short_name
    return names.get(code or "", code or "(không xác định)")


# ---------------------------------------------------------------- trend


@dataclass(frozen=True)
class TrendPoint:
    period: str
    tasks: TaskFigures
    compliance: Mapping[str, int]  # SUBMISSION_STATES -> agencies

    @property
    def agencies(self) -> int:
        return sum(self.compliance.values())


def trend(data: ReportData, agencies: int) -> list[TrendPoint]:
    """One point per `data.trend_periods`; a period nobody uploaded for counts every agency as not submitted."""
    by_period: dict[str, dict[str, int]] = {}
    for r in records(data.status_trend):
        counts = by_period.setdefault(r["period"], dict.fromkeys(TASK_CATEGORIES, 0))
        counts[category(r.get("status_code"))] += int(r["tasks"])
    states: dict[str, dict[str, int]] = {}
    for r in records(data.compliance_trend):
        counts = states.setdefault(r["period"], dict.fromkeys(SUBMISSION_STATES, 0))
        state = text(r.get("submission_state"))
        counts[state if state in SUBMISSION_STATES else "not_submitted"] += int(r["agencies"])
    points = []
    for period in data.trend_periods:
        submitted = states.get(period) or {**dict.fromkeys(SUBMISSION_STATES, 0), "not_submitted": agencies}
        points.append(TrendPoint(period, TaskFigures(by_period.get(period, dict.fromkeys(TASK_CATEGORIES, 0))),
                                 submitted))
    return points


# ---------------------------------------------------------------- indicators


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    agency_code: str | None
    system: str | None
    unit: str | None
    target_op: str | None
    target_low: float | None
    target_high: float | None
    value: float | None
    nq57_value: float | None
    nq71_value: float | None
    conflict: bool
    meets_target: bool | None
    nq57_meets_target: bool | None
    nq71_meets_target: bool | None
    note: str | None

    @property
    def numeric(self) -> bool:
        return self.target_op in {">=", ">", "<=", "<", "=", "between"}


def indicator_rows(indicators: pd.DataFrame | None) -> list[IndicatorRow]:
    """`mart.v_indicators` rows: numeric targets first in catalogue order, then qualitative; then by agency."""
    order = {code: index for index, code in enumerate(reference.indicators())}

    def verdict(value: object) -> bool | None:
        return None if blank(value) else bool(value)

    rows = []
    for r in records(indicators):
        value = as_float(r.get("value"))
        conflict = truthy(r.get("value_conflict"))
        rows.append(IndicatorRow(
            code=text(r.get("indicator_code")) or "", name=text(r.get("indicator_name")) or "",
            agency_code=text(r.get("agency_code")), system=text(r.get("system")), unit=text(r.get("unit")),
            target_op=text(r.get("target_op")), target_low=as_float(r.get("target_low")),
            target_high=as_float(r.get("target_high")), value=None if conflict else value,
            nq57_value=as_float(r.get("nq57_value")), nq71_value=as_float(r.get("nq71_value")), conflict=conflict,
            meets_target=verdict(r.get("meets_target")), nq57_meets_target=verdict(r.get("nq57_meets_target")),
            nq71_meets_target=verdict(r.get("nq71_meets_target")), note=text(r.get("note")),
        ))
    rows.sort(key=lambda i: (not i.numeric, order.get(i.code, len(order)), _natural(i.code),
                             agency_sort_key(i.agency_code)))
    return rows


@dataclass(frozen=True)
class IndicatorSummary:
    reported: int  # indicator × agency rows with a numeric target
    met: int
    not_met: int
    conflicts: int
    without_value: int
    qualitative: int


def indicator_summary(rows: Iterable[IndicatorRow]) -> IndicatorSummary:
    rows = list(rows)
    numeric = [r for r in rows if r.numeric]
    return IndicatorSummary(
        reported=len(numeric),
        met=sum(r.meets_target is True for r in numeric),
        not_met=sum(r.meets_target is False for r in numeric),
        conflicts=sum(r.conflict for r in numeric),
        without_value=sum(not r.conflict and r.value is None for r in numeric),
        qualitative=len(rows) - len(numeric),
    )


def _natural(code: str) -> tuple:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", code))


# ---------------------------------------------------------------- difficulties and recommendations


@dataclass(frozen=True)
class Source:
    object_key: str | None
    system: str | None
    sheet: str | None
    row: int | None
    column_label: str
    task_code: str | None

    def describe(self) -> str:
        """`BTC_NQ57_2026-10.xlsx: NhiemVu, dòng 12` (the file name; the column is the kind's column)."""
        where = ", ".join(p for p in (self.sheet, f"dòng {self.row}" if self.row else None) if p)
        name = (self.object_key or "").rsplit("/", 1)[-1]
        return f"{name}: {where}" if name else where


@dataclass
class Concern:
    """One difficulty or recommendation text of one agency, with every place it was written."""

    kind: str  # difficulty | recommendation
    theme: str
    agency_code: str | None
    text: str
    sources: list[Source] = field(default_factory=list)
    task_names: list[str] = field(default_factory=list)


KIND_COLUMNS = {"difficulty": ("difficulties", "Khó khăn, vướng mắc"),
                "recommendation": ("recommendations", "Kiến nghị, đề xuất")}


def theme_of(value: str) -> str:
    """The theme code of a difficulty text by keywords (a guess the report labels as automatic)."""
    folded = f" {' '.join(re.sub(r'[^0-9a-z]+', ' ', fold(value)).split())} "
    for code, _label, words in THEMES:
        if any(f" {word} " in folded for word in words):
            return code
    return OTHER_THEME[0]


def concerns(difficulties: pd.DataFrame | None) -> list[Concern]:
    """Difficulties and recommendations, identical texts of one agency merged (both systems, several tasks),
    ordered by theme (`THEMES` order, other last), agency (reference order), kind, text."""
    merged: dict[tuple, Concern] = {}
    for r in records(difficulties):
        agency = text(r.get("reporting_agency_code"))
        for kind, (column, label) in KIND_COLUMNS.items():
            value = text(r.get(column))
            if not value:
                continue
            value = clean(value)
            key = (kind, agency, fold(value))
            concern = merged.get(key)
            if concern is None:
                concern = merged[key] = Concern(kind, theme_of(value), agency, value)
            source_row = r.get("source_row")
            concern.sources.append(Source(text(r.get("object_key")), text(r.get("system")), text(r.get("source_sheet")),
                                          None if blank(source_row) else int(source_row), label,
                                          text(r.get("task_code"))))
            name = text(r.get("task_name"))
            if name and name not in concern.task_names:
                concern.task_names.append(name)
    theme_order = {code: i for i, (code, _l, _w) in enumerate(THEMES)} | {OTHER_THEME[0]: len(THEMES)}
    found = list(merged.values())
    for concern in found:
        concern.sources.sort(key=lambda s: (s.object_key or "", s.row or 0))
    found.sort(key=lambda c: (theme_order[c.theme], agency_sort_key(c.agency_code), c.kind != "difficulty",
                              fold(c.text)))
    return found


# ---------------------------------------------------------------- everything at once


@dataclass(frozen=True)
class ReportFigures:
    period: str
    names: Mapping[str, str]
    tasks: TaskFigures
    previous_tasks: TaskFigures | None
    task_changes: Mapping[str, Change]
    compliance: ComplianceFigures
    previous_compliance: ComplianceFigures | None
    compliance_changes: Mapping[str, Change]
    overdue: list[OverdueTask]
    overdue_agencies: list[AgencyOverdue]
    documents: list[DocumentRow]
    scorecard: list[ScorecardRow]
    trend: list[TrendPoint]
    indicators: list[IndicatorRow]
    indicator_summary: IndicatorSummary
    concerns: list[Concern]
    conflicts: list[dict]
    compliance_rows: list[dict]


def compute(data: ReportData) -> ReportFigures:
    """Every figure of the report.

    Raises:
        ValueError: `data.period` is not a YYYY-MM month.
    """
    periods.check(data.period)
    names = agency_names(data)
    tasks = task_figures(data.tasks)
    previous = task_figures(data.previous_tasks) if data.previous_tasks is not None else None
    compliance = compliance_figures(data.compliance)
    previous_compliance = (compliance_figures(data.previous_compliance)
                           if data.previous_compliance is not None else None)
    rows = indicator_rows(data.indicators)
    conflicts = [r for r in records(data.tasks) if truthy(r.get("status_conflict"))]
    conflicts.sort(key=lambda r: (agency_sort_key(text(r.get("lead_agency_code"))),
                                  as_date(r.get("deadline")) or dt.date.max, text(r.get("task_name")) or ""))
    compliance_rows = records(data.compliance)
    compliance_rows.sort(key=lambda r: agency_sort_key(text(r.get("agency_code"))))
    return ReportFigures(
        period=data.period, names=names, tasks=tasks, previous_tasks=previous,
        task_changes=changes(tasks, previous), compliance=compliance, previous_compliance=previous_compliance,
        compliance_changes=compliance_changes(compliance, previous_compliance),
        overdue=overdue_tasks(data, names), overdue_agencies=overdue_by_agency(data, names),
        documents=by_document(data.tasks), scorecard=scorecard(data, names),
        trend=trend(data, compliance.agencies or len(reference.agencies())), indicators=rows,
        indicator_summary=indicator_summary(rows), concerns=concerns(data.difficulties), conflicts=conflicts,
        compliance_rows=compliance_rows,
    )

