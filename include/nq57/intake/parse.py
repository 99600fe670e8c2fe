"""Workbook grids -> typed rows: find the sheets and header rows, map columns, read every cell.

The parser is tolerant (DESIGN §4 "must still be accepted") and never raises on cell content: anything it
cannot read becomes an `Issue` at its sheet, row and column. Rules about the typed rows (required values,
vocabularies, ranges, uniqueness, cross-field rules) are Great Expectations suites, run in `validation`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass, field

import pandas as pd
from openpyxl.utils import column_index_from_string, get_column_letter

from nq57 import periods, reference
from nq57.intake.issues import Issue, error, warning
from nq57.intake.values import (
    derive_status,
    is_blank,
    parse_date,
    parse_deadline,
    parse_number,
    parse_period,
    parse_progress,
    parse_status,
    parse_yes_no,
    resolve_status_family,
)
from nq57.intake.workbook import SheetGrid, Workbook
from nq57.textnorm import clean, fold_key
from nq57.vocabulary import (
    INDICATOR_COLUMNS,
    INFO_FIELDS,
    SHEET_INDICATORS,
    SHEET_INFO,
    SHEET_TASKS,
    STATUSES,
    SYSTEMS,
    TASK_COLUMNS,
    ColumnSpec,
)

HEADER_SEARCH_ROWS = 30

TASK_SYNONYMS: dict[str, tuple[str, ...]] = {
    "stt": ("stt", "so thu tu", "tt", "so tt"),
    "ma_nhiem_vu": ("ma nhiem vu", "ma nv", "ma so nhiem vu", "ma so"),
    "ma_lien_ket": (
        "ma nhiem vu ben he thong kia",
        "ma nhiem vu tren he thong kia",
        "ma lien ket",
        "ma tuong ung",
    ),
    "ten_nhiem_vu": ("ten nhiem vu", "noi dung nhiem vu", "nhiem vu", "noi dung cong viec", "ten nhiem vu noi dung"),
    "van_ban_giao": ("van ban giao nhiem vu", "van ban giao", "can cu giao nhiem vu", "nguon giao",
                     "so hieu van ban giao"),
    "muc": ("muc trong van ban", "muc"),
    "co_quan_chu_tri": ("co quan chu tri", "don vi chu tri", "chu tri", "co quan don vi chu tri",
                        "co quan thuc hien", "don vi thuc hien"),
    "co_quan_phoi_hop": ("co quan phoi hop", "don vi phoi hop", "phoi hop", "co quan don vi phoi hop"),
    "thoi_han": ("thoi han", "thoi han hoan thanh", "han hoan thanh"),
    "san_pham": ("san pham", "san pham du kien"),
    "tinh_trang": ("tinh trang", "tinh trang thuc hien", "trang thai"),
    "tien_do": ("tien do", "tien do thuc hien", "ty le hoan thanh", "ti le hoan thanh"),
    "ngay_hoan_thanh": ("ngay hoan thanh", "ngay hoan thanh thuc te"),
    "ket_qua": ("ket qua san pham da ban hanh", "ket qua", "ket qua thuc hien"),
    "kho_khan": ("kho khan vuong mac", "kho khan"),
    "kien_nghi": ("kien nghi de xuat", "kien nghi"),
}
INDICATOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "stt": ("stt", "tt", "so tt"),
    "ma_chi_tieu": ("ma chi tieu", "ma ct"),
    "ten_chi_tieu": ("ten chi tieu", "chi tieu"),
    "don_vi_tinh": ("don vi tinh", "don vi", "dvt"),
    "gia_tri": ("gia tri", "gia tri ky bao cao", "ket qua", "so lieu"),
    "ghi_chu": ("ghi chu",),
}
INFO_SYNONYMS: dict[str, tuple[str, ...]] = {
    "ma_don_vi": ("ma don vi", "ma co quan"),
    "ten_don_vi": ("ten don vi", "ten co quan", "don vi bao cao"),
    "ky_bao_cao": ("ky bao cao", "thang bao cao"),
    "he_thong": ("he thong nguon", "he thong"),
    "ngay_bao_cao": ("ngay bao cao", "ngay lap"),
    "nguoi_lap": ("nguoi lap",),
    "dien_thoai": ("dien thoai", "so dien thoai"),
    "email": ("email", "thu dien tu"),
    "khong_phat_sinh": ("khong phat sinh",),
    "phien_ban_mau": ("phien ban mau",),
}
SHEET_KEYS = {
    SHEET_INFO: ("thongtin", "thong tin", "thong tin chung"),
    SHEET_TASKS: ("nhiemvu", "nhiem vu", "danh sach nhiem vu"),
    SHEET_INDICATORS: ("chitieu", "chi tieu"),
}
_SECTION_STT = re.compile(r"^([IVXLC]+|[A-Z]|[a-zđ])[.)]?$")
# A section title typed with its number: `I. Về hoàn thiện thể chế`, `Phần II - ...`, `A) ...`.
_SECTION_TEXT = re.compile(r"^(?:(?:Phần|Mục|Nhóm|PHẦN|MỤC|NHÓM)\s+)?(?:[IVXLC]+|[A-Z])(?:\s*[.):]|\s+[-–])\s+\S")
# Lines of a signature block, a footnote or the place-and-date line under a table (folded text).
_FOOTER = re.compile(
    r"^(?:nguoi lap(?: bieu)?|can bo lap bieu|nguoi ky|thu truong|lanh dao|ghi chu|chu thich|luu y|noi nhan|"
    r"xac nhan|ky(?: va)? ghi ro|ky ten|ky dong dau|tm|kt|q|giam doc|pho giam doc|bo truong|thu truong co quan|"
    r"chu tich|pho chu tich|cuc truong|vu truong|chanh van phong)\b"
    r"|\bngay(?: \w+)? thang(?: \w+)? nam\b"
)



@dataclass
class TableSheet:
    """A located table: which sheet, header row, and code -> 0-based column."""

    sheet: str
    header_row: int
    first_data_row: int
    columns: dict[str, int]

    def letter(self, code: str) -> str | None:
        return get_column_letter(self.columns[code] + 1) if code in self.columns else None


@dataclass
class ParsedSubmission:
    info: dict[str, object] = field(default_factory=dict)
    agency_code: str | None = None
    period: str | None = None
    system: str | None = None
    report_date: dt.date | None = None
    nil_report: bool = False
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicators: pd.DataFrame = field(default_factory=pd.DataFrame)
    task_table: TableSheet | None = None
    indicator_table: TableSheet | None = None
    info_cells: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def parse_workbook(book: Workbook) -> ParsedSubmission:
    """Typed info, tasks and indicators of a workbook, with every problem met on the way."""
    result = ParsedSubmission()
    _decode_legacy_text(book, result.issues)
    sheets = _assign_sheets(book)
    info_sheet = sheets[SHEET_INFO]
    if info_sheet is None:
        result.issues.append(error("sheet.missing", f"Không tìm thấy sheet '{SHEET_INFO}' (thông tin chung).",
                                   sheet=SHEET_INFO, hint="Dùng đúng mẫu báo cáo, giữ nguyên sheet ThongTin."))
    else:
        _parse_info(book, book.sheets[info_sheet], result)
    task_sheet = sheets[SHEET_TASKS]
    if task_sheet is None:
        result.issues.append(error("sheet.missing", f"Không tìm thấy sheet '{SHEET_TASKS}' (danh sách nhiệm vụ).",
                                   sheet=SHEET_TASKS, hint="Dùng đúng mẫu báo cáo, giữ nguyên sheet NhiemVu."))
        result.tasks = _empty_tasks()
    else:
        result.tasks = _parse_tasks(book, book.sheets[task_sheet], result)
    indicator_sheet = sheets[SHEET_INDICATORS]
    if indicator_sheet is None:
        result.indicators = _empty_indicators()
    else:
        result.indicators = _parse_indicators(book, book.sheets[indicator_sheet], result)
    return result


# ---------------------------------------------------------------- sheets and headers

_ROLES: dict[str, tuple[dict[str, tuple[str, ...]], bool]] = {
    SHEET_TASKS: (TASK_SYNONYMS, True),
    SHEET_INDICATORS: (INDICATOR_SYNONYMS, True),
    SHEET_INFO: (INFO_SYNONYMS, False),
}


def _assign_sheets(book: Workbook) -> dict[str, str | None]:
    """Which sheet plays which role: by name (any case, with or without diacritics or spaces), then by a
    name that contains the role's name (`Biểu 01 - Nhiệm vụ`), then by content (a `Sheet1` whose header
    row is the task table's). A sheet plays at most one role."""
    found: dict[str, str | None] = dict.fromkeys(_ROLES)
    names = [n for n in book.sheet_names if not fold_key(n).startswith("dm ")]

    def claim(role: str, test) -> None:
        if found[role] is None:
            for name in names:
                if name not in found.values() and test(name, role):
                    found[role] = name
                    return

    def exact(name: str, role: str) -> bool:
        key = fold_key(name)
        return key in SHEET_KEYS[role] or key.replace(" ", "") in SHEET_KEYS[role]

    def contains(name: str, role: str) -> bool:
        key = f" {fold_key(name)} "
        return any(f" {k} " in key for k in SHEET_KEYS[role] if " " in k)

    for test in (exact, contains):
        for role in _ROLES:
            claim(role, test)
    for role, (synonyms, table) in _ROLES.items():
        if found[role] is not None:
            continue
        best, best_score = None, 0
        for name in names:
            if name in found.values():
                continue
            grid = book.sheets[name]
            score = _best_header(grid, synonyms)[1] if table else _info_score(grid)
            if score > best_score:
                best, best_score = name, score
        if best_score >= 3:
            found[role] = best
    return found


