"""The drafted official report to the Prime Minister (.docx), written from the figures.

Layout of a Government administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I): A4 portrait, margins
20 mm top and bottom, 30 mm left, 15 mm right; Times New Roman; issuing body (BỘ KHOA HỌC VÀ CÔNG NGHỆ)
top left over the number/symbol line, national heading top right over place and date; document type and
subject centred; "Kính gửi"; body at 14 pt, justified, first-line indent, at least 6 pt between paragraphs;
page numbers centred at the top from page 2; "Nơi nhận" bottom left and the signature block bottom right.
Number, date and signer are placeholders MoST fills in; every sentence with a figure comes from
`figures.compute`, so the draft and the annex workbook (referenced as the Phụ lục) always agree.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from nq57 import periods
from nq57.outputs.report import charts, vntext
from nq57.outputs.report.figures import (
    TASK_CATEGORIES,
    THEME_LABELS,
    Concern,
    ReportFigures,
    TaskFigures,
    framing_rows,
    submission_state,
    system_state,
    text,
)
from nq57.outputs.report.reproducible import repack
from nq57.textnorm import fold
from nq57.vocabulary import SYSTEMS

FONT = "Times New Roman"
BODY_PT = 14
ISSUER = "BỘ KHOA HỌC VÀ CÔNG NGHỆ"
SYMBOL = "BC-BKHCN"
PLACE = "Hà Nội"
SYSTEM_NAMES = {
    "NQ57": "Hệ thống thông tin giám sát, đánh giá việc thực hiện Nghị quyết số 57-NQ/TW (Hệ thống NQ57)",
    "NQ71": "Hệ thống theo dõi Chương trình hành động của Chính phủ thực hiện Nghị quyết số 57-NQ/TW "
            "(Nghị quyết số 71/NQ-CP, Hệ thống NQ71)",
}
NAMES_LISTED = 12  # agencies named in one sentence before "và N đơn vị khác" (all are in the annex)
DOCUMENTS_LISTED = 6


def build_document(figures: ReportFigures, generated: dt.datetime, annex_name: str,
                   drawn: Sequence[charts.Chart] | None = None) -> bytes:
    """The .docx bytes. `generated` (naive Vietnam time) dates the figures; `annex_name` is the file name
    of the annex workbook written with it, cited as the Phụ lục; `drawn` is `charts.report_charts(figures)`
    when the caller already has it (the annex shows the same charts under the same numbers). The same
    figures and time give the same bytes."""
    by_key = {c.key: c for c in (charts.report_charts(figures) if drawn is None else drawn)}
    doc = Document()
    _setup(doc, generated)
    _heading_block(doc, generated)
    _title(doc, figures)
    _introduction(doc, figures, generated, annex_name)
    _submissions(doc, figures, generated, by_key)
    _results(doc, figures, by_key)
    _concerns(doc, figures)
    _proposals(doc, figures)
    _closing(doc, figures, annex_name)
    out = io.BytesIO()
    doc.save(out)
    return repack(out.getvalue(), generated)


# ---------------------------------------------------------------- page, styles, heading block


def _setup(doc, generated: dt.datetime) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    section.different_first_page_header_footer = True
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.1
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(header, "PAGE", size=13)
    props = doc.core_properties
    props.author = props.last_modified_by = "Bộ Khoa học và Công nghệ"
    props.title = "Báo cáo tình hình thực hiện Nghị quyết số 57-NQ/TW"
    props.created = props.modified = generated
    props.revision = 1
    props.comments = ""


def _field(paragraph: Paragraph, instruction: str, size: float) -> None:
    run = paragraph.add_run()
    run.font.size = Pt(size)
    begin, code, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = instruction
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(code)
    run._r.append(end)


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _cell_paragraph(cell, value: str = "", *, bold: bool = False, italic: bool = False, size: float = 13,
                    align=WD_ALIGN_PARAGRAPH.CENTER, first: bool = False, after: float = 0) -> Paragraph:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.first_line_indent = Cm(0)
    paragraph.paragraph_format.line_spacing = 1.0
    if value:
        run = paragraph.add_run(value)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return paragraph


def _rule(paragraph: Paragraph, width_cm: float, column_cm: float) -> None:
    """A short centred horizontal line under a heading (the bottom border of an indented empty paragraph)."""
    indent = Cm(max(0.0, (column_cm - width_cm) / 2))
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.right_indent = indent
    paragraph.paragraph_format.space_after = Pt(2)
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)
    run = paragraph.add_run()
    run.font.size = Pt(2)


def _heading_block(doc, generated: dt.datetime) -> None:
    left_cm, right_cm = 7.0, 9.5
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    _column_widths(table, (left_cm, right_cm))
    left, right = table.rows[0].cells
    _cell_paragraph(left, ISSUER, bold=True, size=12, first=True)
    _rule(left.add_paragraph(), 2.4, left_cm)
    _cell_paragraph(left, f"Số:        /{SYMBOL}", size=13, after=0).paragraph_format.space_before = Pt(4)
    _cell_paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, first=True)
    _cell_paragraph(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13)
    _rule(right.add_paragraph(), 5.6, right_cm)
    date = _cell_paragraph(right, f"{PLACE}, ngày      tháng {generated.month:02d} năm {generated.year}", italic=True,
                           size=14)
    date.paragraph_format.space_before = Pt(4)


def _title(doc, figures: ReportFigures) -> None:
    paragraph = _centered(doc, "BÁO CÁO", bold=True, size=14, before=18, after=0)
    paragraph.paragraph_format.keep_with_next = True
    _centered(doc, "Tình hình thực hiện Nghị quyết số 57-NQ/TW và Chương trình hành động của Chính phủ "
                   f"(Nghị quyết số 71/NQ-CP) {vntext.month_words(figures.period)}",
              bold=True, size=14, after=0)
    _rule(doc.add_paragraph(), 4.0, 16.5)
    _centered(doc, "Kính gửi: Thủ tướng Chính phủ.", size=14, before=8, after=12)


def _centered(doc, value: str, *, bold: bool = False, italic: bool = False, size: float = BODY_PT,
              before: float = 0, after: float = 6) -> Paragraph:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(before)
    paragraph.paragraph_format.space_after = Pt(after)
    run = paragraph.add_run(value)
    run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return paragraph


# ---------------------------------------------------------------- body helpers


def _body(doc, *parts: str | tuple[str, str], indent: bool = True) -> Paragraph:
    """A justified body paragraph; a part may be (text, style) with style in b, i, bi."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1.27) if indent else Cm(0)
    for part in parts:
        value, style = (part, "") if isinstance(part, str) else part
        run = paragraph.add_run(value)
        run.bold, run.italic = "b" in style, "i" in style
    return paragraph


