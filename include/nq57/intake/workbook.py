"""Workbook bytes -> sparse grids of cell values, with merged ranges, number formats, fonts and repairs.

Reading cost follows the cells that hold a value, never a sheet's extent: one space typed in column XFD
costs one cell, a `<dimension>` declaring a million rows costs nothing, and formatting applied to empty
rows is parsed past without keeping anything.

* `.xlsx` parts are streamed through expat into callbacks, refusing what defusedxml refuses (any DTD,
  entity declaration or external reference, with defusedxml's exceptions), a few kilobytes at a time, so
  no part is ever held whole and no element tree is built.
  Part names are matched case-insensitively and relationship targets resolved as ECMA-376 Part 2 (OPC)
  says; parts may be UTF-8 or UTF-16 (with or without BOM), in the transitional or the Strict namespace,
  with or without prefixes, and cells with or without an `r` reference.
  python-calamine, the reader used before, builds a dense rows x columns range in Rust before Python sees
  a cell (tafia/calamine#433, dimastbk/python-calamine#130: one stray far-right cell made a 131 KB upload
  take 2.4 GB) and turns Excel error cells into empty strings; openpyxl's read-only reader pads every row
  to the widest one and only knows the transitional namespace.
* `.xls` is read with xlrd (`formatting_info=True`, ragged rows), so number formats (percent, month-only
  dates), date cells, fonts and error values come with the values exactly as for `.xlsx`.

Cell values are `str`, `float`, `bool`, `datetime.date` (a date cell at midnight), `datetime.datetime`,
`datetime.time` or `datetime.timedelta`; a cell holding an Excel error (`#N/A`, `#DIV/0!`, ...) is kept
apart in `SheetGrid.errors` so that it is never mistaken for a blank or for text.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from urllib.parse import unquote
from xml.parsers import expat

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring as _safe_fromstring
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

logger = logging.getLogger(__name__)

Cell = object  # str | float | bool | date | datetime | time | timedelta

#: Excel's error values ([MS-XLSX] 2.5.97.2 / ECMA-376 18.17.2 and later additions) with what each means,
#: in Vietnamese for the agency. A cell of type `e` holding any other text is still an error.
EXCEL_ERRORS: dict[str, str] = {
    "#NULL!": "hai vùng tham chiếu không giao nhau",
    "#DIV/0!": "phép chia cho 0",
    "#VALUE!": "sai kiểu giá trị trong công thức",
    "#REF!": "công thức tham chiếu tới ô, sheet hoặc tệp không còn tồn tại",
    "#NAME?": "công thức dùng tên hàm hoặc tên vùng không tồn tại",
    "#NUM!": "giá trị số không hợp lệ",
    "#N/A": "công thức tra cứu không tìm thấy giá trị",
    "#GETTING_DATA": "dữ liệu liên kết chưa được tải về",
    "#SPILL!": "kết quả mảng bị chặn, không hiển thị được",
    "#CALC!": "công thức mảng không tính được",
    "#FIELD!": "trường dữ liệu liên kết không tồn tại",
    "#BLOCKED!": "nguồn dữ liệu bị chặn",
    "#CONNECT!": "không kết nối được nguồn dữ liệu",
    "#BUSY!": "công thức đang được tính",
    "#UNKNOWN!": "kiểu dữ liệu không được hỗ trợ",
    "#PYTHON!": "lỗi trong công thức Python",
}

# BIFF error codes ([MS-XLS] 2.5.94 BErr).
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
                0x2A: "#N/A", 0x2B: "#GETTING_DATA"}

_CHUNK = 16 * 1024  # bytes of a part inflated and parsed at a time: a few chunks are the reader's fixed cost
_MAX_COLUMN = 16_383  # XFD
_MAX_ROW = 1_048_575


@dataclass(frozen=True)
class CellError:
    """An Excel error value in a cell: the cell has no known value."""

    code: str

    def __str__(self) -> str:
        return self.code

    @property
    def meaning(self) -> str | None:
        """What the error means, in Vietnamese (None for an error code Excel does not document)."""
        return EXCEL_ERRORS.get(self.code)


@dataclass
class CellStyle:
    number_format: str
    font_name: str | None
    format_id: int = 0


@dataclass
class SheetGrid:
    """One worksheet: only the cells that hold a value, keyed by 0-based row then 0-based column."""

    name: str
    cells: dict[int, dict[int, Cell]] = field(default_factory=dict)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    state: str = "visible"  # visible | hidden | veryHidden
    errors: dict[tuple[int, int], CellError] = field(default_factory=dict)
    style_ids: dict[int, dict[int, int]] = field(default_factory=dict)
    no_cached_value: list[tuple[int, int]] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return self.state != "visible"

    def value(self, row: int, col: int) -> Cell:
        found = self.cells.get(row)
        return None if found is None else found.get(col)

    def row(self, row: int) -> dict[int, Cell]:
        """Column -> value of the cells in this row that hold a value, left to right (empty if none)."""
        return self.cells.get(row, {})

    def row_indexes(self, start: int = 0) -> list[int]:
        """Rows holding at least one value, top to bottom, from `start` on."""
        return sorted(r for r in self.cells if r >= start)

    def set(self, row: int, col: int, value: Cell) -> None:
        """Give a cell a value, keeping the row's columns in order."""
        cells = self.cells.setdefault(row, {})
        in_order = col in cells or not cells or col > next(reversed(cells))
        cells[col] = value
        if not in_order:
            self.cells[row] = dict(sorted(cells.items()))