def _match_label(value: object, synonyms: dict[str, tuple[str, ...]]) -> str | None:
    """The column code a header cell stands for: its code itself, or the longest synonym it starts with."""
    if is_blank(value) or not isinstance(value, str):
        return None
    text = clean(value)
    if text in synonyms:
        return text
    key = fold_key(text)
    best, best_len = None, 0
    for code, labels in synonyms.items():
        for label in labels:
            if (key == label or key.startswith(label + " ")) and len(label) > best_len:
                best, best_len = code, len(label)
    return best


def _best_header(grid: SheetGrid, synonyms: dict[str, tuple[str, ...]]) -> tuple[int, int, dict[str, int]]:
    best = (-1, 0, {})
    for r in range(min(HEADER_SEARCH_ROWS, len(grid.rows))):
        mapping: dict[str, int] = {}
        for c, value in enumerate(grid.rows[r]):
            code = _match_label(value, synonyms)
            if code and code not in mapping:
                mapping[code] = c
        if len(mapping) > best[1]:
            best = (r, len(mapping), mapping)
    return best


def _locate_table(grid: SheetGrid, specs: tuple[ColumnSpec, ...], synonyms: dict[str, tuple[str, ...]],
                  issues: list[Issue]) -> TableSheet | None:
    header_row, score, columns = _best_header(grid, synonyms)
    if score < 2:
        return None
    first_data = header_row + 1
    codes = {spec.code for spec in specs}
    # The hidden code row directly under the header is authoritative when present.
    if first_data < len(grid.rows):
        code_cells = {clean(v): c for c, v in enumerate(grid.rows[first_data]) if isinstance(v, str) and clean(v) in codes}
        if len(code_cells) >= 2:
            columns = {**columns, **code_cells}
            first_data += 1
    for c, value in enumerate(grid.rows[header_row]):
        if not is_blank(value) and c not in columns.values():
            issues.append(warning("column.unknown", f"Cột '{clean(str(value))}' không có trong mẫu, hệ thống bỏ qua cột này.",
                                  sheet=grid.name, row=header_row + 1, column=get_column_letter(c + 1),
                                  hint="Nếu nội dung cần được ghi nhận, chuyển sang cột phù hợp của mẫu (ví dụ Kết quả hoặc Kiến nghị)."))
    for spec in specs:
        if spec.required and spec.code not in columns:
            issues.append(error("column.missing", f"Thiếu cột bắt buộc '{spec.label}'.", sheet=grid.name,
                                row=header_row + 1, column=spec.code,
                                hint=f"Thêm cột '{spec.label}' vào dòng tiêu đề theo đúng mẫu."))
    return TableSheet(grid.name, header_row, first_data, columns)


