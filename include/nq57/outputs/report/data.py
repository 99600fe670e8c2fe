"""What the monthly report reads from the warehouse: one period's mart rows, the previous month, the trend.

Every statement is a named query in `sql/queries/report_*.sql`, each with a fixed row order, so two runs on
the same warehouse read the same rows in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from nq57 import periods
from nq57.storage import warehouse

TREND_MONTHS = 12


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass
class ReportData:
    """One period's rows from the mart views, plus what the comparison and the trend need.

    - `tasks`: `mart.v_tasks` rows of the period; `compliance`: one row per agency (`agency_compliance.sql`,
      every agency even in a month without uploads); `indicators`: `mart.v_indicators` rows.
    - `previous_tasks` / `previous_compliance`: the same for the previous month; None when the warehouse has
      nothing that early (the comparison then shows `—`).
    - `status_trend`: (period, status_code, tasks); `compliance_trend`: (period, submission_state, agencies),
      for `trend_periods` (oldest first, at most 12, none before the first reported period).
    - `difficulties`: `report_difficulties.sql` rows (texts with file, sheet and row).
    """

    period: str
    tasks: pd.DataFrame
    compliance: pd.DataFrame
    indicators: pd.DataFrame
    previous_tasks: pd.DataFrame | None = None
    previous_compliance: pd.DataFrame | None = None
    status_trend: pd.DataFrame = field(default_factory=_empty)
    compliance_trend: pd.DataFrame = field(default_factory=_empty)
    trend_periods: tuple[str, ...] = ()
    difficulties: pd.DataFrame = field(default_factory=_empty)


def _query(url: str, name: str, **params) -> pd.DataFrame:
    return warehouse.query(url, warehouse.named_query(name), **params)


def load_report_data(url: str, period: str) -> ReportData:
    """Read `period` (YYYY-MM) and what it is compared with from the mart views.

    Raises:
        ValueError: `period` is not a YYYY-MM month.
    """
    periods.check(period)
    first = _query(url, "report_first_period")["first_period"].iloc[0]
    first = first if isinstance(first, str) else None
    trend = tuple(p for p in periods.trailing(period, TREND_MONTHS) if first is not None and p >= first)
    previous = periods.previous(period)
    has_previous = first is not None and previous >= first
    return ReportData(
        period=period,
        tasks=_query(url, "report_tasks", period=period),
        compliance=_query(url, "agency_compliance", period=period),
        indicators=_query(url, "report_indicators", period=period),
        previous_tasks=_query(url, "report_tasks", period=previous) if has_previous else None,
        previous_compliance=_query(url, "agency_compliance", period=previous) if has_previous else None,
        status_trend=_query(url, "report_status_trend", periods=list(trend)) if trend else _empty(),
        compliance_trend=_query(url, "report_compliance_trend", periods=list(trend)) if trend else _empty(),
        trend_periods=trend,
        difficulties=_query(url, "report_difficulties", period=period),
    )