class UnreadableWorkbook(ValueError):
    """The workbook's content cannot be read (a damaged or hand-made part). The message is English."""


@dataclass
class TextAmplification(Exception):
    """Cells reference shared text far beyond what the file declares: many cells pointing at one long
    shared string (a 46 KB file expanding to 1.26 GB). Carries what the refusal names."""

    total: int
    limit: int
    length: int = 0
    count: int = 0
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        return f"{self.total:,} characters of referenced shared text (limit {self.limit:,})"


@dataclass(frozen=True)
class Repair:
    """Something the reader had to work around; the parser turns each into a warning for the agency."""

    kind: str  # "styles": number formats and fonts ignored; "cells": unreadable cells left blank
    sheet: str | None = None
    cells: tuple[str, ...] = ()


class Workbook:
    """A read workbook: a grid per readable worksheet, plus what could not be read or had to be repaired.

    `sheet_names` lists every worksheet in workbook order; `sheets` holds the readable ones;
    `unreadable` maps the others to an English reason. Raises `UnreadableWorkbook` when the workbook as a
    whole cannot be read, `TextAmplification` when its cells reference more shared text than
    `max_text` characters.
    """

    def __init__(self, data: bytes, kind: str, *, max_text: int | None = None) -> None:
        self.data = data
        self.kind = kind
        self.sheet_names: list[str] = []
        self.sheets: dict[str, SheetGrid] = {}
        self.unreadable: dict[str, str] = {}
        self.repairs: list[Repair] = []
        self.epoch1904 = False
        self._formats: list[tuple[int, str]] = []  # style id -> (number format id, format code)
        self._fonts: list[str | None] = []  # style id -> font name
        if max_text is None:
            from nq57.settings import get_settings

            max_text = get_settings().limits.max_referenced_text
        self.max_text = max_text
        if kind == "xls":
            _read_xls(self, data)
        else:
            _XlsxReader(self, data).read()

    def styles(self, sheet: str, cells: list[tuple[int, int]]) -> dict[tuple[int, int], CellStyle]:
        """Number format and font of the given 0-based cells (General and no font for unstyled cells)."""
        grid = self.sheets.get(sheet)
        if grid is None:
            return {}
        out: dict[tuple[int, int], CellStyle] = {}
        for r, c in cells:
            style = grid.style_ids.get(r, {}).get(c, 0)
            out[(r, c)] = self.style(style)
        return out

    def style(self, style_id: int) -> CellStyle:
        fmt_id, code = self._formats[style_id] if 0 <= style_id < len(self._formats) else (0, "General")
        font = self._fonts[style_id] if 0 <= style_id < len(self._fonts) else None
        return CellStyle(code or "General", font, fmt_id)

    def formulas_without_value(self, sheet: str) -> list[tuple[int, int]]:
        """0-based cells holding a formula whose cached value is missing (read as blank).

        Excel stores each formula's last result beside it; files written by scripts or some web exports carry
        the formula alone, and every reader then sees an empty cell.
        """
        grid = self.sheets.get(sheet)
        return list(grid.no_cached_value) if grid is not None else []