def _fill_merged_down(grid: SheetGrid, from_row: int) -> set[tuple[int, int]]:
    """A value merged down several rows (e.g. one lead agency for a block of tasks) applies to each row.
    Returns the cells filled this way, which do not make a row non-blank on their own."""
    filled: set[tuple[int, int]] = set()
    for (r1, c1), (r2, _c2) in grid.merged:
        if r2 <= r1 or r1 < from_row:
            continue
        value = grid.value(r1, c1)
        if is_blank(value):
            continue
        for r in range(r1 + 1, r2 + 1):
            while len(grid.rows) <= r:
                grid.rows.append([])
            row = grid.rows[r]
            while len(row) <= c1:
                row.append(None)
            if is_blank(row[c1]):
                row[c1] = value
                filled.add((r, c1))
    return filled


# ---------------------------------------------------------------- ThongTin


def _info_score(grid: SheetGrid) -> int:
    hits = set()
    for row in grid.rows[:40]:
        for value in row[:4]:
            code = _match_label(value, INFO_SYNONYMS)
            if code:
                hits.add(code)
    return len(hits)


def _parse_info(book: Workbook, grid: SheetGrid, result: ParsedSubmission) -> None:
    for r, row in enumerate(grid.rows):
        for c, value in enumerate(row[:4]):
            code = _match_label(value, INFO_SYNONYMS)
            if code is None or code in result.info:
                continue
            value_col = c + 1
            for c2 in range(c + 1, len(row)):
                candidate = row[c2]
                if not is_blank(candidate) and _match_label(candidate, INFO_SYNONYMS) is None:
                    result.info[code] = candidate
                    result.info_cells[code] = (grid.name, r + 1, get_column_letter(c2 + 1))
                    break
                if c2 == value_col and isinstance(candidate, str) and clean(candidate) in INFO_SYNONYMS:
                    value_col += 1  # the template's hidden code column sits between label and value
            else:
                result.info_cells.setdefault(code, (grid.name, r + 1, get_column_letter(value_col + 1)))
            break
    sheet = grid.name

    def where(code: str) -> dict:
        name, row, col = result.info_cells.get(code, (sheet, None, None))
        return {"sheet": name, "row": row, "column": col}

    formulas = set(book.formulas_without_value(grid.name))
    if formulas:
        for _sheet, row, column in result.info_cells.values():
            if (row - 1, column_index_from_string(column) - 1) in formulas:
                result.issues.append(_formula_warning(grid.name, row, column))
    labels = {spec.code: spec.label for spec in INFO_FIELDS}
    for spec in INFO_FIELDS:
        if spec.required and is_blank(result.info.get(spec.code)):
            result.issues.append(error("info.missing", f"Chưa điền '{labels[spec.code]}'.", **where(spec.code),
                                       hint="Điền đầy đủ các ô bắt buộc trong sheet ThongTin."))
    raw_agency = result.info.get("ma_don_vi")
    if not is_blank(raw_agency):
        code = reference.resolve_agency(str(raw_agency))
        if code is None:
            result.issues.append(error("info.unknown_agency", f"Mã đơn vị '{clean(str(raw_agency))}' không có trong danh mục đơn vị.",
                                       **where("ma_don_vi"), hint="Dùng mã đơn vị trong sheet DM_DonVi, ví dụ BKHCN hoặc T01."))
        result.agency_code = code
    raw_period = result.info.get("ky_bao_cao")
    if not is_blank(raw_period):
        try:
            result.period = parse_period(raw_period)
        except ValueError as exc:
            result.issues.append(error("info.period_invalid", _sentence(exc), **where("ky_bao_cao"),
                                       hint="Ghi kỳ báo cáo theo dạng MM/YYYY, ví dụ 10/2026."))
    raw_system = result.info.get("he_thong")
    if not is_blank(raw_system):
        system = fold_key(str(raw_system)).replace(" ", "").upper()
        if system in SYSTEMS:
            result.system = system
        else:
            result.issues.append(error("info.system_invalid", f"Hệ thống nguồn '{clean(str(raw_system))}' phải là NQ57 hoặc NQ71.",
                                       **where("he_thong")))
    if not is_blank(result.info.get("ngay_bao_cao")):
        try:
            result.report_date = parse_date(result.info["ngay_bao_cao"])
        except ValueError as exc:
            result.issues.append(error("info.report_date_invalid", _sentence(exc), **where("ngay_bao_cao")))
    if not is_blank(result.info.get("khong_phat_sinh")):
        try:
            result.nil_report = bool(parse_yes_no(result.info["khong_phat_sinh"]))
        except ValueError as exc:
            result.issues.append(error("info.yes_no_invalid", _sentence(exc), **where("khong_phat_sinh")))


