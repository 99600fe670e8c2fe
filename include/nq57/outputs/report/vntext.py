"""Vietnamese text for the report: numbers, percentages, dates, changes, targets, lists of names.

Number format as in Government reports (research/domain.md §1.3): `.` groups thousands, `,` is the decimal
mark (`1.287`, `80,3%`). Dates as in administrative documents (Nghị định 30/2020/NĐ-CP): `ngày 22 tháng
11 năm 2026`, `22/11/2026`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

from nq57 import periods


def number(value: float, decimals: int = 3) -> str:
    """`1287` -> `1.287`, `80.3` -> `80,3`, `0.7` -> `0,7` (trailing zeros dropped)."""
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def count(value: int) -> str:
    """A whole count with thousands grouped: `1287` -> `1.287`."""
    return number(int(value), 0)


def percent(share: float | None, decimals: int = 1) -> str:
    """A share 0..1 as `80,3%`; `—` when undefined. Always `decimals` digits after the mark."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    text = f"{share * 100:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") + "%"


def change(delta: int | None, unit: str = "") -> str:
    """A difference against the previous month: `tăng 3`, `giảm 2`, `không đổi`; `—` without a previous month."""
    if delta is None:
        return "—"
    suffix = f" {unit}" if unit else ""
    if delta > 0:
        return f"tăng {count(delta)}{suffix}"
    if delta < 0:
        return f"giảm {count(-delta)}{suffix}"
    return "không đổi"


def signed(delta: int | None) -> str:
    """A difference for a table cell: `+3`, `−2`, `0`; `—` without a previous month."""
    if delta is None:
        return "—"
    if delta > 0:
        return f"+{count(delta)}"
    if delta < 0:
        return f"−{count(-delta)}"  # U+2212 minus: never read as a formula or a hyphen
    return "0"


def long_date(day: dt.date) -> str:
    """`ngày 22 tháng 11 năm 2026`; days and months below 10 written `01`, `02` (NĐ 30/2020, Phụ lục I)."""
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def short_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def date_time(moment: dt.datetime) -> str:
    """`14 giờ 05 ngày 19/11/2026` (wall-clock time as given)."""
    return f"{moment.hour:02d} giờ {moment.minute:02d} ngày {short_date(moment.date())}"


def month(period: str) -> str:
    """`2026-10` -> `tháng 10/2026`."""
    return f"tháng {periods.label(period)}"


def month_words(period: str) -> str:
    """`2026-10` -> `tháng 10 năm 2026` (document subject lines)."""
    year, mon = periods.year_month(period)
    return f"tháng {mon:02d} năm {year}"


def target(op: object, low: float | None, high: float | None) -> str:
    """A 2030 target as the programme writes it: `≥ 80`, `> 0,7`, `≤ 3`, `= 100`, `16–18`, `định tính`."""
    if op == "qualitative":
        return "định tính"
    if op == "between" and low is not None and high is not None:
        return f"{number(low)}–{number(high)}"
    symbol = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "="}.get(str(op) if op is not None else "")
    if symbol and low is not None:
        return f"{symbol} {number(low)}"
    return "—"


def enumerate_names(names: Sequence[str], limit: int | None = None) -> str:
    """`A, B và C`; past `limit` names: `A, B, C và 4 đơn vị khác`."""
    names = list(names)
    if limit is not None and len(names) > limit:
        shown, rest = names[:limit], len(names) - limit
        return ", ".join(shown) + f" và {count(rest)} đơn vị khác"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " và " + names[-1]