# ------------------------------------------------------------------------------------------------ values


def _normalise_date(value: Cell) -> Cell:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and value.tzinfo is None:
        return value.date()
    return value


_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ERROR_TEXTS = frozenset(EXCEL_ERRORS)


def _unescape(text: str) -> str:
    """ECMA-376 ST_Xstring: `_x000D_` is a carriage return, `_x005F_` a literal underscore; NUL dropped."""
    if "_x" in text:
        text = _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
        if any("\ud800" <= ch <= "\udfff" for ch in text):  # escaped UTF-16 surrogate pairs
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text


def _is_date_style(code: str) -> bool:
    return code != "General" and "General" not in code and is_date_format(code)


# Built-in formats openpyxl does not list: 27-36 and 50-58 are the East Asian locale dates.
_LOCALE_DATE_IDS = frozenset(range(27, 37)) | frozenset(range(50, 59))


def _format_code(fmt_id: int, custom: dict[int, str]) -> str:
    if fmt_id in custom:
        return custom[fmt_id]
    if fmt_id in BUILTIN_FORMATS:
        return BUILTIN_FORMATS[fmt_id]
    if fmt_id in _LOCALE_DATE_IDS:
        return "yyyy-mm-dd"
    return "General"


# ------------------------------------------------------------------------------------------------ xlsx


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
# Formatting on empty cells and rows: self-closing, with their own reference (see _Package.stream).
_EMPTY_CELL = re.compile(rb"<" + _PREFIX + rb"c\s[^<>]*?\br\s*=\s*[\"'][A-Za-z$]{1,4}[$\d]{1,8}[\"'][^<>]*/>")
_EMPTY_ROW = re.compile(rb"<(" + _PREFIX + rb")row\s[^<>]*?\br\s*=\s*[\"']\d{1,7}[\"'][^<>]*(?:/>|(?<!/)>\s*</\1row>)")
_RANGE = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7}):\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_PARSE_ERRORS = (DefusedXmlException, expat.ExpatError, SyntaxError, ValueError, LookupError, zipfile.BadZipFile,
                 OSError, EOFError)


def safe_expat(target):
    """A namespace-aware expat parser calling `target.start(name, attrs)`, `target.end(name)` and
    `target.data(text)` directly, names as `namespace}local` (or `local`). Like defusedxml's parsers it
    refuses any DTD, entity declaration and external reference (raising defusedxml's exceptions); unlike
    them it adds no Python layer between expat and the callbacks, which halves the cost of a worksheet."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.StartElementHandler = target.start
    parser.EndElementHandler = target.end
    parser.CharacterDataHandler = target.data

    def doctype(name, system_id, public_id, has_internal_subset):
        raise DTDForbidden(name, system_id, public_id)

    def entity(name, is_parameter_entity, value, base, system_id, public_id, notation_name):
        raise EntitiesForbidden(name, value, base, system_id, public_id, notation_name)

    def unparsed_entity(name, base, system_id, public_id, notation_name):
        raise EntitiesForbidden(name, None, base, system_id, public_id, notation_name)

    def external(context, base, system_id, public_id):
        raise ExternalReferenceForbidden(context, base, system_id, public_id)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = unparsed_entity
    parser.ExternalEntityRefHandler = external
    return parser


def column_index(letters: str) -> int:
    """`A` -> 0, `XFD` -> 16383."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


class _Stop(Exception):
    pass