# ---------------------------------------------------------------- NhiemVu

TASK_FRAME_COLUMNS = [
    "source_row", "task_group", "stt", "ma_nhiem_vu", "ma_lien_ket", "ten_nhiem_vu", "van_ban_giao", "muc",
    "co_quan_chu_tri", "co_quan_chu_tri_raw", "co_quan_phoi_hop", "thoi_han_raw", "deadline_date",
    "deadline_type", "san_pham", "tinh_trang_raw", "status_code", "status_derived", "tien_do",
    "ngay_hoan_thanh", "ket_qua", "kho_khan", "kien_nghi",
]
INDICATOR_FRAME_COLUMNS = ["source_row", "stt", "ma_chi_tieu", "ten_chi_tieu", "don_vi_tinh", "gia_tri",
                           "gia_tri_raw", "ghi_chu"]


def _empty_tasks() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TASK_FRAME_COLUMNS})


def _empty_indicators() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in INDICATOR_FRAME_COLUMNS})


def _text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    return clean(str(value)) or None


def _sentence(exc: Exception) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _formula_warning(sheet: str, row: int, column: str) -> Issue:
    return warning("cell.formula_no_value",
                   f"Ô {column}{row} chứa công thức nhưng tệp không lưu kết quả tính, hệ thống đọc ô này là trống.",
                   sheet=sheet, row=row, column=column,
                   hint="Mở tệp bằng Excel, bấm tính lại (F9) rồi lưu, hoặc thay công thức bằng giá trị (Paste Values).")


