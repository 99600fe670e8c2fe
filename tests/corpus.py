"""A corpus of the workbooks agencies actually send, built in memory for the tests.

Real submissions are not the tidy template: title blocks, renamed or reordered columns, section rows,
merged cells, formulas, dates typed as text, legacy-encoded Vietnamese, signature blocks. The builders
here write each of those the way Excel stores it:

* `xlsx(...)` uses xlsxwriter, which (unlike openpyxl) stores a formula's cached value as Excel does;
  a formula written with `NO_VALUE` is stored without one (the XML is edited afterwards), as files
  produced by scripts or some web exports are.
* `xls(...)` writes a genuine Excel 97-2003 file by hand: a compound file (OLE2/CFB, [MS-CFB]) holding
  a `Workbook` stream of BIFF8 records ([MS-XLS]: BOF, DATEMODE, FONT, FORMAT, XF, BOUNDSHEET, SST,
  LABELSST, NUMBER, BOOLERR, MERGEDCELLS, EOF). No package on this machine writes .xls; xlrd, an
  independent reader, checks it.
* `repackage(...)` rewrites the parts of an .xlsx the way other tools leave them: re-encoded (UTF-16),
  renamed in another letter case, or edited.

Sheets are lists of rows; `submission(...)` lays out the three template sheets from plain dicts keyed by
the template's column codes, so each test only states the variation it is about.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import zipfile
from dataclasses import dataclass, field

import xlsxwriter

from nq57.columns import INDICATORS, TASKS
from nq57.columns import INFO as INFO_FIELDS

# ------------------------------------------------------------------------------------------ cells


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE = _NoValue()
"""Cached value of a formula stored without one."""


@dataclass(frozen=True)
class ExcelError:
    """An Excel error value (`#N/A`, `#DIV/0!`, `#SPILL!`...) as a cell's value: written as an error cell
    (`t="e"` in .xlsx, BOOLERR in .xls), with the formula that produced it if the Cell gives one."""

    code: str


@dataclass
class Cell:
    """A cell with more than a value: a formula (and its cached value), a font, a number format."""

    value: object = None
    formula: str | None = None
    font: str | None = None
    num_format: str | None = None
    bold: bool = False


@dataclass
class Sheet:
    rows: list[list[object]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based r1, c1, r2, c2
    hidden_rows: set[int] = field(default_factory=set)  # 0-based
    row_of: list[int] = field(default_factory=list)  # Excel row (1-based) of each table entry
    header_row: int | None = None  # Excel row of the table header
    state: str = "visible"  # visible | hidden | veryHidden
    far: dict[tuple[int, int], object] = field(default_factory=dict)  # 0-based (row, column) -> value, e.g. XFD

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """Merge a 1-based Excel range (rows) / 0-based columns, e.g. merge(14, 6, 16, 6) = G14:G16."""
        self.merges.append((first_row - 1, first_col, last_row - 1, last_col))


# ------------------------------------------------------------------------------------------ layout

TASK_LABELS = {column.code: column.label for column in TASKS.columns}
INDICATOR_LABELS = {column.code: column.label for column in INDICATORS.columns}
TASK_CODES = TASKS.codes
INDICATOR_CODES = INDICATORS.codes

TASK = {
    "stt": "1",
    "ma_nhiem_vu": "NQ57-BKHCN-0001",
    "ten_nhiem_vu": "Xây dựng cơ sở dữ liệu quốc gia về khoa học, công nghệ và đổi mới sáng tạo",
    "van_ban_giao": "57-NQ/TW",
    "muc": "II.5.d",
    "co_quan_chu_tri": "BKHCN",
    "thoi_han": "31/12/2026",
    "san_pham": "Quyết định",
    "tinh_trang": "Đang thực hiện trong hạn",
    "tien_do": 60,
}

INFO = {
    "ma_don_vi": "BKHCN",
    "ten_don_vi": "Bộ Khoa học và Công nghệ",
    "ky_bao_cao": "10/2026",
    "he_thong": "NQ57",
    "ngay_bao_cao": "15/11/2026",
    "nguoi_lap": "Nguyễn Văn An",
    "dien_thoai": "024 3943 9999",
    "email": "vanphong@most.gov.vn",
    "khong_phat_sinh": "Không",
    "phien_ban_mau": "2026.1",
}

# What sits above the table in a real administrative report (research (c) 10): 11 rows, so a table
# placed under it has its header on row 12.
TITLE_BLOCK: list[list[object]] = [
    ["BỘ KHOA HỌC VÀ CÔNG NGHỆ", None, None, None, None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    [None, None, None, None, None, None, None, "Độc lập - Tự do - Hạnh phúc"],
    ["Số: 123/BC-BKHCN", None, None, None, None, None, None, "Hà Nội, ngày 05 tháng 11 năm 2026"],
    [],
    ["BÁO CÁO"],
    ["Tình hình thực hiện các nhiệm vụ theo Nghị quyết số 57-NQ/TW của Bộ Chính trị"],
    ["Kỳ báo cáo: tháng 10 năm 2026"],
    [],
    ["(Kèm theo Báo cáo số 123/BC-BKHCN ngày 05/11/2026)"],
    ["Đơn vị tính: nhiệm vụ"],
    [],
]

# A signature block and footnotes, as typed under the table.
SIGNATURE_BLOCK: list[list[object]] = [
    [],
    [None, None, None, None, None, None, None, None, None, "Hà Nội, ngày 15 tháng 11 năm 2026"],
    [None, "NGƯỜI LẬP BIỂU", None, None, None, None, None, None, None, "THỦ TRƯỞNG ĐƠN VỊ"],
    [None, "(Ký, ghi rõ họ tên)", None, None, None, None, None, None, None, "(Ký tên, đóng dấu)"],
    [],
    [],
    [None, "Nguyễn Văn An", None, None, None, None, None, None, None, "Trần Thị Bình"],
    [],
    ["Ghi chú: (1) Tình trạng chọn theo danh mục 7 tình trạng; (2) Thời hạn ghi theo văn bản giao."],
    ["(*) Số liệu tính đến hết ngày 31/10/2026."],
]


def task(**overrides: object) -> dict:
    return {**TASK, **overrides}


def table_sheet(
    entries: list[dict | list | None],
    *,
    columns: list[str],
    labels: dict[str, object],
    above: list[list[object]] | None = None,
    code_row: bool = False,
    below: list[list[object]] | None = None,
    codes: frozenset[str] = frozenset(),
) -> Sheet:
    """A table: rows `above` (a title block), the header row (`labels[column]`), the hidden code row if
    asked (the template's codes among `codes`), then one row per entry: a dict of column -> value, a list written as is (a section row), or
    None (a blank row); then rows `below` (signatures, footnotes)."""
    sheet = Sheet()
    for row in above or []:
        sheet.rows.append(list(row))
    sheet.rows.append([labels.get(column, column) for column in columns])
    sheet.header_row = len(sheet.rows)
    if code_row:
        sheet.rows.append([column if column in codes else None for column in columns])
        sheet.hidden_rows.add(len(sheet.rows) - 1)
    for entry in entries:
        if entry is None:
            sheet.rows.append([])
        elif isinstance(entry, dict):
            unknown = set(entry) - set(columns)
            assert not unknown, f"values for columns not in the table: {unknown}"
            sheet.rows.append([entry.get(column) for column in columns])
        else:
            sheet.rows.append(list(entry))
        sheet.row_of.append(len(sheet.rows))
    for row in below or []:
        sheet.rows.append(list(row))
    return sheet


def task_sheet(entries: list[dict | list | None], *, columns: list[str] | None = None,
               labels: dict[str, object] | None = None, **kwargs) -> Sheet:
    return table_sheet(entries, columns=columns or TASK_CODES, labels={**TASK_LABELS, **(labels or {})},
                       codes=frozenset(TASK_LABELS), **kwargs)


def indicator_sheet(entries: list[dict | list | None], *, columns: list[str] | None = None,
                    labels: dict[str, object] | None = None, **kwargs) -> Sheet:
    return table_sheet(entries, columns=columns or INDICATOR_CODES,
                       labels={**INDICATOR_LABELS, **(labels or {})}, codes=frozenset(INDICATOR_LABELS), **kwargs)


def info_sheet(values: dict[str, object] | None = None, *, codes: bool = True,
               labels: dict[str, str] | None = None) -> Sheet:
    """ThongTin as the template lays it out (label, hidden code, value); `codes=False` drops the code
    column, as when an agency rebuilt the sheet by hand. A value of None leaves the field out."""
    values = {**INFO, **(values or {})}
    sheet = Sheet()
    sheet.rows.append(["THÔNG TIN CHUNG VỀ BÁO CÁO"])
    sheet.rows.append([])
    sheet.rows.append(["Nội dung", "Mã", "Giá trị"] if codes else ["Nội dung", "Giá trị"])
    for spec in INFO_FIELDS.columns:
        if values.get(spec.code) is None:
            continue
        label = (labels or {}).get(spec.code, spec.label)
        sheet.rows.append([label, spec.code, values[spec.code]] if codes else [label, values[spec.code]])
        sheet.row_of.append(len(sheet.rows))
    return sheet


def submission(
    tasks: Sheet | list[dict | list | None] | None = None,
    indicators: Sheet | list[dict | list | None] | None = None,
    info: Sheet | dict[str, object] | None = None,
    *,
    names: tuple[str, str, str] = ("ThongTin", "NhiemVu", "ChiTieu"),
) -> dict[str, Sheet]:
    """The three sheets of a submission (info, tasks, indicators) under the given sheet names."""
    if not isinstance(info, Sheet):
        info = info_sheet(info)
    if not isinstance(tasks, Sheet):
        tasks = task_sheet([task()] if tasks is None else tasks)
    if not isinstance(indicators, Sheet):
        indicators = indicator_sheet(indicators or [])
    return dict(zip(names, (info, tasks, indicators), strict=True))


# ------------------------------------------------------------------------------------------ xlsx

_NO_VALUE_MARK = "__NQ57_NO_CACHED_VALUE__"
_ERROR_MARK = "__NQ57_ERROR__"
_NO_FORMULA = "__NQ57_NO_FORMULA__"


def xlsx(sheets: dict[str, Sheet], *, date1904: bool = False) -> bytes:
    """Write the sheets with xlsxwriter: strings as shared strings, numbers, dates as Excel dates (on the
    1904 date system if asked, as Mac Excel did), formulas with their cached values, Excel error values,
    fonts, number formats, merged ranges, hidden rows, hidden and very hidden sheets, far-away cells."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "nan_inf_to_errors": True,
                                     "strings_to_formulas": False, "strings_to_urls": False,
                                     "date_1904": date1904})
    formats: dict[tuple, object] = {}

    def fmt(cell: Cell | None, value: object):
        num_format = cell.num_format if cell else None
        if num_format is None and isinstance(value, dt.datetime):
            num_format = "dd/mm/yyyy hh:mm"
        elif num_format is None and isinstance(value, dt.date):
            num_format = "dd/mm/yyyy"
        key = (num_format, cell.font if cell else None, cell.bold if cell else False)
        if key == (None, None, False):
            return None
        if key not in formats:
            props: dict[str, object] = {}
            if key[0]:
                props["num_format"] = key[0]
            if key[1]:
                props["font_name"] = key[1]
            if key[2]:
                props["bold"] = True
            formats[key] = book.add_format(props)
        return formats[key]

    for name, sheet in sheets.items():
        worksheet = book.add_worksheet(name)
        merged_tails = {(r, c) for r1, c1, r2, c2 in sheet.merges for r in range(r1, r2 + 1)
                        for c in range(c1, c2 + 1) if (r, c) != (r1, c1)}
        merged_heads = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}
        for r, row in enumerate(sheet.rows):
            for c, raw in enumerate(row):
                if (r, c) in merged_tails:
                    continue
                cell = raw if isinstance(raw, Cell) else None
                value = cell.value if cell else raw
                style = fmt(cell, value)
                if (r, c) in merged_heads:
                    r2, c2 = merged_heads[(r, c)]
                    worksheet.merge_range(r, c, r2, c2, None, style)
                if isinstance(value, ExcelError):
                    # Written as a string formula result, turned into an error cell afterwards.
                    worksheet.write_formula(r, c, cell.formula if cell and cell.formula else "=0", style,
                                            _ERROR_MARK + value.code + ("" if cell and cell.formula else _NO_FORMULA))
                elif cell is not None and cell.formula is not None:
                    cached = _NO_VALUE_MARK if value is NO_VALUE else value
                    worksheet.write_formula(r, c, cell.formula, style, cached)
                elif value is None:
                    if style is not None and (r, c) not in merged_heads:
                        worksheet.write_blank(r, c, None, style)
                elif isinstance(value, bool):
                    worksheet.write_boolean(r, c, value, style)
                elif isinstance(value, (dt.date, dt.datetime)):
                    when = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
                    worksheet.write_datetime(r, c, when, style)
                elif isinstance(value, (int, float)):
                    worksheet.write_number(r, c, value, style)
                else:
                    worksheet.write_string(r, c, str(value), style)
        for (r, c), value in sheet.far.items():
            worksheet.write(r, c, value)
        for r in sheet.hidden_rows:
            worksheet.set_row(r, None, None, {"hidden": True})
        if sheet.state == "hidden":
            worksheet.hide()
        elif sheet.state == "veryHidden":
            worksheet.very_hidden()
    book.close()
    return _patch_marked_cells(out.getvalue())


