"""Workbook grids -> typed rows: find the sheets and header rows, map columns, read every cell.

The parser is tolerant (DESIGN §4 "must still be accepted") and never raises on cell content: anything it
cannot read becomes an `Issue` at its sheet, row and column (rules in `intake.rules`). What it looks for
comes from the column registry (`nq57.columns`): header labels and synonyms, required columns, and each
column's kind, which picks its reader below (`_READERS`). Rules about the typed rows (required values,
vocabularies, ranges, uniqueness, cross-field rules) are Great Expectations suites, run in `validation`.

Where the parser has to guess, it says so at the cell or sheet concerned: a hidden or second sheet it
ignored or read, an Excel error value it read as blank, a date given as a serial number, dates whose day
and month look swapped, a damaged part it worked around. A missing sheet or column is reported on a cell
the agency can find.
"""

from __future__ import annotations

import bisect
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
    strip_quote_prefix,
)
from nq57.intake.workbook import CellError, SheetGrid, Workbook
from nq57.textnorm import clean, fold, fold_key
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



ROLE_LABELS = {SHEET_INFO: "thông tin chung", SHEET_TASKS: "danh sách nhiệm vụ", SHEET_INDICATORS: "bảng chỉ tiêu"}
# Where the template puts each table's header (1-based), to point at when the header cannot be found.
TEMPLATE_HEADER_ROW = 3
# A header may span up to three rows (a group label over sub-headers, the rest merged down).
MAX_HEADER_DEPTH = 3
# A merged range wider than this is a title across the sheet, not a group label over columns.
_MAX_GROUP_WIDTH = 64


@dataclass
class TableSheet:
    """A located table: which sheet, header rows, and code -> 0-based column.

    `expected` gives, for template columns the sheet lacks, the 0-based column each is reported at (see
    `_expected_columns`), so that every issue about a missing column points at a cell the agency can find.
    """

    sheet: str
    header_row: int
    first_data_row: int
    columns: dict[str, int]
    expected: dict[str, int] = field(default_factory=dict)
    header_rows: int = 1

    def letter(self, code: str) -> str | None:
        if code in self.columns:
            return get_column_letter(self.columns[code] + 1)
        if code in self.expected:
            return get_column_letter(self.expected[code] + 1)
        return None


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
    #: (sheet, 1-based row, column letter) -> (what the cell is, the Excel error it holds), for every cell
    #: the parser read and found holding an Excel error: an error there names the Excel error.
    error_cells: dict[tuple[str, int, str], tuple[str, CellError]] = field(default_factory=dict)


def parse_workbook(book: Workbook) -> ParsedSubmission:
    """Typed info, tasks and indicators of a workbook, with every problem met on the way."""
    result = ParsedSubmission()
    _decode_legacy_text(book, result.issues)
    sheets = _assign_sheets(book, result.issues)
    _report_repairs(book, sheets, result.issues)
    # A damaged sheet may be the one a role lacks: the unreadable-sheet error says so instead.
    damaged = bool(book.unreadable)
    info_sheet = sheets[SHEET_INFO]
    if info_sheet is None:
        if not damaged:
            result.issues.append(_missing_sheet(book, SHEET_INFO))
    else:
        _parse_info(book, book.sheets[info_sheet], result)
    task_sheet = sheets[SHEET_TASKS]
    if task_sheet is None:
        if not damaged:
            result.issues.append(_missing_sheet(book, SHEET_TASKS))
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


