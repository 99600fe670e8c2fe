"""The feedback workbook an agency gets for every upload (accepted or not), in Vietnamese.

A first sheet `PhanHoi` lists the verdict and every issue (severity, sheet, cell, what is wrong, how to
fix it); when the upload is a readable .xlsx, the agency's own sheets follow, with each offending cell
highlighted and a comment on it.
"""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from nq57 import periods
from nq57.intake.issues import Issue
from nq57.outputs.excel_text import printable, protect_sheet

SHEET = "PhanHoi"
_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
SEVERITY_LABEL = {"error": "Lỗi", "warning": "Cảnh báo"}


def feedback_key(agency: str, period: str, object_key: str) -> str:
    stem = object_key.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"{agency}/{period}/{stem}.feedback.xlsx"


def build_feedback(
    *,
    original: bytes | None,
    file_name: str,
    agency: str,
    period: str,
    accepted: bool,
    counts: dict[str, int],
    issues: list[Issue],
) -> bytes:
    """The feedback workbook (xlsx bytes) for one upload: the verdict and every finding in `issues`, and, when
    `original` is a workbook openpyxl can open, the agency's own sheets with each finding marked in place."""
    workbook = _agency_copy(original)
    if workbook is None:  # nothing of theirs to annotate: the issue list alone
        workbook = Workbook()
        workbook.remove(workbook.active)
    sheet = workbook.create_sheet(SHEET, 0)
    workbook.active = 0
    errors = sum(issue.severity == "error" for issue in issues)
    warnings = sum(issue.severity == "warning" for issue in issues)
    verdict = "ĐƯỢC TIẾP NHẬN" if accepted else "KHÔNG ĐƯỢC TIẾP NHẬN"
    sheet["A1"] = "PHẢN HỒI KẾT QUẢ KIỂM TRA BÁO CÁO"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = printable(f"Tệp: {file_name} — Đơn vị: {agency} — Kỳ báo cáo: {periods.label(period)}")
    sheet["A3"] = f"Kết quả: {verdict}. {errors} lỗi, {warnings} cảnh báo; {counts.get('tasks', 0)} nhiệm vụ, {counts.get('indicators', 0)} chỉ tiêu."
    sheet["A3"].font = Font(bold=True, color="006100" if accepted else "9C0006")
    if not accepted:
        sheet["A4"] = "Vui lòng sửa các lỗi dưới đây và tải lên lại tệp vào đúng thư mục của đơn vị. Không dữ liệu nào của tệp này được đưa vào tổng hợp."
    headers = ["STT", "Mức độ", "Sheet", "Ô", "Nội dung lỗi", "Cách khắc phục", "Mã quy tắc"]
    sheet.append([])
    sheet.append(headers)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
    for number, issue in enumerate(issues, start=1):
        where = issue.cell or (f"dòng {issue.row}" if issue.row else "")
        sheet.append([printable(value) for value in (
            number, SEVERITY_LABEL.get(issue.severity, issue.severity), issue.sheet or "", where,
            issue.message, issue.hint or "", issue.rule,
        )])
        fill = _ERROR_FILL if issue.severity == "error" else _WARNING_FILL
        sheet.cell(sheet.max_row, 2).fill = fill
        for column in (5, 6):
            sheet.cell(sheet.max_row, column).alignment = Alignment(wrap_text=True, vertical="top")
        _annotate(workbook, issue)
    for letter, width in zip("ABCDEFG", (6, 10, 12, 10, 70, 60, 28), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    protect_sheet(sheet)  # agency text (file name, sheet name, messages quoting cells) never a formula
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _agency_copy(original: bytes | None) -> Workbook | None:
    if not original:
        return None
    # Only a file preflight lets through is opened: a zip bomb, or a file whose cells reference gigabytes of
    # shared text, would exhaust memory in openpyxl, which has no such guard.
    from nq57.intake.preflight import check_upload

    checked = check_upload(original)
    if checked.refused or checked.kind != "xlsx":
        return None
    try:
        return load_workbook(io.BytesIO(original))
    except Exception:  # not an xlsx openpyxl can open (a damaged part): list only
        return None


def _annotate(workbook: Workbook, issue: Issue) -> None:
    """Highlight the offending cell in the agency's own sheet and say what is wrong there (the row's first
    cell when the finding has no column letter)."""
    if not issue.sheet or issue.sheet not in workbook.sheetnames or issue.sheet == SHEET or not issue.row:
        return
    sheet = workbook[issue.sheet]
    cell = sheet[issue.cell] if issue.cell else sheet.cell(issue.row, 1)
    cell.fill = _ERROR_FILL if issue.severity == "error" else _WARNING_FILL
    text = printable(f"{SEVERITY_LABEL.get(issue.severity, '')}: {issue.message}" + (f"\n→ {issue.hint}" if issue.hint else ""))
    if cell.comment is not None:
        text = cell.comment.text + "\n\n" + text
    cell.comment = Comment(text, "Hệ thống tổng hợp NQ57", width=320, height=140)