def _raw_str(value: object) -> str | None:
    """The cell as text before clean-up (line breaks kept, for splitting lists of agencies)."""
    if is_blank(value):
        return None
    if isinstance(value, str):
        return value
    return _text(value)


def _is_footer_text(text: str | None) -> bool:
    return bool(text) and len(text) <= 300 and _FOOTER.search(fold_key(text)) is not None


def _section_title(stt: str | None, own: list[tuple[int, object]], cols: dict[str, int]) -> str | None:
    """The title a section row starts (`I. Về hoàn thiện thể chế`), or None for a stray note."""
    texts = [t for t in (_text(v) for _, v in own) if t]
    if not texts:
        return None
    if stt and _SECTION_STT.match(stt):
        others = [t for t in texts if t != stt]
        return f"{stt.rstrip('.)')}. {max(others, key=len)}" if others else stt
    if _SECTION_TEXT.match(texts[0]):
        return texts[0]
    leading = [cols[k] for k in ("stt", "ma_nhiem_vu", "ten_nhiem_vu", "ma_chi_tieu", "ten_chi_tieu") if k in cols]
    limit = max(leading) if leading else min(cols.values(), default=0)
    if len(own) == 1 and own[0][0] <= limit:
        return texts[0]  # a title merged across the row starts in its first column
    return None


