"""Workbook grids -> typed rows: find the sheets and header rows, map columns, read every cell.

The parser is tolerant (DESIGN §4 "must still be accepted") and never raises on cell content: anything it
cannot read becomes an `Issue` at its sheet, row and column (rules in `intake.rules`). What it looks for
comes from the column registry (`nq57.columns`): header labels and synonyms, required columns, and each
column's kind, which picks its reader below (`_READERS`). Rules about the typed rows (required values,
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
from nq57.columns import INDICATORS, INFO, TASKS, Column, Table
from nq57.intake.issues import Issue, cell_ref
from nq57.intake.rules import issue
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
from nq57.vocabulary import SHEET_INDICATORS, SHEET_INFO, SHEET_TASKS, STATUSES, SYSTEMS

HEADER_SEARCH_ROWS = 30

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
        result.issues.append(issue("sheet.missing", sheet=SHEET_INFO, role="thông tin chung"))
    else:
        _parse_info(book, book.sheets[info_sheet], result)
    task_sheet = sheets[SHEET_TASKS]
    if task_sheet is None:
        result.issues.append(issue("sheet.missing", sheet=SHEET_TASKS, role="danh sách nhiệm vụ"))
        result.tasks = empty_frame(TASKS)
    else:
        result.tasks = _parse_tasks(book, book.sheets[task_sheet], result)
    indicator_sheet = sheets[SHEET_INDICATORS]
    if indicator_sheet is None:
        result.indicators = empty_frame(INDICATORS)
    else:
        result.indicators = _parse_indicators(book, book.sheets[indicator_sheet], result)
    return result


# ---------------------------------------------------------------- sheets and headers

_ROLES: dict[str, tuple[dict[str, tuple[str, ...]], bool]] = {
    SHEET_TASKS: (TASKS.synonyms, True),
    SHEET_INDICATORS: (INDICATORS.synonyms, True),
    SHEET_INFO: (INFO.synonyms, False),
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


def _locate_table(grid: SheetGrid, spec: Table, issues: list[Issue]) -> TableSheet | None:
    header_row, score, columns = _best_header(grid, spec.synonyms)
    if score < 2:
        return None
    first_data = header_row + 1
    codes = set(spec.codes)
    # The hidden code row directly under the header is authoritative when present.
    if first_data < len(grid.rows):
        code_cells = {clean(v): c for c, v in enumerate(grid.rows[first_data]) if isinstance(v, str) and clean(v) in codes}
        if len(code_cells) >= 2:
            columns = {**columns, **code_cells}
            first_data += 1
    for c, value in enumerate(grid.rows[header_row]):
        if not is_blank(value) and c not in columns.values():
            issues.append(issue("column.unknown", header=clean(str(value)), sheet=grid.name, row=header_row + 1,
                                column=get_column_letter(c + 1)))
    for column in spec.columns:
        if column.required and column.code not in columns:
            issues.append(issue("column.missing", label=column.label, sheet=grid.name, row=header_row + 1,
                                column=column.code))
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
            code = _match_label(value, INFO.synonyms)
            if code:
                hits.add(code)
    return len(hits)


def _parse_info(book: Workbook, grid: SheetGrid, result: ParsedSubmission) -> None:
    for r, row in enumerate(grid.rows):
        for c, value in enumerate(row[:4]):
            code = _match_label(value, INFO.synonyms)
            if code is None or code in result.info:
                continue
            value_col = c + 1
            for c2 in range(c + 1, len(row)):
                candidate = row[c2]
                if not is_blank(candidate) and _match_label(candidate, INFO.synonyms) is None:
                    result.info[code] = candidate
                    result.info_cells[code] = (grid.name, r + 1, get_column_letter(c2 + 1))
                    break
                if c2 == value_col and isinstance(candidate, str) and clean(candidate) in INFO.synonyms:
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
    for column in INFO.columns:
        if column.required and is_blank(result.info.get(column.code)):
            result.issues.append(issue("info.missing", label=column.label, **where(column.code)))
    for column in INFO.columns:
        raw = result.info.get(column.code)
        if column.kind == "text" or is_blank(raw):
            continue
        try:
            setattr(result, column.fields[0].name, _INFO_READERS[column.kind](raw))
        except ValueError as exc:
            result.issues.append(issue(column.rule, reason=str(exc), value=clean(str(raw)), **where(column.code)))


def _read_agency(value: object) -> str:
    code = reference.resolve_agency(str(value))
    if code is None:
        raise ValueError(f"mã đơn vị '{clean(str(value))}' không có trong danh mục")
    return code


def _read_system(value: object) -> str:
    system = fold_key(str(value)).replace(" ", "").upper()
    if system not in SYSTEMS:
        raise ValueError(f"hệ thống nguồn '{clean(str(value))}' phải là NQ57 hoặc NQ71")
    return system


# ThongTin kind -> the value's reader (raises ValueError with a Vietnamese reason).
_INFO_READERS = {
    "agency": _read_agency,
    "period": parse_period,
    "system": _read_system,
    "date": parse_date,
    "yes_no": lambda value: bool(parse_yes_no(value)),
}


# ---------------------------------------------------------------- NhiemVu

def empty_frame(table: Table) -> pd.DataFrame:
    """A frame with no rows and the table's columns (`Table.frame_columns`)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in table.frame_columns})