def _heading(doc, value: str, *, italic: bool = False) -> None:
    paragraph = _body(doc, (value, "bi" if italic else "b"))
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT  # a justified heading spreads its words across the line
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.space_before = Pt(6)


def _bullet(doc, *parts: str | tuple[str, str]) -> Paragraph:
    return _body(doc, "- ", *parts)


def _picture(doc, chart: charts.Chart | None) -> None:
    """The chart with its numbered caption under it; nothing when the month has no such chart."""
    if chart is None:
        return
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.space_after = Pt(2)
    paragraph.add_run().add_picture(io.BytesIO(chart.png), width=Cm(16.0))
    note = _centered(doc, chart.title, italic=True, size=12, after=8)
    note.paragraph_format.keep_together = True


def _table(doc, headers: Sequence[str], rows: Iterable[Sequence[str]], widths_cm: Sequence[float],
           *, bold_rows: Iterable[int] = (), note: str | None = None) -> None:
    rows = list(rows)
    table = doc.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    bold_rows = set(bold_rows)
    _column_widths(table, widths_cm)
    for index, header in enumerate(headers):
        cell = table.rows[0].cells[index]
        _cell_paragraph(cell, header, bold=True, size=12, first=True)
        _shade(cell, "E7E6E6")
    _repeat_header(table.rows[0])
    for r, values in enumerate(rows, start=1):
        for index, value in enumerate(values):
            cell = table.rows[r].cells[index]
            _cell_paragraph(cell, value, size=12, bold=(r - 1) in bold_rows, first=True,
                            align=WD_ALIGN_PARAGRAPH.LEFT if index == 0 else WD_ALIGN_PARAGRAPH.CENTER)
    if note:
        paragraph = _centered(doc, note, italic=True, size=12, before=2, after=8)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    else:
        doc.add_paragraph().paragraph_format.space_after = Pt(2)


