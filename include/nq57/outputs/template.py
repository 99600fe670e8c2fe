"""The official submission workbook (DESIGN §4), as `nq57 template` writes it.

Sheets, in order:

- `HuongDan`   how to fill and submit the report, in official Vietnamese, with the column-by-column rules and
               a worked example (one valid task row, one valid indicator row) drawn from the column registry;
- `ThongTin`   the key/value block (label, hidden code, value), prefilled from agency, period and system;
- `NhiemVu`, `ChiTieu`  the tables: Vietnamese header row, hidden row of stable codes under it, then
               `TEMPLATE_DATA_ROWS` prepared rows;
- `DM_DonVi`, `DM_TrangThai`, `DM_ChiTieu`  the catalogues the prompts and the feedback hints point at
               (visible, read-only); `DM_LuaChon` (hidden) holds the drop-down sources.

Every column has an input prompt (Excel's data-validation input message, from `Column.prompt`). The
drop-downs (agency code, lead agency, status, indicator code, system, yes/no) suggest values but never
refuse one: the parser also accepts names, abbreviations, former names and aliases that no list can hold,
so a value outside the list only brings a warning the user may accept (error style `warning`). The agency
lists hold every code, name, short name and former name of the reference list.

Sheet protection without a password keeps the header, code row, instructions and catalogues from being
edited by mistake while the data cells stay editable (rows may be inserted, columns resized); a user who
must change the layout can lift it in Excel (Review › Unprotect Sheet): the parser matches headers by
label anyway. Every sheet prints on landscape A4 one page wide with its header row repeated; the prepared
empty rows carry no borders, so a blank template prints no blank pages.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from nq57 import periods, reference
from nq57.columns import INDICATORS, INFO, TASKS, Column, Table
from nq57.outputs import xlsx_layout
from nq57.outputs.xlsx_layout import font
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

SHEET_GUIDE = "HuongDan"
HEADER_ROW = 3  # title on row 1, a note on row 2, header on row 3, hidden codes on row 4, data from row 5
CODE_ROW = HEADER_ROW + 1
FIRST_DATA_ROW = CODE_ROW + 1
TEMPLATE_DATA_ROWS = 500
INFO_FIRST_ROW = 4  # ThongTin: title, blank, header (Nội dung, Mã, Giá trị), then one row per field
CATALOGUE_FIRST_ROW = HEADER_ROW + 1  # catalogues: title, note, header, then one row per entry

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")
_REQUIRED_COLOR = "C00000"
_TITLE_COLOR = "1F3864"
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_EDITABLE = Protection(locked=False)
_DATA_FONT = font()

_LIST_WARNING = ("Giá trị này không có trong danh sách. Hệ thống vẫn đối chiếu mã, tên, tên viết tắt và tên cũ; "
                 "bấm Yes để giữ giá trị, No để nhập lại.")


def build_template(system: str = "NQ57", agency: str | None = None, period: str | None = None) -> Workbook:
    """A blank template; `ThongTin` is prefilled from agency (a code of the reference list), period
    (`YYYY-MM`) and system (`NQ57` or `NQ71`).

    Raises:
        ValueError: an unknown system or agency code, or a period that is not `YYYY-MM`.
    """
    if system not in SYSTEMS:
        raise ValueError(f"system must be one of {SYSTEMS}")
    if agency is not None and agency not in reference.agencies():
        raise ValueError(f"unknown agency code {agency!r}")
    if period is not None:
        periods.check(period)
    workbook = Workbook()
    guide = workbook.active
    guide.title = SHEET_GUIDE
    info = workbook.create_sheet(INFO.sheet)
    tasks = workbook.create_sheet(TASKS.sheet)
    indicators = workbook.create_sheet(INDICATORS.sheet)
    for name in (SHEET_AGENCY_LIST, SHEET_STATUS_LIST, SHEET_INDICATOR_LIST):
        write_catalogue(workbook, name)
    choices = _write_choices(workbook)

    _write_guide(guide, system)
    _write_info(info, system, agency, period, choices)
    _write_table(tasks, "DANH SÁCH NHIỆM VỤ VÀ TÌNH HÌNH THỰC HIỆN", TASKS, {
        "tinh_trang": f"{SHEET_STATUS_LIST}!$B${CATALOGUE_FIRST_ROW}:$B${CATALOGUE_FIRST_ROW + len(STATUSES) - 1}",
        "co_quan_chu_tri": choices["agency"],
    })
    _write_table(indicators, "CHỈ TIÊU THEO DÕI (PHỤ LỤC I CHƯƠNG TRÌNH HÀNH ĐỘNG)", INDICATORS, {
        "ma_chi_tieu": (f"{SHEET_INDICATOR_LIST}!$A${CATALOGUE_FIRST_ROW}:"
                        f"$A${CATALOGUE_FIRST_ROW + len(reference.indicators()) - 1}"),
    })
    workbook.active = 0
    workbook.properties.title = f"Mẫu báo cáo tình hình thực hiện Nghị quyết 57-NQ/TW và 71/NQ-CP ({system})"
    workbook.properties.creator = "Bộ Khoa học và Công nghệ"
    return workbook


def write_template(out: Path, system: str = "NQ57", agency: str | None = None, period: str | None = None) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    build_template(system, agency, period).save(out)
    return out


# ---------------------------------------------------------------- catalogues


def write_catalogue(workbook: Workbook, name: str) -> Worksheet:
    """Add the catalogue sheet `name` (`DM_DonVi`, `DM_TrangThai` or `DM_ChiTieu`) at the end of `workbook`:
    title, note, header on `HEADER_ROW`, entries from `CATALOGUE_FIRST_ROW`, read-only, printable. The
    template writes them, and the feedback workbook adds one when a hint names it and the agency's file
    has none."""
    sheet = workbook.create_sheet(name)
    if name == SHEET_AGENCY_LIST:
        title = "DANH MỤC ĐƠN VỊ"
        note = ("Các cột Cơ quan chủ trì, Cơ quan phối hợp và ô Mã đơn vị nhận mã, tên, tên viết tắt hoặc tên cũ "
                "(trước khi sắp xếp, hợp nhất) của đơn vị.")
        headers = [("Mã đơn vị", 12), ("Tên đơn vị", 48), ("Tên viết tắt", 20), ("Tên cũ", 60)]
        rows = [[a.code, a.name, a.short_name, "; ".join(a.former_names)] for a in reference.agencies().values()]
    elif name == SHEET_STATUS_LIST:
        title = "DANH MỤC TÌNH TRẠNG THỰC HIỆN NHIỆM VỤ"
        note = "Cột Tình trạng ghi một trong 7 tình trạng dưới đây."
        headers = [("Mã", 18), ("Tình trạng", 40)]
        rows = [[code, label] for code, label in STATUSES.items()]
    elif name == SHEET_INDICATOR_LIST:
        title = "DANH MỤC CHỈ TIÊU (PHỤ LỤC I CHƯƠNG TRÌNH HÀNH ĐỘNG)"
        note = "Cột Mã chỉ tiêu của sheet ChiTieu ghi mã trong danh mục này."
        headers = [("Mã chỉ tiêu", 12), ("Tên chỉ tiêu", 80), ("Đơn vị tính", 18), ("Cơ quan theo dõi", 16)]
        rows = [[i.code, i.name, i.unit, i.monitoring_agency] for i in reference.indicators().values()]
    else:
        raise ValueError(f"no catalogue sheet {name!r}")
    _title(sheet, title, note, [width for _, width in headers])
    _header_row(sheet, HEADER_ROW, [label for label, _ in headers], required=())
    for offset, values in enumerate(rows):
        row = CATALOGUE_FIRST_ROW + offset
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row, column, value or None)
            cell.font, cell.alignment, cell.border = font(), _WRAP, _BOX
        xlsx_layout.fit_row(sheet, row)
    sheet.freeze_panes = sheet.cell(CATALOGUE_FIRST_ROW, 1)
    xlsx_layout.print_setup(sheet, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    _protect(sheet)
    return sheet


def agency_choices() -> list[str]:
    """Every value the agency drop-downs offer: names, codes, short names, former names, each once."""
    found: dict[str, None] = {}
    agencies = list(reference.agencies().values())
    for values in ([a.name for a in agencies], [a.code for a in agencies], [a.short_name for a in agencies],
                   [n for a in agencies for n in a.former_names]):
        for value in values:
            if value:
                found.setdefault(value, None)
    return list(found)


def _write_choices(workbook: Workbook) -> dict[str, str]:
    """The hidden `DM_LuaChon` sheet; returns the list source of each drop-down it feeds."""
    sheet = workbook.create_sheet(SHEET_CHOICES)
    columns = {"yes_no": ("co_khong", list(YES_NO)), "system": ("he_thong", list(SYSTEMS)),
               "agency": ("don_vi", agency_choices())}
    sources = {}
    for index, (key, (header, values)) in enumerate(columns.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index, header)
        for offset, value in enumerate(values, start=2):
            sheet.cell(offset, index, value)
        sources[key] = f"{SHEET_CHOICES}!${letter}$2:${letter}${len(values) + 1}"
    sheet.sheet_state = "hidden"
    _protect(sheet)
    return sources


# ---------------------------------------------------------------- the sheets agencies fill


def _write_info(sheet: Worksheet, system: str, agency: str | None, period: str | None,
                choices: dict[str, str]) -> None:
    widths = (48, 16, 44)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.merge_cells("A1:C1")
    sheet["A1"] = "THÔNG TIN CHUNG VỀ BÁO CÁO"
    sheet["A1"].font = font(bold=True, size=13, color=_TITLE_COLOR)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 22
    _header_row(sheet, INFO_FIRST_ROW - 1, ["Nội dung", "Mã", "Giá trị"], required=())
    agency_name = reference.agencies()[agency].name if agency else None
    prefill = {
        "ma_don_vi": agency,
        "ten_don_vi": agency_name,
        "ky_bao_cao": periods.label(period) if period else None,
        "he_thong": system,
        "khong_phat_sinh": "Không",
        "phien_ban_mau": TEMPLATE_VERSION,
    }
    lists = {"ma_don_vi": choices["agency"], "he_thong": choices["system"], "khong_phat_sinh": choices["yes_no"]}
    for offset, field in enumerate(INFO.columns):
        row = INFO_FIRST_ROW + offset
        label = sheet.cell(row, 1, field.label + (" (*)" if field.required else ""))
        label.font = font(bold=field.required, color=_REQUIRED_COLOR if field.required else None)
        sheet.cell(row, 2, field.code).font = font(color="808080")
        value = sheet.cell(row, 3, prefill.get(field.code))
        value.font, value.number_format, value.protection = font(), "@", _EDITABLE
        for column in (1, 2, 3):
            sheet.cell(row, column).border = _BOX
            sheet.cell(row, column).alignment = _WRAP
        if field.code == "ngay_bao_cao":
            value.number_format = "dd/mm/yyyy"
        if field.code == "phien_ban_mau":
            value.protection = Protection(locked=True)
        _prompt(sheet, f"C{row}", field, lists.get(field.code))
        xlsx_layout.fit_row(sheet, row)
    sheet.column_dimensions["B"].hidden = True
    note_row = INFO_FIRST_ROW + len(INFO.columns) + 1
    sheet.merge_cells(f"A{note_row}:C{note_row}")
    note = sheet.cell(note_row, 1, "(*) Thông tin bắt buộc. Kỳ báo cáo ghi theo dạng MM/YYYY, ví dụ 10/2026. "
                                   "Hướng dẫn chi tiết tại sheet HuongDan.")
    note.font, note.alignment = font(italic=True), _WRAP
    xlsx_layout.fit_row(sheet, note_row, [(1, 3)])
    xlsx_layout.print_setup(sheet, landscape=False)
    _protect(sheet)


def _write_table(sheet: Worksheet, title: str, table: Table, lists: dict[str, str]) -> None:
    widths = [column.width for column in table.columns]
    _title(sheet, title, "Các cột có tiêu đề màu đỏ là bắt buộc. Bấm vào một ô để xem hướng dẫn ghi cột đó; "
                         "hướng dẫn chung và ví dụ tại sheet HuongDan.", widths)
    _header_row(sheet, HEADER_ROW, [column.label for column in table.columns],
                required=[column.required for column in table.columns])
    last_row = FIRST_DATA_ROW + TEMPLATE_DATA_ROWS - 1
    for index, column in enumerate(table.columns, start=1):
        code = sheet.cell(CODE_ROW, index, column.code)
        code.font = font(size=9, color="808080")
        letter = get_column_letter(index)
        for row in range(FIRST_DATA_ROW, last_row + 1):
            cell = sheet.cell(row, index)
            cell.protection, cell.alignment, cell.font = _EDITABLE, _WRAP, _DATA_FONT
            if column.as_text:  # keeps `11.10` from becoming 11.1, and dates exactly as typed
                cell.number_format = "@"
        _prompt(sheet, f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}", column, lists.get(column.code))
    sheet.row_dimensions[CODE_ROW].hidden = True
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, 3)
    xlsx_layout.print_setup(sheet, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    _protect(sheet, table_rows=True)


def _prompt(sheet: Worksheet, cells: str, column: Column, list_source: str | None) -> None:
    """The column's input prompt on `cells`; with `list_source`, also its drop-down (which warns about a
    value outside the list but keeps it)."""
    if list_source:
        validation = DataValidation(type="list", formula1=f"={list_source}", allow_blank=True)
        validation.errorStyle = "warning"
        validation.errorTitle = "Giá trị ngoài danh sách"
        validation.error = _LIST_WARNING
        validation.showErrorMessage = True
    else:
        validation = DataValidation(allow_blank=True)  # any value: the prompt only
    validation.promptTitle = column.prompt_title or column.label
    validation.prompt = column.prompt
    validation.showInputMessage = True
    sheet.add_data_validation(validation)
    validation.add(cells)


# ---------------------------------------------------------------- instructions


def _write_guide(sheet: Worksheet, system: str) -> None:
    widths = (4, 20, 8, 44, 24)
    last = len(widths)
    _title(sheet, "HƯỚNG DẪN LẬP BÁO CÁO",
           "Báo cáo định kỳ hằng tháng về tình hình thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính "
           "trị và Chương trình hành động của Chính phủ ban hành kèm theo Nghị quyết số 71/NQ-CP ngày 01/4/2025",
           widths, centered_note=True)
    row = 4
    row = _guide_section(sheet, row, "I. YÊU CẦU CHUNG", last)
    general = [
        "Mỗi đơn vị lập một tệp báo cáo cho mỗi hệ thống theo dõi (NQ57 hoặc NQ71) trong mỗi kỳ báo cáo (một "
        "tháng), từ mẫu này; không đổi tên các sheet, không thêm, xóa hoặc đổi thứ tự các cột.",
        "Thời hạn nộp: chậm nhất hết ngày 20 của tháng liền sau kỳ báo cáo (trước 00:00 ngày 21, giờ Việt Nam). "
        "Báo cáo nhận sau thời hạn được ghi nhận là nộp muộn.",
        "Cách nộp: tải tệp lên thư mục <Mã đơn vị>/<Năm-Tháng>/ của đơn vị trên hệ thống tiếp nhận, ví dụ "
        "BKHCN/2026-10/. Trong ít phút, hệ thống gửi tệp phản hồi kết quả kiểm tra vào thư mục phản hồi của đơn "
        "vị; tệp không được tiếp nhận thì sửa theo phản hồi và tải lên lại.",
        "Khi nộp lại, bản được tiếp nhận mới nhất của mỗi hệ thống được dùng để tổng hợp; bản nộp lại không được "
        "tiếp nhận thì bản đã được tiếp nhận trước đó vẫn được dùng.",
        "Lưu tệp ở định dạng Sổ làm việc Excel (.xlsx); không đặt mật khẩu, không dùng macro. Cột có tiêu đề màu đỏ "
        "là bắt buộc; bấm vào một ô để xem hướng dẫn ghi cột đó. Các sheet danh mục (DM_DonVi, DM_TrangThai, "
        "DM_ChiTieu) chỉ để tra cứu.",
    ]
    for number, text in enumerate(general, start=1):
        _guide_line(sheet, row, f"{number}.", text, last)
        row += 1
    row = _guide_section(sheet, row + 1, "II. THÔNG TIN CHUNG (SHEET THONGTIN)", last)
    _guide_line(sheet, row, "", "Ghi mã đơn vị, kỳ báo cáo (MM/YYYY), hệ thống nguồn (NQ57 hoặc NQ71), ngày báo cáo "
                                "và người lập. Đơn vị không có nhiệm vụ nào phải báo cáo trong kỳ thì chọn Có ở ô "
                                "“Không phát sinh nhiệm vụ trong kỳ” và để trống sheet NhiemVu.", last)
    row += 1
    other = "NQ71" if system == "NQ57" else "NQ57"
    row = _guide_section(sheet, row + 1, "III. DANH SÁCH NHIỆM VỤ (SHEET NHIEMVU): MỖI NHIỆM VỤ MỘT DÒNG", last)
    _guide_line(sheet, row, "", f"Ví dụ dưới đây là một dòng nhiệm vụ đã điền đúng của báo cáo theo hệ thống {system} "
                                f"(cột Mã nhiệm vụ tương ứng ghi mã của cùng nhiệm vụ trên hệ thống {other}).", last)
    row = _guide_columns(sheet, row + 1, TASKS, system)
    row = _guide_section(sheet, row + 1, "IV. CHỈ TIÊU (SHEET CHITIEU): MỖI CHỈ TIÊU MỘT DÒNG", last)
    row = _guide_columns(sheet, row, INDICATORS, system)
    row = _guide_section(sheet, row + 1, "V. TỆP PHẢN HỒI", last)
    _guide_line(sheet, row, "", "Sheet PhanHoi của tệp phản hồi ghi thời điểm tiếp nhận, nộp đúng hạn hay muộn, tệp có "
                                "được tiếp nhận không, bản báo cáo nào được dùng để tổng hợp, và từng lỗi với vị trí "
                                "(sheet, ô) và cách khắc phục. Khi đọc được tệp, tệp phản hồi kèm theo bản sao các "
                                "sheet của đơn vị, trong đó các ô có lỗi được tô màu và có ghi chú.", last)
    xlsx_layout.print_setup(sheet, landscape=False)
    _protect(sheet)


def _guide_section(sheet: Worksheet, row: int, title: str, last: int) -> int:
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    cell = sheet.cell(row, 1, title)
    cell.font = font(bold=True, color=_TITLE_COLOR)
    sheet.row_dimensions[row].height = 20
    return row + 1


def _guide_line(sheet: Worksheet, row: int, number: str, text: str, last: int) -> None:
    sheet.cell(row, 1, number or None).font = font()
    sheet.cell(row, 1).alignment = Alignment(vertical="top", horizontal="right")
    sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=last)
    cell = sheet.cell(row, 2, text)
    cell.font, cell.alignment = font(), Alignment(wrap_text=True, vertical="top", horizontal="justify")
    xlsx_layout.fit_row(sheet, row, [(2, last)])


def _guide_columns(sheet: Worksheet, row: int, table: Table, system: str) -> int:
    """One row per column of `table`: its header, whether it is required, how to fill it, and the example
    as a report for `system` writes it."""
    _header_row(sheet, row, ["TT", "Cột", "Bắt buộc", "Cách ghi", "Ví dụ"], required=())
    for number, column in enumerate(table.columns, start=1):
        row += 1
        values = [number, column.label, "Có" if column.required else None, column.prompt,
                  column.example_for(system) or None]
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row, index, value)
            cell.font, cell.border = font(bold=index == 2 and column.required), _BOX
            cell.alignment = _WRAP if index in (2, 4, 5) else Alignment(vertical="top", horizontal="center")
        sheet.cell(row, 5).fill = _EXAMPLE_FILL
        if column.required:
            sheet.cell(row, 2).font = font(bold=True, color=_REQUIRED_COLOR)
        xlsx_layout.fit_row(sheet, row)
    return row + 1


# ---------------------------------------------------------------- shared pieces


def _title(sheet: Worksheet, title: str, note: str, widths: list[int], centered_note: bool = False) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    last = len(widths)
    for row, value, cell_font in ((1, title, font(bold=True, size=13, color=_TITLE_COLOR)),
                                  (2, note, font(italic=True, size=10))):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        cell = sheet.cell(row, 1, value)
        cell.font = cell_font
        cell.alignment = Alignment(wrap_text=True, vertical="center",
                                   horizontal="center" if row == 1 or centered_note else "left")
        xlsx_layout.fit_row(sheet, row, [(1, last)])
    sheet.row_dimensions[1].height = max(sheet.row_dimensions[1].height or 0, 22)


def _header_row(sheet: Worksheet, row: int, labels: list[str], required) -> None:
    required = list(required) or [False] * len(labels)
    for index, (label, needed) in enumerate(zip(labels, required, strict=True), start=1):
        cell = sheet.cell(row, index, label)
        cell.font = font(bold=True, color=_REQUIRED_COLOR if needed else None)
        cell.fill, cell.border, cell.alignment = _HEADER_FILL, _BOX, _HEADER_ALIGN
    xlsx_layout.fit_row(sheet, row)


def _protect(sheet: Worksheet, table_rows: bool = False) -> None:
    """Sheet protection without a password: locked cells (everything not marked editable) cannot be changed;
    columns and rows can still be resized and, in the tables, rows inserted and deleted, and filtered."""
    protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False, selectLockedCells=False,
                                 selectUnlockedCells=False)
    if table_rows:
        protection.insertRows = False
        protection.deleteRows = False
        protection.autoFilter = False
        protection.sort = False
        protection.formatCells = False
    sheet.protection = protection