def _text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    return clean(str(value)) or None


def _formula_warning(sheet: str, row: int, column: str) -> Issue:
    return issue("cell.formula_no_value", cell=cell_ref(column, row), sheet=sheet, row=row, column=column)


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
    table = _locate_table(grid, TASKS, result.issues)
    result.task_table = table
    if table is None:
        result.issues.append(issue("table.header_missing", sheet=grid.name))
        return empty_frame(TASKS)
    filled = _fill_merged_down(grid, table.first_data_row)
    cols = table.columns
    formats = _CellFormats(percent=_percent_cells(book, grid, table), month_only=_month_formatted_dates(book, grid, table))
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
        for c in formulas.get(r, ()):
            result.issues.append(_formula_warning(grid.name, r + 1, get_column_letter(c + 1)))
        row = _Row(table, r, cells, formats, result.issues, {"source_row": r + 1, "task_group": group})
        for column in TASKS.columns:
            _READERS[column.kind](row, column)
        if report_period_end is not None:
            _derive_status(row, report_period_end)
        records.append(row.record)
    frame = pd.DataFrame.from_records(records, columns=TASKS.frame_columns) if records else empty_frame(TASKS)
    return frame.astype(object).where(frame.notna(), None)


# ---------------------------------------------------------------- cell readers, one per column kind


@dataclass(frozen=True)
class _CellFormats:
    """Cells whose number format changes what their value means (0-based (row, column))."""

    percent: set[tuple[int, int]]  # a fraction shown as a percentage
    month_only: set[tuple[int, int]]  # a date shown without its day


@dataclass
class _Row:
    """One table row being read: its cells by column code, the record filled from them, its findings."""

    table: TableSheet
    index: int  # 0-based grid row
    cells: dict[str, object]
    formats: _CellFormats
    issues: list[Issue]
    record: dict[str, object]
    lead: str | None = None
    extra_partners: list[str] = field(default_factory=list)
    status_family: str | None = None

    def where(self, code: str) -> dict:
        """Location of a column's cell in this row (the column code when the file lacks the column)."""
        return {"sheet": self.table.sheet, "row": self.index + 1, "column": self.table.letter(code) or code}

    def formatted(self, code: str, cells: set[tuple[int, int]]) -> bool:
        return (self.index, self.table.columns.get(code, -1)) in cells

    def report(self, column: Column, rule: str | None = None, **fields: object) -> None:
        self.issues.append(issue(rule or column.rule, **self.where(column.code), **fields))


def _read_text(row: _Row, column: Column) -> None:
    row.record[column.fields[0].name] = _text(row.cells.get(column.code))


def _read_doc_item(row: _Row, column: Column) -> None:
    value = row.cells.get(column.code)
    row.record[column.fields[0].name] = _text(value)
    if isinstance(value, float) and not value.is_integer() and math.isfinite(value):
        row.report(column, "task.item_numeric", value=_text(value))


def _read_lead_agency(row: _Row, column: Column) -> None:
    """The lead agency as a code. Names, abbreviations and pre-merger names resolve through the reference
    list; when the cell lists several agencies (`;`, `,`, line breaks), the first leads and the others
    become partners (with a warning)."""
    code_field, raw_field = (f.name for f in column.fields)
    value = row.cells.get(column.code)
    raw = _text(value)
    row.record[raw_field] = raw
    row.record[code_field] = None
    if not raw:
        return
    lead = reference.resolve_agency(raw)
    parts = reference.split_agencies(_raw_str(value))
    if lead is None and len(parts) > 1:
        lead = reference.resolve_agency(parts[0])
        if lead is not None:
            row.report(column, "task.several_leads", lead=parts[0])
            row.extra_partners = parts[1:]
    if lead is None:
        row.report(column, value=raw)
    row.record[code_field] = row.lead = lead


def _read_partner_agencies(row: _Row, column: Column) -> None:
    """Partner agencies as codes where known (text as typed otherwise, with a warning), `;`-joined,
    without duplicates or the lead agency."""
    partners = row.extra_partners + reference.split_agencies(_raw_str(row.cells.get(column.code)))
    codes: list[str] = []
    for partner in partners:
        code = reference.resolve_agency(partner)
        if code is None:
            row.report(column, "task.unknown_partner", value=partner)
            code = partner
        if code not in codes and code != row.lead:
            codes.append(code)
    row.record[column.fields[0].name] = ";".join(codes) or None