class _Package:
    """The zip's parts by case-insensitive name (OPC part names compare case-insensitively)."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise UnreadableWorkbook(f"not a readable zip: {exc}") from exc
        self.parts: dict[str, zipfile.ZipInfo] = {}
        for info in self.zip.infolist():
            self.parts.setdefault(part_key(info.filename), info)

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.parts.get(part_key(name))

    def relationships(self, source: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, target part name) of a part; external targets are left out."""
        folder, base = posixpath.split(source)
        rels = self.find(posixpath.join(folder, "_rels", base + ".rels"))
        if rels is None:
            return {}
        found: dict[str, tuple[str, str]] = {}
        for element in _xml(self.read(rels)).iter():
            if _local(element.tag) != "Relationship" or element.get("TargetMode", "").lower() == "external":
                continue
            target, rid = element.get("Target"), element.get("Id")
            if target and rid:
                found[rid] = (element.get("Type") or "", resolve_target(folder, target))
        return found

    def read(self, info: zipfile.ZipInfo) -> bytes:
        with self.zip.open(info) as fh:
            return fh.read()

    def stream(self, info: zipfile.ZipInfo, target, *, worksheet: bool = False) -> None:
        """Feed a part to `target` (start/end/data callbacks) through defusedxml, one chunk at a time.

        For a worksheet, cells and rows that hold nothing (`<c r="A5" s="3"/>`, `<row r="9" s="1"/>`: formatting
        applied to empty cells) are cut out of each chunk by a regular expression before the parser sees them,
        so a million formatted rows cost a byte scan, not a million callbacks. Only elements with their own
        `r` reference are cut (removing one without it would shift the count of those after it)."""
        parser = safe_expat(target)
        try:
            with self.zip.open(info) as fh:
                carry = b""
                prune = worksheet
                first = True
                while True:
                    chunk = fh.read(_CHUNK)
                    if first:
                        first = False
                        prune = prune and not chunk.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"))
                    if not prune:
                        parser.Parse(chunk, not chunk)
                        if not chunk:
                            break
                        continue
                    buffer = carry + chunk
                    cut = buffer.rfind(b">") + 1 if chunk else len(buffer)
                    carry = buffer[cut:]
                    piece = buffer[:cut]
                    if b"<![CDATA[" not in piece:
                        piece = _EMPTY_ROW.sub(b"", _EMPTY_CELL.sub(b"", piece))
                    parser.Parse(piece, not chunk)
                    if not chunk:
                        break
        except _Stop:
            pass


def part_key(name: str) -> str:
    """The comparison key of a part name: `/XL\\Worksheets/Sheet1.xml` -> `xl/worksheets/sheet1.xml`."""
    return posixpath.normpath("/" + name.replace("\\", "/")).lstrip("/").lower()


def resolve_target(folder: str, target: str) -> str:
    """A relationship target relative to its source part's folder (or absolute) as a part name."""
    target = unquote(target.replace("\\", "/").split("#", 1)[0])
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    return posixpath.normpath("/" + path).lstrip("/")


def _xml(data: bytes):
    return _safe_fromstring(data, forbid_dtd=True)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "on")


