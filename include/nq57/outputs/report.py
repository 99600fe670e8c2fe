"""The consolidated monthly report (Vietnamese) that MoST sends the Prime Minister, from the mart views.

One workbook per period, built with openpyxl and native Excel charts:

- `TongHop` — tasks by status (each real task counted once across NQ57 and NQ71), completion and on-time
  completion rates, overdue tasks, tasks in both systems and cross-system conflicts, how agencies
  reported (on time / late / missing), overdue tasks by lead agency; a bar chart of tasks by status and
  a bar chart of overdue tasks by lead agency (top 15).
- `NhiemVuQuaHan` — the overdue task list, by lead agency then deadline.
- `DonViNopMuon` — agencies that reported late or not at all, per system (missing first).
- `ChiTieu` — indicators against their 2030 targets, with a value-versus-target chart.
- `XungDot` — tasks whose two systems report different statuses, both shown side by side.

Counting follows the Government Office convention (research/domain.md §1.3): completed on time / late,
in progress within / past the deadline, not started, and regular tasks. "Overdue" is
`vocabulary.OVERDUE_STATUSES` (completed late, in progress past the deadline, not started past the
deadline); the summary also says how many of those are still unfinished.

Every string that came from an agency (task names and codes, agency names, units) goes through
`excel_text.literal`, so nothing an agency typed can become a formula in the Prime Minister's copy.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import DataPoint
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RichTextProperties
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from nq57 import periods, reference
from nq57.outputs.excel_text import literal
from nq57.periods import TIMEZONE
from nq57.storage import warehouse
from nq57.vocabulary import COMPLETED_STATUSES, OVERDUE_STATUSES, STATUSES

REPORT_BUCKET = "nq57-reports"

SHEET_SUMMARY = "TongHop"
SHEET_OVERDUE = "NhiemVuQuaHan"
SHEET_LATE = "DonViNopMuon"
SHEET_INDICATORS = "ChiTieu"
SHEET_CONFLICTS = "XungDot"
SHEETS = (SHEET_SUMMARY, SHEET_OVERDUE, SHEET_LATE, SHEET_INDICATORS, SHEET_CONFLICTS)

NO_DATA = "Không có dữ liệu"
TOP_AGENCIES_IN_CHART = 15
UNFINISHED_OVERDUE = frozenset(OVERDUE_STATUSES - COMPLETED_STATUSES)
UNKNOWN_STATUS = "Chưa xác định"

TASK_COLUMNS = (
    "unified_task_id", "period", "lead_agency_code", "task_name", "deadline", "status_code", "progress_pct",
    "nq57_task_code", "nq71_task_code", "in_both_systems", "status_conflict",
)
OPTIONAL_TASK_COLUMNS = ("nq57_status_code", "nq71_status_code")
COMPLIANCE_COLUMNS = (
    "agency_code", "agency_name", "period", "nq57_submitted", "nq71_submitted", "nq57_on_time", "nq71_on_time",
    "on_time", "late", "missing", "nil_report", "nq57_received_at", "nq71_received_at",
)
INDICATOR_COLUMNS = (
    "period", "agency_code", "indicator_code", "indicator_name", "value", "unit", "target_op", "target_low",
    "target_high", "meets_target",
)
NUMERIC_TARGET_OPS = (">=", ">", "<=", "=", "between")

_FONT_NAME = "Times New Roman"  # the font of Vietnamese administrative documents (NĐ 30/2020/NĐ-CP)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_SECTION_COLOR = "1F3864"
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
PERCENT_FORMAT = "0.0%"
PROGRESS_FORMAT = "0%"
COUNT_FORMAT = "#,##0"

# Chart colours per status: green done on time, amber done late, blue in progress, red overdue.
STATUS_COLORS = {
    "HT_DUNG_HAN": "70AD47",
    "HT_QUA_HAN": "FFC000",
    "DANG_TRONG_HAN": "5B9BD5",
    "DANG_QUA_HAN": "ED7D31",
    "CHUA_DEN_HAN": "A5A5A5",
    "CHUA_QUA_HAN": "C00000",
    "THUONG_XUYEN": "7030A0",
}


@dataclass
class ReportData:
    """One period's rows from the mart views. Missing optional columns read as empty; of the extra ones,
    `nq57_progress_pct`/`nq71_progress_pct` (tasks) and `system` (indicators) are shown when present."""

    period: str
    tasks: pd.DataFrame
    compliance: pd.DataFrame
    indicators: pd.DataFrame


def report_key(period: str) -> str:
    """Object key of the report in bucket `nq57-reports`."""
    periods.check(period)
    return f"{period}/bao_cao_tong_hop_{period}.xlsx"


def load_report_data(url: str, period: str) -> ReportData:
    """Read one period from `mart.v_tasks`, `mart.v_compliance` and `mart.v_indicators`."""
    periods.check(period)
    tasks = warehouse.query(url, "SELECT * FROM mart.v_tasks WHERE period = :period", period=period)
    compliance = warehouse.query(
        url, "SELECT * FROM mart.v_compliance WHERE period = :period ORDER BY agency_code", period=period)
    indicators = warehouse.query(
        url, "SELECT * FROM mart.v_indicators WHERE period = :period ORDER BY indicator_code, agency_code",
        period=period)
    return ReportData(
        period=period,
        tasks=_with_columns(tasks, TASK_COLUMNS + OPTIONAL_TASK_COLUMNS),
        compliance=_with_columns(compliance, COMPLIANCE_COLUMNS),
        indicators=_with_columns(indicators, INDICATOR_COLUMNS),
    )


def build_report(data: ReportData, generated_at: dt.datetime | None = None) -> bytes:
    """The report workbook as .xlsx bytes. `generated_at` defaults to now; aware times are shown in Vietnam
    time, naive ones as given."""
    periods.check(data.period)
    tasks = _with_columns(data.tasks, TASK_COLUMNS + OPTIONAL_TASK_COLUMNS)
    compliance = _with_columns(data.compliance, COMPLIANCE_COLUMNS)
    indicators = _with_columns(data.indicators, INDICATOR_COLUMNS)
    generated = generated_at or dt.datetime.now(ZoneInfo(TIMEZONE))
    if generated.tzinfo is not None:  # Excel has no time zones: Vietnam wall-clock time
        generated = generated.astimezone(ZoneInfo(TIMEZONE)).replace(tzinfo=None)
    generated = generated.replace(microsecond=0)

    workbook = Workbook()
    summary = workbook.active
    summary.title = SHEET_SUMMARY
    names = _agency_names(compliance)
    _write_summary(summary, data.period, generated, tasks, compliance, names)
    _write_overdue(workbook.create_sheet(SHEET_OVERDUE), data.period, tasks, names)
    _write_late(workbook.create_sheet(SHEET_LATE), data.period, compliance)
    _write_indicators(workbook.create_sheet(SHEET_INDICATORS), data.period, indicators)
    _write_conflicts(workbook.create_sheet(SHEET_CONFLICTS), data.period, tasks, names)
    workbook.active = 0
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class TaskFigures:
    """The summary's task numbers (exposed for the CLI / DAG logs and for tests)."""

    total: int
    by_status: dict[str, int]  # every status code (0 when absent), plus UNKNOWN_STATUS when any
    completed: int
    completed_on_time: int
    completed_late: int
    overdue: int
    overdue_unfinished: int
    regular: int
    in_both_systems: int
    conflicts: int

    @property
    def completed_share(self) -> float | None:
        return self.completed / self.total if self.total else None

    @property
    def on_time_completion_rate(self) -> float | None:
        """HT_DUNG_HAN / (HT_DUNG_HAN + HT_QUA_HAN); None when nothing was completed."""
        done = self.completed_on_time + self.completed_late
        return self.completed_on_time / done if done else None


