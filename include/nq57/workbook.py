"""Workbook bytes -> plain grids of cell values, with merged ranges and (lazily) cell styles.

Reading uses python-calamine, the engine behind pandas' `engine="calamine"`: called directly it keeps
absolute cell positions and merged ranges, which pandas drops and which the feedback needs (sheet, row,
column). Styles (number formats, fonts) come from openpyxl only when a rule needs them.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from functools import cached_property

import python_calamine

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


class Workbook:
    """A parsed workbook: grids by sheet name, plus openpyxl styles on demand (xlsx only)."""

    def __init__(self, data: bytes, kind: str) -> None:
        self.data = data
        self.kind = kind
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        self.sheet_names: list[str] = list(book.sheet_names)
        self.sheets: dict[str, SheetGrid] = {}
        for name in self.sheet_names:
            sheet = book.get_sheet_by_name(name)
            rows = [[_normalise(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
            merged = [(tuple(start), tuple(end)) for start, end in (sheet.merged_cell_ranges or [])]
            self.sheets[name] = SheetGrid(name, rows, merged)
        book.close()

    @cached_property
    def _openpyxl_book(self):
        if self.kind != "xlsx":
            return None
        import openpyxl

        return openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=False)

    def styles(self, sheet: str, cells: list[tuple[int, int]]) -> dict[tuple[int, int], CellStyle]:
        """Number format and font of the given 0-based cells (empty for non-xlsx workbooks)."""
        book = self._openpyxl_book
        if book is None or not cells:
            return {}
        worksheet = book[sheet]
        wanted = set(cells)
        rows = sorted({r for r, _ in wanted})
        out: dict[tuple[int, int], CellStyle] = {}
        for r_index, row in enumerate(worksheet.iter_rows(min_row=rows[0] + 1, max_row=rows[-1] + 1)):
            r = rows[0] + r_index
            for c, cell in enumerate(row):
                if (r, c) in wanted and hasattr(cell, "number_format"):
                    font = getattr(cell, "font", None)
                    out[(r, c)] = CellStyle(cell.number_format or "General", getattr(font, "name", None))
        return out

    def formulas_without_value(self, sheet: str) -> list[tuple[int, int]]:
        """0-based cells holding a formula whose cached value is missing (read as blank)."""
        book = self._openpyxl_book
        if book is None:
            return []
        grid = self.sheets[sheet]
        found = []
        for r, row in enumerate(book[sheet].iter_rows()):
            for c, cell in enumerate(row):
                if isinstance(getattr(cell, "value", None), str) and cell.value.startswith("="):
                    if grid.value(r, c) in (None, ""):
                        found.append((r, c))
        return found


def _normalise(value: Cell) -> Cell:
    if value == "":
        return None
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value