def _read_deadline(row: _Row, column: Column) -> None:
    raw_field, date_field, type_field = (f.name for f in column.fields)
    value = row.cells.get(column.code)
    raw = _text(value)
    deadline, kind = None, None
    if raw:
        try:
            deadline, kind = parse_deadline(value)
        except ValueError as exc:
            row.report(column, reason=str(exc))
        if kind == "NGAY" and row.formatted(column.code, row.formats.month_only):
            # An Excel date shown as `06/2025`: Excel turned the typed month into its first day.
            deadline, kind = dt.date(deadline.year, deadline.month,
                                     calendar.monthrange(deadline.year, deadline.month)[1]), "THANG"
            raw = f"{deadline.month:02d}/{deadline.year}"
    row.record.update({raw_field: raw, date_field: deadline, type_field: kind})


def _read_date(row: _Row, column: Column) -> None:
    row.record[column.fields[0].name] = None
    try:
        row.record[column.fields[0].name] = parse_date(row.cells.get(column.code))
    except ValueError as exc:
        row.report(column, reason=str(exc))


def _read_progress(row: _Row, column: Column) -> None:
    row.record[column.fields[0].name] = None
    try:
        row.record[column.fields[0].name] = parse_progress(
            row.cells.get(column.code), percent_format=row.formatted(column.code, row.formats.percent))
    except ValueError as exc:
        row.report(column, reason=str(exc))


def _read_status(row: _Row, column: Column) -> None:
    """The status as typed and as a code; a status the vocabulary does not know is kept as typed for the
    GX vocabulary check to report. Its derived twin is filled by `_derive_status` once the row is read."""
    raw_field, code_field, derived_field = (f.name for f in column.fields)
    value = row.cells.get(column.code)
    raw = _text(value)
    try:
        status, row.status_family = parse_status(value)
    except ValueError:
        status = raw
    row.record.update({raw_field: raw, code_field: status, derived_field: None})


def _derive_status(row: _Row, period_end: dt.date) -> None:
    """The status the deadline, completion date and progress imply at the end of the period: completes a
    family-only status (`Đã hoàn thành`) and warns where the reported status disagrees (DESIGN §4)."""
    record, family = row.record, row.status_family
    started = (record["tien_do"] or 0) > 0 or family in {"DANG", "HT"}
    derived = derive_status(record["deadline_date"], record["deadline_type"], record["ngay_hoan_thanh"],
                            period_end, started)
    status = record["status_code"]
    if status is None and family is not None:
        status = resolve_status_family(family, derived)
    if status in STATUSES and derived != status and record["deadline_type"] is not None:
        row.report(TASKS.column("tinh_trang"), "task.status_mismatch", value=record["tinh_trang_raw"],
                   derived=STATUSES[derived])
    record["status_code"], record["status_derived"] = status, derived


def _read_indicator_code(row: _Row, column: Column) -> None:
    value = row.cells.get(column.code)
    text = _text(value)
    row.record[column.fields[0].name] = _indicator_code(text)
    if isinstance(value, float) and not value.is_integer() and math.isfinite(value):
        row.report(column, "indicator.code_numeric", value=text)


def _read_number(row: _Row, column: Column) -> None:
    value_field, raw_field = (f.name for f in column.fields)
    value = row.cells.get(column.code)
    row.record[raw_field] = _text(value)
    row.record[value_field] = None
    try:
        row.record[value_field] = parse_number(value)
    except ValueError as exc:
        row.report(column, reason=str(exc))


_NO_FORMATS = _CellFormats(set(), set())

# Column kind (`columns.Kind`) -> the reader that fills the column's fields of a table row.
_READERS = {
    "text": _read_text,
    "doc_item": _read_doc_item,
    "lead_agency": _read_lead_agency,
    "partner_agencies": _read_partner_agencies,
    "deadline": _read_deadline,
    "date": _read_date,
    "progress": _read_progress,
    "status": _read_status,
    "indicator_code": _read_indicator_code,
    "number": _read_number,
}


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
    table = _locate_table(grid, INDICATORS, result.issues)
    result.indicator_table = table
    if table is None:
        return empty_frame(INDICATORS)
    filled = _fill_merged_down(grid, table.first_data_row)
    formulas = _formula_cells(book, grid, table)
    records = []
    footer = False
    for r in range(table.first_data_row, len(grid.rows)):
        own = [(c, v) for c, v in enumerate(grid.rows[r]) if not is_blank(v) and (r, c) not in filled]
        if not own:
            continue
        cells = {code: grid.value(r, c) for code, c in table.columns.items()}
        code_text = _text(cells.get("ma_chi_tieu"))
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
        row = _Row(table, r, cells, _NO_FORMATS, result.issues, {"source_row": r + 1})
        for column in INDICATORS.columns:
            _READERS[column.kind](row, column)
        records.append(row.record)
    frame = pd.DataFrame.from_records(records, columns=INDICATORS.frame_columns) if records else empty_frame(INDICATORS)
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
            issues.append(issue("text.legacy_encoding", count=len(converted), cell=cell_ref(c + 1, r + 1),
                                sheet=grid.name, row=r + 1, column=get_column_letter(c + 1)))
