"""The official submission workbook (DESIGN §4): Vietnamese headers, hidden code rows, drop-downs."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from nq57 import periods, reference
from nq57.columns import INDICATORS, INFO, TASKS, Table
from nq57.vocabulary import (
    SHEET_AGENCY_LIST,
    SHEET_CHOICES,
    SHEET_INDICATOR_LIST,
    SHEET_STATUS_LIST,
    STATUSES,
    SYSTEMS,
    TEMPLATE_VERSION,
    YES_NO,
)

HEADER_ROW = 3  # title on row 1, header on row 3, hidden codes on row 4, data from row 5
CODE_ROW = HEADER_ROW + 1
FIRST_DATA_ROW = CODE_ROW + 1
TEMPLATE_DATA_ROWS = 500

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FONT = Font(bold=True, color="C00000")
_BOLD = Font(bold=True)
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def build_template(system: str = "NQ57", agency: str | None = None, period: str | None = None) -> Workbook:
    """A blank template; `ThongTin` is prefilled from agency, period (`YYYY-MM`) and system."""
    if system not in SYSTEMS:
        raise ValueError(f"system must be one of {SYSTEMS}")
    if agency is not None and agency not in reference.agencies():
        raise ValueError(f"unknown agency code {agency!r}")
    workbook = Workbook()
    info = workbook.active
    info.title = INFO.sheet
    _write_lists(workbook)
    _write_info(info, system, agency, period)
    tasks = workbook.create_sheet(TASKS.sheet)
    _write_table(tasks, "DANH SÁCH NHIỆM VỤ VÀ TÌNH HÌNH THỰC HIỆN", TASKS)
    _add_list(tasks, "tinh_trang", TASKS, f"{SHEET_STATUS_LIST}!$B$2:$B${len(STATUSES) + 1}")
    agency_count = len(reference.agencies())
    _add_list(tasks, "co_quan_chu_tri", TASKS, f"{SHEET_AGENCY_LIST}!$B$2:$B${agency_count + 1}")
    indicators = workbook.create_sheet(INDICATORS.sheet)
    _write_table(indicators, "CHỈ TIÊU THEO DÕI (PHỤ LỤC I CHƯƠNG TRÌNH HÀNH ĐỘNG)", INDICATORS)
    indicator_count = len(reference.indicators())
    _add_list(indicators, "ma_chi_tieu", INDICATORS, f"{SHEET_INDICATOR_LIST}!$A$2:$A${indicator_count + 1}")
    # Catalogue sheets last, hidden: they only feed the drop-downs.
    for name in (SHEET_AGENCY_LIST, SHEET_STATUS_LIST, SHEET_INDICATOR_LIST, SHEET_CHOICES):
        workbook.move_sheet(name, offset=len(workbook.sheetnames))
        workbook[name].sheet_state = "hidden"
    return workbook


def write_template(out: Path, system: str = "NQ57", agency: str | None = None, period: str | None = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    build_template(system, agency, period).save(out)
    return out


def _write_info(sheet: Worksheet, system: str, agency: str | None, period: str | None) -> None:
    sheet["A1"] = "THÔNG TIN CHUNG VỀ BÁO CÁO"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(["Nội dung", "Mã", "Giá trị"])
    for cell in sheet[3]:
        cell.font, cell.fill, cell.border = _BOLD, _HEADER_FILL, _BOX
    agency_name = reference.agencies()[agency].name if agency else None
    prefill = {
        "ma_don_vi": agency,
        "ten_don_vi": agency_name,
        "ky_bao_cao": periods.label(period) if period else None,
        "he_thong": system,
        "khong_phat_sinh": "Không",
        "phien_ban_mau": TEMPLATE_VERSION,
    }
    for field in INFO.columns:
        sheet.append([field.label + (" (*)" if field.required else ""), field.code, prefill.get(field.code)])
        row = sheet.max_row
        sheet.cell(row, 1).font = _REQUIRED_FONT if field.required else Font()
        for col in (1, 2, 3):
            sheet.cell(row, col).border = _BOX
        sheet.cell(row, 3).number_format = "@"
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["B"].hidden = True
    sheet.column_dimensions["C"].width = 40
    rows = {field.code: 4 + i for i, field in enumerate(INFO.columns)}
    _list_validation(sheet, f"C{rows['he_thong']}", f"{SHEET_CHOICES}!$B$2:$B$3")
    _list_validation(sheet, f"C{rows['khong_phat_sinh']}", f"{SHEET_CHOICES}!$A$2:$A$3")
    sheet.cell(rows["ngay_bao_cao"], 3).number_format = "dd/mm/yyyy"
    sheet.append([])
    sheet.append(["(*) Bắt buộc. Kỳ báo cáo ghi theo dạng MM/YYYY, ví dụ 10/2026."])


def _write_table(sheet: Worksheet, title: str, table: Table) -> None:
    sheet.cell(1, 1, title).font = Font(bold=True, size=13)
    sheet.cell(2, 1, "Các cột tô đỏ là bắt buộc. Không sửa, xoá dòng mã ẩn ngay dưới dòng tiêu đề.").font = Font(
        italic=True, size=9
    )
    for index, column in enumerate(table.columns, start=1):
        header = sheet.cell(HEADER_ROW, index, column.label)
        header.font = _REQUIRED_FONT if column.required else _BOLD
        header.fill, header.border = _HEADER_FILL, _BOX
        header.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.cell(CODE_ROW, index, column.code)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        if column.as_text:
            # Text format keeps `11.10` from becoming 11.1 and dates exactly as typed.
            for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + TEMPLATE_DATA_ROWS):
                sheet.cell(row, index).number_format = "@"
    sheet.row_dimensions[CODE_ROW].hidden = True
    sheet.row_dimensions[HEADER_ROW].height = 32
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 3)


def _add_list(sheet: Worksheet, code: str, table: Table, source: str) -> None:
    letter = get_column_letter(table.codes.index(code) + 1)
    _list_validation(sheet, f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + TEMPLATE_DATA_ROWS - 1}", source)


def _list_validation(sheet: Worksheet, cells: str, source: str) -> None:
    validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
    validation.error = "Vui lòng chọn một giá trị trong danh sách."
    validation.errorTitle = "Giá trị không hợp lệ"
    validation.showErrorMessage = True
    sheet.add_data_validation(validation)
    validation.add(cells)


def _write_lists(workbook: Workbook) -> None:
    agencies = workbook.create_sheet(SHEET_AGENCY_LIST)
    agencies.append(["ma_don_vi", "ten_don_vi", "ten_viet_tat"])
    for agency in reference.agencies().values():
        agencies.append([agency.code, agency.name, agency.short_name])
    statuses = workbook.create_sheet(SHEET_STATUS_LIST)
    statuses.append(["ma", "tinh_trang"])
    for code, label in STATUSES.items():
        statuses.append([code, label])
    indicators = workbook.create_sheet(SHEET_INDICATOR_LIST)
    indicators.append(["ma_chi_tieu", "ten_chi_tieu", "don_vi_tinh"])
    for indicator in reference.indicators().values():
        indicators.append([indicator.code, indicator.name, indicator.unit])
    choices = workbook.create_sheet(SHEET_CHOICES)
    choices.append(["co_khong", "he_thong"])
    for yes_no, system in zip(YES_NO, SYSTEMS, strict=True):
        choices.append([yes_no, system])