def task_figures(tasks: pd.DataFrame) -> TaskFigures:
    tasks = _with_columns(tasks, TASK_COLUMNS)
    codes = [_status(code) for code in tasks["status_code"]]
    by_status = {code: 0 for code in STATUSES}
    for code in codes:
        key = code if code in STATUSES else UNKNOWN_STATUS
        by_status[key] = by_status.get(key, 0) + 1
    return TaskFigures(
        total=len(codes),
        by_status=by_status,
        completed=sum(c in COMPLETED_STATUSES for c in codes),
        completed_on_time=by_status["HT_DUNG_HAN"],
        completed_late=by_status["HT_QUA_HAN"],
        overdue=sum(c in OVERDUE_STATUSES for c in codes),
        overdue_unfinished=sum(c in UNFINISHED_OVERDUE for c in codes),
        regular=by_status["THUONG_XUYEN"],
        in_both_systems=sum(_truthy(v) for v in tasks["in_both_systems"]),
        conflicts=sum(_truthy(v) for v in tasks["status_conflict"]),
    )


def overdue_by_agency(tasks: pd.DataFrame) -> list[tuple[str, int, int]]:
    """(lead agency code, overdue tasks, of which unfinished), most overdue first, then by code."""
    tasks = _with_columns(tasks, TASK_COLUMNS)
    counts: dict[str, list[int]] = {}
    for agency, status in zip(tasks["lead_agency_code"], tasks["status_code"], strict=True):
        status = _status(status)
        if status in OVERDUE_STATUSES:
            entry = counts.setdefault(_str(agency) or "", [0, 0])
            entry[0] += 1
            entry[1] += status in UNFINISHED_OVERDUE
    return sorted(((a, n, u) for a, (n, u) in counts.items()), key=lambda r: (-r[1], -r[2], r[0]))


def target_text(op: object, low: object, high: object) -> str:
    """A 2030 target as the programme writes it: `≥ 80`, `> 0,7`, `≤ 3`, `= 100`, `16–18`, `định tính`."""
    op = _str(op)
    if op == "qualitative":
        return "định tính"
    low_f, high_f = _float(low), _float(high)
    if op == "between" and low_f is not None and high_f is not None:
        return f"{vn_number(low_f)}–{vn_number(high_f)}"
    symbol = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}.get(op or "")
    if symbol and low_f is not None:
        return f"{symbol} {vn_number(low_f)}"
    return "—"