def _column_widths(table: Table, widths_cm: Sequence[float]) -> None:
    """Fixed column widths, in the grid (read by LibreOffice) and in every cell (read by Word)."""
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _shade(cell, color: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), color)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _agency(figures: ReportFigures, code: str | None) -> str:
    return figures.names.get(code or "", code or "(không xác định)")


def _share_text(part: int, whole: int) -> str:
    return vntext.percent(part / whole) if whole else "—"


# ---------------------------------------------------------------- sections


def _introduction(doc, figures: ReportFigures, generated: dt.datetime, annex_name: str) -> None:
    _body(doc, "Thực hiện chỉ đạo của Thủ tướng Chính phủ tại Công văn số 3598/VPCP-KGVX ngày 25/4/2025 của "
               "Văn phòng Chính phủ về việc triển khai Nghị quyết số 57-NQ/TW của Bộ Chính trị, trên cơ sở báo cáo "
               "của các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ, Ủy ban nhân dân các tỉnh, thành phố trực "
               "thuộc trung ương (sau đây gọi là các bộ, ngành, địa phương) trên "
               f"{SYSTEM_NAMES['NQ57']} và {SYSTEM_NAMES['NQ71']}, Bộ Khoa học và Công nghệ báo cáo Thủ tướng Chính "
               f"phủ tình hình thực hiện {vntext.month_words(figures.period)} như sau (số liệu tổng hợp đến "
               f"{vntext.date_time(generated)}; chi tiết tại Phụ lục kèm theo, tệp {annex_name}):")


