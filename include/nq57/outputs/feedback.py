"""The feedback workbook an agency gets for every upload (accepted or not), in Vietnamese.

A first sheet `PhanHoi` lists the verdict and every issue (severity, sheet, cell, what is wrong, how to
fix it); when the upload is a readable .xlsx, the agency's own sheets follow, with each offending cell
highlighted and a comment on it.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string

from nq57 import periods
from nq57.outputs.excel_text import protect_sheet

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
    issues: pd.DataFrame,
) -> bytes:
    """`issues` has columns severity, rule, sheet, row_number, column_ref, message, hint."""
    workbook = _agency_copy(original)
    if workbook is None:  # nothing of theirs to annotate: the issue list alone
        workbook = Workbook()
        workbook.remove(workbook.active)
    sheet = workbook.create_sheet(SHEET, 0)
    workbook.active = 0
    errors = int((issues["severity"] == "error").sum()) if not issues.empty else 0
    warnings = int((issues["severity"] == "warning").sum()) if not issues.empty else 0
    verdict = "ĐƯỢC TIẾP NHẬN" if accepted else "KHÔNG ĐƯỢC TIẾP NHẬN"
    sheet["A1"] = "PHẢN HỒI KẾT QUẢ KIỂM TRA BÁO CÁO"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"Tệp: {file_name} — Đơn vị: {agency} — Kỳ báo cáo: {periods.label(period)}"
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
    for number, issue in enumerate(issues.itertuples(index=False), start=1):
        where = _cell_ref(issue.column_ref, issue.row_number)
        sheet.append([
            number, SEVERITY_LABEL.get(issue.severity, issue.severity), issue.sheet or "", where,
            issue.message, issue.hint or "", issue.rule,
        ])
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
    try:
        return load_workbook(io.BytesIO(original))
    except Exception:  # not an xlsx openpyxl can open (xls, damaged, refused): list only
        return None


def _cell_ref(column: object, row: object) -> str:
    column = column if isinstance(column, str) else ""
    if column.isalpha() and column.isupper() and isinstance(row, (int, float)) and row == row:
        return f"{column}{int(row)}"
    if isinstance(row, (int, float)) and row == row:
        return f"dòng {int(row)}"
    return ""


def _annotate(workbook: Workbook, issue) -> None:
    """Highlight the offending cell in the agency's own sheet and say what is wrong there."""
    if not issue.sheet or issue.sheet not in workbook.sheetnames or issue.sheet == SHEET:
        return
    row = issue.row_number
    if not isinstance(row, (int, float)) or row != row:
        return
    column = issue.column_ref if isinstance(issue.column_ref, str) and issue.column_ref.isalpha() else None
    sheet = workbook[issue.sheet]
    cell = sheet.cell(int(row), column_index_from_string(column) if column else 1)
    cell.fill = _ERROR_FILL if issue.severity == "error" else _WARNING_FILL
    text = f"{SEVERITY_LABEL.get(issue.severity, '')}: {issue.message}" + (f"\n→ {issue.hint}" if issue.hint else "")
    if cell.comment is not None:
        text = cell.comment.text + "\n\n" + text
    cell.comment = Comment(text, "Hệ thống tổng hợp NQ57", width=320, height=140)