def vn_number(value: float, decimals: int = 3) -> str:
    """Vietnamese number text: `.` groups thousands, `,` is the decimal mark (1.287; 80,3; 0,7)."""
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def meets_text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return "Đạt" if bool(value) else "Chưa đạt"


# ---------------------------------------------------------------- TongHop


def _write_summary(ws: Worksheet, period: str, generated: dt.datetime, tasks: pd.DataFrame,
                   compliance: pd.DataFrame, names: dict[str, str]) -> None:
    figures = task_figures(tasks)
    _widths(ws, (9, 62, 15, 15, 20, 3))
    ws.merge_cells("A1:P1")
    _put(ws, 1, 1, f"BÁO CÁO TỔNG HỢP TÌNH HÌNH THỰC HIỆN NGHỊ QUYẾT 57-NQ/TW — THÁNG {periods.label(period)}",
         font=Font(name=_FONT_NAME, bold=True, size=14, color=_SECTION_COLOR))
    _put(ws, 2, 1, "Đơn vị tổng hợp: Bộ Khoa học và Công nghệ. Nguồn: báo cáo của các bộ, ngành, địa phương trên "
                   "hệ thống NQ57 và NQ71; mỗi nhiệm vụ có trên cả hai hệ thống chỉ được tính một lần.",
         font=Font(name=_FONT_NAME, italic=True))
    # A real date-time; the label lives in the number format so the cell still sorts and filters as a date.
    ws.merge_cells("A3:D3")
    _put(ws, 3, 1, generated, number_format=f'"Ngày lập báo cáo: "{DATETIME_FORMAT}',
         font=Font(name=_FONT_NAME, bold=True), alignment=Alignment(horizontal="left"))

    # I. Tasks by status
    row = 5
    _section(ws, row, "I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ")
    row += 1
    _header(ws, row, ("STT", "Tình trạng", "Số nhiệm vụ", "Tỷ lệ"))
    status_first = row + 1
    statuses = list(STATUSES) + ([UNKNOWN_STATUS] if UNKNOWN_STATUS in figures.by_status else [])
    for number, code in enumerate(statuses, start=1):
        row += 1
        count = figures.by_status[code]
        share = _share(count, figures.total)
        _table_row(ws, row, (number, STATUSES.get(code, UNKNOWN_STATUS), count, "—" if share is None else share),
                   formats=(None, None, COUNT_FORMAT, PERCENT_FORMAT))
    status_last = row
    row += 1
    _table_row(ws, row, ("", "Tổng số nhiệm vụ", figures.total, 1.0 if figures.total else "—"),
               formats=(None, None, COUNT_FORMAT, PERCENT_FORMAT), bold=True, fill=_TOTAL_FILL)
    if figures.total == 0:
        row += 1
        _note(ws, row, 2, f"{NO_DATA}: chưa có nhiệm vụ nào được báo cáo trong kỳ.")

    row += 2
    _header(ws, row, ("", "Chỉ số chính", "Số lượng", "Tỷ lệ"))
    key_rows = (
        ("Tổng số nhiệm vụ (đã loại trùng giữa NQ57 và NQ71)", figures.total, None),
        ("Đã hoàn thành (đúng hạn và quá hạn)", figures.completed, figures.completed_share),
        ("Tỷ lệ hoàn thành đúng hạn (hoàn thành đúng hạn / đã hoàn thành)", None, figures.on_time_completion_rate),
        ("Nhiệm vụ quá hạn (hoàn thành quá hạn, đang thực hiện quá hạn, chưa thực hiện quá hạn)",
         figures.overdue, _share(figures.overdue, figures.total)),
        ("   trong đó: chưa hoàn thành, đã quá hạn", figures.overdue_unfinished,
         _share(figures.overdue_unfinished, figures.total)),
        ("Nhiệm vụ thường xuyên", figures.regular, _share(figures.regular, figures.total)),
        ("Nhiệm vụ có trên cả hai hệ thống NQ57 và NQ71", figures.in_both_systems,
         _share(figures.in_both_systems, figures.total)),
        ("Nhiệm vụ hai hệ thống báo cáo khác nhau (xem sheet XungDot)", figures.conflicts,
         _share(figures.conflicts, figures.total)),
    )
    for label, count, share in key_rows:
        row += 1
        _table_row(ws, row, ("", label, count if count is not None else "—", share if share is not None else "—"),
                   formats=(None, None, COUNT_FORMAT, PERCENT_FORMAT))
        ws.cell(row, 2).alignment = _WRAP

    # II. Reporting compliance
    row += 2
    _section(ws, row, "II. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC BỘ, NGÀNH, ĐỊA PHƯƠNG")
    row += 1
    _header(ws, row, ("", "Nội dung", "Số đơn vị", "Tỷ lệ"))
    agencies = len(compliance)
    counted = (
        ("Tổng số đơn vị phải báo cáo", agencies),
        ("Nộp đủ và đúng hạn trên cả hai hệ thống", _count_true(compliance["on_time"])),
        ("Nộp muộn (ít nhất một hệ thống)", _count_true(compliance["late"])),
        ("Chưa nộp đủ (thiếu ít nhất một hệ thống)", _count_true(compliance["missing"])),
        ("Báo cáo không phát sinh nhiệm vụ", _count_true(compliance["nil_report"])),
    )
    for label, count in counted:
        row += 1
        _table_row(ws, row, ("", label, count, _share(count, agencies) if agencies else "—"),
                   formats=(None, None, COUNT_FORMAT, PERCENT_FORMAT))
    if not agencies:
        row += 1
        _note(ws, row, 2, f"{NO_DATA} về tình hình gửi báo cáo trong kỳ.")
    else:
        row += 1
        _note(ws, row, 2, "Danh sách đơn vị nộp muộn, chưa nộp: sheet DonViNopMuon. Hạn nộp: trước 00:00 ngày 21 "
                          "tháng sau kỳ báo cáo (giờ Việt Nam).")

    # III. Overdue tasks by lead agency
    row += 2
    _section(ws, row, "III. NHIỆM VỤ QUÁ HẠN THEO CƠ QUAN CHỦ TRÌ")
    agency_section = row
    row += 1
    _header(ws, row, ("Mã đơn vị", "Cơ quan chủ trì", "Số nhiệm vụ quá hạn", "Trong đó chưa hoàn thành",
                      "Tên viết tắt"))
    ws.row_dimensions[row].height = 32
    by_agency = overdue_by_agency(tasks)
    agency_first = row + 1
    for code, count, unfinished in by_agency:
        row += 1
        _table_row(ws, row, (_text(code) or "—", _text(names.get(code) or code) or "(không xác định)",
                             count, unfinished, _text(_short_name(code, names.get(code))) or "(không xác định)"),
                   formats=(None, None, COUNT_FORMAT, COUNT_FORMAT))
    if by_agency:
        row += 1
        _table_row(ws, row, ("", "Tổng cộng", figures.overdue, figures.overdue_unfinished, ""),
                   formats=(None, None, COUNT_FORMAT, COUNT_FORMAT), bold=True, fill=_TOTAL_FILL)
    else:
        row += 1
        _note(ws, row, 2, "Không có nhiệm vụ quá hạn." if figures.total else f"{NO_DATA}.")

    # Charts, to the right of the tables (column F on).
    last_row = row
    if figures.total:
        chart = _status_chart(ws, statuses, status_first, status_last)
        ws.add_chart(chart, "G5")
        last_row = max(last_row, 5 + _rows_spanned(chart.height))
    if by_agency:
        shown = min(len(by_agency), TOP_AGENCIES_IN_CHART)
        chart = _agency_chart(ws, agency_first, agency_first + shown - 1)
        anchor = max(agency_section, 27)  # beside its table, below the status chart
        ws.add_chart(chart, f"G{anchor}")
        last_row = max(last_row, anchor + _rows_spanned(chart.height))
    ws.freeze_panes = "A5"
    ws.print_area = f"A1:Q{last_row}"  # the charts reach below the last table row
    if by_agency:
        ws.row_breaks.append(Break(id=agency_section - 1))  # section III and its chart start a printed page
    _landscape(ws)


