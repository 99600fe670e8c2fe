"""The monthly consolidated report MoST sends the Prime Minister: a drafted official document (.docx) and its
annex workbook (.xlsx), both from the mart views, both in `nq57-reports/<YYYY-MM>/`.

Sub-jobs, one module each: `data` (what is read from the warehouse, `sql/queries/report_*.sql`), `figures`
(every count and verdict, computed once), `vntext` (Vietnamese numbers, dates, wording), `charts` (PNG
charts), `workbook` (the annex), `document` (the official text), `reproducible` (byte-identical packages).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from nq57 import periods
from nq57.outputs.report import charts
from nq57.outputs.report.data import ReportData, load_report_data
from nq57.outputs.report.document import build_document
from nq57.outputs.report.figures import ReportFigures, compute
from nq57.outputs.report.workbook import build_workbook

__all__ = ["Report", "ReportData", "ReportFigures", "build", "build_report", "compute", "document_key",
           "load_report_data", "report_key"]


def report_key(period: str) -> str:
    """Object key of the annex workbook in bucket `nq57-reports`: `<period>/bao_cao_tong_hop_<period>.xlsx`."""
    periods.check(period)
    return f"{period}/bao_cao_tong_hop_{period}.xlsx"


def document_key(period: str) -> str:
    """Object key of the drafted document in bucket `nq57-reports`, next to the workbook."""
    periods.check(period)
    return f"{period}/bao_cao_tong_hop_{period}.docx"


@dataclass(frozen=True)
class Report:
    """Both files of one period's report, and the figures they were written from."""

    period: str
    workbook: bytes
    document: bytes
    figures: ReportFigures
    generated: dt.datetime  # naive Vietnam wall-clock time


def _vietnam_time(generated_at: dt.datetime | None) -> dt.datetime:
    generated = generated_at or dt.datetime.now(ZoneInfo(periods.TIMEZONE))
    if generated.tzinfo is not None:  # Office files have no time zones: Vietnam wall-clock time
        generated = generated.astimezone(ZoneInfo(periods.TIMEZONE)).replace(tzinfo=None)
    return generated.replace(microsecond=0)


def build(data: ReportData, generated_at: dt.datetime | None = None, annex_name: str | None = None) -> Report:
    """Both files. `generated_at` (default now; aware times are shown in Vietnam time) dates the figures;
    `annex_name` is the file name the workbook is written under, which the document cites as its Phụ lục
    (default: the name of `report_key`, as published to the store). The same data, time and name give
    byte-identical files.

    Raises:
        ValueError: `data.period` is not a YYYY-MM month.
    """
    figures = compute(data)
    generated = _vietnam_time(generated_at)
    annex = annex_name or report_key(data.period).rsplit("/", 1)[-1]
    drawn = charts.report_charts(figures)  # drawn once: both files show them, numbered alike
    return Report(data.period, build_workbook(figures, generated, drawn),
                  build_document(figures, generated, annex, drawn), figures, generated)


def build_report(data: ReportData, generated_at: dt.datetime | None = None) -> bytes:
    """The annex workbook alone, as .xlsx bytes (see `build`)."""
    return build_workbook(compute(data), _vietnam_time(generated_at))
