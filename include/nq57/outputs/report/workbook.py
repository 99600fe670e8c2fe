"""The annex workbook (.xlsx): every figure of the drafted report, with the detail behind it.

Sheets (landscape A4, fit to one page wide, header rows repeated on every printed page, Times New Roman 11):

- `TongHop`     the Government framing of tasks and the submission states, each with the previous month and
                the difference; other key figures
- `BieuDo`      the document's charts (the same images)
- `XuHuong`     the last 12 months with data
- `BangDiem`    one row per agency: tasks, completed, on-time %, open overdue, submission state per system
- `GuiBaoCao`   agencies not on time: not submitted / rejected (why, which version counts) / partial / late,
                and accepted reports whose later correction was rejected
- `NhiemVuQuaHan` open overdue tasks (completed-late tasks are completed, not listed here)
- `TheoVanBan`  tasks by assigning document
- `KhoKhanKienNghi` difficulties and recommendations by theme and agency, with the file, sheet, row, column
- `ChiTieu`     indicators against their 2030 targets; two systems' different values side by side
- `XungDot`     tasks whose two systems report different statuses

Agency-supplied text goes through `excel_text.protect`: it can never become a formula, and no quote
character is ever visible (see that module).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from nq57 import periods
from nq57.outputs import excel_text, xlsx_layout
from nq57.outputs.report import charts, vntext
from nq57.outputs.report.figures import (
    SUBMISSION_LABELS,
    SUBMISSION_STATES,
    SYSTEM_STATE_LABELS,
    THEME_LABELS,
    ReportFigures,
    TaskFigures,
    as_date,
    as_float,
    framing_rows,
    submission_state,
    system_state,
    text,
)
from nq57.outputs.report.reproducible import repack
from nq57.outputs.xlsx_layout import LINE_PT
from nq57.periods import TIMEZONE
from nq57.vocabulary import STATUSES, SYSTEMS

SHEET_SUMMARY = "TongHop"
SHEET_CHARTS = "BieuDo"
SHEET_TREND = "XuHuong"
SHEET_SCORECARD = "BangDiem"
SHEET_SUBMISSIONS = "GuiBaoCao"
SHEET_OVERDUE = "NhiemVuQuaHan"
SHEET_DOCUMENTS = "TheoVanBan"
SHEET_CONCERNS = "KhoKhanKienNghi"
SHEET_INDICATORS = "ChiTieu"
SHEET_CONFLICTS = "XungDot"

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
TITLE_COLOR = "1F3864"
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
PERCENT_FORMAT = "0.0%"
COUNT_FORMAT = "#,##0"
HEADER_ROW = 4
VERDICT_MET, VERDICT_NOT_MET = "Đạt", "Chưa đạt"
SOURCES_LISTED = 3  # source cells listed per difficulty (the rest counted), so a row stays readable


def build_workbook(figures: ReportFigures, generated: dt.datetime,
                   drawn: Sequence[charts.Chart] | None = None) -> bytes:
    """The annex as .xlsx bytes. `generated` is naive Vietnam wall-clock time; `drawn` is
    `charts.report_charts(figures)` when the caller already has it (the document numbers the same charts
    the same way). The same figures and time give the same bytes."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = SHEET_SUMMARY
    _summary(summary, figures, generated)
    _charts(workbook.create_sheet(SHEET_CHARTS), figures,
            charts.report_charts(figures) if drawn is None else drawn)
    _trend(workbook.create_sheet(SHEET_TREND), figures)
    _scorecard(workbook.create_sheet(SHEET_SCORECARD), figures)
    _submissions(workbook.create_sheet(SHEET_SUBMISSIONS), figures)
    _overdue(workbook.create_sheet(SHEET_OVERDUE), figures)
    _documents(workbook.create_sheet(SHEET_DOCUMENTS), figures)
    _concerns(workbook.create_sheet(SHEET_CONCERNS), figures)
    _indicators(workbook.create_sheet(SHEET_INDICATORS), figures)
    _conflicts(workbook.create_sheet(SHEET_CONFLICTS), figures)
    workbook.active = 0
    workbook.properties.creator = workbook.properties.lastModifiedBy = "Bộ Khoa học và Công nghệ"
    workbook.properties.title = f"Phụ lục số liệu tổng hợp {vntext.month(figures.period)}"
    workbook.properties.created = workbook.properties.modified = generated
    out = io.BytesIO()
    workbook.save(out)
    return repack(out.getvalue(), generated)


# ---------------------------------------------------------------- cells


def safe(value: object) -> object:
    """Agency-supplied text for a cell: control characters openpyxl refuses removed (`_put` keeps it from ever
    becoming a formula)."""
    found = text(value)
    if found is None:
        return None
    return ILLEGAL_CHARACTERS_RE.sub("", found)


_font = xlsx_layout.font