def _patch_marked_cells(data: bytes) -> bytes:
    """Remove the cached value of formulas written with NO_VALUE, leaving `<c><f>...</f></c>`, and turn
    the cells marked as errors into error cells (`<c t="e"><v>#N/A</v></c>`, with or without formula)."""
    marks = (_NO_VALUE_MARK.encode(), _ERROR_MARK.encode())
    source = zipfile.ZipFile(io.BytesIO(data))
    if not any(mark in source.read(name) for name in source.namelist() if name.startswith("xl/worksheets/")
               for mark in marks):
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                content = re.sub(rb' t="str"(>\s*<f>[^<]*</f>)<v>' + marks[0] + rb"</v>", rb"\1", content)
                content = re.sub(rb' t="str">\s*<f>[^<]*</f><v>' + marks[1] + rb"([^<]*?)" + _NO_FORMULA.encode()
                                 + rb"</v>", rb' t="e"><v>\1</v>', content)
                content = re.sub(rb' t="str"(>\s*<f>[^<]*</f>)<v>' + marks[1] + rb"([^<]*)</v>", rb' t="e"\1<v>\2</v>',
                                 content)
                assert not any(mark in content for mark in marks)
            target.writestr(info, content)
    return out.getvalue()


# ------------------------------------------------------------------------------------------ xls (BIFF8)