def _submissions(doc, figures: ReportFigures, generated: dt.datetime, drawn: dict[str, charts.Chart]) -> None:
    c = figures.compliance
    due = periods.due_at(figures.period)
    _heading(doc, "I. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC BỘ, NGÀNH, ĐỊA PHƯƠNG")
    _body(doc, "Theo quy định, các bộ, ngành, địa phương gửi báo cáo trước ngày 20 hằng tháng trên cả hai hệ thống "
               f"(báo cáo {vntext.month(figures.period)} được tính là đúng hạn nếu nhận được trước 00 giờ 00 "
               f"{vntext.long_date(due.date())}). Trong tổng số {vntext.count(c.agencies)} bộ, ngành, địa phương:")
    previous = figures.compliance_changes
    comparison = ""
    if figures.previous_compliance is not None:
        comparison = (f" (so với {vntext.month(periods.previous(figures.period))}: "
                      f"{vntext.change(previous['complete'].delta, 'đơn vị')})")
    _bullet(doc, (f"{vntext.count(c.complete)} đơn vị", "b"),
            f" ({_share_text(c.complete, c.agencies)}) đã gửi đủ báo cáo hợp lệ trên cả hai hệ thống, trong đó "
            f"{vntext.count(c['on_time'])} đơn vị gửi đúng hạn, {vntext.count(c['late'])} đơn vị gửi muộn"
            f"{comparison};")
    if c.incomplete:
        parts = []
        if c["rejected"]:
            parts.append(f"{vntext.count(c['rejected'])} đơn vị đã gửi nhưng báo cáo bị từ chối do không đúng mẫu "
                         "hoặc sai quy định và chưa gửi lại bản hợp lệ")
        if c["partial"]:
            parts.append(f"{vntext.count(c['partial'])} đơn vị mới gửi báo cáo trên một hệ thống")
        if c["not_submitted"]:
            parts.append(f"{vntext.count(c['not_submitted'])} đơn vị chưa gửi báo cáo")
        _bullet(doc, (f"{vntext.count(c.incomplete)} đơn vị", "b"),
                f" ({_share_text(c.incomplete, c.agencies)}) chưa gửi đủ báo cáo hợp lệ, gồm: " + "; ".join(parts) + ".")
    rows = figures.compliance_rows

    def named(state: str) -> list[dict]:
        return [r for r in rows if _state(r) == state]

    late = named("late")
    if late:
        systems = {_late_systems(r) for r in late}
        if len(systems) == 1:  # all late on the same system(s): say it once
            _body(doc, (f"Đơn vị gửi báo cáo muộn ({systems.pop()}): ", "i"),
                  vntext.enumerate_names([_agency(figures, r["agency_code"]) for r in late], NAMES_LISTED) + ".")
        else:
            _body(doc, ("Đơn vị gửi báo cáo muộn: ", "i"),
                  vntext.enumerate_names([f"{_agency(figures, r['agency_code'])} ({_late_systems(r)})" for r in late],
                                         NAMES_LISTED) + ".")
    rejected = named("rejected")
    if rejected:
        _body(doc, ("Đơn vị có báo cáo bị từ chối, chưa gửi lại bản hợp lệ: ", "i"),
              "; ".join(f"{_agency(figures, r['agency_code'])} ({_rejection_text(r)})"
                        for r in rejected[:NAMES_LISTED])
              + (f"; và {vntext.count(len(rejected) - NAMES_LISTED)} đơn vị khác" if len(rejected) > NAMES_LISTED
                 else "") + ".")
    partial = named("partial")
    if partial:
        _body(doc, ("Đơn vị gửi thiếu: ", "i"),
              vntext.enumerate_names([f"{_agency(figures, r['agency_code'])} (chưa gửi trên Hệ thống "
                                      f"{_missing_system(r)})" for r in partial], NAMES_LISTED) + ".")
    missing = named("not_submitted")
    if missing:
        if len(missing) == c.agencies:
            _body(doc, ("Chưa đơn vị nào gửi báo cáo trong kỳ.", "i"))
        else:
            _body(doc, ("Đơn vị chưa gửi báo cáo: ", "i"),
                  vntext.enumerate_names([_agency(figures, r["agency_code"]) for r in missing], NAMES_LISTED)
                  + (" (danh sách đầy đủ tại Phụ lục, sheet GuiBaoCao)." if len(missing) > NAMES_LISTED else "."))
    corrections = [r for r in rows if _state(r) in {"on_time", "late"} and _corrected(r)]
    if corrections:
        _body(doc, "Ngoài ra, ", vntext.enumerate_names([_agency(figures, r["agency_code"]) for r in corrections],
                                                       NAMES_LISTED),
              " đã gửi bản cập nhật nhưng bản cập nhật không được chấp nhận; báo cáo hợp lệ gửi trước đó tiếp tục "
              "được sử dụng để tổng hợp.")
    _picture(doc, drawn.get("submissions"))


def _state(row: dict) -> str:
    return submission_state(row)


def _late_systems(row: dict) -> str:
    late = [s for s in SYSTEMS if system_state(row, s) == "late"]
    return "cả hai hệ thống" if len(late) == len(SYSTEMS) else "Hệ thống " + " và ".join(late)


def _missing_system(row: dict) -> str:
    return " và ".join(s for s in SYSTEMS if system_state(row, s) == "not_submitted")


def _rejection_text(row: dict) -> str:
    parts = []
    for system in SYSTEMS:
        if system_state(row, system) != "rejected":
            continue
        reason = text(row.get(f"{system.lower()}_rejection_reason"))
        errors = row.get(f"{system.lower()}_rejected_errors")
        count = f"có {vntext.count(int(errors))} lỗi" if errors is not None and int(errors) > 0 else "có lỗi"
        parts.append(f"báo cáo trên Hệ thống {system} {count}" + (f", lỗi đầu tiên: {reason.rstrip('.')}" if reason
                                                                  else ""))
    return "; ".join(parts)


