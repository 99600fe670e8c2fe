"""Run the Great Expectations suites in `expectations/` on typed rows and turn failures into Issues.

Suites are plain JSON kept in git, one per table of the column registry (`columns.Table.suite`). Each
expectation's `meta.rule` names its rule in the catalogue (`intake.rules`), which gives the severity and
the Vietnamese message (`{value}` is the offending value); the cell reported is the template column the
expectation's column is read from (`columns.Table.column_of`). One ephemeral GX context per process is
reused: building a context per file costs ~50% more (research/perf.md §2).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from nq57.columns import TABLES, Table
from nq57.intake.issues import Issue
from nq57.intake.rules import RULES
from nq57.settings import EXPECTATIONS_DIR

if TYPE_CHECKING:
    from nq57.intake.parse import TableSheet

#: Suite name -> the table whose rows it checks.
SUITES: dict[str, Table] = {table.suite: table for table in TABLES if table.suite}


@lru_cache(maxsize=1)
def _context() -> tuple[Any, dict[str, Any]]:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)  # ~200 INFO lines per file otherwise
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    for name, item in logging.root.manager.loggerDict.items():  # some GX modules pin their logger to INFO
        if name.startswith("great_expectations.") and isinstance(item, logging.Logger) and \
                logging.NOTSET < item.level < logging.WARNING:
            item.setLevel(logging.WARNING)
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


def run_suite(frame: pd.DataFrame, table: Table, located: TableSheet,
              parameters: dict[str, Any] | None = None) -> list[Issue]:
    """Validate the parsed rows of `table` (`frame`, with `source_row`) with the table's suite and return one
    Issue per failing cell. `located` is where the parser found the table (`parse.TableSheet`: the sheet
    and each column's letter).

    Raises:
        RuntimeError: an expectation could not run (a broken suite, not a bad file).
    """
    if frame.empty:
        return []
    _, definitions = _context()
    result = definitions[table.suite].run(
        batch_parameters={"dataframe": _for_gx(frame, table)},
        expectation_parameters=_for_gx_parameters(parameters or {}),
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": ["source_row"],
            "partial_unexpected_count": 0,
        },
    )
    issues: list[Issue] = []
    for outcome in result.results:
        if outcome.success:
            continue
        config = outcome.expectation_config
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise RuntimeError(f"{table.suite}: {config.type} failed to run: {outcome.exception_info}")
        rule = RULES[(config.meta or {})["rule"]]
        field_name = config.kwargs["column"]
        code = table.column_of(field_name).code
        for unexpected in outcome.result.get("unexpected_index_list") or []:
            issues.append(rule.issue(sheet=located.sheet, row=int(unexpected["source_row"]),
                                     column=located.letter(code) or code,
                                     value=_display(unexpected.get(field_name))))
    return issues


def _for_gx(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Typed columns GX can compare (`columns.Field.gx_type`): datetimes for dates, floats for numbers."""
    out = frame.copy()
    for column in table.gx_fields("date"):
        out[column] = pd.to_datetime(out[column], errors="coerce")
    for column in table.gx_fields("number"):
        out[column] = pd.to_numeric(out[column], errors="coerce")
    for column in table.gx_fields("integer"):
        out[column] = out[column].astype("int64")
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