def _assign_sheets(book: Workbook, issues: list[Issue]) -> dict[str, str | None]:
    """Which sheet plays which role: by name (any case, with or without diacritics or spaces), then by a
    name that contains the role's name (`Biểu 01 - Nhiệm vụ`), then by content (a `Sheet1` whose header
    row is the task table's). A sheet plays at most one role.

    Visible sheets come first: a hidden sheet plays a role only when no visible sheet can. Every other
    sheet that could have played a role it did not get (last month's hidden copy, a second visible copy)
    is named in a warning, and so is a hidden sheet that was read; a role no readable sheet can play but
    an unreadable (damaged) sheet might is an error naming that sheet.
    """
    names = [n for n in book.sheet_names if n in book.sheets and not fold_key(n).startswith("dm ")]
    visible = [n for n in names if not book.sheets[n].hidden]
    hidden = [n for n in names if book.sheets[n].hidden]
    scores: dict[tuple[str, str], int] = {}

    def score(name: str, role: str) -> int:
        if (name, role) not in scores:
            synonyms, table = _ROLES[role]
            grid = book.sheets[name]
            scores[(name, role)] = _header_block(grid, synonyms).score if table else _info_score(grid)
        return scores[(name, role)]

    def exact(name: str, role: str) -> bool:
        key = fold_key(name)
        return key in SHEET_KEYS[role] or key.replace(" ", "") in SHEET_KEYS[role]

    def contains(name: str, role: str) -> bool:
        key = f" {fold_key(name)} "
        return any(f" {k} " in key for k in SHEET_KEYS[role] if " " in k)

    def by_content(name: str, role: str) -> bool:
        return score(name, role) >= 3

    found: dict[str, str | None] = dict.fromkeys(_ROLES)
    for pool in (visible, hidden):
        for test in (exact, contains, by_content):
            for role in _ROLES:
                if found[role] is not None:
                    continue
                taken = set(found.values())
                candidates = [n for n in pool if n not in taken and test(n, role)]
                if test is by_content and candidates:
                    candidates = [max(candidates, key=lambda n, role=role: score(n, role))]
                if candidates:
                    found[role] = candidates[0]

    taken = {n for n in found.values() if n is not None}
    for other in names:
        if other in taken:
            continue
        role = next((role for test in (exact, contains) for role in _ROLES if test(other, role)), None)
        if role is None:
            best = max(_ROLES, key=lambda role: score(other, role))
            role = best if score(other, best) >= 3 else None
        chosen = found.get(role) if role else None
        if chosen is None:
            continue
        state = book.sheets[other].state
        how = {"hidden": "sheet ẩn", "veryHidden": "sheet ẩn (very hidden)"}.get(state, "sheet")
        issues.append(issue("sheet.ignored", how=how, other=other, role=ROLE_LABELS[role], sheet=chosen, row=1,
                            column="A"))
    for role, chosen in found.items():
        if chosen is None:
            continue
        grid = book.sheets[chosen]
        if grid.hidden:
            how = " ở mức chỉ mở lại được bằng macro (very hidden)" if grid.state == "veryHidden" else ""
            issues.append(issue("sheet.hidden_read", role=ROLE_LABELS[role], how=how, sheet=chosen, row=1, column="A"))
    _report_unreadable(book, found, issues)
    return found


def _report_unreadable(book: Workbook, found: dict[str, str | None], issues: list[Issue]) -> None:
    """A damaged sheet is an error when a role found no sheet (it may be the one), else a warning.

    The finding sits on the damaged sheet itself, by name and without a cell: the sheet exists (its tab is
    there to see) but none of its cells could be read. Only a sheet that is missing altogether is pointed
    at another sheet (`_missing_sheet`)."""
    if not book.unreadable:
        return
    missing = [role for role, name in found.items() if name is None and role != SHEET_INDICATORS]
    for name in book.unreadable:
        issues.append(issue("sheet.unreadable" if missing else "sheet.unreadable_extra", name=name, sheet=name))


def _anchor_sheet(book: Workbook) -> str | None:
    """A sheet the agency can see, for issues about the file as a whole: the first visible readable one."""
    visible = [n for n in book.sheet_names if n in book.sheets and not book.sheets[n].hidden]
    readable = [n for n in book.sheet_names if n in book.sheets]
    return (visible or readable or [None])[0]


def _missing_sheet(book: Workbook, role: str) -> Issue:
    """A missing sheet, pointed at a cell the agency can find: A1 of the first sheet they see."""
    anchor = _anchor_sheet(book)
    listed = ", ".join(f"“{n}”" for n in book.sheet_names[:8]) + (", …" if len(book.sheet_names) > 8 else "")
    return issue("sheet.missing", missing=role, role=ROLE_LABELS[role],
                 listing=f"; tệp có các sheet: {listed}" if listed else "", sheet=anchor,
                 row=1 if anchor else None, column="A" if anchor else None)


def _report_repairs(book: Workbook, sheets: dict[str, str | None], issues: list[Issue]) -> None:
    anchor = sheets.get(SHEET_TASKS) or _anchor_sheet(book)
    for repair in book.repairs:
        if repair.kind == "styles":
            issues.append(issue("file.part_repaired", sheet=anchor, row=1 if anchor else None,
                                column="A" if anchor else None))
        elif repair.kind == "cells" and repair.cells:
            match = re.match(r"([A-Z]+)(\d+)$", repair.cells[0])
            issues.append(issue("cell.damaged", cells=", ".join(repair.cells), sheet=repair.sheet,
                                row=int(match.group(2)) if match else None, column=match.group(1) if match else None))


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


@dataclass
class _HeaderBlock:
    row: int  # 0-based first header row
    depth: int  # header rows
    columns: dict[str, int]  # code -> 0-based column
    labels: dict[int, tuple[int, str]]  # column -> (0-based row, label text) of every header label
    groups: set[int]  # columns whose label is a group label (merged across several columns)

    @property
    def score(self) -> int:
        return len(self.columns)