def _rows_spanned(height_cm: float) -> int:
    return math.ceil(height_cm / 0.53) + 1  # default row height 15 pt = 0.53 cm


def _status_chart(ws: Worksheet, statuses: Sequence[str], first: int, last: int) -> BarChart:
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = "Nhiệm vụ theo tình trạng thực hiện"
    chart.add_data(Reference(ws, min_col=3, min_row=first, max_row=last), titles_from_data=False)
    _text_categories(chart, Reference(ws, min_col=2, min_row=first, max_row=last))
    series = chart.series[0]
    series.tx = None
    for index, code in enumerate(statuses):
        if code in STATUS_COLORS:
            point = DataPoint(idx=index)
            point.graphicalProperties.solidFill = STATUS_COLORS[code]
            point.graphicalProperties.line.solidFill = STATUS_COLORS[code]
            series.dPt.append(point)
    _horizontal_bar_layout(chart, "Số nhiệm vụ")
    chart.width, chart.height = 20, 10
    return chart


def _agency_chart(ws: Worksheet, first: int, last: int) -> BarChart:
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = f"Nhiệm vụ quá hạn theo cơ quan chủ trì (tối đa {TOP_AGENCIES_IN_CHART} đơn vị nhiều nhất)"
    chart.add_data(Reference(ws, min_col=3, min_row=first, max_row=last), titles_from_data=False)
    # short names (column E): full names wrap, and chart renderers then label only every other bar
    _text_categories(chart, Reference(ws, min_col=5, min_row=first, max_row=last))
    series = chart.series[0]
    series.graphicalProperties.solidFill = "C00000"
    series.graphicalProperties.line.solidFill = "C00000"
    _horizontal_bar_layout(chart, "Số nhiệm vụ quá hạn")
    chart.width, chart.height = 20, max(7.5, 3 + 0.8 * (last - first + 1))
    return chart