def _parse_tasks(book: Workbook, grid: SheetGrid, result: ParsedSubmission) -> pd.DataFrame:
    table = _locate_table(grid, TASK_COLUMNS, TASK_SYNONYMS, result.issues)
    result.task_table = table
    if table is None:
        result.issues.append(error("column.missing", "Không tìm thấy dòng tiêu đề của bảng nhiệm vụ.", sheet=grid.name,
                                    hint="Giữ nguyên dòng tiêu đề của mẫu (STT, Mã nhiệm vụ, Tên nhiệm vụ, …)."))
        return _empty_tasks()
    filled = _fill_merged_down(grid, table.first_data_row)
    cols = table.columns
    percent_cells = _percent_cells(book, grid, table)
    month_cells = _month_formatted_dates(book, grid, table)
    formulas = _formula_cells(book, grid, table)
    report_period_end = periods.end(result.period) if result.period else None
    records: list[dict] = []
    group: str | None = None
    footer = False
    for r in range(table.first_data_row, len(grid.rows)):
        own = [(c, v) for c, v in enumerate(grid.rows[r]) if not is_blank(v) and (r, c) not in filled]
        if not own:
            continue  # blank, or only the continuation of a cell merged down from above
        cells = {code: grid.value(r, c) for code, c in cols.items()}
        code = _text(cells.get("ma_nhiem_vu"))
        substantive = sum(not is_blank(cells.get(k)) for k in
                          ("ten_nhiem_vu", "van_ban_giao", "co_quan_chu_tri", "thoi_han", "tinh_trang"))
        complete = code is not None and substantive >= 3 and not _is_footer_text(code)
        if (not footer and substantive <= 1 and (code is None or _is_footer_text(code))
                and any(_is_footer_text(_text(v)) for _, v in own)):
            footer = True  # a signature block, a date line or footnotes: the table has ended
        if footer and not complete:
            continue
        stt = _text(cells.get("stt"))
        if substantive < 2 and (code is None or (stt and _SECTION_STT.match(stt)) or _SECTION_TEXT.match(code)):
            group = _section_title(stt, own, cols) or group
            continue
        row_no = r + 1

        def where(column: str, row_no: int = row_no) -> dict:
            return {"sheet": grid.name, "row": row_no, "column": table.letter(column) or column}

        for c in formulas.get(r, ()):
            result.issues.append(_formula_warning(grid.name, row_no, get_column_letter(c + 1)))
        record: dict[str, object] = {"source_row": row_no, "task_group": group}
        for spec in ("stt", "ma_nhiem_vu", "ma_lien_ket", "ten_nhiem_vu", "van_ban_giao", "san_pham",
                     "ket_qua", "kho_khan", "kien_nghi"):
            record[spec] = _text(cells.get(spec))
        muc = cells.get("muc")
        record["muc"] = _text(muc)
        if isinstance(muc, float) and not muc.is_integer() and math.isfinite(muc):
            result.issues.append(warning("task.item_numeric", f"Mục '{_text(muc)}' được lưu dạng số nên có thể mất số 0 cuối (11.10 thành 11.1).",
                                         **where("muc"), hint="Định dạng cột 'Mục trong văn bản' là Văn bản (Text) rồi nhập lại."))
        _read_agencies(record, cells, result, where)
        record["thoi_han_raw"] = _text(cells.get("thoi_han"))
        record["deadline_date"], record["deadline_type"] = None, None
        if record["thoi_han_raw"]:
            try:
                record["deadline_date"], record["deadline_type"] = parse_deadline(cells.get("thoi_han"))
            except ValueError as exc:
                result.issues.append(error("task.deadline_unreadable", _sentence(exc), **where("thoi_han"),
                                           hint="Ghi thời hạn theo dạng dd/mm/yyyy, mm/yyyy, Quý IV/2025, 2025, Thường xuyên hoặc Hằng năm."))
            if (r, cols.get("thoi_han")) in month_cells and record["deadline_type"] == "NGAY":
                # An Excel date shown as `06/2025`: Excel turned the typed month into its first day.
                deadline = record["deadline_date"]
                record["deadline_date"] = dt.date(deadline.year, deadline.month,
                                                  calendar.monthrange(deadline.year, deadline.month)[1])
                record["deadline_type"] = "THANG"
                record["thoi_han_raw"] = f"{deadline.month:02d}/{deadline.year}"
        record["ngay_hoan_thanh"] = None
        try:
            record["ngay_hoan_thanh"] = parse_date(cells.get("ngay_hoan_thanh"))
        except ValueError as exc:
            result.issues.append(error("task.completion_date_unreadable", _sentence(exc), **where("ngay_hoan_thanh"),
                                       hint="Ghi ngày hoàn thành theo dạng dd/mm/yyyy."))
        record["tien_do"] = None
        try:
            record["tien_do"] = parse_progress(cells.get("tien_do"),
                                               percent_format=(r, cols.get("tien_do", -1)) in percent_cells)
        except ValueError as exc:
            result.issues.append(error("task.progress_unreadable", _sentence(exc), **where("tien_do"),
                                       hint="Ghi tiến độ là số từ 0 đến 100."))
        raw_status = _text(cells.get("tinh_trang"))
        record["tinh_trang_raw"] = raw_status
        status, family = None, None
        try:
            status, family = parse_status(cells.get("tinh_trang"))
        except ValueError:
            status = raw_status  # left as typed: the GX vocabulary check reports it
        derived = None
        if report_period_end is not None:
            started = (record["tien_do"] or 0) > 0 or family in {"DANG", "HT"}
            derived = derive_status(record["deadline_date"], record["deadline_type"], record["ngay_hoan_thanh"],
                                    report_period_end, started)
            if status is None and family is not None:
                status = resolve_status_family(family, derived)
            if status in STATUSES and derived != status and record["deadline_type"] is not None:
                result.issues.append(warning("task.status_mismatch", f"Tình trạng báo cáo '{raw_status}' khác với tình trạng tính theo thời hạn và ngày hoàn thành ({STATUSES[derived]}).",
                                             **where("tinh_trang"), hint="Kiểm tra lại tình trạng, thời hạn và ngày hoàn thành."))
        record["status_code"] = status
        record["status_derived"] = derived
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=TASK_FRAME_COLUMNS) if records else _empty_tasks()
    return frame.astype(object).where(frame.notna(), None)


