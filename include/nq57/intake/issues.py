"""Findings about a submission: what is wrong, where, in Vietnamese, and whether it blocks loading."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


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
        if self.column and self.row and self.column.isalpha() and self.column.isupper():
            return f"{self.column}{self.row}"
        return None


def error(rule: str, message: str, **where) -> Issue:
    return Issue("error", rule, message, **where)


def warning(rule: str, message: str, **where) -> Issue:
    return Issue("warning", rule, message, **where)


def has_errors(issues: list[Issue]) -> bool:
    return any(i.severity == "error" for i in issues)