class _XlsxReader:
    def __init__(self, book: Workbook, data: bytes) -> None:
        self.book = book
        self.package = _Package(data)
        self.referenced = 0
        self.long_refs: dict[int, list] = {}  # shared-string index -> [count, first sheet, first cell]

    def read(self) -> None:
        package, book = self.package, self.book
        book_part = "xl/workbook.xml"
        try:
            for rel_type, target in package.relationships("").values():
                if rel_type.endswith("/officeDocument"):
                    book_part = target
                    break
        except _PARSE_ERRORS as exc:
            logger.info("package relationships unreadable (%s); using %s", exc, book_part)
        info = package.find(book_part)
        if info is None:
            raise UnreadableWorkbook(f"no workbook part {book_part}")
        try:
            root = _xml(package.read(info))
            rels = package.relationships(book_part)
        except _PARSE_ERRORS as exc:
            raise UnreadableWorkbook(f"workbook part unreadable: {exc}") from exc
        sheets: list[tuple[str, str, str | None]] = []
        for element in root.iter():
            name = _local(element.tag)
            if name == "workbookPr":
                book.epoch1904 = _flag(element.get("date1904"))
            elif name == "sheet":
                rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
                sheet_name = element.get("name") or f"Sheet{len(sheets) + 1}"
                sheets.append((sheet_name, element.get("state") or "visible", rid))
        folder = posixpath.dirname(book_part)
        self._read_styles(self._related(rels, "/styles", posixpath.join(folder, "styles.xml")))
        strings = self._read_strings(self._related(rels, "/sharedStrings", posixpath.join(folder, "sharedStrings.xml")))
        epoch = MAC_EPOCH if book.epoch1904 else WINDOWS_EPOCH
        date_styles = {i for i, (_, code) in enumerate(book._formats) if _is_date_style(code)}
        timedelta_styles = {i for i in date_styles if is_timedelta_format(book._formats[i][1])}
        for sheet_name, state, rid in sheets:
            rel_type, target = rels.get(rid or "", ("", ""))
            if rel_type and not rel_type.endswith("/worksheet"):
                continue  # a chart sheet, dialog sheet or macro sheet: no grid of values
            if sheet_name in book.sheets or sheet_name in book.unreadable:
                continue
            book.sheet_names.append(sheet_name)
            part = package.find(target) if target else None
            if part is None:
                book.unreadable[sheet_name] = f"its part {target or '(no relationship)'} is missing"
                continue
            grid = SheetGrid(sheet_name, state=state if state in ("hidden", "veryHidden") else "visible")
            handler = _SheetTarget(grid, strings, date_styles, timedelta_styles, epoch, self)
            try:
                package.stream(part, handler, worksheet=True)
            except TextAmplification:
                raise
            except _PARSE_ERRORS as exc:
                book.unreadable[sheet_name] = f"{part.filename}: {exc}"
                continue
            handler.finish()
            if handler.bad_cells:
                book.repairs.append(Repair("cells", sheet_name, tuple(handler.bad_cells[:5])))
            book.sheets[sheet_name] = grid

    def _related(self, rels: dict[str, tuple[str, str]], kind: str, fallback: str) -> zipfile.ZipInfo | None:
        for rel_type, target in rels.values():
            if rel_type.endswith(kind):
                return self.package.find(target)
        return self.package.find(fallback)

    def _read_styles(self, part: zipfile.ZipInfo | None) -> None:
        if part is None:
            return
        target = _StylesTarget()
        try:
            self.package.stream(part, target)
        except _PARSE_ERRORS as exc:
            logger.info("styles part %s unreadable (%s): number formats and fonts ignored", part.filename, exc)
            self.book.repairs.append(Repair("styles"))
            return
        self.book._formats = [(fmt_id, _format_code(fmt_id, target.custom)) for fmt_id, _ in target.xfs]
        self.book._fonts = [target.fonts[font] if 0 <= font < len(target.fonts) else None for _, font in target.xfs]

    def _read_strings(self, part: zipfile.ZipInfo | None) -> list[str]:
        if part is None:
            return []
        target = SharedStringsTarget(keep_text=True)
        try:
            self.package.stream(part, target)
        except _PARSE_ERRORS as exc:
            raise UnreadableWorkbook(f"shared strings part {part.filename} unreadable: {exc}") from exc
        return target.strings

    def count_reference(self, length: int, index: int, sheet: str, row: int, col: int) -> None:
        """Add one cell's shared text to the running total; refuse past the limit."""
        self.referenced += length
        if length >= 1000:
            entry = self.long_refs.get(index)
            if entry is None:
                self.long_refs[index] = [1, sheet, f"{_column_letters(col)}{row + 1}", length]
            else:
                entry[0] += 1
        if self.referenced > self.book.max_text:
            count, first_sheet, first_cell, longest = max(
                self.long_refs.values(), key=lambda e: e[0] * e[3], default=[1, sheet, f"{_column_letters(col)}{row + 1}", length])
            raise TextAmplification(self.referenced, self.book.max_text, longest, count, first_sheet, first_cell)


