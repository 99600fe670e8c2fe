"""Run the Great Expectations suites in `expectations/` on typed rows and turn failures into Issues.

Suites are plain JSON kept in git. Each expectation's `meta` carries the rule id, the template column it
reports on and the Vietnamese message; its `severity` decides error (critical) or warning. One ephemeral
GX context per process is reused: building a context per file costs ~50% more (research/perf.md §2).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from functools import lru_cache
from typing import Any

import pandas as pd

from nq57.intake.issues import Issue
from nq57.settings import EXPECTATIONS_DIR

SUITES = ("nhiem_vu", "chi_tieu")


@lru_cache(maxsize=1)
def _context() -> tuple[Any, dict[str, Any]]:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = (
        context.data_sources.add_pandas("submissions")
        .add_dataframe_asset("rows")
        .add_batch_definition_whole_dataframe("whole_frame")
    )
    definitions = {}
    for name in SUITES:
        spec = json.loads((EXPECTATIONS_DIR / f"{name}.json").read_text(encoding="utf-8"))
        suite = context.suites.add(gx.ExpectationSuite(**spec))
        definitions[name] = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite)
        )
    return context, definitions


def warm_up() -> None:
    """Import GX and build the context now (the first call costs several seconds)."""
    _context()


def run_suite(
    frame: pd.DataFrame,
    suite: str,
    *,
    sheet: str,
    column_letters: dict[str, str],
    parameters: dict[str, Any] | None = None,
) -> list[Issue]:
    """Validate `frame` (it must carry `source_row`) and return one Issue per failing cell."""
    if frame.empty:
        return []
    _, definitions = _context()
    result = definitions[suite].run(
        batch_parameters={"dataframe": _for_gx(frame)},
        expectation_parameters=_for_gx_parameters(parameters or {}),
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": ["source_row"],
            "partial_unexpected_count": 0,
        },
    )
    issues: list[Issue] = []
    for outcome in result.results:
        config = outcome.expectation_config
        meta = config.meta or {}
        if outcome.success:
            continue
        severity = "warning" if str(config.severity).lower().endswith("warning") else "error"
        column = meta.get("column", config.kwargs.get("column"))
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise RuntimeError(f"{suite}: {config.type} failed to run: {outcome.exception_info}")
        for unexpected in outcome.result.get("unexpected_index_list") or []:
            value = unexpected.get(config.kwargs.get("column"))
            issues.append(
                Issue(
                    severity=severity,
                    rule=meta.get("rule", config.type),
                    message=meta.get("message", config.type).replace("{value}", _display(value)),
                    sheet=sheet,
                    row=int(unexpected["source_row"]),
                    column=column_letters.get(column, column),
                    hint=meta.get("hint"),
                )
            )
    return issues


_DATE_COLUMNS = ("ngay_hoan_thanh", "deadline_date")
_NUMBER_COLUMNS = ("tien_do", "gia_tri")


def _for_gx(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed columns GX can compare: datetimes for dates, floats for numbers."""
    out = frame.copy()
    for column in _DATE_COLUMNS:
        if column in out:
            out[column] = pd.to_datetime(out[column], errors="coerce")
    for column in _NUMBER_COLUMNS:
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce")
    out["source_row"] = out["source_row"].astype("int64")
    return out


def _for_gx_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    return {k: pd.Timestamp(v) if isinstance(v, dt.date) else v for k, v in parameters.items()}


def _display(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