def _read_agencies(record: dict, cells: dict[str, object], result: ParsedSubmission, where) -> None:
    """Lead and partner agencies as codes. Names, abbreviations and pre-merger names resolve through the
    reference list; a cell listing several agencies is split on `;`, `,` and line breaks; when the lead
    cell lists several, the first leads and the others become partners (with a warning)."""
    lead_raw = _text(cells.get("co_quan_chu_tri"))
    record["co_quan_chu_tri_raw"] = lead_raw
    record["co_quan_chu_tri"] = None
    partners = reference.split_agencies(_raw_str(cells.get("co_quan_phoi_hop")))
    lead = None
    if lead_raw:
        lead = reference.resolve_agency(lead_raw)
        lead_parts = reference.split_agencies(_raw_str(cells.get("co_quan_chu_tri")))
        if lead is None and len(lead_parts) > 1:
            lead = reference.resolve_agency(lead_parts[0])
            if lead is not None:
                result.issues.append(warning("task.several_leads", f"Ô có nhiều cơ quan chủ trì; lấy '{lead_parts[0]}' làm cơ quan chủ trì, các cơ quan còn lại coi là phối hợp.",
                                             **where("co_quan_chu_tri"), hint="Mỗi nhiệm vụ ghi một cơ quan chủ trì; các cơ quan khác ghi ở cột Cơ quan phối hợp."))
                partners = lead_parts[1:] + partners
        if lead is None:
            result.issues.append(error("task.unknown_agency", f"Cơ quan chủ trì '{lead_raw}' không có trong danh mục đơn vị.",
                                       **where("co_quan_chu_tri"), hint="Chọn cơ quan trong danh sách thả xuống (sheet DM_DonVi)."))
        record["co_quan_chu_tri"] = lead
    partner_codes: list[str] = []
    for partner in partners:
        partner_code = reference.resolve_agency(partner)
        if partner_code is None:
            result.issues.append(warning("task.unknown_partner", f"Cơ quan phối hợp '{partner}' không có trong danh mục; giữ nguyên dạng chữ.",
                                         **where("co_quan_phoi_hop")))
            partner_code = partner
        if partner_code not in partner_codes and partner_code != lead:
            partner_codes.append(partner_code)
    record["co_quan_phoi_hop"] = ";".join(partner_codes) or None


def _formula_cells(book: Workbook, grid: SheetGrid, table: TableSheet) -> dict[int, list[int]]:
    """Row -> the table's columns in that row holding a formula without a cached value."""
    wanted = set(table.columns.values())
    found: dict[int, list[int]] = {}
    for r, c in book.formulas_without_value(grid.name):
        if r >= table.first_data_row and c in wanted:
            found.setdefault(r, []).append(c)
    return found


def _month_formatted_dates(book: Workbook, grid: SheetGrid, table: TableSheet) -> set[tuple[int, int]]:
    """Deadline cells holding an Excel date shown without its day (`mm/yyyy`): typed as a month."""
    column = table.columns.get("thoi_han")
    if column is None:
        return set()
    dates = [(r, column) for r in range(table.first_data_row, len(grid.rows))
             if isinstance(grid.value(r, column), dt.date) and not isinstance(grid.value(r, column), dt.datetime)]
    if not dates:
        return set()
    return {cell for cell, style in book.styles(grid.name, dates).items() if _month_only_format(style.number_format)}


def _month_only_format(number_format: str) -> bool:
    """`mm/yyyy`, `mmm-yy`, `[$-42A]mm/yyyy`: shows month and year, no day."""
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", number_format.lower())
    return "y" in code and "m" in code and "d" not in code and "h" not in code and "s" not in code


def _percent_cells(book: Workbook, grid: SheetGrid, table: TableSheet) -> set[tuple[int, int]]:
    """Progress cells that hold a fraction in a percent-formatted cell (0.8 shown as 80%)."""
    column = table.columns.get("tien_do")
    if column is None:
        return set()
    fractions = [(r, column) for r in range(table.first_data_row, len(grid.rows))
                 if isinstance(grid.value(r, column), float) and 0 < grid.value(r, column) <= 1]
    if not fractions:
        return set()
    styles = book.styles(grid.name, fractions)
    return {cell for cell, style in styles.items() if "%" in style.number_format}


# ---------------------------------------------------------------- ChiTieu


_INDICATOR_CODE = re.compile(r"^(?:CT)?[_\-.\s]*(\d+(?:[_\-.\s]+\d+)*)$")


def _indicator_code(text: str | None) -> str | None:
    """`CT_11_1` as typed in any of the usual ways: `ct 11.1`, `CT-11-1`, `11.1`."""
    if text is None:
        return None
    key = text.upper().strip()
    if match := _INDICATOR_CODE.match(key):
        return "CT_" + "_".join(re.split(r"[_\-.\s]+", match.group(1)))
    return key.replace(".", "_").replace(" ", "")


