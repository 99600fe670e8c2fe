"""Findings about a submission: what is wrong, where, in Vietnamese, and whether it blocks loading.

Findings are made from the rule catalogue (`intake.rules.issue`); this module holds their shape and the
one way a place in a workbook is written (`cell_ref`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from openpyxl.utils import get_column_letter

Severity = Literal["error", "warning"]


def cell_ref(column: str | int | None, row: int | None) -> str | None:
    """A1 notation: `cell_ref("C", 7)` -> `C7`; a 1-based column number is turned into its letters
    (`cell_ref(3, 7)` -> `C7`). None when the row is unknown or the column is not a column letter
    (e.g. the code of a template column that is missing from the file)."""
    if isinstance(column, int) and not isinstance(column, bool) and column >= 1:
        column = get_column_letter(column)
    if not isinstance(column, str) or not (column.isascii() and column.isalpha() and column.isupper()):
        return None
    if isinstance(row, bool) or not isinstance(row, int) or row < 1:
        return None
    return f"{column}{row}"


@dataclass(frozen=True)
class Issue:
    """One finding. `row` is the 1-based Excel row; `column` the Excel column letter or the field code."""

    severity: Severity
    rule: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    hint: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def cell(self) -> str | None:
        """`C7`-style reference when both column letter and row are known."""
        return cell_ref(self.column, self.row)


def has_errors(issues: list[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)
