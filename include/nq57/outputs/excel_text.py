"""Writing agency-supplied text into workbooks we produce, without it ever becoming a formula.

Text that Excel would evaluate when typed (`=HYPERLINK(...)`, `+cmd|...`, `-1+2`, `@SUM(...)`; OWASP
CSV/formula injection) is stored as a text cell with the cell style's *quote prefix* set: exactly what Excel
stores when a user types `'=1+1`. The reader sees the text as written, with no apostrophe; Excel and
LibreOffice never evaluate it, not even after the cell is edited and confirmed. (Prefixing the string with an
apostrophe instead would print that apostrophe: openpyxl writes it as part of the text.)

Use `protect(cell)` after setting a cell, or `protect_sheet(ws)` once for a sheet we wrote entirely;
never on an agency's own sheet, whose formulas are theirs. Text an .xlsx cannot hold (control characters an
agency's cell carried, quoted in a message) goes through `printable` first.
"""

from __future__ import annotations

import re

from openpyxl.cell.cell import Cell
from openpyxl.cell.rich_text import CellRichText
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Characters XML 1.0 cannot carry (openpyxl refuses them): C0 controls other than tab, line feed and
# carriage return, and the non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def printable(value: object) -> object:
    """Text an .xlsx can hold: each control character shown as its Unicode control picture (U+0001 as ␁),
    so the agency still sees where it sits in what they typed; anything that is not text passes through."""
    if isinstance(value, str) and _NOT_XML.search(value):
        return _NOT_XML.sub(lambda m: chr(0x2400 + ord(m.group())) if ord(m.group()) < 0x20 else "\ufffd", value)
    return value


def needs_protection(value: object) -> bool:
    if isinstance(value, CellRichText):
        value = str(value)
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def protect(cell: Cell) -> Cell:
    """Make `cell` a plain text cell when its text could be read as a formula; returns the cell."""
    if needs_protection(cell.value):
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl marks any string starting with "=" as a formula
        cell.quotePrefix = True
    return cell


def protect_sheet(ws: Worksheet) -> None:
    """`protect` every cell of a sheet we produced."""
    for row in ws.iter_rows():
        for cell in row:
            protect(cell)