class SharedStringsTarget:
    """Callback target for `sharedStrings.xml`: each `<si>`'s text (runs joined, phonetic runs left out),
    or with `keep_text=False` only each string's length."""

    def __init__(self, keep_text: bool) -> None:
        self.keep_text = keep_text
        self.strings: list[str] = []
        self.lengths: list[int] = []
        self._parts: list[str] | None = None
        self._text: list[str] | None = None
        self._phonetic = 0

    def start(self, tag: str, attrib: dict) -> None:
        name = tag[tag.rfind("}") + 1:]
        if name == "si":
            self._parts = []
        elif name == "t" and self._parts is not None and not self._phonetic:
            self._text = []
        elif name == "rPh":
            self._phonetic += 1

    def data(self, text: str) -> None:
        if self._text is not None:
            self._text.append(text)

    def end(self, tag: str) -> None:
        name = tag[tag.rfind("}") + 1:]
        if name == "t" and self._text is not None:
            if self._parts is not None:
                self._parts.append("".join(self._text))
            self._text = None
        elif name == "rPh":
            self._phonetic = max(0, self._phonetic - 1)
        elif name == "si" and self._parts is not None:
            text = _unescape("".join(self._parts))
            if self.keep_text:
                self.strings.append(text)
            else:
                self.lengths.append(len(text))
            self._parts = None

    def close(self) -> None:
        return None