def _text_categories(chart: BarChart, labels: Reference) -> None:
    """Category labels are text: a string reference (openpyxl's set_categories writes a numeric one)."""
    for series in chart.series:
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))


def _font_size(points: float, rotation: int = 0) -> RichText:
    """Axis label text: a font size and, optionally, a rotation in degrees (negative: reads upwards)."""
    size = CharacterProperties(sz=int(points * 100))
    body = RichTextProperties(rot=rotation * 60000, vert="horz") if rotation else RichTextProperties()
    return RichText(bodyPr=body, p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size, r=[])])


def _horizontal_bar_layout(chart: BarChart, value_title: str) -> None:
    chart.legend = None
    chart.gapWidth = 60
    chart.x_axis.scaling.orientation = "maxMin"  # first table row at the top
    chart.x_axis.tickLblSkip = 1  # every category labelled, never every other one
    chart.x_axis.txPr = _font_size(8)
    chart.x_axis.delete = False  # openpyxl ≥ 3.1 hides axes unless told otherwise
    chart.y_axis.delete = False
    chart.y_axis.title = value_title
    chart.y_axis.majorGridlines = None
    chart.y_axis.number_format = "0"
    chart.y_axis.crosses = "max"  # with the categories reversed, keeps the value axis at the bottom
    chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                     showPercent=False)


# ---------------------------------------------------------------- NhiemVuQuaHan


def _write_overdue(ws: Worksheet, period: str, tasks: pd.DataFrame, names: dict[str, str]) -> None:
    headers = ("STT", "Mã đơn vị", "Cơ quan chủ trì", "Tên nhiệm vụ", "Thời hạn", "Số ngày quá hạn (đến cuối kỳ)",
               "Tình trạng", "Tiến độ", "Mã nhiệm vụ NQ57", "Mã nhiệm vụ NQ71")
    _title(ws, f"DANH SÁCH NHIỆM VỤ QUÁ HẠN — THÁNG {periods.label(period)}",
           "Gồm nhiệm vụ hoàn thành quá hạn, đang thực hiện quá hạn và chưa thực hiện đã quá hạn; "
           "sắp xếp theo cơ quan chủ trì, thời hạn.", len(headers))
    _widths(ws, (6, 11, 30, 60, 12, 12, 26, 9, 18, 18))
    header_row = 4
    _header(ws, header_row, headers)
    ws.row_dimensions[header_row].height = 32
    overdue = [r for r in _records(tasks) if _status(r["status_code"]) in OVERDUE_STATUSES]
    overdue.sort(key=lambda r: (_str(r["lead_agency_code"]) or "\uffff", _date(r["deadline"]) or dt.date.max,
                                _str(r["task_name"]) or ""))
    end = periods.end(period)
    for number, record in enumerate(overdue, start=1):
        code = _str(record["lead_agency_code"])
        status = _status(record["status_code"])
        deadline = _date(record["deadline"])
        late_days = (end - deadline).days if deadline and status in UNFINISHED_OVERDUE and end > deadline else None
        _table_row(ws, header_row + number, (
            number, _text(code), _text(names.get(code or "") or code), _text(record["task_name"]), deadline,
            late_days, _status_label(status), _progress(record["progress_pct"]), _text(record["nq57_task_code"]),
            _text(record["nq71_task_code"]),
        ), formats=(None, None, None, None, DATE_FORMAT, COUNT_FORMAT, None, PROGRESS_FORMAT, None, None),
            wrap=(3, 4, 7))
    if not overdue:
        _note(ws, header_row + 1, 1, "Không có nhiệm vụ quá hạn." if len(tasks) else f"{NO_DATA}.")
    _finish_table(ws, header_row, len(headers), len(overdue))


# ---------------------------------------------------------------- DonViNopMuon


def _write_late(ws: Worksheet, period: str, compliance: pd.DataFrame) -> None:
    headers = ("STT", "Mã đơn vị", "Tên đơn vị", "Tình trạng", "NQ57: đã nộp", "NQ57: đúng hạn",
               "NQ57: thời điểm nhận", "NQ71: đã nộp", "NQ71: đúng hạn", "NQ71: thời điểm nhận")
    _title(ws, f"ĐƠN VỊ NỘP BÁO CÁO MUỘN HOẶC CHƯA NỘP — THÁNG {periods.label(period)}",
           "Hạn nộp: trước 00:00 ngày 21 tháng sau kỳ báo cáo; thời điểm nhận theo giờ Việt Nam (UTC+7). "
           "Đơn vị chưa nộp đủ xếp trước.", len(headers))
    _widths(ws, (6, 11, 40, 34, 10, 10, 17, 10, 10, 17))
    header_row = 4
    _header(ws, header_row, headers)
    ws.row_dimensions[header_row].height = 32
    rows = [r for r in _records(compliance) if _truthy(r["missing"]) or _truthy(r["late"])]
    rows.sort(key=lambda r: (not _truthy(r["missing"]), _str(r["agency_code"]) or ""))
    for number, r in enumerate(rows, start=1):
        _table_row(ws, header_row + number, (
            number, _text(r["agency_code"]), _text(r["agency_name"]) or "", _late_reason(r),
            _yes_no(r["nq57_submitted"]), _yes_no(r["nq57_on_time"]) if _truthy(r["nq57_submitted"]) else "—",
            _vietnam_time(r["nq57_received_at"]),
            _yes_no(r["nq71_submitted"]), _yes_no(r["nq71_on_time"]) if _truthy(r["nq71_submitted"]) else "—",
            _vietnam_time(r["nq71_received_at"]),
        ), formats=(None,) * 6 + (DATETIME_FORMAT,) + (None,) * 2 + (DATETIME_FORMAT,), wrap=(3, 4),
            center=(5, 6, 8, 9))
    if not rows:
        _note(ws, header_row + 1, 1, "Tất cả đơn vị đã nộp đủ, đúng hạn." if len(compliance) else f"{NO_DATA}.")
    _finish_table(ws, header_row, len(headers), len(rows))


