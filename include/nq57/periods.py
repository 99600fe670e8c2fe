"""The reporting period: one calendar month, written `YYYY-MM`, and its submission deadline.

The one home of the period concept (parse, label, shift, deadline). Stdlib only, so DAG files may use
`PATTERN` at parse time.

Rule sources: agencies report each month on the month before (Resolution 57 reporting regime, see
`research/domain.md`); the report is due before 00:00 on the 21st of the month after the period,
Asia/Ho_Chi_Minh (DESIGN §7). The SQL twin of `due_at` is `core.period_due_at(text)`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Ho_Chi_Minh"
VN = ZoneInfo(TIMEZONE)
#: The period pattern, also used by DAG `Param`s and object keys.
PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
_PATTERN = re.compile(PATTERN)
#: Day of the month after the period on whose 00:00 (Vietnam time) a submission becomes late.
DUE_DAY = 21


def check(period: object) -> str:
    """`period` itself if it is a valid `YYYY-MM` month (month 01-12).

    Raises:
        ValueError: with an English operator message when it is not.
    """
    if not isinstance(period, str) or not _PATTERN.match(period):
        raise ValueError(f"period must be YYYY-MM (e.g. 2026-10), got {period!r}")
    return period


def is_valid(period: object) -> bool:
    try:
        check(period)
    except ValueError:
        return False
    return True


def of(day: dt.date | dt.datetime) -> str:
    """The period containing `day` (an aware datetime is read in Vietnam time)."""
    if isinstance(day, dt.datetime) and day.tzinfo:
        day = day.astimezone(VN)
    return f"{day.year:04d}-{day.month:02d}"


def year_month(period: str) -> tuple[int, int]:
    year, month = check(period).split("-")
    return int(year), int(month)


def first_day(period: str) -> dt.date:
    year, month = year_month(period)
    return dt.date(year, month, 1)


def end(period: str) -> dt.date:
    """Last day of the period (`2026-02` -> 2026-02-28)."""
    year, month = year_month(period)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def shift(period: str, months: int) -> str:
    """`period` moved by `months` (negative: earlier). `shift("2026-01", -1)` -> `2025-12`."""
    year, month = year_month(period)
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous(period: str) -> str:
    return shift(period, -1)


def collected_on(when: dt.date | dt.datetime) -> str:
    """The period being reported on at `when`: the month before it (`2026-11-15` -> `2026-10`)."""
    return previous(of(when))


def due_at(period: str) -> dt.datetime:
    """00:00 on the 21st of the month after `period`, Vietnam time (aware datetime)."""
    year, month = year_month(shift(period, 1))
    return dt.datetime(year, month, DUE_DAY, tzinfo=VN)


def is_on_time(period: str, received_at: dt.datetime) -> bool:
    """Whether an upload received at `received_at` (aware) is before the period's deadline."""
    return received_at < due_at(period)


def label(period: str) -> str:
    """`2026-10` -> `10/2026`, the way the template and Vietnamese documents write it."""
    year, month = year_month(period)
    return f"{month:02d}/{year:04d}"


def trailing(period: str, count: int) -> list[str]:
    """The `count` periods ending with `period`, oldest first (`trailing("2026-10", 3)` -> 08, 09, 10)."""
    return [shift(period, -offset) for offset in range(count - 1, -1, -1)]