def _header_cells(grid: SheetGrid, limit: int) -> dict[int, dict[int, tuple[object, bool, bool]]]:
    """Row -> column -> (value, own, group) for the first `limit` rows, with merged header cells spread over
    their range: `own` is False for a cell that only repeats a merged value, `group` is True for a value
    merged across several columns (a group label over sub-headers)."""
    rows: dict[int, dict[int, tuple[object, bool, bool]]] = {}
    for r in grid.row_indexes():
        if r >= limit:
            break
        rows[r] = {c: (v, True, False) for c, v in grid.row(r).items()}
    for (r1, c1), (r2, c2) in grid.merged:
        if r1 >= limit or c2 - c1 > _MAX_GROUP_WIDTH:
            continue
        value = grid.value(r1, c1)
        if is_blank(value):
            continue
        group = c2 > c1
        for r in range(r1, min(r2, r1 + MAX_HEADER_DEPTH, limit - 1) + 1):
            row = rows.setdefault(r, {})
            for c in range(c1, c2 + 1):
                if (r, c) == (r1, c1):
                    row[c] = (value, True, group)
                elif c not in row:
                    row[c] = (value, False, group)
    return rows


def _header_block(grid: SheetGrid, synonyms: dict[str, tuple[str, ...]]) -> _HeaderBlock:
    """The header of a table: the block of one to three rows, within the first `HEADER_SEARCH_ROWS`, whose
    labels name the most template columns.

    A deeper row continues the header only when every label it has of its own names a column (a row of
    sub-headers under a group label, e.g. Tình trạng / Tiến độ / Ngày hoàn thành under "Tình hình thực
    hiện"); it fills columns the rows above left unnamed or named only by a group label, never overrides
    a column's own label, so a data row can never pass for a header row.
    """
    rows = _header_cells(grid, HEADER_SEARCH_ROWS + MAX_HEADER_DEPTH)
    matches: dict[int, dict[int, str]] = {}
    for r, cells in rows.items():
        matches[r] = {c: code for c, (value, _own, _group) in cells.items() if (code := _match_label(value, synonyms))}
    best = _HeaderBlock(-1, 0, {}, {}, set())
    for r in sorted(rows):
        if r >= HEADER_SEARCH_ROWS or not matches[r]:
            continue
        column_code: dict[int, tuple[str, int, bool]] = {}  # column -> (code, block row, from a group label)
        for depth in range(1, MAX_HEADER_DEPTH + 1):
            rr = r + depth - 1
            cells = rows.get(rr, {})
            if depth > 1:
                own = [(c, v) for c, (v, is_own, _g) in cells.items() if is_own and not is_blank(v)]
                if not own or any(c not in matches.get(rr, {}) for c, _ in own):
                    break
            for c, code in matches.get(rr, {}).items():
                group = cells[c][2]
                held = column_code.get(c)
                if held is None or (held[2] and not group) or (depth > 1 and held[2]):
                    column_code[c] = (code, rr, group)
            columns: dict[str, int] = {}
            for c in sorted(column_code, key=lambda c: (column_code[c][2], -column_code[c][1], c)):
                columns.setdefault(column_code[c][0], c)
            if len(columns) > best.score:
                labels: dict[int, tuple[int, str]] = {}
                groups: set[int] = set()
                for block_row in range(r, rr + 1):
                    for c, (value, is_own, group) in rows.get(block_row, {}).items():
                        if is_own and isinstance(value, str) and not is_blank(value):
                            labels[c] = (block_row, clean(value))
                        if group:
                            groups.add(c)
                best = _HeaderBlock(r, depth, columns, labels, groups)
    return best


_NUMBERING_TOKEN = re.compile(r"^[(\[{]?\s*(?:cot|col|column|c)?\s*\.?\s*(\d{1,3}|[a-z]{1,2})\s*[)\]}]?\s*[.:]?$")


def _is_numbering_row(values: list[object]) -> bool:
    """A row numbering the columns, as government forms carry under the header: `1 2 3 …`, `(1) (2) …`,
    `[1] [2] …`, `A B C 1 2 3`, `Cột 1 Cột 2 …`. Every cell a number or letter token, at least three,
    numbers increasing and letters increasing."""
    numbers: list[int] = []
    letters: list[str] = []
    for value in values:
        if isinstance(value, bool):
            return False
        if isinstance(value, (int, float)):
            if not (isinstance(value, int) or value.is_integer()) or not 0 <= value < 1000:
                return False
            numbers.append(int(value))
            continue
        if not isinstance(value, str):
            return False
        match = _NUMBERING_TOKEN.match(fold(value).strip())
        if not match:
            return False
        token = match.group(1)
        if token.isdigit():
            numbers.append(int(token))
        else:
            letters.append(token)
    if len(numbers) + len(letters) < 3:
        return False
    increasing = all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
    ordered = all((len(a), a) < (len(b), b) for a, b in zip(letters, letters[1:], strict=False))
    return increasing and ordered