def _parse_indicators(book: Workbook, grid: SheetGrid, result: ParsedSubmission) -> pd.DataFrame:
    table = _locate_table(grid, INDICATOR_COLUMNS, INDICATOR_SYNONYMS, result.issues)
    result.indicator_table = table
    if table is None:
        return _empty_indicators()
    filled = _fill_merged_down(grid, table.first_data_row)
    formulas = _formula_cells(book, grid, table)
    records = []
    footer = False
    for r in range(table.first_data_row, len(grid.rows)):
        own = [(c, v) for c, v in enumerate(grid.rows[r]) if not is_blank(v) and (r, c) not in filled]
        if not own:
            continue
        cells = {code: grid.value(r, c) for code, c in table.columns.items()}
        raw_code = cells.get("ma_chi_tieu")
        code_text = _text(raw_code)
        has_value = not is_blank(cells.get("gia_tri"))
        if (not footer and not has_value and (code_text is None or _is_footer_text(code_text))
                and any(_is_footer_text(_text(v)) for _, v in own)):
            footer = True
        if footer and not (has_value and code_text):
            continue
        stt = _text(cells.get("stt"))
        if not has_value and (code_text is None or (stt and _SECTION_STT.match(stt)) or _SECTION_TEXT.match(code_text)):
            continue  # a section row (`I. Đến năm 2030`) or a note: no indicator
        for c in formulas.get(r, ()):
            result.issues.append(_formula_warning(grid.name, r + 1, get_column_letter(c + 1)))
        record = {"source_row": r + 1}
        for code in ("stt", "ten_chi_tieu", "don_vi_tinh", "ghi_chu"):
            record[code] = _text(cells.get(code))
        record["ma_chi_tieu"] = _indicator_code(code_text)
        if isinstance(raw_code, float) and not raw_code.is_integer() and math.isfinite(raw_code):
            result.issues.append(warning("indicator.code_numeric", f"Mã chỉ tiêu '{code_text}' được lưu dạng số nên có thể mất số 0 cuối (11.10 thành 11.1).",
                                         sheet=grid.name, row=r + 1, column=table.letter("ma_chi_tieu"),
                                         hint="Ghi mã chỉ tiêu dạng chữ, ví dụ CT_11_10."))
        record["gia_tri_raw"] = _text(cells.get("gia_tri"))
        record["gia_tri"] = None
        try:
            record["gia_tri"] = parse_number(cells.get("gia_tri"))
        except ValueError as exc:
            result.issues.append(error("indicator.value_unreadable", _sentence(exc), sheet=grid.name, row=r + 1,
                                       column=table.letter("gia_tri"), hint="Ghi giá trị là số, ví dụ 80,5 hoặc 1.287."))
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=INDICATOR_FRAME_COLUMNS) if records else _empty_indicators()
    return frame.astype(object).where(frame.notna(), None)


# ---------------------------------------------------------------- legacy encodings


# A character no single byte read as cp1252 or Latin-1 gives (ộ, ư, đ...): such text is Unicode already.
_NOT_SINGLE_BYTE = re.compile(
    "[^" + re.escape("".join(sorted({chr(i) for i in range(256)}
                                     | {bytes([i]).decode("cp1252", "ignore") for i in range(0x80, 0xA0)} - {""}))) + "]"
)


def _decode_legacy_text(book: Workbook, issues: list[Issue]) -> None:
    """Convert cells typed in TCVN3 (ABC) or VNI to Unicode, judged by the cell's font and its characters.

    Runs on the raw grid, before any `clean` (which would delete TCVN3 `ư`, the soft hyphen). Only text
    a legacy font could have produced (every character a single byte) is looked at, and fonts are read
    only for such cells, so a file typed in Unicode costs one character check per cell.
    """
    from nq57.intake.legacy_encoding import detect_legacy_encoding, to_unicode

    for grid in book.sheets.values():
        if fold_key(grid.name).startswith("dm "):
            continue
        candidates = [(r, c) for r, row in enumerate(grid.rows) for c, v in enumerate(row)
                      if isinstance(v, str) and not v.isascii() and not _NOT_SINGLE_BYTE.search(v)
                      and detect_legacy_encoding(v, ".VnTime") is not None]
        if not candidates:
            continue
        styles = book.styles(grid.name, candidates)
        converted: list[tuple[int, int]] = []
        for r, c in candidates:
            font = styles[(r, c)].font_name if (r, c) in styles else None
            text, encoding = to_unicode(grid.rows[r][c], font)
            if encoding is not None:
                grid.rows[r][c] = text
                converted.append((r, c))
        if converted:
            r, c = converted[0]
            issues.append(warning("text.legacy_encoding", f"{len(converted)} ô trong sheet '{grid.name}' (ô đầu tiên: {get_column_letter(c + 1)}{r + 1}) được gõ bằng bảng mã cũ (TCVN3/VNI) và đã được chuyển sang Unicode.",
                                  sheet=grid.name, row=r + 1, column=get_column_letter(c + 1),
                                  hint="Nên dùng phông chữ Unicode (Times New Roman) và bảng mã Unicode khi nhập liệu."))