def _corrected(row: dict) -> bool:
    return any(system_state(row, s) in {"on_time", "late"} and row.get(f"{s.lower()}_rejected_at") is not None
               for s in SYSTEMS)


def _results(doc, figures: ReportFigures, drawn: dict[str, charts.Chart]) -> None:
    t = figures.tasks
    previous_label = vntext.month(periods.previous(figures.period))
    _heading(doc, "II. KẾT QUẢ THỰC HIỆN NHIỆM VỤ")
    _heading(doc, "1. Tình hình chung")
    if not t.total:
        _body(doc, f"Trong {vntext.month(figures.period)}, chưa có nhiệm vụ nào được báo cáo trên hai hệ thống.")
    else:
        _body(doc, "Tổng hợp báo cáo của các bộ, ngành, địa phương (mỗi nhiệm vụ có trên cả hai hệ thống chỉ tính "
                   "một lần), có ", (f"{vntext.count(t.total)} nhiệm vụ", "b"),
              f", trong đó {vntext.count(t.with_deadline)} nhiệm vụ có thời hạn và {vntext.count(t['recurring'])} "
              "nhiệm vụ thường xuyên"
              + (f"; {vntext.count(t['unknown'])} nhiệm vụ chưa xác định được tình trạng" if t["unknown"] else "")
              + ". Trong số nhiệm vụ có thời hạn:")
        _bullet(doc, "Đã hoàn thành ", (f"{vntext.count(t.completed)} nhiệm vụ", "b"),
                f" ({_share_text(t.completed, t.with_deadline)}), gồm {vntext.count(t['done_on_time'])} nhiệm vụ "
                f"hoàn thành đúng hạn và {vntext.count(t['done_late'])} nhiệm vụ hoàn thành quá hạn; tỷ lệ hoàn "
                f"thành đúng hạn trên số nhiệm vụ đã hoàn thành đạt {vntext.percent(t.on_time_completion_rate)};")
        _bullet(doc, "Chưa hoàn thành ", (f"{vntext.count(t.open)} nhiệm vụ", "b"),
                f" ({_share_text(t.open, t.with_deadline)}), gồm {vntext.count(t['open_in_term'])} nhiệm vụ còn "
                f"trong hạn và ", (f"{vntext.count(t['open_overdue'])} nhiệm vụ đã quá hạn", "b"), ".")
        changes = figures.task_changes
        if figures.previous_tasks is None:
            _body(doc, f"Chưa có số liệu {previous_label} để so sánh.")
        else:
            _body(doc, f"So với {previous_label}: số nhiệm vụ đã hoàn thành {vntext.change(changes['completed'].delta)}"
                       f", số nhiệm vụ chưa hoàn thành đã quá hạn {vntext.change(changes['open_overdue'].delta)}, "
                       f"tổng số nhiệm vụ {vntext.change(changes['total'].delta)}.")
    _task_table(doc, figures)
    for key in ("task_categories", "on_time_by_agency", "task_trend", "rate_trend"):  # what II.1 describes
        _picture(doc, drawn.get(key))

    _heading(doc, "2. Nhiệm vụ chưa hoàn thành đã quá hạn")
    agencies = figures.overdue_agencies
    if not figures.overdue:
        _body(doc, "Trong kỳ không có nhiệm vụ chưa hoàn thành đã quá hạn." if t.total else
                   "Chưa có số liệu.")
    else:
        _body(doc, f"Có {vntext.count(len(figures.overdue))} nhiệm vụ chưa hoàn thành đã quá hạn, thuộc "
                   f"{vntext.count(len(agencies))} cơ quan chủ trì: ",
              vntext.enumerate_names([f"{a.name} ({vntext.count(a.open_overdue)} nhiệm vụ)" for a in agencies],
                                     NAMES_LISTED),
              " (danh sách chi tiết tại Phụ lục, sheet NhiemVuQuaHan).")
        oldest = max((o for o in figures.overdue if o.days_overdue), key=lambda o: (o.days_overdue, o.task_name),
                     default=None)
        if oldest is not None and oldest.deadline is not None:
            _body(doc, f"Nhiệm vụ quá hạn lâu nhất là “{oldest.task_name}” do {oldest.lead_agency_name} chủ trì "
                       f"(thời hạn {vntext.short_date(oldest.deadline)}, đã quá hạn "
                       f"{vntext.count(oldest.days_overdue)} ngày tính đến cuối kỳ báo cáo).")

    _heading(doc, "3. Kết quả theo văn bản giao nhiệm vụ")
    if figures.documents:
        shown = figures.documents[:DOCUMENTS_LISTED]
        rest = figures.documents[DOCUMENTS_LISTED:]
        rows = [[d.document, *_framing_cells(d.figures)] for d in shown]
        if rest:
            merged = TaskFigures({k: sum(d.figures[k] for d in rest) for k in TASK_CATEGORIES})
            rows.append([f"{vntext.count(len(rest))} văn bản khác", *_framing_cells(merged)])
        rows.append(["Tổng cộng", *_framing_cells(t)])
        _table(doc, ("Văn bản giao", "Tổng số", "HT đúng hạn", "HT quá hạn", "Chưa HT, trong hạn",
                     "Chưa HT, quá hạn", "Thường xuyên"), rows, (4.1, 1.6, 1.9, 1.9, 2.1, 2.1, 2.3),
               bold_rows=[len(rows) - 1], note="HT: hoàn thành. Chi tiết tại Phụ lục, sheet TheoVanBan.")
    else:
        _body(doc, "Chưa có số liệu.")

    _heading(doc, "4. Thông tin chưa thống nhất giữa hai hệ thống")
    indicators = figures.indicator_summary
    conflicts = [r for r in figures.indicators if r.conflict]
    sentence = (f"Có {vntext.count(t.in_both_systems)} nhiệm vụ được báo cáo trên cả hai hệ thống; trong đó "
                f"{vntext.count(t.conflicts)} nhiệm vụ có tình trạng khác nhau giữa hai hệ thống")
    if conflicts:
        sentence += (f". Có {vntext.count(len(conflicts))} chỉ tiêu có số liệu khác nhau giữa hai hệ thống: "
                     + "; ".join(f"{r.code} của {_agency(figures, r.agency_code)} (NQ57: "
                                 f"{_value(r.nq57_value)}, NQ71: {_value(r.nq71_value)})" for r in conflicts[:6])
                     + ("; …" if len(conflicts) > 6 else ""))
    _body(doc, sentence + ". Các số liệu này được giữ nguyên cả hai giá trị, không tự chọn một giá trị (chi tiết tại "
                          "Phụ lục, sheet XungDot và ChiTieu); đề nghị cơ quan chủ trì rà soát, thống nhất.")

    _heading(doc, "5. Kết quả thực hiện các chỉ tiêu đến năm 2030")
    if indicators.reported:
        parts = [f"{vntext.count(n)} lượt {label}" for n, label in (
            (indicators.met, "đạt mục tiêu năm 2030"), (indicators.not_met, "chưa đạt"),
            (indicators.conflicts, "có số liệu khác nhau giữa hai hệ thống"),
            (indicators.without_value, "chưa có số liệu")) if n]
        _body(doc, f"Có {vntext.count(indicators.reported)} lượt chỉ tiêu có mục tiêu định lượng được báo cáo: "
                   f"{vntext.enumerate_names(parts)}. Mục tiêu ghi dạng “= X” được đánh giá là đạt khi giá trị thực "
                   "hiện bằng hoặc vượt X (chi tiết tại Phụ lục, sheet ChiTieu).")
    else:
        _body(doc, "Trong kỳ chưa có chỉ tiêu định lượng nào được báo cáo.")