def _locate_table(grid: SheetGrid, spec: Table, issues: list[Issue]) -> TableSheet | None:
    block = _header_block(grid, spec.synonyms)
    if block.score < 2:
        return None
    header_row = block.row
    columns = dict(block.columns)
    first_data = header_row + block.depth
    codes = set(spec.codes)
    # Under the header: the template's hidden code row (authoritative when present) and a row numbering the
    # columns, in either order; neither is data.
    for _ in range(2):
        row = grid.row(first_data)
        if not row:
            break
        code_cells = {clean(v): c for c, v in row.items() if isinstance(v, str) and clean(v) in codes}
        if len(code_cells) >= 2:
            columns = {**columns, **code_cells}
            first_data += 1
        elif _is_numbering_row(list(row.values())):
            first_data += 1
        else:
            break
    mapped = set(columns.values())
    for c, (r, label) in sorted(block.labels.items()):
        if c in mapped or (c in block.groups and _group_covers_mapped(grid, header_row, c, mapped)):
            continue
        issues.append(issue("column.unknown", header=label, sheet=grid.name, row=r + 1, column=get_column_letter(c + 1)))
    expected = _expected_columns(spec.columns, columns, set(block.labels))
    for column in spec.columns:
        if column.required and column.code not in columns:
            issues.append(_missing_column(grid, column, spec.columns, columns, expected, header_row, block))
    return TableSheet(grid.name, header_row, first_data, columns, expected, block.depth)


def _group_covers_mapped(grid: SheetGrid, header_row: int, column: int, mapped: set[int]) -> bool:
    for (r1, c1), (r2, c2) in grid.merged:
        if c1 <= column <= c2 and c2 > c1 and r1 <= header_row + MAX_HEADER_DEPTH and r2 >= header_row:
            if any(c in mapped for c in range(c1, c2 + 1)):
                return True
    return False


def _expected_columns(specs: tuple[Column, ...], columns: dict[str, int], used: set[int]) -> dict[str, int]:
    """Template columns the sheet lacks -> a column to report them at: right after the mapped column that
    precedes them in the template (or just before the one following them) when that column holds no other
    template column (a renamed header there is where they went); else the next free column right of the
    table. Never a column another template column occupies, so no issue about a missing column lands on a
    cell holding something else."""
    order = [spec.code for spec in specs]
    taken = set(columns.values())
    free = max(used | taken, default=-1) + 1
    expected: dict[str, int] = {}
    for i, code in enumerate(order):
        if code in columns:
            continue
        before = [columns[c] for c in order[:i] if c in columns]
        after = [columns[c] for c in order[i + 1:] if c in columns]
        natural = before[-1] + 1 if before else (after[0] - 1 if after else free)
        if natural < 0 or natural in taken:
            natural, free = free, free + 1
        expected[code] = natural
        taken.add(natural)
    return expected


def _missing_column(grid: SheetGrid, spec: Column, specs: tuple[Column, ...], columns: dict[str, int],
                    expected: dict[str, int], header_row: int, block: _HeaderBlock) -> Issue:
    column = expected[spec.code]
    letter = get_column_letter(column + 1)
    labels = {s.code: s.label for s in specs}
    order = [s.code for s in specs]
    before = [c for c in order[: order.index(spec.code)] if c in columns]
    where = (f"theo mẫu, cột này nằm ngay sau cột “{labels[before[-1]]}” "
             f"({get_column_letter(columns[before[-1]] + 1)})" if before else "theo mẫu, đây là một trong các cột đầu bảng")
    found = block.labels.get(column)
    natural = columns[before[-1]] + 1 if before else None
    if found:
        there = f"; ô {letter}{found[0] + 1} đang ghi “{found[1]}”, không phải tên cột của mẫu"
    elif natural is not None and natural != column:
        there = f" (chỗ đó đang là cột khác, nên lỗi được ghi ở ô trống {letter}{header_row + 1})"
    else:
        there = ""
    return issue("column.missing", label=spec.label, place=f"{where}{there}", sheet=grid.name, row=header_row + 1,
                 column=letter)


def _table_not_found(grid: SheetGrid, spec: Table) -> Issue:
    """No header: point at the row that came closest, else the template's header row, in column A."""
    block = _header_block(grid, spec.synonyms)
    labels = ", ".join(column.label for column in spec.columns[:3])
    return issue("table.header_missing", table=ROLE_LABELS[spec.sheet], rows=HEADER_SEARCH_ROWS,
                 template_row=TEMPLATE_HEADER_ROW, labels=labels, sheet=grid.name,
                 row=block.row + 1 if block.row >= 0 else TEMPLATE_HEADER_ROW, column="A")


def _fill_merged_down(grid: SheetGrid, from_row: int) -> set[tuple[int, int]]:
    """A value merged down several rows (e.g. one lead agency for a block of tasks) applies to each row that
    holds data. Returns the cells filled this way, which do not make a row non-blank on their own. Only rows
    that hold values are visited, so a merged range declared down to row 1,048,576 costs nothing."""
    filled: set[tuple[int, int]] = set()
    rows = grid.row_indexes(from_row)
    for (r1, c1), (r2, _c2) in grid.merged:
        if r2 <= r1 or r1 < from_row:
            continue
        value = grid.value(r1, c1)
        if is_blank(value):
            continue
        start = bisect.bisect_right(rows, r1)
        end = bisect.bisect_right(rows, r2)
        for r in rows[start:end]:
            if is_blank(grid.value(r, c1)):
                grid.set(r, c1, value)
                filled.add((r, c1))
    return filled