def _record(rtype: int, body: bytes = b"") -> bytes:
    assert len(body) <= 8224, "BIFF8 records hold at most 8224 bytes"
    return struct.pack("<HH", rtype, len(body)) + body


def _bof(substream: int) -> bytes:
    # BIFF8 (0x0600), substream 0x0005 = workbook globals, 0x0010 = worksheet; build 0x0DBB, year 1996.
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0x00000041, 0x00000006))


def _xf(font: int, number_format: int, style: bool) -> bytes:
    # [MS-XLS] 2.4.353 XF: ifnt, ifmt, flags (fStyle, ixfParent = 0xFFF for styles), alignment and borders.
    flags = 0xFFF5 if style else 0x0001
    return _record(0x00E0, struct.pack("<HHHBBBBIIH", font, number_format, flags, 0x20, 0, 0, 0, 0, 0, 0x20C0))


def _font(name: str) -> bytes:
    encoded = name.encode("utf-16-le")
    return _record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0)
                   + struct.pack("<BB", len(name), 1) + encoded)


_BIFF_ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24,
                     "#N/A": 0x2A, "#GETTING_DATA": 0x2B}


def _format(index: int, code: str) -> bytes:
    # [MS-XLS] 2.4.126 Format: ifmt, then the format string as XLUnicodeString (UTF-16).
    return _record(0x041E, struct.pack("<HHB", index, len(code), 1) + code.encode("utf-16-le"))


