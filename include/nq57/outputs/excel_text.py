"""Writing agency-supplied text into workbooks we produce, without it ever becoming a formula."""

from __future__ import annotations

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def literal(value: object) -> object:
    """Text that Excel would evaluate (`=HYPERLINK(...)`, `+cmd|...`) is prefixed with an apostrophe (OWASP
    CSV/formula-injection advice); numbers, dates and ordinary text pass through."""
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value