def _late_reason(r: dict) -> str:
    missing = [s for s in ("NQ57", "NQ71") if not _truthy(r[f"{s.lower()}_submitted"])]
    late = [s for s in ("NQ57", "NQ71")
            if _truthy(r[f"{s.lower()}_submitted"]) and not _truthy(r[f"{s.lower()}_on_time"])]
    parts = []
    if missing:
        parts.append("Chưa nộp " + " và ".join(missing))
    if late:
        parts.append("Nộp muộn " + " và ".join(late))
    if not parts:  # the view said late/missing but the per-system flags are absent
        parts.append("Chưa nộp đủ" if _truthy(r["missing"]) else "Nộp muộn")
    return "; ".join(parts)


# ---------------------------------------------------------------- ChiTieu


def _write_indicators(ws: Worksheet, period: str, indicators: pd.DataFrame) -> None:
    headers = ("STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị báo cáo", "Đơn vị tính", "Mục tiêu 2030", "Giá trị",
               "Ngưỡng so sánh", "Đánh giá")
    _title(ws, f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU SO VỚI MỤC TIÊU NĂM 2030 — THÁNG {periods.label(period)}",
           "Chỉ tiêu có mục tiêu định lượng xếp trước (theo thứ tự danh mục), chỉ tiêu định tính xếp sau. "
           "Ngưỡng so sánh: giá trị mục tiêu; với mục tiêu dạng khoảng là cận dưới.", len(headers))
    _widths(ws, (6, 11, 52, 11, 14, 13, 11, 11, 11))
    header_row = 4
    _header(ws, header_row, headers)
    ws.row_dimensions[header_row].height = 32
    records = _records(indicators)
    order = {code: index for index, code in enumerate(reference.indicators())}
    records.sort(key=lambda r: (_str(r["target_op"]) not in NUMERIC_TARGET_OPS,
                                order.get(_str(r["indicator_code"]) or "", len(order)),
                                _natural(_str(r["indicator_code"]) or ""), _str(r["agency_code"]) or "",
                                _str(r.get("system")) or ""))
    numeric_rows = 0
    for number, r in enumerate(records, start=1):
        op = _str(r["target_op"])
        numeric = op in NUMERIC_TARGET_OPS
        numeric_rows += numeric
        value = _float(r["value"])
        threshold = _float(r["target_low"]) if numeric else None
        row = header_row + number
        _table_row(ws, row, (
            number, _text(r["indicator_code"]), _text(r["indicator_name"]) or "", _reporter(r),
            _text(r["unit"]) or "", target_text(op, r["target_low"], r["target_high"]), value, threshold,
            meets_text(r["meets_target"]),
        ), formats=(None,) * 6 + (_number_format(value), _number_format(threshold), None), wrap=(3, 5),
            center=(6, 9))
        verdict = ws.cell(row, 9)
        if verdict.value == "Đạt":
            verdict.font = Font(name=_FONT_NAME, bold=True, color="006100")
        elif verdict.value == "Chưa đạt":
            verdict.font = Font(name=_FONT_NAME, bold=True, color="9C0006")
    if not records:
        _note(ws, header_row + 1, 1, f"{NO_DATA}: chưa có chỉ tiêu nào được báo cáo trong kỳ.")
    _finish_table(ws, header_row, len(headers), len(records))
    if numeric_rows:
        ws.add_chart(_indicator_chart(ws, header_row, header_row + 1, header_row + numeric_rows), "K4")


def _reporter(record: dict) -> object:
    """The reporting agency; with the source system when the view gives one (`BKHCN (NQ71)`)."""
    agency, system = _str(record["agency_code"]), _str(record.get("system"))
    return _text(f"{agency} ({system})" if agency and system else agency)