class _StylesTarget:
    """Callback target for `styles.xml`: custom number formats, font names, and the cell formats (`cellXfs`)
    as (number format id, font id)."""

    def __init__(self) -> None:
        self.custom: dict[int, str] = {}
        self.fonts: list[str | None] = []
        self.xfs: list[tuple[int, int]] = []
        self._section: str | None = None
        self._font: list[str | None] | None = None

    def start(self, tag: str, attrib: dict) -> None:
        name = tag[tag.rfind("}") + 1:]
        if name in ("numFmts", "fonts", "cellXfs", "cellStyleXfs", "dxfs"):
            self._section = name
        elif name == "numFmt" and self._section == "numFmts":
            fmt_id = _int(attrib.get("numFmtId"))
            if fmt_id is not None:
                self.custom[fmt_id] = attrib.get("formatCode") or "General"
        elif name == "font" and self._section == "fonts":
            self._font = [None]
        elif name == "name" and self._font is not None:
            self._font[0] = attrib.get("val")
        elif name == "xf" and self._section == "cellXfs":
            self.xfs.append((_int(attrib.get("numFmtId")) or 0, _int(attrib.get("fontId")) or 0))

    def end(self, tag: str) -> None:
        name = tag[tag.rfind("}") + 1:]
        if name == "font" and self._font is not None:
            self.fonts.append(self._font[0])
            self._font = None
        elif name in ("numFmts", "fonts", "cellXfs", "cellStyleXfs", "dxfs"):
            self._section = None

    def data(self, text: str) -> None:
        return None

    def close(self) -> None:
        return None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class _SheetTarget:
    """Callback target for a worksheet part: keeps the cells that hold a value, their style, the merged
    ranges, and the formulas stored without a result. Nothing else of the sheet is kept."""

    def __init__(self, grid: SheetGrid, strings: list[str], date_styles: set[int], timedelta_styles: set[int],
                 epoch: dt.datetime, reader: _XlsxReader) -> None:
        self.grid, self.strings, self.reader = grid, strings, reader
        self.date_styles, self.timedelta_styles, self.epoch = date_styles, timedelta_styles, epoch
        self.bad_cells: list[str] = []
        self.unsorted: set[int] = set()  # rows whose cells came out of column order
        self.last_col: dict[int, int] = {}
        self.in_data = False
        self.row, self.col = -1, -1
        self.cell: tuple[int, int] | None = None
        self.cell_type, self.cell_style = "n", 0
        self.has_formula = False
        self.value_text: str | None = None
        self.inline: list[str] | None = None
        self.phonetic = 0
        self.text: list[str] | None = None
        self._names: dict[str, str] = {}

    def _name(self, tag: str) -> str:
        name = self._names.get(tag)
        if name is None:
            name = self._names[tag] = tag[tag.rfind("}") + 1:]
        return name

    def start(self, tag: str, attrib: dict) -> None:
        name = self._name(tag)
        if name == "c":
            if not self.in_data:
                return
            ref = attrib.get("r")
            match = _REF.match(ref) if ref else None
            if match:
                self.row, self.col = int(match.group(2)) - 1, column_index(match.group(1))
            else:
                self.col += 1
            self.cell = (self.row, self.col)
            self.cell_type = attrib.get("t") or "n"
            self.cell_style = _int(attrib.get("s")) or 0
            self.has_formula = False
            self.value_text = None
            self.inline = None
        elif name == "v":
            if self.cell is not None:
                self.text = []
        elif name == "row":
            if self.in_data:
                number = _int(attrib.get("r"))
                self.row = number - 1 if number is not None and number > 0 else self.row + 1
                self.col = -1
        elif name == "t":
            if self.inline is not None and not self.phonetic:
                self.text = []
        elif name == "is":
            if self.cell is not None:
                self.inline = []
        elif name == "f":
            if self.cell is not None:
                self.has_formula = True
        elif name == "rPh":
            self.phonetic += 1
        elif name == "sheetData":
            self.in_data = True
        elif name == "mergeCell":
            match = _RANGE.match(attrib.get("ref") or "")
            if match:
                r1, r2 = int(match.group(2)) - 1, int(match.group(4)) - 1
                c1, c2 = column_index(match.group(1)), column_index(match.group(3))
                if 0 <= r1 <= r2 <= _MAX_ROW and 0 <= c1 <= c2 <= _MAX_COLUMN:
                    self.grid.merged.append(((r1, c1), (r2, c2)))

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def end(self, tag: str) -> None:
        name = self._name(tag)
        if name == "v":
            if self.text is not None:
                self.value_text = "".join(self.text)
                self.text = None
        elif name == "t":
            if self.text is not None and self.inline is not None:
                self.inline.append("".join(self.text))
                self.text = None
        elif name == "c":
            if self.cell is not None:
                self._store()
                self.cell = None
        elif name == "rPh":
            self.phonetic = max(0, self.phonetic - 1)
        elif name == "sheetData":
            self.in_data = False
        elif name == "mergeCells":
            raise _Stop  # the last part of a worksheet this reader uses

    def close(self) -> None:
        return None

    def finish(self) -> None:
        """Put each row's cells in column order (hand-made files may list them in any order)."""
        for row in self.unsorted:
            self.grid.cells[row] = dict(sorted(self.grid.cells[row].items()))
        self.last_col.clear()

    def _store(self) -> None:
        row, col = self.cell
        if not (0 <= row <= _MAX_ROW and 0 <= col <= _MAX_COLUMN):
            self._bad(row, col)
            return
        kind, text = self.cell_type, self.value_text
        if self.has_formula and (text is None or (text == "" and kind not in ("str", "s", "inlineStr"))):
            self.grid.no_cached_value.append((row, col))
            return
        value: Cell
        if kind == "inlineStr":
            value = _unescape("".join(self.inline)) if self.inline is not None else (text or "")
        elif text is None:
            return
        elif kind == "s":
            if not text.strip():
                return  # `<v/>`: an empty cell
            index = _int(text.strip())
            if index is None or not 0 <= index < len(self.strings):
                self._bad(row, col)
                return
            value = self.strings[index]
            self.reader.count_reference(len(value), index, self.grid.name, row, col)
        elif kind == "str":
            value = _unescape(text)
        elif kind == "e":
            code = text.strip().upper() or "#N/A"
            self.grid.errors[(row, col)] = CellError(code)
            return
        elif kind == "b":
            value = text.strip().lower() in ("1", "true")
        elif kind == "d":
            try:
                value = _normalise_date(from_ISO8601(text.strip()))
            except (ValueError, TypeError, OverflowError):
                self._bad(row, col)
                return
        else:
            try:
                number = float(text)
            except ValueError:
                self._bad(row, col)
                return
            if not math.isfinite(number):
                self.grid.errors[(row, col)] = CellError("#NUM!")
                return
            value = number
            if self.cell_style in self.date_styles:
                try:
                    value = _normalise_date(from_excel(number, self.epoch, self.cell_style in self.timedelta_styles))
                except (OverflowError, ValueError, ArithmeticError):
                    value = number  # beyond the calendar: Excel shows ####; the parser reports the number
        if isinstance(value, str):
            if value == "":
                return
            if value in _ERROR_TEXTS or value.strip() in _ERROR_TEXTS:
                self.grid.errors[(row, col)] = CellError(value.strip())
                return
        cells = self.grid.cells.get(row)
        if cells is None:
            cells = self.grid.cells[row] = {}
        elif col < self.last_col.get(row, -1):
            self.unsorted.add(row)
        cells[col] = value
        self.last_col[row] = col
        if self.cell_style:
            self.grid.style_ids.setdefault(row, {})[col] = self.cell_style

    def _bad(self, row: int, col: int) -> None:
        if len(self.bad_cells) < 50 and 0 <= col <= _MAX_COLUMN and 0 <= row <= _MAX_ROW:
            self.bad_cells.append(f"{_column_letters(col)}{row + 1}")


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ------------------------------------------------------------------------------------------------ xls