def xls(sheets: dict[str, Sheet], *, date1904: bool = False) -> bytes:
    """A real Excel 97-2003 workbook: text as shared strings (LABELSST), numbers (NUMBER), booleans and Excel
    error values (BOOLERR), dates as numbers with a date format (built-in format 14 unless the Cell gives
    one), fonts and number formats of Cells (FONT, FORMAT and one XF per combination), merged ranges
    (MERGEDCELLS), hidden and very hidden sheets, far-away cells, and the 1904 date system (DATEMODE).
    Formulas are written as their values."""
    strings: list[str] = []
    index: dict[str, int] = {}
    total = 0
    bodies: list[bytes] = []
    fonts: list[str] = ["Arial"]
    formats: dict[str, int] = {}
    xfs: dict[tuple[int, int], int] = {(0, 0): 15, (0, 14): 16}  # (font, format) -> XF index

    def xf_for(cell: Cell | None, value: object) -> int:
        font_name = cell.font if cell and cell.font else "Arial"
        if font_name not in fonts:
            fonts.append(font_name)
        font = fonts.index(font_name)
        font = font + 1 if font >= 4 else font  # BIFF has no font 4
        code = cell.num_format if cell and cell.num_format else None
        if code is None:
            fmt = 14 if isinstance(value, (dt.date, dt.datetime)) else 0
        else:
            fmt = formats.setdefault(code, 164 + len(formats))
        return xfs.setdefault((font, fmt), 15 + len(xfs))

    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    for sheet in sheets.values():
        cells = b""
        width = max((len(row) for row in sheet.rows), default=0)
        entries = [((r, c), raw) for r, row in enumerate(sheet.rows) for c, raw in enumerate(row)]
        entries += sorted(sheet.far.items())
        for (r, c), raw in entries:
            cell = raw if isinstance(raw, Cell) else None
            value = cell.value if cell else raw
            if value is None or value is NO_VALUE:
                continue
            xf = xf_for(cell, value)
            if isinstance(value, ExcelError):
                cells += _record(0x0205, struct.pack("<HHHBB", r, c, xf, _BIFF_ERROR_CODES[value.code], 1))
            elif isinstance(value, bool):
                cells += _record(0x0205, struct.pack("<HHHBB", r, c, xf, int(value), 0))
            elif isinstance(value, (dt.date, dt.datetime)):
                when = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
                serial = (when - epoch).total_seconds() / 86400
                cells += _record(0x0203, struct.pack("<HHHd", r, c, xf, serial))
            elif isinstance(value, (int, float)):
                cells += _record(0x0203, struct.pack("<HHHd", r, c, xf, float(value)))
            else:
                text = str(value)
                if text not in index:
                    index[text] = len(strings)
                    strings.append(text)
                total += 1
                cells += _record(0x00FD, struct.pack("<HHHI", r, c, xf, index[text]))
        rows = max([len(sheet.rows)] + [r + 1 for r, _ in sheet.far])
        width = max([width] + [c + 1 for _, c in sheet.far])
        body = _bof(0x0010)
        body += _record(0x0200, struct.pack("<IIHHH", 0, rows, 0, width, 0))  # DIMENSIONS
        body += cells
        if sheet.merges:
            refs = b"".join(struct.pack("<HHHH", r1, r2, c1, c2) for r1, c1, r2, c2 in sheet.merges)
            body += _record(0x00E5, struct.pack("<H", len(sheet.merges)) + refs)
        body += _record(0x000A)  # EOF
        bodies.append(body)

    head = _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200))  # CODEPAGE: UTF-16
    head += _record(0x0022, struct.pack("<H", 1 if date1904 else 0))  # DATEMODE
    font_records = [_font(name) for name in fonts]
    font_records = font_records + [_font("Arial")] * max(0, 5 - len(font_records))
    head += b"".join(font_records[:4]) + _font("Arial") + b"".join(font_records[4:])  # no font 4 in BIFF
    head += b"".join(_format(i, code) for code, i in formats.items())
    # 15 style XFs (Excel expects them), then the cell XFs: 15 General, 16 dates (built-in 14), then per use.
    head += b"".join(_xf(0, 0, style=True) for _ in range(15))
    head += b"".join(_xf(font, fmt, style=False) for (font, fmt), _ in sorted(xfs.items(), key=lambda kv: kv[1]))
    head += _record(0x0293, struct.pack("<HBB", 0x8000, 0, 0xFF))  # STYLE: built-in Normal
    sst = _sst(strings, total)
    names = list(sheets)
    states = {"visible": 0, "hidden": 1, "veryHidden": 2}

    def boundsheet(offset: int, name: str) -> bytes:
        state = states[sheets[name].state]
        return _record(0x0085, struct.pack("<IBBBB", offset, state, 0, len(name), 1) + name.encode("utf-16-le"))

    globals_size = len(head) + sum(len(boundsheet(0, n)) for n in names) + len(sst) + len(_record(0x000A))
    offsets, position = [], globals_size
    for body in bodies:
        offsets.append(position)
        position += len(body)
    stream = head + b"".join(boundsheet(o, n) for o, n in zip(offsets, names, strict=True)) + sst + _record(0x000A)
    assert len(stream) == globals_size
    return _compound_file({"Workbook": stream + b"".join(bodies)})