# ---------------------------------------------------------------- cells


def _cell(grid: SheetGrid, r: int, c: int | None) -> object:
    """A cell's value as the parser reads it: a literal leading apostrophe dropped."""
    return None if c is None else strip_quote_prefix(grid.value(r, c))


def _note_error_cell(grid: SheetGrid, r: int, c: int | None, what: str, result: ParsedSubmission) -> None:
    """A cell the parser reads holds an Excel error: warn at it (read as blank); `evaluate` turns any error
    raised at the same cell into one naming the Excel error."""
    if c is None:
        return
    found = grid.errors.get((r, c))
    if found is None:
        return
    letter = get_column_letter(c + 1)
    result.error_cells[(grid.name, r + 1, letter)] = (what, found)
    result.issues.append(issue("cell.excel_error", cell=cell_ref(letter, r + 1), label=what, code=found.code,
                               meaning=f" ({found.meaning})" if found.meaning else "", sheet=grid.name, row=r + 1,
                               column=letter))


def name_excel_errors(issues: list[Issue], error_cells: dict[tuple[str, int, str], tuple[str, CellError]]) -> list[Issue]:
    """Where a rule needs a value from a cell that holds an Excel error, say so: the errors raised at that
    cell become one error naming the Excel error (never "value missing"), and its warning goes."""
    if not error_cells:
        return issues
    needed = {(i.sheet, i.row, i.column) for i in issues if i.severity == "error" and i.rule != "cell.excel_error_required"}
    out: list[Issue] = []
    done: set[tuple] = set()
    for finding in issues:
        where = (finding.sheet, finding.row, finding.column)
        if where not in error_cells or where not in needed:
            out.append(finding)
            continue
        if finding.severity != "error" or where in done:
            continue
        done.add(where)
        what, found = error_cells[where]
        out.append(issue("cell.excel_error_required", cell=cell_ref(finding.column, finding.row), label=what,
                         code=found.code, meaning=f" ({found.meaning})" if found.meaning else "",
                         reason=finding.message[:1].lower() + finding.message[1:], sheet=finding.sheet,
                         row=finding.row, column=finding.column))
    return out


# ---------------------------------------------------------------- ThongTin


def _info_score(grid: SheetGrid) -> int:
    hits = set()
    for r in grid.row_indexes():
        if r >= 40:
            break
        for c, value in grid.row(r).items():
            if c >= 4:
                break
            code = _match_label(value, INFO.synonyms)
            if code:
                hits.add(code)
    return len(hits)


def _parse_info(book: Workbook, grid: SheetGrid, result: ParsedSubmission) -> None:
    value_cells: dict[str, tuple[int, int]] = {}
    for r in grid.row_indexes():
        row = grid.row(r)
        for c, value in row.items():
            if c >= 4:
                break
            code = _match_label(value, INFO.synonyms)
            if code is None or code in result.info:
                continue
            value_col = c + 1
            for c2 in (k for k in row if k > c):
                candidate = strip_quote_prefix(row[c2])
                if c2 == value_col and isinstance(candidate, str) and clean(candidate) in INFO.synonyms:
                    value_col += 1  # the template's hidden code column sits between label and value
                    continue
                if not is_blank(candidate) and _match_label(candidate, INFO.synonyms) is None:
                    result.info[code] = candidate
                    value_cells[code] = (r, c2)
                    break
            else:
                if (r, value_col) in grid.errors:
                    value_cells[code] = (r, value_col)
            r_c = value_cells.get(code, (r, value_col))
            result.info_cells.setdefault(code, (grid.name, r_c[0] + 1, get_column_letter(r_c[1] + 1)))
            break
    sheet = grid.name
    for code, (r, c) in value_cells.items():
        _note_error_cell(grid, r, c, INFO.column(code).label, result)

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
            value = _INFO_READERS[column.kind](raw, book)
        except ValueError as exc:
            result.issues.append(issue(column.rule, reason=str(exc), value=clean(str(raw)), **where(column.code)))
            continue
        setattr(result, column.fields[0].name, value)
        if column.kind == "date" and _is_serial(raw) and value is not None:
            _sheet, row, letter = result.info_cells[column.code]
            result.issues.append(_serial_warning(grid.name, column.label, [(cell_ref(letter, row), raw, value)],
                                                 book.epoch1904))


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