def _framing_cells(f) -> list[str]:
    return [vntext.count(f.total), vntext.count(f["done_on_time"]), vntext.count(f["done_late"]),
            vntext.count(f["open_in_term"]), vntext.count(f["open_overdue"]), vntext.count(f["recurring"])]


def _value(value: float | None) -> str:
    return "—" if value is None else vntext.number(value)


def _task_table(doc, figures: ReportFigures) -> None:
    t, changes = figures.tasks, figures.task_changes
    previous = figures.previous_tasks
    current_label = f"Tháng {periods.label(figures.period)}"
    previous_label = f"Tháng {periods.label(periods.previous(figures.period))}"
    lines = framing_rows(t, previous)
    rows, bold = [], []
    for index, (label, name, base, strong) in enumerate(lines):
        share = _share_text(t[name], t[base]) if base else ""
        rows.append([label, vntext.count(t[name]), share,
                     vntext.count(previous[name]) if previous is not None else "—", vntext.signed(changes[name].delta)])
        if strong:
            bold.append(index)
    _table(doc, ("Nội dung", current_label, "Tỷ lệ", previous_label, "Tăng (+)/ giảm (−)"), rows,
           (6.2, 2.6, 2.2, 2.6, 2.4), bold_rows=bold,
           note="Tỷ lệ tính trên số nhiệm vụ có thời hạn. Tăng/giảm so với tháng trước.")


