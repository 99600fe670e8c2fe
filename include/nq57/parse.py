"""Workbook grids -> typed rows: find the sheets and header rows, map columns, read every cell.

The parser is tolerant (DESIGN §4 "must still be accepted") and never raises on cell content: anything it
cannot read becomes an `Issue` at its sheet, row and column. Rules about the typed rows (required values,
vocabularies, ranges, uniqueness, cross-field rules) are Great Expectations suites, run in `validation`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
from openpyxl.utils import get_column_letter

from nq57 import reference
from nq57.issues import Issue, error, warning
from nq57.textnorm import clean, fold_key
from nq57.values import (
    derive_status,
    is_blank,
    parse_date,
    parse_deadline,
    parse_number,
    parse_period,
    parse_progress,
    parse_status,
    parse_yes_no,
    period_end,
    resolve_status_family,
)
from nq57.vocabulary import (
    INDICATOR_COLUMNS,
    INFO_FIELDS,
    SHEET_INDICATORS,
    SHEET_INFO,
    SHEET_TASKS,
    SYSTEMS,
    TASK_COLUMNS,
    ColumnSpec,
)
from nq57.workbook import SheetGrid, Workbook

HEADER_SEARCH_ROWS = 30

TASK_SYNONYMS: dict[str, tuple[str, ...]] = {
    "stt": ("stt", "so thu tu", "tt"),
    "ma_nhiem_vu": ("ma nhiem vu", "ma nv", "ma so nhiem vu"),
    "ma_lien_ket": (
        "ma nhiem vu ben he thong kia",
        "ma nhiem vu tren he thong kia",
        "ma lien ket",
        "ma tuong ung",
    ),
    "ten_nhiem_vu": ("ten nhiem vu", "noi dung nhiem vu", "nhiem vu"),
    "van_ban_giao": ("van ban giao nhiem vu", "van ban giao", "can cu giao nhiem vu", "nguon giao"),
    "muc": ("muc trong van ban", "muc"),
    "co_quan_chu_tri": ("co quan chu tri", "don vi chu tri", "chu tri"),
    "co_quan_phoi_hop": ("co quan phoi hop", "don vi phoi hop", "phoi hop"),
    "thoi_han": ("thoi han", "thoi han hoan thanh", "han hoan thanh"),
    "san_pham": ("san pham", "san pham du kien"),
    "tinh_trang": ("tinh trang", "tinh trang thuc hien", "trang thai"),
    "tien_do": ("tien do", "tien do thuc hien", "ty le hoan thanh"),
    "ngay_hoan_thanh": ("ngay hoan thanh", "ngay hoan thanh thuc te"),
    "ket_qua": ("ket qua san pham da ban hanh", "ket qua", "ket qua thuc hien"),
    "kho_khan": ("kho khan vuong mac", "kho khan"),
    "kien_nghi": ("kien nghi de xuat", "kien nghi"),
}
INDICATOR_SYNONYMS: dict[str, tuple[str, ...]] = {
    "stt": ("stt", "tt"),
    "ma_chi_tieu": ("ma chi tieu",),
    "ten_chi_tieu": ("ten chi tieu", "chi tieu"),
    "don_vi_tinh": ("don vi tinh", "don vi"),
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
    info_sheet = _find_sheet(book, SHEET_INFO, INFO_SYNONYMS, table=False)
    if info_sheet is None:
        result.issues.append(error("sheet.missing", f"Không tìm thấy sheet '{SHEET_INFO}' (thông tin chung).",
                                   sheet=SHEET_INFO, hint="Dùng đúng mẫu báo cáo, giữ nguyên sheet ThongTin."))
    else:
        _parse_info(book.sheets[info_sheet], result)
    task_sheet = _find_sheet(book, SHEET_TASKS, TASK_SYNONYMS, table=True)
    if task_sheet is None:
        result.issues.append(error("sheet.missing", f"Không tìm thấy sheet '{SHEET_TASKS}' (danh sách nhiệm vụ).",
                                   sheet=SHEET_TASKS, hint="Dùng đúng mẫu báo cáo, giữ nguyên sheet NhiemVu."))
        result.tasks = _empty_tasks()
    else:
        result.tasks = _parse_tasks(book, book.sheets[task_sheet], result)
    indicator_sheet = _find_sheet(book, SHEET_INDICATORS, INDICATOR_SYNONYMS, table=True)
    if indicator_sheet is None:
        result.indicators = _empty_indicators()
    else:
        result.indicators = _parse_indicators(book.sheets[indicator_sheet], result)
    return result


# ---------------------------------------------------------------- sheets and headers


def _find_sheet(book: Workbook, canonical: str, synonyms: dict[str, tuple[str, ...]], table: bool) -> str | None:
    keys = SHEET_KEYS[canonical]
    for name in book.sheet_names:
        if fold_key(name) in keys or fold_key(name).replace(" ", "") in keys:
            return name
    # By content: the visible sheet whose first rows look most like this table's header.
    best, best_score = None, 0
    for name, grid in book.sheets.items():
        if fold_key(name).startswith("dm "):
            continue
        score = _best_header(grid, synonyms)[1] if table else _info_score(grid)
        if score > best_score:
            best, best_score = name, score
    return best if best_score >= 3 else None


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
                                  sheet=grid.name, row=header_row + 1, column=get_column_letter(c + 1)))
    for spec in specs:
        if spec.required and spec.code not in columns:
            issues.append(error("column.missing", f"Thiếu cột bắt buộc '{spec.label}'.", sheet=grid.name,
                                row=header_row + 1, column=spec.code,
                                hint=f"Thêm cột '{spec.label}' vào dòng tiêu đề theo đúng mẫu."))
    return TableSheet(grid.name, header_row, first_data, columns)


def _fill_merged_down(grid: SheetGrid, from_row: int) -> None:
    """A value merged down several rows (e.g. one lead agency for a block of tasks) applies to each row."""
    for (r1, c1), (r2, _c2) in grid.merged:
        if r2 <= r1 or r1 < from_row:
            continue
        value = grid.value(r1, c1)
        for r in range(r1 + 1, r2 + 1):
            while len(grid.rows) <= r:
                grid.rows.append([])
            row = grid.rows[r]
            while len(row) <= c1:
                row.append(None)
            row[c1] = value


# ---------------------------------------------------------------- ThongTin


def _info_score(grid: SheetGrid) -> int:
    hits = set()
    for row in grid.rows[:40]:
        for value in row[:4]:
            code = _match_label(value, INFO_SYNONYMS)
            if code:
                hits.add(code)
    return len(hits)


def _parse_info(grid: SheetGrid, result: ParsedSubmission) -> None:
    for r, row in enumerate(grid.rows):
        for c, value in enumerate(row[:4]):
            code = _match_label(value, INFO_SYNONYMS)
            if code is None or code in result.info:
                continue
            for c2 in range(c + 1, len(row)):
                candidate = row[c2]
                if not is_blank(candidate) and _match_label(candidate, INFO_SYNONYMS) is None:
                    result.info[code] = candidate
                    result.info_cells[code] = (grid.name, r + 1, get_column_letter(c2 + 1))
                    break
            else:
                result.info_cells.setdefault(code, (grid.name, r + 1, get_column_letter(min(c + 2, 3))))
            break
    sheet = grid.name

    def where(code: str) -> dict:
        name, row, col = result.info_cells.get(code, (sheet, None, None))
        return {"sheet": name, "row": row, "column": col}

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


def _parse_tasks(book: Workbook, grid: SheetGrid, result: ParsedSubmission) -> pd.DataFrame:
    table = _locate_table(grid, TASK_COLUMNS, TASK_SYNONYMS, result.issues)
    result.task_table = table
    if table is None:
        result.issues.append(error("column.missing", "Không tìm thấy dòng tiêu đề của bảng nhiệm vụ.", sheet=grid.name,
                                    hint="Giữ nguyên dòng tiêu đề của mẫu (STT, Mã nhiệm vụ, Tên nhiệm vụ, …)."))
        return _empty_tasks()
    _fill_merged_down(grid, table.first_data_row)
    cols = table.columns
    percent_cells = _percent_cells(book, grid, table)
    report_period_end = period_end(result.period) if result.period else None
    records: list[dict] = []
    group: str | None = None
    for r in range(table.first_data_row, len(grid.rows)):
        cells = {code: grid.value(r, c) for code, c in cols.items()}
        if all(is_blank(v) for v in grid.rows[r]):
            continue
        code = _text(cells.get("ma_nhiem_vu"))
        substantive = sum(not is_blank(cells.get(k)) for k in
                          ("ten_nhiem_vu", "van_ban_giao", "co_quan_chu_tri", "thoi_han", "tinh_trang"))
        if code is None and substantive < 2:
            texts = [clean(str(v)) for v in grid.rows[r] if not is_blank(v)]
            stt = _text(cells.get("stt"))
            if stt and _SECTION_STT.match(stt) or len(texts) == 1:
                group = max(texts, key=len)
            continue
        row_no = r + 1

        def where(column: str, row_no: int = row_no) -> dict:
            return {"sheet": grid.name, "row": row_no, "column": table.letter(column) or column}

        record: dict[str, object] = {"source_row": row_no, "task_group": group}
        for spec in ("stt", "ma_nhiem_vu", "ma_lien_ket", "ten_nhiem_vu", "van_ban_giao", "san_pham",
                     "ket_qua", "kho_khan", "kien_nghi"):
            record[spec] = _text(cells.get(spec))
        muc = cells.get("muc")
        record["muc"] = _text(muc)
        if isinstance(muc, float) and not muc.is_integer():
            result.issues.append(warning("task.item_numeric", f"Mục '{_text(muc)}' được lưu dạng số nên có thể mất số 0 cuối (11.10 thành 11.1).",
                                         **where("muc"), hint="Định dạng cột 'Mục trong văn bản' là Văn bản (Text) rồi nhập lại."))
        lead_raw = _text(cells.get("co_quan_chu_tri"))
        record["co_quan_chu_tri_raw"] = lead_raw
        record["co_quan_chu_tri"] = None
        partners = [p for p in reference.split_agencies(_text(cells.get("co_quan_phoi_hop")))]
        if lead_raw:
            lead_parts = reference.split_agencies(lead_raw)
            lead = reference.resolve_agency(lead_raw) or reference.resolve_agency(lead_parts[0])
            if lead is None:
                result.issues.append(error("task.unknown_agency", f"Cơ quan chủ trì '{lead_raw}' không có trong danh mục đơn vị.",
                                           **where("co_quan_chu_tri"), hint="Chọn cơ quan trong danh sách thả xuống (sheet DM_DonVi)."))
            elif reference.resolve_agency(lead_raw) is None and len(lead_parts) > 1:
                result.issues.append(warning("task.several_leads", f"Ô có nhiều cơ quan chủ trì; lấy '{lead_parts[0]}' làm cơ quan chủ trì, các cơ quan còn lại coi là phối hợp.",
                                             **where("co_quan_chu_tri")))
                partners = lead_parts[1:] + partners
            record["co_quan_chu_tri"] = lead
        partner_codes = []
        for partner in partners:
            partner_code = reference.resolve_agency(partner)
            if partner_code is None:
                result.issues.append(warning("task.unknown_partner", f"Cơ quan phối hợp '{partner}' không có trong danh mục; giữ nguyên dạng chữ.",
                                             **where("co_quan_phoi_hop")))
                partner_codes.append(partner)
            elif partner_code not in partner_codes:
                partner_codes.append(partner_code)
        record["co_quan_phoi_hop"] = ";".join(partner_codes) or None
        record["thoi_han_raw"] = _text(cells.get("thoi_han"))
        record["deadline_date"], record["deadline_type"] = None, None
        if record["thoi_han_raw"]:
            try:
                record["deadline_date"], record["deadline_type"] = parse_deadline(cells.get("thoi_han"))
            except ValueError as exc:
                result.issues.append(error("task.deadline_unreadable", _sentence(exc), **where("thoi_han"),
                                           hint="Ghi thời hạn theo dạng dd/mm/yyyy, mm/yyyy, Quý IV/2025, 2025, Thường xuyên hoặc Hằng năm."))
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
            if status in _KNOWN_STATUS and derived != status and record["deadline_type"] is not None:
                result.issues.append(warning("task.status_mismatch", f"Tình trạng báo cáo '{raw_status}' khác với tình trạng tính theo thời hạn và ngày hoàn thành ({_STATUS_LABEL[derived]}).",
                                             **where("tinh_trang"), hint="Kiểm tra lại tình trạng, thời hạn và ngày hoàn thành."))
        record["status_code"] = status
        record["status_derived"] = derived
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=TASK_FRAME_COLUMNS) if records else _empty_tasks()
    return frame.astype(object).where(frame.notna(), None)


from nq57.vocabulary import STATUSES as _STATUS_LABEL  # noqa: E402

_KNOWN_STATUS = frozenset(_STATUS_LABEL)


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


def _parse_indicators(grid: SheetGrid, result: ParsedSubmission) -> pd.DataFrame:
    table = _locate_table(grid, INDICATOR_COLUMNS, INDICATOR_SYNONYMS, result.issues)
    result.indicator_table = table
    if table is None:
        return _empty_indicators()
    _fill_merged_down(grid, table.first_data_row)
    records = []
    for r in range(table.first_data_row, len(grid.rows)):
        cells = {code: grid.value(r, c) for code, c in table.columns.items()}
        if all(is_blank(cells.get(k)) for k in ("ma_chi_tieu", "gia_tri")):
            continue
        record = {"source_row": r + 1}
        for code in ("stt", "ma_chi_tieu", "ten_chi_tieu", "don_vi_tinh", "ghi_chu"):
            record[code] = _text(cells.get(code))
        if record["ma_chi_tieu"]:
            record["ma_chi_tieu"] = record["ma_chi_tieu"].upper().replace(".", "_").replace(" ", "")
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


def _decode_legacy_text(book: Workbook, issues: list[Issue]) -> None:
    """Convert cells typed in TCVN3 (ABC) or VNI to Unicode, judged by the cell's font and its characters."""
    from nq57.legacy_encoding import detect_legacy_encoding, to_unicode

    for grid in book.sheets.values():
        if fold_key(grid.name).startswith("dm "):
            continue
        suspects = [(r, c) for r, row in enumerate(grid.rows) for c, v in enumerate(row)
                    if isinstance(v, str) and not v.isascii() and detect_legacy_encoding(v) is not None]
        if not suspects:
            continue
        candidates = [(r, c) for r, row in enumerate(grid.rows) for c, v in enumerate(row)
                      if isinstance(v, str) and not v.isascii()]
        styles = book.styles(grid.name, candidates)
        converted = 0
        for r, c in candidates:
            font = styles[(r, c)].font_name if (r, c) in styles else None
            text, encoding = to_unicode(grid.rows[r][c], font)
            if encoding is not None:
                grid.rows[r][c] = text
                converted += 1
        if converted:
            issues.append(warning("text.legacy_encoding", f"{converted} ô trong sheet '{grid.name}' được gõ bằng bảng mã cũ (TCVN3/VNI) và đã được chuyển sang Unicode.",
                                  sheet=grid.name, hint="Nên dùng phông chữ Unicode (Times New Roman) và bảng mã Unicode khi nhập liệu."))