class _Quiet:
    def write(self, text: str) -> int:
        return len(text)


def _read_xls(book: Workbook, data: bytes) -> None:
    import xlrd
    from xlrd.biffh import XLRDError

    try:
        xls = xlrd.open_workbook(file_contents=data, formatting_info=True, ragged_rows=True, logfile=_Quiet())
    except (XLRDError, NotImplementedError, AssertionError, KeyError, IndexError, ValueError) as exc:
        # A few writers emit formatting records xlrd cannot follow; the values can still be read.
        logger.info("xls formatting unreadable (%s); reading values without number formats", exc)
        try:
            xls = xlrd.open_workbook(file_contents=data, formatting_info=False, ragged_rows=True, logfile=_Quiet())
        except Exception as second:
            raise UnreadableWorkbook(f"xls unreadable: {second}") from second
        book.repairs.append(Repair("styles"))
    except Exception as exc:
        raise UnreadableWorkbook(f"xls unreadable: {exc}") from exc
    book.epoch1904 = xls.datemode == 1
    if xls.formatting_info:
        for xf in xls.xf_list:
            fmt = xls.format_map.get(xf.format_key)
            book._formats.append((xf.format_key, fmt.format_str if fmt is not None else "General"))
            font = xls.font_list[xf.font_index] if 0 <= xf.font_index < len(xls.font_list) else None
            book._fonts.append(font.name if font is not None else None)
    referenced, limit = 0, book.max_text
    for index in range(xls.nsheets):
        sheet = xls.sheet_by_index(index)
        name = sheet.name
        if name in book.sheets:
            continue
        book.sheet_names.append(name)
        state = {1: "hidden", 2: "veryHidden"}.get(getattr(sheet, "visibility", 0), "visible")
        grid = SheetGrid(name, state=state)
        for r in range(sheet.nrows):
            types, values = sheet.row_types(r), sheet.row_values(r)
            for c, kind in enumerate(types):
                if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    continue
                value = values[c]
                if kind == xlrd.XL_CELL_TEXT:
                    value = value.replace("\x00", "")
                    referenced += len(value)
                    if referenced > limit:
                        raise TextAmplification(referenced, limit, len(value), 0, name, f"{_column_letters(c)}{r + 1}")
                    if value == "":
                        continue
                    if value.strip() in _ERROR_TEXTS:
                        grid.errors[(r, c)] = CellError(value.strip())
                        continue
                elif kind == xlrd.XL_CELL_DATE:
                    try:
                        value = _normalise_date(xlrd.xldate.xldate_as_datetime(value, xls.datemode))
                    except (xlrd.xldate.XLDateError, ValueError, OverflowError):
                        value = float(value)
                elif kind == xlrd.XL_CELL_BOOLEAN:
                    value = bool(value)
                elif kind == xlrd.XL_CELL_ERROR:
                    grid.errors[(r, c)] = CellError(_BIFF_ERRORS.get(int(value), "#N/A"))
                    continue
                else:
                    value = float(value)
                    if not math.isfinite(value):
                        grid.errors[(r, c)] = CellError("#NUM!")
                        continue
                grid.cells.setdefault(r, {})[c] = value
                if xls.formatting_info:
                    style = sheet.cell_xf_index(r, c)
                    if style:
                        grid.style_ids.setdefault(r, {})[c] = style
        for rlo, rhi, clo, chi in getattr(sheet, "merged_cells", []) or []:
            if rhi > rlo and chi > clo:
                grid.merged.append(((rlo, clo), (rhi - 1, chi - 1)))
        book.sheets[name] = grid