def _put(ws: Worksheet, row: int, column: int, value: object, *, font: Font | None = None,
         number_format: str | None = None, alignment: Alignment | None = None) -> None:
    cell = ws.cell(row, column)
    cell.value = value
    cell.font = font or _font()
    if number_format and isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        cell.number_format = number_format
    if alignment is not None:
        cell.alignment = alignment
    excel_text.protect(cell)


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _title(ws: Worksheet, title: str, note: str, widths: Sequence[float]) -> None:
    _widths(ws, widths)
    last = get_column_letter(len(widths))
    ws.merge_cells(f"A1:{last}1")
    _put(ws, 1, 1, title, font=_font(bold=True, size=13, color=TITLE_COLOR),
         alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
    ws.row_dimensions[1].height = _height(title, sum(widths) * 0.85, minimum=1)
    ws.merge_cells(f"A2:{last}2")
    _put(ws, 2, 1, note, font=_font(italic=True), alignment=Alignment(wrap_text=True, vertical="top"))
    ws.row_dimensions[2].height = _height(note, sum(widths))


def _height(value: object, width: float, minimum: int = 1) -> float:
    return xlsx_layout.text_height(value, width, minimum)


def _header(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    widths = [ws.column_dimensions[get_column_letter(c)].width or 10 for c in range(1, len(headers) + 1)]
    for column, value in enumerate(headers, start=1):
        _put(ws, row, column, value, font=_font(bold=True),
             alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
        cell = ws.cell(row, column)
        cell.fill = HEADER_FILL
        cell.border = _BOX
    ws.row_dimensions[row].height = max(_height(h, w * 0.9) for h, w in zip(headers, widths, strict=True))


def _row(ws: Worksheet, row: int, values: Sequence[object], *, formats: Sequence[str | None] = (),
         bold: bool = False, fill: PatternFill | None = None, left: Iterable[int] = (),
         fonts: dict[int, Font] | None = None) -> None:
    """A bordered table row. Text cells wrap; columns in `left` (and text) align left, numbers right,
    short codes and marks centre; the row is made tall enough for its longest wrapped cell."""
    left = set(left)
    lines_needed = 1.0
    for column, value in enumerate(values, start=1):
        fmt = formats[column - 1] if column - 1 < len(formats) else None
        font = (fonts or {}).get(column) or _font(bold=bold)
        centered = (column not in left and not isinstance(value, (int, float))) or (column == 1 and isinstance(
            value, int))
        _put(ws, row, column, value, font=font, number_format=fmt,
             alignment=Alignment(horizontal="center" if centered else ("left" if isinstance(value, str) else None),
                                 vertical="top", wrap_text=True))
        cell = ws.cell(row, column)
        cell.border = _BOX
        if fill is not None:
            cell.fill = fill
        if isinstance(value, str):
            width = ws.column_dimensions[get_column_letter(column)].width or 10
            lines_needed = max(lines_needed, (_height(value, width) - 2) / LINE_PT)
    ws.row_dimensions[row].height = LINE_PT * lines_needed + 2


def _note(ws: Worksheet, row: int, value: str, columns: int) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    _put(ws, row, 1, value, font=_font(italic=True, color="404040"), alignment=Alignment(wrap_text=True,
                                                                                          vertical="top"))
    width = sum(ws.column_dimensions[get_column_letter(c)].width or 10 for c in range(1, columns + 1))
    ws.row_dimensions[row].height = _height(value, width)


def _section(ws: Worksheet, row: int, value: str, columns: int) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    _put(ws, row, 1, value, font=_font(bold=True, size=12, color=TITLE_COLOR))
    ws.row_dimensions[row].height = 20


def _print_setup(ws: Worksheet, header_row: int | None, rows: int, columns: int) -> None:
    if header_row is not None:
        ws.freeze_panes = ws.cell(header_row + 1, 1)
        ws.print_title_rows = f"{header_row}:{header_row}"
        if rows:
            ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{header_row + rows}"
    xlsx_layout.print_setup(ws)


def _table_start(ws: Worksheet, headers: Sequence[str]) -> int:
    _header(ws, HEADER_ROW, headers)
    return HEADER_ROW + 1


def _empty(ws: Worksheet, row: int, value: str, columns: int) -> None:
    _note(ws, row, value, columns)


def _period_title(figures: ReportFigures, title: str) -> str:
    return f"{title} — {vntext.month(figures.period).upper()}"


# ---------------------------------------------------------------- TongHop


def _summary(ws: Worksheet, figures: ReportFigures, generated: dt.datetime) -> None:
    widths = (46, 15, 11, 15, 13, 15, 15)
    columns = len(widths)
    _widths(ws, widths)
    last = get_column_letter(columns)
    for row, (value, font) in enumerate((
        ("PHỤ LỤC", _font(bold=True, size=13)),
        (f"SỐ LIỆU TỔNG HỢP TÌNH HÌNH THỰC HIỆN NGHỊ QUYẾT SỐ 57-NQ/TW VÀ NGHỊ QUYẾT SỐ 71/NQ-CP "
         f"{vntext.month(figures.period).upper()}", _font(bold=True, size=13, color=TITLE_COLOR)),
        ("(Kèm theo Báo cáo số        /BC-BKHCN ngày      tháng      năm        của Bộ Khoa học và Công nghệ)",
         _font(italic=True)),
    ), start=1):
        ws.merge_cells(f"A{row}:{last}{row}")
        _put(ws, row, 1, value, font=font, alignment=Alignment(horizontal="center", vertical="center",
                                                                wrap_text=True))
        ws.row_dimensions[row].height = 20 if row != 2 else 36
    _put(ws, 4, 1, generated, number_format=f'"Số liệu tổng hợp đến: "{DATETIME_FORMAT}" (giờ Việt Nam)"',
         font=_font(italic=True), alignment=Alignment(horizontal="left"))
    ws.merge_cells(f"A4:{last}4")

    previous_label = f"Tháng {periods.label(periods.previous(figures.period))}"
    current_label = f"Tháng {periods.label(figures.period)}"
    row = 6
    _section(ws, row, "I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ (mỗi nhiệm vụ có trên cả hai hệ thống tính một lần)", columns)
    row += 1
    _header(ws, row, ("Nội dung", current_label, "Tỷ lệ", previous_label, "Tăng (+)/ giảm (−)", "", ""))
    header_row = row
    t, p, ch = figures.tasks, figures.previous_tasks, figures.task_changes
    lines = framing_rows(t, p)
    for label, name, base, strong in lines:
        row += 1
        share = t[name] / t[base] if base and t[base] else None
        _row(ws, row, (label, t[name], share if share is not None else ("—" if base else ""),
                       p[name] if p is not None else "—", vntext.signed(ch[name].delta)),
             formats=(None, COUNT_FORMAT, PERCENT_FORMAT, COUNT_FORMAT), bold=strong, left=(1,),
             fill=TOTAL_FILL if name == "total" else None)
    row += 1
    _row(ws, row, ("Tỷ lệ hoàn thành đúng hạn (trên số nhiệm vụ đã hoàn thành)", "",
                   t.on_time_completion_rate if t.on_time_completion_rate is not None else "—",
                   p.on_time_completion_rate if p is not None and p.on_time_completion_rate is not None else "—", ""),
         formats=(None, None, PERCENT_FORMAT, PERCENT_FORMAT), left=(1,))
    row += 1
    _note(ws, row, "Tỷ lệ tính trên số nhiệm vụ có thời hạn. Phân loại theo tình trạng do cơ quan chủ trì báo cáo "
                   "(hệ thống NQ57 khi nhiệm vụ có trên cả hai hệ thống); “quá hạn” chỉ nhiệm vụ chưa hoàn thành đã "
                   "quá hạn. Danh sách: sheet NhiemVuQuaHan." + ("" if p is not None else
                   f" Chưa có số liệu {previous_label.lower()} để so sánh."), columns)
    _unmerge_header_tail(ws, header_row, 5, columns)

    row += 2
    c, pc, cc = figures.compliance, figures.previous_compliance, figures.compliance_changes
    _section(ws, row, f"II. TÌNH HÌNH GỬI BÁO CÁO ({vntext.count(c.agencies)} bộ, ngành, địa phương; hạn gửi: "
                      f"trước 00:00 {vntext.short_date(periods.due_at(figures.period).date())})", columns)
    row += 1
    _header(ws, row, ("Phân loại đơn vị (mỗi đơn vị thuộc một loại)", current_label, "Tỷ lệ", previous_label,
                      "Tăng (+)/ giảm (−)", "Hệ thống NQ57", "Hệ thống NQ71"))
    system_rows = {"on_time": "on_time", "late": "late", "rejected": "rejected", "not_submitted": "not_submitted"}
    for state in SUBMISSION_STATES:
        row += 1
        system_state_name = system_rows.get(state)
        _row(ws, row, (f"{SUBMISSION_LABELS[state]}", c[state], c[state] / c.agencies if c.agencies else "—",
                       pc[state] if pc is not None else "—", vntext.signed(cc[state].delta),
                       c.by_system["NQ57"][system_state_name] if system_state_name else "",
                       c.by_system["NQ71"][system_state_name] if system_state_name else ""),
             formats=(None, COUNT_FORMAT, PERCENT_FORMAT, COUNT_FORMAT, None, COUNT_FORMAT, COUNT_FORMAT), left=(1,))
    row += 1
    _row(ws, row, ("Tổng số đơn vị", c.agencies, 1.0 if c.agencies else "—", pc.agencies if pc is not None else "—",
                   vntext.signed(cc["agencies"].delta), sum(c.by_system["NQ57"].values()),
                   sum(c.by_system["NQ71"].values())),
         formats=(None, COUNT_FORMAT, PERCENT_FORMAT, COUNT_FORMAT, None, COUNT_FORMAT, COUNT_FORMAT), bold=True,
         fill=TOTAL_FILL, left=(1,))
    row += 1
    _note(ws, row, "Cột hệ thống: số đơn vị theo tình trạng báo cáo của từng hệ thống (đã gửi đúng hạn, muộn hạn, "
                   "bị từ chối, chưa gửi); “gửi thiếu” là đơn vị có một hệ thống chưa gửi. Báo cáo không phát sinh "
                   f"nhiệm vụ được tính là đã gửi ({vntext.count(c.nil_reports)} đơn vị). "
                   + (f"{vntext.count(c.rejected_corrections)} báo cáo đã được chấp nhận có bản cập nhật sau bị từ "
                      "chối: bản trước vẫn được sử dụng. " if c.rejected_corrections else "")
                   + "Chi tiết: sheet GuiBaoCao, BangDiem.", columns)

    row += 2
    ws.row_breaks.append(Break(id=row - 1))  # section III starts a printed page, never orphaned at a page foot
    _section(ws, row, "III. CÁC SỐ LIỆU KHÁC", columns)
    row += 1
    _header(ws, row, ("Nội dung", "Số lượng", "Tỷ lệ", "", "", "", ""))
    other_header = row
    s = figures.indicator_summary
    for label, value, base in (
        ("Nhiệm vụ có trên cả hai hệ thống NQ57 và NQ71", t.in_both_systems, t.total),
        ("   trong đó: hai hệ thống báo cáo tình trạng khác nhau (sheet XungDot)", t.conflicts, t.in_both_systems),
        ("Lượt chỉ tiêu định lượng được báo cáo (sheet ChiTieu)", s.reported, None),
        ("   - Đạt mục tiêu năm 2030", s.met, s.reported),
        ("   - Chưa đạt", s.not_met, s.reported),
        ("   - Hai hệ thống báo cáo số liệu khác nhau", s.conflicts, s.reported),
        ("   - Chưa có số liệu", s.without_value, s.reported),
        ("Khó khăn, kiến nghị được nêu (sheet KhoKhanKienNghi)", len(figures.concerns), None),
    ):
        row += 1
        _row(ws, row, (label, value, value / base if base else ("—" if base is not None else "")),
             formats=(None, COUNT_FORMAT, PERCENT_FORMAT), left=(1,))
    _unmerge_header_tail(ws, other_header, 4, columns)
    _print_setup(ws, None, 0, columns)
    ws.print_area = f"A1:{last}{row}"


def _unmerge_header_tail(ws: Worksheet, header_row: int, first_empty: int, columns: int) -> None:
    """Blank header cells past a table's last column: no fill, no border."""
    for column in range(first_empty, columns + 1):
        cell = ws.cell(header_row, column)
        if cell.value in (None, ""):
            cell.fill = PatternFill()
            cell.border = Border()


# ---------------------------------------------------------------- BieuDo


def _charts(ws: Worksheet, figures: ReportFigures, drawn: Sequence[charts.Chart]) -> None:
    widths = (105,)
    _title(ws, _period_title(figures, "BIỂU ĐỒ"), "Các biểu đồ của báo cáo, cùng số thứ tự và tên như trong báo "
                                                   "cáo, mỗi biểu đồ một trang in; số liệu tại các sheet TongHop, "
                                                   "XuHuong và BangDiem.", widths)
    row = 4
    for chart in drawn:
        if chart.number > 1:
            ws.row_breaks.append(Break(id=row - 1))
        _put(ws, row, 1, chart.title, font=_font(bold=True, size=12, color=TITLE_COLOR))
        image = Image(io.BytesIO(chart.png))
        scale = min(720 / image.width, 520 / image.height)  # fits one landscape A4 page
        image.width, image.height = int(image.width * scale), int(image.height * scale)
        ws.add_image(image, f"A{row + 1}")
        row += math.ceil(image.height / 20) + 3  # default row: 15 pt = 20 px
    _print_setup(ws, None, 0, 1)
    ws.print_options.horizontalCentered = False
    ws.print_area = f"A1:A{row}"


# ---------------------------------------------------------------- XuHuong


def _trend(ws: Worksheet, figures: ReportFigures) -> None:
    headers = ("Tháng", "Tổng số nhiệm vụ", "HT đúng hạn", "HT quá hạn", "Chưa HT, trong hạn", "Chưa HT, quá hạn",
               "Thường xuyên", "Tỷ lệ hoàn thành", "Tỷ lệ HT đúng hạn", "Gửi đủ, đúng hạn", "Gửi đủ, muộn",
               "Bị từ chối", "Gửi thiếu", "Chưa gửi")
    widths = (10, 10, 9, 9, 10, 10, 10, 10, 10, 10, 9, 9, 9, 9)
    _title(ws, _period_title(figures, "DIỄN BIẾN THEO THÁNG"),
           "Các tháng gần nhất có số liệu (tối đa 12 tháng). HT: hoàn thành; tỷ lệ hoàn thành tính trên nhiệm vụ có "
           "thời hạn, tỷ lệ HT đúng hạn trên nhiệm vụ đã hoàn thành; năm cột cuối: số đơn vị theo tình hình gửi báo "
           "cáo (cộng lại bằng tổng số đơn vị).", widths)
    row = _table_start(ws, headers)
    for point in figures.trend:
        t = point.tasks
        _row(ws, row, (periods.label(point.period), t.total, t["done_on_time"], t["done_late"], t["open_in_term"],
                       t["open_overdue"], t["recurring"], _or_dash(t.completion_rate),
                       _or_dash(t.on_time_completion_rate), *(point.compliance[s] for s in SUBMISSION_STATES)),
             formats=(None, *(COUNT_FORMAT,) * 6, PERCENT_FORMAT, PERCENT_FORMAT, *(COUNT_FORMAT,) * 5))
        row += 1
    if not figures.trend:
        _empty(ws, row, "Chưa có số liệu.", len(headers))
    _print_setup(ws, HEADER_ROW, len(figures.trend), len(headers))


def _or_dash(value: float | None) -> object:
    return "—" if value is None else value


# ---------------------------------------------------------------- BangDiem


SYSTEM_STATE_SHORT = {"on_time": "Đúng hạn", "late": "Muộn", "rejected": "Bị từ chối", "not_submitted": "Chưa gửi"}


def _scorecard(ws: Worksheet, figures: ReportFigures) -> None:
    headers = ("STT", "Mã", "Bộ, ngành, địa phương", "Tổng số nhiệm vụ", "Có thời hạn", "Đã hoàn thành",
               "Trong đó đúng hạn", "Tỷ lệ HT đúng hạn", "Chưa HT, quá hạn", "Thường xuyên", "Báo cáo NQ57",
               "Báo cáo NQ71", "Tình hình gửi báo cáo")
    widths = (5, 8, 30, 9, 8, 9, 9, 9, 9, 9, 10, 10, 17)
    _title(ws, _period_title(figures, "BẢNG TỔNG HỢP THEO BỘ, NGÀNH, ĐỊA PHƯƠNG"),
           "Nhiệm vụ tính theo cơ quan chủ trì; tỷ lệ HT đúng hạn = hoàn thành đúng hạn / đã hoàn thành; tình hình gửi "
           "báo cáo theo từng hệ thống và phân loại chung (sheet TongHop, mục II). Thứ tự theo danh mục đơn vị.", widths)
    row = _table_start(ws, headers)
    for number, r in enumerate(figures.scorecard, start=1):
        f = r.figures
        _row(ws, row, (number, safe(r.code) or "—", safe(r.name), f.total, f.with_deadline, f.completed,
                       f["done_on_time"], _or_dash(f.on_time_completion_rate), f["open_overdue"], f["recurring"],
                       SYSTEM_STATE_SHORT.get(r.nq57_state or "", "—"), SYSTEM_STATE_SHORT.get(r.nq71_state or "", "—"),
                       SUBMISSION_LABELS.get(r.submission_state or "", "—")),
             formats=(None, None, None, *(COUNT_FORMAT,) * 4, PERCENT_FORMAT, COUNT_FORMAT, COUNT_FORMAT),
             left=(3, 13), fonts=_overdue_font(f, 9))
        row += 1
    total = figures.tasks
    _row(ws, row, ("", "", "Tổng cộng", total.total, total.with_deadline, total.completed, total["done_on_time"],
                   _or_dash(total.on_time_completion_rate), total["open_overdue"], total["recurring"], "", "", ""),
         formats=(None, None, None, *(COUNT_FORMAT,) * 4, PERCENT_FORMAT, COUNT_FORMAT, COUNT_FORMAT), bold=True,
         fill=TOTAL_FILL, left=(3,))
    _print_setup(ws, HEADER_ROW, len(figures.scorecard) + 1, len(headers))


def _overdue_font(f: TaskFigures, column: int) -> dict[int, Font]:
    return {column: _font(bold=True, color="9C0006")} if f["open_overdue"] else {}


# ---------------------------------------------------------------- GuiBaoCao


def _submissions(ws: Worksheet, figures: ReportFigures) -> None:
    headers = ("STT", "Mã", "Bộ, ngành, địa phương", "Phân loại", "Hệ thống NQ57", "Hệ thống NQ71",
               "Lý do từ chối; bản báo cáo đang được sử dụng")
    widths = (5, 8, 27, 19, 22, 22, 38)
    due = periods.due_at(figures.period)
    _title(ws, _period_title(figures, "ĐƠN VỊ CHƯA GỬI, GỬI THIẾU, CÓ BÁO CÁO BỊ TỪ CHỐI HOẶC GỬI MUỘN"),
           f"Hạn gửi: trước 00:00 {vntext.short_date(due.date())}; thời điểm nhận theo giờ Việt Nam. Mỗi đơn vị một "
           "dòng, xếp theo phân loại (chưa gửi, bị từ chối, gửi thiếu, gửi muộn), sau đó là đơn vị đã gửi đúng hạn "
           "nhưng bản cập nhật sau bị từ chối (bản trước vẫn được sử dụng).", widths)
    order = {"not_submitted": 0, "rejected": 1, "partial": 2, "late": 3, "on_time": 4}
    rows = [r for r in figures.compliance_rows
            if submission_state(r) != "on_time" or any(_rejected_after(r, s) for s in SYSTEMS)]
    rows.sort(key=lambda r: order[submission_state(r)])
    row = _table_start(ws, headers)
    for number, r in enumerate(rows, start=1):
        state = submission_state(r)
        _row(ws, row, (number, safe(r.get("agency_code")), safe(r.get("agency_name")), SUBMISSION_LABELS[state],
                       _system_cell(r, "NQ57"), _system_cell(r, "NQ71"), _explain(r) or "—"),
             left=(3, 4, 5, 6, 7))
        row += 1
    if not rows:
        _empty(ws, row, "Tất cả đơn vị đã gửi đủ báo cáo hợp lệ, đúng hạn.", len(headers))
    _print_setup(ws, HEADER_ROW, len(rows), len(headers))


def _vn_time(value: object) -> dt.datetime | None:
    """A timestamp as naive Vietnam wall-clock time; naive input is taken as UTC (the warehouse's timestamptz)."""
    import pandas as pd

    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(TIMEZONE).tz_localize(None).to_pydatetime().replace(microsecond=0)


def _when(value: object) -> str:
    moment = _vn_time(value)
    return f"{moment:%H:%M} {vntext.short_date(moment.date())}" if moment else "—"


def _system_cell(row: dict, system: str) -> str:
    state = system_state(row, system)
    prefix = system.lower()
    if state in {"on_time", "late"}:
        return f"{SYSTEM_STATE_LABELS[state]} (nhận {_when(row.get(f'{prefix}_received_at'))})"
    if state == "rejected":
        errors = row.get(f"{prefix}_rejected_errors")
        count = f"; {vntext.count(int(errors))} lỗi" if errors is not None and not _nan(errors) else ""
        return f"{SYSTEM_STATE_LABELS[state]} (nhận {_when(row.get(f'{prefix}_rejected_at'))}{count})"
    return SYSTEM_STATE_LABELS[state]


def _nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _rejected_after(row: dict, system: str) -> bool:
    return system_state(row, system) in {"on_time", "late"} and _vn_time(row.get(f"{system.lower()}_rejected_at"))\
        is not None


def _explain(row: dict) -> str:
    parts = []
    for system in SYSTEMS:
        prefix = system.lower()
        reason = text(row.get(f"{prefix}_rejection_reason"))
        feedback = text(row.get(f"{prefix}_rejected_feedback_key"))
        where = f" Phản hồi: {feedback}." if feedback else ""
        if system_state(row, system) == "rejected":
            parts.append(f"{system}: {reason or 'tệp không hợp lệ'}{where}")
        elif _rejected_after(row, system):
            parts.append(f"{system}: bản cập nhật nhận {_when(row.get(f'{prefix}_rejected_at'))} bị từ chối "
                         f"({(reason or 'tệp không hợp lệ').rstrip('.')}); bản nhận "
                         f"{_when(row.get(f'{prefix}_counting_received_at'))} vẫn được sử dụng.{where}")
    return "\n".join(parts)


# ---------------------------------------------------------------- NhiemVuQuaHan


def _overdue(ws: Worksheet, figures: ReportFigures) -> None:
    headers = ("STT", "Mã", "Cơ quan chủ trì", "Tên nhiệm vụ", "Văn bản giao", "Thời hạn", "Số ngày quá hạn",
               "Tình trạng", "Tiến độ", "Mã NQ57", "Mã NQ71")
    widths = (5, 7, 19, 38, 15, 11, 8, 14, 7, 15, 15)
    _title(ws, _period_title(figures, "NHIỆM VỤ CHƯA HOÀN THÀNH ĐÃ QUÁ HẠN"),
           f"{vntext.count(len(figures.overdue))} nhiệm vụ; xếp theo cơ quan chủ trì (thứ tự danh mục), thời hạn. Số "
           f"ngày quá hạn tính đến cuối kỳ báo cáo ({vntext.short_date(periods.end(figures.period))}). Nhiệm vụ hoàn "
           "thành quá hạn được tính là đã hoàn thành, không liệt kê tại đây.", widths)
    row = _table_start(ws, headers)
    for number, task in enumerate(figures.overdue, start=1):
        _row(ws, row, (number, safe(task.lead_agency_code) or "—", safe(task.lead_agency_name),
                       safe(task.task_name), safe(task.assigning_doc) or "—", task.deadline or "—",
                       task.days_overdue if task.days_overdue is not None else "—",
                       STATUSES.get(task.status_code or "", "—"), task.progress if task.progress is not None else "—",
                       safe(task.nq57_task_code) or "—", safe(task.nq71_task_code) or "—"),
             formats=(None, None, None, None, None, DATE_FORMAT, COUNT_FORMAT, None, "0%"), left=(3, 4, 8))
        row += 1
    if not figures.overdue:
        _empty(ws, row, "Không có nhiệm vụ chưa hoàn thành đã quá hạn." if figures.tasks.total else "Chưa có số liệu.",
               len(headers))
    _print_setup(ws, HEADER_ROW, len(figures.overdue), len(headers))


# ---------------------------------------------------------------- TheoVanBan


def _documents(ws: Worksheet, figures: ReportFigures) -> None:
    headers = ("STT", "Văn bản giao nhiệm vụ", "Tổng số", "HT đúng hạn", "HT quá hạn", "Chưa HT, trong hạn",
               "Chưa HT, quá hạn", "Thường xuyên", "Tỷ lệ hoàn thành", "Tỷ lệ HT đúng hạn")
    widths = (5, 32, 10, 11, 11, 11, 11, 11, 11, 11)
    _title(ws, _period_title(figures, "KẾT QUẢ THỰC HIỆN THEO VĂN BẢN GIAO NHIỆM VỤ"),
           "HT: hoàn thành. Tỷ lệ hoàn thành tính trên nhiệm vụ có thời hạn; tỷ lệ HT đúng hạn trên nhiệm vụ đã hoàn "
           "thành. Nhiều nhiệm vụ nhất xếp trước.", widths)
    row = _table_start(ws, headers)
    for number, d in enumerate(figures.documents, start=1):
        _row(ws, row, (number, safe(d.document), *_counts(d.figures)),
             formats=(None, None, *(COUNT_FORMAT,) * 6, PERCENT_FORMAT, PERCENT_FORMAT), left=(2,))
        row += 1
    _row(ws, row, ("", "Tổng cộng", *_counts(figures.tasks)),
         formats=(None, None, *(COUNT_FORMAT,) * 6, PERCENT_FORMAT, PERCENT_FORMAT), bold=True, fill=TOTAL_FILL,
         left=(2,))
    _print_setup(ws, HEADER_ROW, len(figures.documents) + 1, len(headers))


def _counts(f: TaskFigures) -> tuple:
    return (f.total, f["done_on_time"], f["done_late"], f["open_in_term"], f["open_overdue"], f["recurring"],
            _or_dash(f.completion_rate), _or_dash(f.on_time_completion_rate))


# ---------------------------------------------------------------- KhoKhanKienNghi


def _concerns(ws: Worksheet, figures: ReportFigures) -> None:
    headers = ("STT", "Nhóm vấn đề", "Đơn vị nêu", "Loại", "Nội dung (nguyên văn)", "Nhiệm vụ liên quan",
               "Nguồn (tệp: sheet, dòng; cột Khó khăn, vướng mắc hoặc Kiến nghị, đề xuất)")
    widths = (5, 16, 19, 10, 40, 28, 30)
    _title(ws, _period_title(figures, "KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ CỦA CÁC BỘ, NGÀNH, ĐỊA PHƯƠNG"),
           "Nhóm vấn đề được phân loại tự động theo từ khóa trong nội dung (cần rà soát khi sử dụng). Nội dung giống "
           "nhau của một đơn vị (ở nhiều nhiệm vụ hoặc cả hai hệ thống) được gộp, ghi đủ các nguồn.", widths)
    row = _table_start(ws, headers)
    for number, concern in enumerate(figures.concerns, start=1):
        tasks = "\n".join(f"- {name}" for name in concern.task_names[:SOURCES_LISTED])
        if len(concern.task_names) > SOURCES_LISTED:
            tasks += f"\n(và {len(concern.task_names) - SOURCES_LISTED} nhiệm vụ khác)"
        sources = "\n".join(s.describe() for s in concern.sources[:SOURCES_LISTED])
        if len(concern.sources) > SOURCES_LISTED:
            sources += f"\n(và {len(concern.sources) - SOURCES_LISTED} vị trí khác)"
        _row(ws, row, (number, THEME_LABELS[concern.theme], safe(figures.names.get(concern.agency_code or "",
                                                                                   concern.agency_code)),
                       "Khó khăn" if concern.kind == "difficulty" else "Kiến nghị", safe(concern.text), safe(tasks),
                       safe(sources)), left=(2, 3, 5, 6, 7))
        row += 1
    if not figures.concerns:
        _empty(ws, row, "Không có đơn vị nào nêu khó khăn, vướng mắc hoặc kiến nghị trong kỳ.", len(headers))
    _print_setup(ws, HEADER_ROW, len(figures.concerns), len(headers))


# ---------------------------------------------------------------- ChiTieu


def _indicators(ws: Worksheet, figures: ReportFigures) -> None:
    headers = ("STT", "Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị báo cáo", "Đơn vị tính", "Mục tiêu 2030", "Giá trị",
               "Giá trị theo NQ57", "Giá trị theo NQ71", "Đánh giá")
    widths = (5, 10, 42, 11, 13, 11, 10, 10, 10, 17)
    _title(ws, _period_title(figures, "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU SO VỚI MỤC TIÊU NĂM 2030"),
           "Chỉ tiêu có mục tiêu định lượng xếp trước (theo thứ tự danh mục). Mục tiêu “= X” được đánh giá là đạt khi "
           "giá trị bằng hoặc vượt X (mục tiêu là mức cần đạt tới; danh mục không quy định sai số). Khi hai hệ thống "
           "báo cáo giá trị khác nhau, giữ nguyên cả hai, không chọn một giá trị.", widths)
    row = _table_start(ws, headers)
    for number, r in enumerate(figures.indicators, start=1):
        verdict = _verdict(r)
        color = "006100" if verdict == VERDICT_MET else "9C0006" if verdict.startswith(VERDICT_NOT_MET) else None
        _row(ws, row, (number, safe(r.code), safe(r.name), safe(r.agency_code), safe(r.unit) or "",
                       vntext.target(r.target_op, r.target_low, r.target_high),
                       r.value if r.value is not None else "—",
                       r.nq57_value if r.nq57_value is not None else "—",
                       r.nq71_value if r.nq71_value is not None else "—", verdict),
             formats=(None, None, None, None, None, None, _number_format(r.value), _number_format(r.nq57_value),
                      _number_format(r.nq71_value)), left=(3,),
             fonts={10: _font(bold=True, color=color)} if color else None)
        row += 1
    if not figures.indicators:
        _empty(ws, row, "Chưa có chỉ tiêu nào được báo cáo trong kỳ.", len(headers))
    _print_setup(ws, HEADER_ROW, len(figures.indicators), len(headers))


def _verdict(r) -> str:
    if not r.numeric:
        return "Định tính"
    if r.conflict:
        agreed = {True: f"{VERDICT_MET} (số liệu khác nhau)", False: f"{VERDICT_NOT_MET} (số liệu khác nhau)"}
        return agreed.get(r.meets_target, "Số liệu khác nhau, cần thống nhất")
    if r.meets_target is None:
        return "Chưa có số liệu"
    return VERDICT_MET if r.meets_target else VERDICT_NOT_MET


def _number_format(value: float | None) -> str:
    if value is None or float(value).is_integer():
        return "#,##0"
    return "#,##0.0##"


# ---------------------------------------------------------------- XungDot


def _conflicts(ws: Worksheet, figures: ReportFigures) -> None:
    headers = ("STT", "Mã", "Cơ quan chủ trì", "Tên nhiệm vụ", "Thời hạn", "Mã NQ57", "Tình trạng theo NQ57",
               "Tiến độ NQ57", "Mã NQ71", "Tình trạng theo NQ71", "Tiến độ NQ71")
    widths = (5, 7, 19, 38, 11, 15, 16, 8, 15, 16, 8)
    _title(ws, _period_title(figures, "NHIỆM VỤ HAI HỆ THỐNG BÁO CÁO TÌNH TRẠNG KHÁC NHAU"),
           "Cùng một nhiệm vụ nhưng tình trạng trên hệ thống NQ57 và NQ71 khác nhau; giữ nguyên cả hai, đề nghị cơ quan "
           "chủ trì rà soát, thống nhất. Số liệu tổng hợp dùng tình trạng theo NQ57.", widths)
    row = _table_start(ws, headers)
    for number, r in enumerate(figures.conflicts, start=1):
        code = text(r.get("lead_agency_code"))
        _row(ws, row, (number, safe(code) or "—", safe(figures.names.get(code or "", code)), safe(r.get("task_name")),
                       as_date(r.get("deadline")) or "—", safe(r.get("nq57_task_code")),
                       _status(r.get("nq57_status_code")), _progress(r.get("nq57_progress_pct")),
                       safe(r.get("nq71_task_code")), _status(r.get("nq71_status_code")),
                       _progress(r.get("nq71_progress_pct"))),
             formats=(None, None, None, None, DATE_FORMAT, None, None, "0%", None, None, "0%"), left=(3, 4, 7, 10))
        row += 1
    if not figures.conflicts:
        _empty(ws, row, "Không có nhiệm vụ nào hai hệ thống báo cáo khác nhau." if figures.tasks.total
               else "Chưa có số liệu.", len(headers))
    _print_setup(ws, HEADER_ROW, len(figures.conflicts), len(headers))


def _status(code: object) -> str:
    found = text(code)
    return "—" if found is None else STATUSES.get(found) or str(safe(found))


def _progress(value: object) -> object:
    found = as_float(value)
    return "—" if found is None else found / 100

