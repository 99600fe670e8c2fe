"""Workbook bytes -> plain grids of cell values, with merged ranges and (lazily) cell styles.

Reading uses python-calamine, the engine behind pandas' `engine="calamine"`: called directly it keeps
absolute cell positions and merged ranges, which pandas drops and which the feedback needs (sheet, row,
column). Styles (number formats, fonts) come from openpyxl only when a rule needs them.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from functools import cached_property

import python_calamine
from openpyxl.utils import column_index_from_string

from nq57.intake.issues import cell_ref

Cell = object  # str | float | int | bool | datetime | date | time | None


@dataclass
class SheetGrid:
    name: str
    rows: list[list[Cell]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def value(self, row: int, col: int) -> Cell:
        """0-based access that tolerates ragged rows."""
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None


@dataclass
class CellStyle:
    number_format: str
    font_name: str | None


class UnreadableWorkbook(ValueError):
    """The reader could not make sense of the file's content (damaged or hand-made parts)."""


class Workbook:
    """A parsed workbook: grids by sheet name, plus openpyxl styles on demand (xlsx only)."""

    def __init__(self, data: bytes, kind: str) -> None:
        self.data = data
        self.kind = kind
        self.sheet_names: list[str] = []
        self.sheets: dict[str, SheetGrid] = {}
        try:
            self._read(data)
        except Exception:
            raise
        except BaseException as exc:
            # calamine is Rust: a damaged file can make it panic, which pyo3 raises as PanicException, a
            # BaseException that `except Exception` does not catch. For the caller it is an unreadable file.
            if type(exc).__name__ == "PanicException":
                raise UnreadableWorkbook(f"the reader stopped on a damaged part: {exc}") from exc
            raise

    def _read(self, data: bytes) -> None:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            self.sheet_names = list(book.sheet_names)
            for name in self.sheet_names:
                sheet = book.get_sheet_by_name(name)
                merged = [(tuple(start), tuple(end)) for start, end in (sheet.merged_cell_ranges or [])]
                try:
                    values = sheet.to_python(skip_empty_area=False)
                except Exception:
                    raise
                except BaseException as exc:
                    # One cell can make calamine panic (a date-formatted number beyond the calendar, e.g.
                    # -1e11): read that sheet with openpyxl instead, which turns such a cell into an error.
                    if type(exc).__name__ != "PanicException" or self.kind != "xlsx":
                        raise
                    values = self._values_from_openpyxl(name)
                rows = [[_normalise(v) for v in row] for row in values]
                self.sheets[name] = SheetGrid(name, rows, merged)
        finally:
            book.close()

    def _values_from_openpyxl(self, sheet: str) -> list[list[Cell]]:
        import warnings

        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=True)
            try:
                return [[None if v in _EXCEL_ERRORS else v for v in row]
                        for row in book[sheet].iter_rows(values_only=True)]
            finally:
                book.close()

    @cached_property
    def _openpyxl_book(self):
        if self.kind != "xlsx":
            return None
        import openpyxl

        return openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=False)

    def styles(self, sheet: str, cells: list[tuple[int, int]]) -> dict[tuple[int, int], CellStyle]:
        """Number format and font of the given 0-based cells (empty for non-xlsx workbooks).

        Read straight from the sheet's XML (each cell's style index) and `styles.xml`, which costs a few
        milliseconds where loading the workbook in openpyxl costs over a hundred; openpyxl remains the
        fallback for a file whose parts this reader does not follow.
        """
        if self.kind != "xlsx" or not cells:
            return {}
        wanted = set(cells)
        try:
            found = self._styles_from_xml(sheet, wanted)
        except (KeyError, ValueError, IndexError, SyntaxError, zipfile.BadZipFile):
            found = None
        return found if found is not None else self._styles_from_openpyxl(sheet, wanted)

    def _styles_from_openpyxl(self, sheet: str, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], CellStyle]:
        book = self._openpyxl_book
        if book is None or sheet not in book.sheetnames:
            return {}
        worksheet = book[sheet]
        rows = sorted({r for r, _ in wanted})
        out: dict[tuple[int, int], CellStyle] = {}
        for r_index, row in enumerate(worksheet.iter_rows(min_row=rows[0] + 1, max_row=rows[-1] + 1)):
            r = rows[0] + r_index
            for c, cell in enumerate(row):
                if (r, c) in wanted and hasattr(cell, "number_format"):
                    font = getattr(cell, "font", None)
                    out[(r, c)] = CellStyle(cell.number_format or "General", getattr(font, "name", None))
        return out

    def _styles_from_xml(self, sheet: str, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], CellStyle] | None:
        archive, part, table = self._zip, self._sheet_parts.get(sheet), self._style_table
        if archive is None or part is None or table is None:
            return None
        formats, fonts, xfs = table
        xml = archive.read(part)
        first = _CELL_TAG.search(xml)
        if first is not None and _ATTR_R.search(first.group(1)) is None:
            return None  # cells without references: positions unknown, let openpyxl count them
        rows: dict[int, tuple[int, int]] = {}  # 0-based row -> span of its XML
        previous, index = None, -1
        for match in _ROW_TAG.finditer(xml):
            index = int(match.group(1)) - 1 if match.group(1) else index + 1
            if previous is not None:
                rows[previous[0]] = (previous[1], match.start())
            previous = (index, match.start())
        if previous is not None:
            rows[previous[0]] = (previous[1], len(xml))
        out: dict[tuple[int, int], CellStyle] = {}
        for r, c in wanted:
            style = 0
            if r in rows:
                start, end = rows[r]
                at = xml.find(b' r="' + cell_ref(c + 1, r + 1).encode() + b'"', start, end)
                if at >= 0:
                    tag = _CELL_TAG.match(xml, xml.rfind(b"<", start, at), end)
                    found = _ATTR_S.search(tag.group(1)) if tag is not None else None
                    style = int(found.group(1)) if found else 0
            out[(r, c)] = _cell_style(style, formats, fonts, xfs)
        return out

    @cached_property
    def _style_table(self) -> tuple[dict[int, str], list[str | None], list[tuple[int, int]]] | None:
        """(number format id -> code, font names, cell formats as (number format id, font id))."""
        archive = self._zip
        if archive is None:
            return None
        part = self._styles_part
        if part is None:
            return None
        from openpyxl.styles.numbers import BUILTIN_FORMATS

        formats: dict[int, str] = dict(BUILTIN_FORMATS)
        fonts: list[str | None] = []
        xfs: list[tuple[int, int]] = []
        root = _xml(archive.read(part))
        for section in root:
            name = _local(section.tag)
            if name == "numFmts":
                for fmt in section:
                    formats[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "General")
            elif name == "fonts":
                for font in section:
                    font_name = next((child.get("val") for child in font if _local(child.tag) == "name"), None)
                    fonts.append(font_name)
            elif name == "cellXfs":
                for xf in section:
                    xfs.append((int(xf.get("numFmtId", "0")), int(xf.get("fontId", "0"))))
        return formats, fonts, xfs

    @cached_property
    def _styles_part(self) -> str | None:
        archive = self._zip
        if archive is None:
            return None
        names = set(archive.namelist())
        book_part = self._book_part
        folder = posixpath.dirname(book_part)
        rels_part = posixpath.join(folder, "_rels", posixpath.basename(book_part) + ".rels")
        if rels_part in names:
            for rel in _xml(archive.read(rels_part)).iter():
                if rel.get("Type", "").endswith("/styles") and rel.get("Target"):
                    target = rel.get("Target")
                    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                    path = posixpath.normpath(path)
                    return path if path in names else None
        fallback = posixpath.join(folder, "styles.xml")
        return fallback if fallback in names else None

    @cached_property
    def _zip(self) -> zipfile.ZipFile | None:
        if self.kind != "xlsx":
            return None
        try:
            return zipfile.ZipFile(io.BytesIO(self.data))
        except zipfile.BadZipFile:
            return None

    @cached_property
    def _book_part(self) -> str:
        archive = self._zip
        book_part = "xl/workbook.xml"
        try:
            if archive is not None and "_rels/.rels" in archive.namelist():
                for rel in _xml(archive.read("_rels/.rels")).iter():
                    if rel.get("Type", "").endswith("/officeDocument") and rel.get("Target"):
                        book_part = posixpath.normpath(rel.get("Target").lstrip("/"))
        except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile):
            pass
        return book_part

    @cached_property
    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name -> the zip member holding its XML (from the workbook part and its relationships)."""
        archive = self._zip
        if archive is None:
            return {}
        try:
            names = set(archive.namelist())
            book_part = self._book_part
            folder = posixpath.dirname(book_part)
            rels_part = posixpath.join(folder, "_rels", posixpath.basename(book_part) + ".rels")
            targets = {}
            if rels_part in names:
                for rel in _xml(archive.read(rels_part)).iter():
                    if rel.get("Id") and rel.get("Target"):
                        target = rel.get("Target")
                        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                        targets[rel.get("Id")] = posixpath.normpath(path)
            parts = {}
            for element in _xml(archive.read(book_part)).iter():
                if element.tag.rsplit("}", 1)[-1] == "sheet":
                    rel_id = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
                    if rel_id in targets and targets[rel_id] in names:
                        parts[element.get("name")] = targets[rel_id]
            return parts
        except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile):
            return {}

    def formulas_without_value(self, sheet: str) -> list[tuple[int, int]]:
        """0-based cells holding a formula whose cached value is missing (read as blank).

        Excel stores each formula's last result beside it; files written by scripts or some web exports
        carry the formula alone, and every reader then sees an empty cell. Read from the sheet's XML, only
        when it holds a formula at all: no openpyxl, no per-cell work for ordinary files.
        """
        archive, part = self._zip, self._sheet_parts.get(sheet)
        if archive is None or part is None:
            return []
        try:
            xml = archive.read(part)
            if not _FORMULA_TAG.search(xml):
                return []
            return _formula_cells_without_value(xml)
        except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile):
            return []


_EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"})
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s([^>]*)>")
_ROW_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?row\b(?:[^>]*?\sr="(\d+)")?')
_ATTR_R = re.compile(rb'\br="\$?([A-Z]{1,3})\$?(\d+)"')
_ATTR_S = re.compile(rb'\bs="(\d+)"')
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _xml(data: bytes):
    from defusedxml import ElementTree

    return ElementTree.fromstring(data)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _formula_cells_without_value(xml: bytes) -> list[tuple[int, int]]:
    from defusedxml import ElementTree

    found: list[tuple[int, int]] = []
    row_index, col_index = -1, -1
    for event, element in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                r = element.get("r")
                row_index = int(r) - 1 if r and r.isdigit() else row_index + 1
                col_index = -1
            elif tag == "c":
                ref = _CELL_REF.match(element.get("r") or "")
                col_index = column_index_from_string(ref.group(1)) - 1 if ref else col_index + 1
            continue
        if tag == "c":
            children = {_local(child.tag): child for child in element}
            if "f" in children:
                value = children.get("v")
                empty = value is None or (not value.text and element.get("t") not in ("str", "s", "inlineStr"))
                if empty:
                    found.append((row_index, col_index))
            element.clear()
        elif tag == "row":
            element.clear()
    return found


def _cell_style(index: int, formats: dict[int, str], fonts: list[str | None], xfs: list[tuple[int, int]]) -> CellStyle:
    if not xfs:
        return CellStyle("General", None)
    fmt_id, font_id = xfs[index] if index < len(xfs) else xfs[0]
    return CellStyle(formats.get(fmt_id, "General") or "General", fonts[font_id] if font_id < len(fonts) else None)


def _normalise(value: Cell) -> Cell:
    if value == "":
        return None
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value