# ThongTin kind -> the value's reader, given the workbook for its date system (raises ValueError with a
# Vietnamese reason).
_INFO_READERS = {
    "agency": lambda value, book: _read_agency(value),
    "period": lambda value, book: parse_period(value),
    "system": lambda value, book: _read_system(value),
    "date": lambda value, book: parse_date(value, epoch1904=book.epoch1904),
    "yes_no": lambda value, book: bool(parse_yes_no(value)),
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


def _is_serial(value: object) -> bool:
    """A plain number standing for a date (an Excel serial in a cell not formatted as a date)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not (
        1900 <= float(value) <= 2100 and float(value).is_integer())


def _serial_warning(sheet: str, label: str, cells: list[tuple[str, object, dt.date]], epoch1904: bool) -> Issue:
    system = "hệ ngày 1904 của tệp (Excel cho Mac)" if epoch1904 else "hệ ngày 1900 của Excel"
    match = re.match(r"([A-Z]+)(\d+)$", cells[0][0])
    shown = "; ".join(f"{cell}: {_text(raw)} → {day:%d/%m/%Y}" for cell, raw, day in cells[:5])
    more = f" và {len(cells) - 5} ô khác" if len(cells) > 5 else ""
    return issue("cell.date_serial", count=len(cells), label=label, listing=f"{shown}{more}", system=system,
                 sheet=sheet, row=int(match.group(2)), column=match.group(1))


_DAY_FIRST = re.compile(r"^\s*(\d{1,2})\s*[/\-.]\s*\d{1,2}\s*[/\-.]")


def _month_first_format(number_format: str, format_id: int) -> bool:
    """A date format that shows the month number before the day (`m/d/yyyy`, `mm-dd-yy`). The built-in
    short date (format 14) follows the reader's regional settings and says nothing."""
    if format_id in (14, 22):
        return False
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", number_format.lower())
    month = re.search(r"(?<!m)m{1,2}(?!m)", code.replace("h:mm", "").replace("mm:ss", ""))
    day = re.search(r"(?<!d)d{1,2}(?!d)", code)
    return bool(month and day and month.start() < day.start())


def _swapped_date_warnings(book: Workbook, grid: SheetGrid, table: TableSheet,
                           dates: dict[str, list[tuple[int, object, dt.date | None]]]) -> list[Issue]:
    """Dates whose day and month were likely swapped by an Excel set to month-first.

    Typed into such an Excel, `05/09/2026` becomes 9 May (a real date whose day is 12 or less) while
    `30/09/2026` stays text. So a column that mixes day-first text dates, all with a day above 12, with real
    dates whose day is 12 or less has its real dates flagged; so has a real date shown month-first
    (`m/d/yyyy`), which a Vietnamese reader takes the other way. A day equal to its month reads the same
    both ways and is never flagged.
    """
    issues: list[Issue] = []
    for code, cells in dates.items():
        column = table.columns.get(code)
        if column is None:
            continue
        real = [(r, day) for r, raw, day in cells
                if isinstance(raw, dt.date) and day is not None and day.day <= 12 and day.day != day.month]
        if not real:
            continue
        typed = [(r, int(first.group(1)), day) for r, raw, day in cells
                 if isinstance(raw, str) and day is not None and (first := _DAY_FIRST.match(raw))]
        evidence = bool(typed) and all(first > 12 for _, first, _ in typed)
        styles = book.styles(grid.name, [(r, column) for r, _ in real])
        suspects = [(r, day) for r, day in real
                    if evidence or _month_first_format(styles[(r, column)].number_format, styles[(r, column)].format_id)]
        if not suspects:
            continue
        letter = get_column_letter(column + 1)
        listed = "; ".join(f"{letter}{r + 1}: đọc là {day:%d/%m/%Y}, nếu bị đảo là {day.month:02d}/{day.day:02d}/{day.year}"
                           for r, day in suspects[:5])
        more = f" và {len(suspects) - 5} ô khác" if len(suspects) > 5 else ""
        if evidence:
            r0, _, day0 = typed[0]
            sign = (f"cùng cột có ngày gõ dạng chữ mà Excel không nhận là ngày ({letter}{r0 + 1}: {day0:%d/%m/%Y}), "
                    "dấu hiệu Excel trên máy nhập liệu đặt kiểu tháng/ngày")
        else:
            sign = "các ô này hiển thị theo kiểu tháng/ngày (m/d/yyyy)"
        issues.append(issue("task.date_maybe_swapped", label=TASKS.column(code).label, listing=f"{listed}{more}",
                            sign=sign, sheet=grid.name, row=suspects[0][0] + 1, column=letter))
    return issues


def _parse_tasks(book: Workbook, grid: SheetGrid, result: ParsedSubmission) -> pd.DataFrame:
    table = _locate_table(grid, TASKS, result.issues)
    result.task_table = table
    if table is None:
        result.issues.append(_table_not_found(grid, TASKS))
        return empty_frame(TASKS)
    filled = _fill_merged_down(grid, table.first_data_row)
    cols = table.columns
    formats = _CellFormats(percent=_percent_cells(book, grid, table), month_only=_month_formatted_dates(book, grid, table))
    formulas = _formula_cells(book, grid, table)
    report_period_end = periods.end(result.period) if result.period else None
    records: list[dict] = []
    group: str | None = None
    footer = False
    dates = _DateCells(book.epoch1904)
    for r in grid.row_indexes(table.first_data_row):
        own = [(c, v) for c, v in grid.row(r).items() if not is_blank(v) and (r, c) not in filled]
        if not own:
            continue  # blank, or only the continuation of a cell merged down from above
        cells = {code: _cell(grid, r, c) for code, c in cols.items()}
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
        for column_code, c in cols.items():
            _note_error_cell(grid, r, c, TASKS.column(column_code).label, result)
        for c in formulas.get(r, ()):
            result.issues.append(_formula_warning(grid.name, r + 1, get_column_letter(c + 1)))
        row = _Row(table, r, cells, formats, result.issues, {"source_row": r + 1, "task_group": group}, dates)
        for column in TASKS.columns:
            _READERS[column.kind](row, column)
        if report_period_end is not None:
            _derive_status(row, report_period_end)
        records.append(row.record)
    for code, found in dates.serials.items():
        if found:
            result.issues.append(_serial_warning(grid.name, TASKS.column(code).label, found, book.epoch1904))
    result.issues.extend(_swapped_date_warnings(book, grid, table, dates.read))
    frame = pd.DataFrame.from_records(records, columns=TASKS.frame_columns) if records else empty_frame(TASKS)
    return frame.astype(object).where(frame.notna(), None)


# ---------------------------------------------------------------- cell readers, one per column kind


@dataclass(frozen=True)
class _CellFormats:
    """Cells whose number format changes what their value means (0-based (row, column))."""

    percent: set[tuple[int, int]]  # a fraction shown as a percentage
    month_only: set[tuple[int, int]]  # a date shown without its day


@dataclass
class _DateCells:
    """The dates a table's rows held, for what the table as a whole says about them: the workbook's date
    system, the cells that gave a date as a serial number, and every (row, raw value, date) read per column."""

    epoch1904: bool = False
    serials: dict[str, list[tuple[str, object, dt.date]]] = field(default_factory=dict)
    read: dict[str, list[tuple[int, object, dt.date | None]]] = field(default_factory=dict)

    def note(self, row: _Row, code: str, raw: object, day: dt.date | None) -> None:
        self.read.setdefault(code, []).append((row.index, raw, day))
        if day is not None and _is_serial(raw):
            self.serials.setdefault(code, []).append((cell_ref(row.table.letter(code), row.index + 1), raw, day))


@dataclass
class _Row:
    """One table row being read: its cells by column code, the record filled from them, its findings."""

    table: TableSheet
    index: int  # 0-based grid row
    cells: dict[str, object]
    formats: _CellFormats
    issues: list[Issue]
    record: dict[str, object]
    dates: _DateCells = field(default_factory=_DateCells)
    lead: str | None = None
    extra_partners: list[str] = field(default_factory=list)
    status_family: str | None = None

    def where(self, code: str) -> dict:
        """Location of a column's cell in this row (where the column is expected when the file lacks it)."""
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


# A role note written after an agency: `Bộ Tài chính (chủ trì)`, `BTC - chủ trì`, `BTC (Chủ trì, phối hợp với
# BKHCN)`, `(cơ quan chủ trì)`, or before it: `Chủ trì: BTC`. Matched on folded text (no case, no diacritics).
_ROLE_NOTE = {
    "chu tri": (re.compile(r"\s*[(\[][^)\]]*\bchu tri\b[^)\]]*[)\]]\s*$|\s*[-–—:,;]\s*(?:la\s+)?(?:(?:co quan|don vi)\s+)?chu tri\b.*$"),
                re.compile(r"^\s*(?:(?:co quan|don vi)\s+)?chu tri\s*[:\-–—]\s*")),
    "phoi hop": (re.compile(r"\s*[(\[][^)\]]*\bphoi hop\b[^)\]]*[)\]]\s*$|\s*[-–—:,;]\s*(?:la\s+)?(?:(?:co quan|don vi)\s+)?phoi hop\b.*$"),
                 re.compile(r"^\s*(?:(?:co quan|don vi)\s+)?phoi hop\s*[:\-–—]\s*")),
}


def _resolve_agency(text: str | None, role: str) -> str | None:
    """An agency code for a cell's text, also when the text carries a note of the agency's role."""
    if not text:
        return None
    code = reference.resolve_agency(text)
    if code is not None:
        return code
    after, before = _ROLE_NOTE[role]
    folded = fold(text)
    stripped = before.sub("", after.sub("", folded)).strip(" .,;:-–—")
    return reference.resolve_agency(stripped) if stripped and stripped != folded else None


def _read_lead_agency(row: _Row, column: Column) -> None:
    """The lead agency as a code. Names, abbreviations and pre-merger names resolve through the reference
    list, with or without a note of the role (`Bộ Tài chính (chủ trì)`); when the cell lists several agencies
    (`;`, `,`, line breaks), the first leads and the others become partners (with a warning)."""
    code_field, raw_field = (f.name for f in column.fields)
    value = row.cells.get(column.code)
    raw = _text(value)
    row.record[raw_field] = raw
    row.record[code_field] = None
    if not raw:
        return
    lead = _resolve_agency(raw, "chu tri")
    parts = reference.split_agencies(_raw_str(value))
    if lead is None and len(parts) > 1:
        lead = _resolve_agency(parts[0], "chu tri")
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
        code = _resolve_agency(partner, "phoi hop")
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
            deadline, kind = parse_deadline(value, epoch1904=row.dates.epoch1904)
        except ValueError as exc:
            row.report(column, reason=str(exc))
        if kind == "NGAY" and row.formatted(column.code, row.formats.month_only):
            # An Excel date shown as `06/2025`: Excel turned the typed month into its first day.
            deadline, kind = dt.date(deadline.year, deadline.month,
                                     calendar.monthrange(deadline.year, deadline.month)[1]), "THANG"
            raw = f"{deadline.month:02d}/{deadline.year}"
        elif kind == "NGAY":
            row.dates.note(row, column.code, value, deadline)
    row.record.update({raw_field: raw, date_field: deadline, type_field: kind})


def _read_date(row: _Row, column: Column) -> None:
    row.record[column.fields[0].name] = None
    value = row.cells.get(column.code)
    try:
        row.record[column.fields[0].name] = day = parse_date(value, epoch1904=row.dates.epoch1904)
    except ValueError as exc:
        row.report(column, reason=str(exc))
    else:
        if day is not None:
            row.dates.note(row, column.code, value, day)


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


def _column_cells(grid: SheetGrid, table: TableSheet, code: str, test) -> list[tuple[int, int]]:
    """The (row, column) cells of one table column, below the header, whose value passes `test`."""
    column = table.columns.get(code)
    if column is None:
        return []
    return [(r, column) for r in grid.row_indexes(table.first_data_row) if test(grid.value(r, column))]


def _month_formatted_dates(book: Workbook, grid: SheetGrid, table: TableSheet) -> set[tuple[int, int]]:
    """Deadline cells holding an Excel date shown without its day (`mm/yyyy`): typed as a month."""
    dates = _column_cells(grid, table, "thoi_han", lambda v: isinstance(v, dt.date) and not isinstance(v, dt.datetime))
    if not dates:
        return set()
    return {cell for cell, style in book.styles(grid.name, dates).items() if _month_only_format(style.number_format)}


def _month_only_format(number_format: str) -> bool:
    """`mm/yyyy`, `mmm-yy`, `[$-42A]mm/yyyy`: shows month and year, no day."""
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", number_format.lower())
    return "y" in code and "m" in code and "d" not in code and "h" not in code and "s" not in code


def _percent_cells(book: Workbook, grid: SheetGrid, table: TableSheet) -> set[tuple[int, int]]:
    """Progress cells that hold a fraction in a percent-formatted cell (0.8 shown as 80%)."""
    fractions = _column_cells(grid, table, "tien_do",
                              lambda v: isinstance(v, float) and not isinstance(v, bool) and 0 < v <= 1)
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
    for r in grid.row_indexes(table.first_data_row):
        own = [(c, v) for c, v in grid.row(r).items() if not is_blank(v) and (r, c) not in filled]
        if not own:
            continue
        cells = {code: _cell(grid, r, c) for code, c in table.columns.items()}
        code_text = _text(cells.get("ma_chi_tieu"))
        has_value = not is_blank(cells.get("gia_tri"))
        if (not footer and not has_value and (code_text is None or _is_footer_text(code_text))
                and any(_is_footer_text(_text(v)) for _, v in own)):
            footer = True
        if footer and not (has_value and code_text):
            continue
        stt = _text(cells.get("stt"))
        if not has_value and (code_text is None or (stt and _SECTION_STT.match(stt)) or _SECTION_TEXT.match(code_text)):
            if not (code_text and (r, table.columns.get("gia_tri")) in grid.errors):
                continue  # a section row (`I. Đến năm 2030`) or a note: no indicator
        for column_code, c in table.columns.items():
            _note_error_cell(grid, r, c, INDICATORS.column(column_code).label, result)
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
        candidates = [(r, c) for r, row in grid.cells.items() for c, v in row.items()
                      if isinstance(v, str) and not v.isascii() and not _NOT_SINGLE_BYTE.search(v)
                      and detect_legacy_encoding(v, ".VnTime") is not None]
        if not candidates:
            continue
        styles = book.styles(grid.name, candidates)
        converted: list[tuple[int, int]] = []
        for r, c in candidates:
            font = styles[(r, c)].font_name if (r, c) in styles else None
            text, encoding = to_unicode(grid.cells[r][c], font)
            if encoding is not None:
                grid.cells[r][c] = text
                converted.append((r, c))
        if converted:
            r, c = min(converted)
            issues.append(issue("text.legacy_encoding", count=len(converted), cell=cell_ref(c + 1, r + 1),
                                sheet=grid.name, row=r + 1, column=get_column_letter(c + 1)))
