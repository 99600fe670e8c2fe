"""How the workbooks we write look on screen and on paper: fonts, row heights for wrapped Vietnamese text,
and the print setup (landscape A4, one page wide, header rows repeated).

Neither Excel nor LibreOffice grows a row for wrapped text that a program wrote: a row keeps its default
height and the second line is cut off (the diacritics of a large title first). So every row that holds
wrapped text gets an explicit height from `text_lines`, which over-estimates rather than clips: it counts
characters per line at `CHARS_PER_WIDTH` of 11 pt Times New Roman per unit of column width (measured with
the rendering tests, `tests/rendering.py`), and never splits a word.

Used by the feedback workbook, the template and the report's annex workbook.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "Times New Roman"  # the font of Vietnamese administrative documents (NĐ 30/2020/NĐ-CP)
FONT_SIZE = 11
LINE_PT = 15.0  # row height per line of 11 pt text
CHARS_PER_WIDTH = 1.35  # characters of 11 pt Times New Roman per unit of column width (cautious: never clip)


def font(bold: bool = False, italic: bool = False, size: float = FONT_SIZE, color: str | None = None) -> Font:
    return Font(name=FONT_NAME, bold=bold, italic=italic, size=size, color=color)


def text_lines(value: object, width: float, size: float = FONT_SIZE) -> int:
    """Lines `value` takes when wrapped in a column `width` units wide at `size` pt (1 for no text).

    Words are kept whole, as Excel and LibreOffice wrap them; explicit line breaks start a new line."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(1, int(width * CHARS_PER_WIDTH * FONT_SIZE / size))
    lines = 0
    for paragraph in value.split("\n"):
        used, count = 0, 1
        for word in paragraph.split(" "):
            length = len(word)
            if used and used + 1 + length > per_line:
                count += 1
                used = 0
            if length > per_line:  # a word longer than the line is broken anywhere
                count += math.ceil(length / per_line) - 1
                used = length % per_line or per_line
            else:
                used += (1 if used else 0) + length
        lines += count
    return lines


def text_height(value: object, width: float, minimum: int = 1, size: float = FONT_SIZE) -> float:
    """Row height (points) that shows `value` wrapped in `width` units, at least `minimum` lines."""
    return LINE_PT * size / FONT_SIZE * max(minimum, text_lines(value, width, size)) + 2


def column_width(ws: Worksheet, first: int, last: int | None = None) -> float:
    """Width (units) of columns `first`..`last` (1-based) together, e.g. of a merged cell."""
    return sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(first, (last or first) + 1))


def fit_row(ws: Worksheet, row: int, spans: Iterable[tuple[int, int]] | None = None, minimum: int = 1) -> None:
    """Make `row` tall enough for its longest wrapped cell. `spans` are (first, last) columns of the cells
    to measure (merged cells as one span); default: every cell of the row on its own."""
    if spans is None:
        spans = [(cell.column, cell.column) for cell in ws[row] if cell.value is not None]
    height = LINE_PT * minimum + 2
    for first, last in spans:
        cell = ws.cell(row, first)
        size = cell.font.sz if cell.font is not None and cell.font.sz else FONT_SIZE
        height = max(height, text_height(str(cell.value) if cell.value is not None else None,
                                         column_width(ws, first, last), minimum, size))
    ws.row_dimensions[row].height = height


def print_setup(ws: Worksheet, *, title_rows: str | None = None, landscape: bool = True, paper: str = "A4",
                footer_font: str = FONT_NAME) -> None:
    """Landscape (or portrait) A4 (or A3), one page wide and as many pages long as needed, `title_rows`
    (e.g. `"5:5"`) repeated at the top of every printed page, centred, "Trang N/M" in the footer."""
    if title_rows:
        ws.print_title_rows = title_rows
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if paper == "A3" else ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = footer_font
    ws.oddFooter.center.size = 10