def _concerns(doc, figures: ReportFigures) -> None:
    _heading(doc, "III. KHÓ KHĂN, VƯỚNG MẮC VÀ KIẾN NGHỊ CỦA CÁC BỘ, NGÀNH, ĐỊA PHƯƠNG")
    items = figures.concerns
    if not items:
        _body(doc, "Trong kỳ, các bộ, ngành, địa phương không nêu khó khăn, vướng mắc hoặc kiến nghị.")
        return
    agencies = {c.agency_code for c in items}
    _body(doc, f"Có {vntext.count(len(agencies))} bộ, ngành, địa phương nêu khó khăn, vướng mắc, kiến nghị, tổng hợp "
               "theo nhóm vấn đề như sau (phân nhóm theo từ khóa; nguyên văn, nhiệm vụ liên quan và vị trí trong tệp "
               "báo cáo tại Phụ lục, sheet KhoKhanKienNghi):")
    number = 0
    for theme in dict.fromkeys(c.theme for c in items):
        number += 1
        _heading(doc, f"{number}. Về {THEME_LABELS[theme][0].lower()}{THEME_LABELS[theme][1:]}", italic=True)
        in_theme = [c for c in items if c.theme == theme]
        # agencies that raised exactly the same points share one bullet
        groups: dict[tuple, list[str | None]] = {}
        for agency in dict.fromkeys(c.agency_code for c in in_theme):
            key = tuple((c.kind, fold(c.text)) for c in in_theme if c.agency_code == agency)
            groups.setdefault(key, []).append(agency)
        for agencies in groups.values():
            own = [c for c in in_theme if c.agency_code == agencies[0]]
            tasks = len({(c.agency_code, name) for c in in_theme if c.agency_code in agencies for name in c.task_names})
            who = vntext.enumerate_names([_agency(figures, a) for a in agencies], NAMES_LISTED)
            suffix = f" ({vntext.count(tasks)} nhiệm vụ)" if tasks > 1 else ""
            _bullet(doc, (f"{who}{suffix}: ", "b"), _concern_text(own))


def _concern_text(items: list[Concern]) -> str:
    difficulties = [c.text.rstrip(" .;") for c in items if c.kind == "difficulty"]
    recommendations = [c.text.rstrip(" .;") for c in items if c.kind == "recommendation"]
    parts = []
    if difficulties:
        parts.append("Khó khăn: " + "; ".join(_tasks_note(c, t) for c, t in zip(
            [c for c in items if c.kind == "difficulty"], difficulties, strict=True)))
    if recommendations:
        parts.append("Kiến nghị: " + "; ".join(_tasks_note(c, t) for c, t in zip(
            [c for c in items if c.kind == "recommendation"], recommendations, strict=True)))
    return ". ".join(parts) + "."