def _indicator_chart(ws: Worksheet, header_row: int, first: int, last: int) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.style = 10
    chart.title = "Giá trị thực hiện so với ngưỡng mục tiêu 2030"
    chart.add_data(Reference(ws, min_col=7, max_col=8, min_row=header_row, max_row=last), titles_from_data=True)
    _text_categories(chart, Reference(ws, min_col=2, min_row=first, max_row=last))
    for series, color in zip(chart.series, ("2E75B6", "A5A5A5"), strict=True):
        series.graphicalProperties.solidFill = color
        series.graphicalProperties.line.solidFill = color
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.title = "Mã chỉ tiêu"
    chart.x_axis.tickLblSkip = 1
    chart.x_axis.txPr = _font_size(8, rotation=-45 if last - first + 1 > 12 else 0)
    chart.legend.position = "b"
    chart.gapWidth = 80
    chart.width, chart.height = max(18, min(40, 4 + 1.1 * (last - first + 1))), 10
    return chart


def _number_format(value: float | None) -> str:
    if value is None or float(value).is_integer():
        return "#,##0"
    return "#,##0.0##"


# ---------------------------------------------------------------- XungDot


def _write_conflicts(ws: Worksheet, period: str, tasks: pd.DataFrame, names: dict[str, str]) -> None:
    with_progress = {"nq57_progress_pct", "nq71_progress_pct"} <= set(tasks.columns)
    headers = ["STT", "Mã đơn vị", "Cơ quan chủ trì", "Tên nhiệm vụ", "Thời hạn", "Mã nhiệm vụ NQ57",
               "Tình trạng theo NQ57", "Mã nhiệm vụ NQ71", "Tình trạng theo NQ71"]
    widths = [6, 11, 26, 55, 12, 18, 26, 18, 26]
    if with_progress:
        headers[7:7] = ["Tiến độ theo NQ57"]
        headers.append("Tiến độ theo NQ71")
        widths[7:7] = [10]
        widths.append(10)
    _title(ws, f"NHIỆM VỤ HAI HỆ THỐNG BÁO CÁO KHÁC NHAU — THÁNG {periods.label(period)}",
           "Cùng một nhiệm vụ nhưng tình trạng trên NQ57 và NQ71 khác nhau; giữ nguyên cả hai, "
           "đề nghị đơn vị chủ trì rà soát, thống nhất.", len(headers))
    _widths(ws, widths)
    header_row = 4
    _header(ws, header_row, headers)
    ws.row_dimensions[header_row].height = 32
    rows = [r for r in _records(tasks) if _truthy(r["status_conflict"])]
    rows.sort(key=lambda r: (_str(r["lead_agency_code"]) or "\uffff", _date(r["deadline"]) or dt.date.max,
                             _str(r["task_name"]) or ""))
    for number, r in enumerate(rows, start=1):
        code = _str(r["lead_agency_code"])
        values: list[object] = [
            number, _text(code), _text(names.get(code or "") or code), _text(r["task_name"]), _date(r["deadline"]),
            _text(r["nq57_task_code"]), _system_status(r["nq57_status_code"]),
            _text(r["nq71_task_code"]), _system_status(r["nq71_status_code"]),
        ]
        formats: list[str | None] = [None, None, None, None, DATE_FORMAT, None, None, None, None]
        if with_progress:
            values[7:7] = [_progress(r["nq57_progress_pct"])]
            values.append(_progress(r["nq71_progress_pct"]))
            formats[7:7] = [PROGRESS_FORMAT]
            formats.append(PROGRESS_FORMAT)
        _table_row(ws, header_row + number, values, formats=formats, wrap=(3, 4, 7, 10 if with_progress else 9))
    if not rows:
        _note(ws, header_row + 1, 1, "Không có nhiệm vụ nào hai hệ thống báo cáo khác nhau." if len(tasks)
              else f"{NO_DATA}.")
    _finish_table(ws, header_row, len(headers), len(rows))


def _system_status(code: object) -> str:
    code = _str(code)
    if code is None:
        return "— (không có thông tin)"
    return STATUSES.get(code) or _text(code)


# ---------------------------------------------------------------- cell helpers


def _put(ws: Worksheet, row: int, column: int, value: object, *, font: Font | None = None,
         number_format: str | None = None, alignment: Alignment | None = None) -> None:
    cell = ws.cell(row, column)
    cell.value = value
    cell.font = font or Font(name=_FONT_NAME)
    if number_format and isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        cell.number_format = number_format
    if alignment is not None:
        cell.alignment = alignment
    if isinstance(value, str) and value.startswith("="):
        # Our own text that starts with "=" (the target "= 2"): a text cell, as Excel stores a typed '= 2.
        # Agency text never gets here unescaped (excel_text.literal); this is the second line of defence.
        cell.data_type = "s"
        cell.quotePrefix = True


def _title(ws: Worksheet, title: str, note: str, columns: int) -> None:
    _put(ws, 1, 1, title, font=Font(name=_FONT_NAME, bold=True, size=13, color=_SECTION_COLOR))
    _put(ws, 2, 1, note, font=Font(name=_FONT_NAME, italic=True))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)
    ws.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].height = 30


def _section(ws: Worksheet, row: int, text: str) -> None:
    _put(ws, row, 1, text, font=Font(name=_FONT_NAME, bold=True, size=12, color=_SECTION_COLOR))