def _sst(strings: list[str], total: int) -> bytes:
    """SST, continued in CONTINUE records as Excel does: a string that does not fit is split between
    characters, and its continuation starts with the option byte again ([MS-XLS] 2.4.58)."""
    records: list[bytes] = []
    current = bytearray(struct.pack("<II", total, len(strings)))

    def flush() -> None:
        records.append(_record(0x003C if records else 0x00FC, bytes(current)))
        current.clear()

    for text in strings:
        chars = text.encode("utf-16-le")[: 32767 * 2]  # Excel keeps at most 32,767 characters
        if len(current) + 3 + 2 > 8224:
            flush()
        current += struct.pack("<HB", len(chars) // 2, 1)  # character count in UTF-16 units, fHighByte
        while chars:
            room = (8224 - len(current)) // 2 * 2
            if room <= 0:
                flush()
                current += b"\x01"  # the continuation repeats fHighByte
                continue
            current += chars[:room]
            chars = chars[room:]
    flush()
    return b"".join(records)


_ENDOFCHAIN, _FREESECT, _FATSECT, _NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def _compound_file(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file (512-byte sectors) with the given streams under the root storage.
    Streams are padded to 4096 bytes, the mini-stream cutoff, so all live in regular sectors."""
    entries = [("Root Entry", 5, b"")] + [(name, 2, data.ljust(4096, b"\x00")) for name, data in streams.items()]
    n_dir = -(-len(entries) // 4)
    data_sectors = sum(-(-len(data) // 512) for _, _, data in entries)
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + data_sectors:
        n_fat += 1
    assert n_fat <= 109, "DIFAT sectors are not written here"
    fat = [_FATSECT] * n_fat
    first_dir = len(fat)
    fat += list(range(first_dir + 1, first_dir + n_dir)) + [_ENDOFCHAIN]
    starts, body = [], b""
    for _, _, data in entries:
        if not data:
            starts.append(_ENDOFCHAIN)
            continue
        count = -(-len(data) // 512)
        starts.append(len(fat))
        fat += list(range(len(fat) + 1, len(fat) + count)) + [_ENDOFCHAIN]
        body += data.ljust(count * 512, b"\x00")
    fat += [_FREESECT] * (n_fat * 128 - len(fat))
    # Root's child is entry 1; the streams hang off each other as right siblings (a valid, if
    # unbalanced, red-black tree: every node black).
    directory = b""
    for i, (name, kind, data) in enumerate(entries):
        encoded = name.encode("utf-16-le")
        child = 1 if kind == 5 and len(entries) > 1 else _NOSTREAM
        right = i + 1 if kind == 2 and i + 1 < len(entries) else _NOSTREAM
        directory += struct.pack("<64sHBBIII16sIQQIII", encoded, len(encoded) + 2, kind, 1, _NOSTREAM, right, child,
                                 b"\x00" * 16, 0, 0, 0, starts[i], len(data), 0)
    empty = struct.pack("<64sHBBIII16sIQQIII", b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, b"\x00" * 16, 0, 0, 0, 0, 0, 0)
    directory += empty * (n_dir * 4 - len(entries))
    difat = list(range(n_fat)) + [_FREESECT] * (109 - n_fat)
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16
        + struct.pack("<HHHHH6sIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, b"", 0, n_fat, first_dir, 0, 4096,
                      _ENDOFCHAIN, 0, _ENDOFCHAIN, 0)
        + struct.pack("<109I", *difat)
    )
    assert len(header) == 512
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + body


# ------------------------------------------------------------------------------------------ package edits


def repackage(data: bytes, edit) -> bytes:
    """Copy an .xlsx, passing each part through `edit(name, content) -> (name, content)` (or None to drop it):
    how other tools leave a package (UTF-16 parts, names in another letter case, hand-edited XML)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            edited = edit(info.filename, source.read(info.filename))
            if edited is not None:
                target.writestr(edited[0], edited[1])
    return out.getvalue()


def utf16(content: bytes, encoding: str = "utf-16-le", bom: bool = True) -> bytes:
    """An XML part re-encoded in UTF-16 (little or big endian, with or without byte-order mark), its
    declaration saying so, as some tools write it and Excel reads it."""
    text = content.decode("utf-8")
    text = re.sub(r'encoding="[^"]*"', 'encoding="UTF-16"', text, count=1)
    if not text.startswith("<?xml"):
        text = '<?xml version="1.0" encoding="UTF-16" standalone="yes"?>\n' + text
    marks = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}
    return (marks[encoding] if bom else b"") + text.encode(encoding)


def part_of(sheets_names: list[str], sheet: str) -> str:
    """The part xlsxwriter writes a sheet to."""
    return f"xl/worksheets/sheet{sheets_names.index(sheet) + 1}.xml"