def _tasks_note(concern: Concern, value: str) -> str:
    return value


def _proposals(doc, figures: ReportFigures) -> None:
    _heading(doc, "IV. ĐỀ XUẤT, KIẾN NGHỊ")
    _body(doc, "Bộ Khoa học và Công nghệ kính đề nghị Thủ tướng Chính phủ:")
    number = 0
    if figures.overdue:
        number += 1
        names = [a.name for a in figures.overdue_agencies]
        _body(doc, f"{number}. Chỉ đạo {vntext.enumerate_names(names, NAMES_LISTED)} khẩn trương hoàn thành "
                   f"{vntext.count(len(figures.overdue))} nhiệm vụ đã quá hạn, báo cáo rõ nguyên nhân chậm tiến độ "
                   "và thời hạn hoàn thành.")
    c = figures.compliance
    if c.incomplete or c["late"]:
        number += 1
        _body(doc, f"{number}. Yêu cầu {vntext.count(c.incomplete)} đơn vị chưa gửi đủ báo cáo hợp lệ khẩn trương gửi "
                   "báo cáo; các đơn vị gửi muộn nghiêm túc thực hiện chế độ báo cáo trước ngày 20 hằng tháng theo "
                   "Công văn số 3598/VPCP-KGVX." if c.incomplete else
              f"{number}. Yêu cầu {vntext.count(c['late'])} đơn vị gửi báo cáo muộn nghiêm túc thực hiện chế độ báo cáo "
              "trước ngày 20 hằng tháng theo Công văn số 3598/VPCP-KGVX.")
    conflicts = sum(r.conflict for r in figures.indicators)
    if figures.tasks.conflicts or conflicts:
        number += 1
        _body(doc, f"{number}. Chỉ đạo các cơ quan chủ trì rà soát, thống nhất thông tin giữa Hệ thống NQ57 và Hệ "
                   f"thống NQ71 đối với {vntext.count(figures.tasks.conflicts)} nhiệm vụ và {vntext.count(conflicts)} "
                   "chỉ tiêu có số liệu khác nhau, bảo đảm dữ liệu “đúng, đủ, sạch, sống”.")
    if figures.concerns:
        number += 1
        _body(doc, f"{number}. Giao các bộ, cơ quan liên quan theo chức năng, nhiệm vụ xem xét, xử lý các khó khăn, "
                   "vướng mắc và kiến nghị nêu tại Mục III.")
    _body(doc, "Bộ Khoa học và Công nghệ tiếp tục theo dõi, đôn đốc việc thực hiện và tổng hợp, báo cáo Thủ tướng "
               "Chính phủ theo quy định.")


def _closing(doc, figures: ReportFigures, annex_name: str) -> None:
    _body(doc, "Bộ Khoa học và Công nghệ kính báo cáo Thủ tướng Chính phủ./.")
    _body(doc, (f"Phụ lục kèm theo: Số liệu tổng hợp {vntext.month(figures.period)} (tệp {annex_name}).", "i"),
          indent=False).paragraph_format.space_after = Pt(12)
    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    _no_borders(table)
    _column_widths(table, (8.3, 8.2))
    left, right = table.rows[0].cells
    _cell_paragraph(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    for line in ("- Như trên;", "- Phó Thủ tướng Chính phủ phụ trách (để b/c);", "- Văn phòng Chính phủ;",
                 "- Các bộ, cơ quan ngang bộ, cơ quan thuộc CP;", "- UBND các tỉnh, thành phố trực thuộc TW;",
                 "- Lưu: VT, …"):
        _cell_paragraph(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_paragraph(right, "KT. BỘ TRƯỞNG", bold=True, size=14, first=True)
    _cell_paragraph(right, "THỨ TRƯỞNG", bold=True, size=14)
    for _ in range(4):
        _cell_paragraph(right, "")
    signer = _cell_paragraph(right, "[Họ và tên]", bold=True, size=14)
    signer.runs[0].font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    table.rows[0]._tr.get_or_add_trPr().append(_cant_split())


def _cant_split():
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    return element