def _header(ws: Worksheet, row: int, headers: Iterable[str]) -> None:
    for column, header in enumerate(headers, start=1):
        _put(ws, row, column, header, font=Font(name=_FONT_NAME, bold=True), alignment=_CENTER)
        cell = ws.cell(row, column)
        cell.fill = _HEADER_FILL
        cell.border = _BOX


def _table_row(ws: Worksheet, row: int, values: Sequence[object], *, formats: Sequence[str | None] = (),
               bold: bool = False, fill: PatternFill | None = None, wrap: Iterable[int] = (),
               center: Iterable[int] = ()) -> None:
    wrap, center = set(wrap), set(center)
    for column, value in enumerate(values, start=1):
        fmt = formats[column - 1] if column - 1 < len(formats) else None
        _put(ws, row, column, value, font=Font(name=_FONT_NAME, bold=bold), number_format=fmt)
        cell = ws.cell(row, column)
        cell.border = _BOX
        if fill is not None:
            cell.fill = fill
        if column in wrap:
            cell.alignment = _WRAP
        elif (column in center or (isinstance(value, str) and value in {"—", "Có", "Không"})
              or (column == 1 and isinstance(value, int))):  # STT
            cell.alignment = Alignment(horizontal="center", vertical="top")
        else:
            cell.alignment = Alignment(vertical="top")
    _fit_row_height(ws, row, wrap)


def _fit_row_height(ws: Worksheet, row: int, wrapped: Iterable[int]) -> None:
    """Tall enough for the wrapped cells: not every viewer re-measures rows it did not lay out itself."""
    lines = 1
    for column in wrapped:
        value = ws.cell(row, column).value
        if isinstance(value, str) and value:
            width = ws.column_dimensions[get_column_letter(column)].width or 10
            per_line = max(1, int(width * 1.35))  # Times New Roman 11: ~1.4 characters per width unit
            lines = max(lines, sum(math.ceil(max(1, len(part)) / per_line) for part in value.split("\n")))
    if lines > 1:
        ws.row_dimensions[row].height = 15 * lines


def _note(ws: Worksheet, row: int, column: int, text: str) -> None:
    _put(ws, row, column, text, font=Font(name=_FONT_NAME, italic=True, color="595959"))


def _widths(ws: Worksheet, widths: Iterable[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _finish_table(ws: Worksheet, header_row: int, columns: int, rows: int) -> None:
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    if rows:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{header_row + rows}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    _landscape(ws)


def _landscape(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


# ---------------------------------------------------------------- value helpers


def _with_columns(frame: pd.DataFrame | None, columns: Iterable[str]) -> pd.DataFrame:
    frame = pd.DataFrame() if frame is None else frame
    missing = [c for c in columns if c not in frame.columns]
    if not missing:
        return frame
    frame = frame.copy()
    for column in missing:
        frame[column] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return frame


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


def _str(value: object) -> str | None:
    if _blank(value):
        return None
    text = str(value).strip()
    return text or None


def _text(value: object) -> object:
    """Agency-supplied text, safe to write: no control characters openpyxl refuses, never a formula."""
    text = _str(value)
    if text is None:
        return None
    return literal(ILLEGAL_CHARACTERS_RE.sub("", text))


def _status(code: object) -> str | None:
    return _str(code)


def _status_label(code: str | None) -> object:
    if code is None:
        return UNKNOWN_STATUS
    return STATUSES.get(code) or _text(code)


def _truthy(value: object) -> bool:
    if _blank(value):
        return False
    return bool(value)


def _count_true(values: pd.Series) -> int:
    return sum(_truthy(v) for v in values)


def _yes_no(value: object) -> str:
    if _blank(value):
        return "—"
    return "Có" if bool(value) else "Không"


def _float(value: object) -> float | None:
    if _blank(value) or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _progress(value: object) -> float | None:
    number = _float(value)
    return None if number is None else number / 100


def _share(count: int, total: int) -> float | None:
    return count / total if total else None


def _date(value: object) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return pd.Timestamp(str(value)).date()
    except (ValueError, TypeError):
        return None


def _vietnam_time(value: object) -> dt.datetime | None:
    """A timestamp as naive Vietnam wall-clock time (Excel has no time zones); naive input is taken as UTC."""
    if _blank(value):
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(TIMEZONE).tz_localize(None).to_pydatetime().replace(microsecond=0)


def _agency_names(compliance: pd.DataFrame) -> dict[str, str]:
    """Agency code -> name: the warehouse's names (core.agency via v_compliance), else the shipped list."""
    names = {code: agency.name for code, agency in reference.agencies().items()}
    for code, name in zip(compliance["agency_code"], compliance["agency_name"], strict=True):
        code, name = _str(code), _str(name)
        if code and name:
            names[code] = name
    return names


def _short_name(code: str, name: str | None) -> str:
    """The name a chart label can hold: the reference short name (`Bộ KH&CN`, `UBND tỉnh Lạng Sơn`)."""
    agency = reference.agencies().get(code)
    if agency is not None and agency.short_name:
        return agency.short_name
    return name if name and len(name) <= 30 else code


def _natural(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code))
