"""One uploaded file from bytes to a verdict: preflight -> read -> parse -> validate -> context checks.

The same function serves `nq57 validate`, `nq57 run` and the ingest DAG, so an agency gets the same
answer everywhere. Judging a file never raises for what the file contains: whatever goes wrong while
reading or judging one file becomes that file's refusal, with a Vietnamese message for the agency and an
English log line (with the traceback) for the operator.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import pandas as pd

from nq57 import periods, reference
from nq57.columns import INDICATORS, TASKS
from nq57.intake import validation
from nq57.intake.issues import Issue, has_errors
from nq57.intake.parse import ParsedSubmission, empty_frame, name_excel_errors, parse_workbook
from nq57.intake.preflight import check_upload, text_amplification_issue
from nq57.intake.rules import issue
from nq57.intake.workbook import TextAmplification, UnreadableWorkbook, Workbook
from nq57.settings import Limits, get_settings
from nq57.vocabulary import STATUSES

log = logging.getLogger(__name__)


@dataclass
class SubmissionResult:
    """The verdict on one file: every finding, and what was read from it (`parsed`; None when the file was
    refused before it could be read). Agency and period fall back to the upload folder's."""

    file: str
    accepted: bool
    issues: list[Issue]
    kind: str | None = None
    parsed: ParsedSubmission | None = None
    expected_agency: str | None = None
    expected_period: str | None = None

    @property
    def agency_code(self) -> str | None:
        return (self.parsed and self.parsed.agency_code) or self.expected_agency

    @property
    def period(self) -> str | None:
        return (self.parsed and self.parsed.period) or self.expected_period

    @property
    def system(self) -> str | None:
        return self.parsed.system if self.parsed else None

    @property
    def report_date(self) -> dt.date | None:
        return self.parsed.report_date if self.parsed else None

    @property
    def nil_report(self) -> bool:
        return self.parsed.nil_report if self.parsed else False

    @property
    def tasks(self) -> pd.DataFrame:
        return self.parsed.tasks if self.parsed else empty_frame(TASKS)

    @property
    def indicators(self) -> pd.DataFrame:
        return self.parsed.indicators if self.parsed else empty_frame(INDICATORS)

    @property
    def task_sheet(self) -> str | None:
        return self.parsed.task_table.sheet if self.parsed and self.parsed.task_table else None

    @property
    def indicator_sheet(self) -> str | None:
        return self.parsed.indicator_table.sheet if self.parsed and self.parsed.indicator_table else None

    @property
    def error_count(self) -> int:
        return sum(i.severity == "error" for i in self.issues)

    @property
    def warning_count(self) -> int:
        return sum(i.severity == "warning" for i in self.issues)

    @property
    def counts(self) -> dict[str, int]:
        return {"tasks": len(self.tasks), "indicators": len(self.indicators)}

    def add_issues(self, found: list[Issue]) -> None:
        """Add findings made after `evaluate` (checks against the ledger), in the listing order."""
        self.issues = sorted([*self.issues, *found], key=_listing_order)
        self.accepted = self.accepted and not has_errors(found)

    def as_json(self) -> dict:
        """The `nq57 validate --json` object (DESIGN §6)."""
        return {
            "file": self.file,
            "accepted": self.accepted,
            "agency_code": self.agency_code,
            "period": self.period,
            "system": self.system,
            "counts": self.counts,
            "issues": [
                {k: i.as_dict()[k] for k in ("severity", "sheet", "row", "column", "rule", "message", "hint")}
                for i in self.issues
            ],
        }


def evaluate(
    data: bytes,
    filename: str = "",
    *,
    expected_agency: str | None = None,
    expected_period: str | None = None,
    today: dt.date | None = None,
    limits: Limits | None = None,
) -> SubmissionResult:
    """Judge one file. `expected_*` come from the upload prefix `<agency>/<YYYY-MM>/`.

    Never raises for the file's content: a file that cannot be read is refused (`file.corrupt`,
    `file.text_amplification`), and any other failure while judging it becomes its `file.unreadable` refusal,
    logged in English with the traceback.

    Raises:
        ValueError: `expected_period` is given and is not a `YYYY-MM` month (callers check the folder).
    """
    if expected_period is not None:
        periods.check(expected_period)
    expected = {"expected_agency": expected_agency, "expected_period": expected_period}
    try:
        return _evaluate(data, filename, expected, today or dt.date.today(), limits or get_settings().limits)
    except Exception:
        log.exception("judging %r (%d bytes) failed; the file is refused as unreadable", filename, len(data))
        return SubmissionResult(filename, False, [issue("file.unreadable")], **expected)


def _evaluate(data: bytes, filename: str, expected: dict, today: dt.date, limits: Limits) -> SubmissionResult:
    expected_agency, expected_period = expected["expected_agency"], expected["expected_period"]
    preflight = check_upload(data, filename, limits)
    if preflight.refused:
        return SubmissionResult(filename, False, list(preflight.issues), **expected)
    try:
        book = Workbook(data, preflight.kind or "xlsx", max_text=limits.max_referenced_text)
    except TextAmplification as exc:
        log.info("%r refused: %s", filename, exc)
        refusal = text_amplification_issue(total=exc.total, limit=exc.limit, size=len(data), length=exc.length,
                                           count=exc.count, sheet=exc.sheet, cell=exc.cell)
        return SubmissionResult(filename, False, [*preflight.issues, refusal], preflight.kind, **expected)
    except UnreadableWorkbook as exc:
        log.warning("%r passed preflight but cannot be read (%s); refused as corrupt", filename, exc)
        unreadable = issue("file.corrupt", detail="không đọc được nội dung các trang tính")
        return SubmissionResult(filename, False, [*preflight.issues, unreadable], preflight.kind, **expected)
    parsed = parse_workbook(book)
    issues = list(preflight.issues) + parsed.issues
    issues += _context_issues(parsed, expected_agency, expected_period, today)
    report_date = parsed.report_date or today
    if parsed.task_table is not None:
        issues += validation.run_suite(
            parsed.tasks, TASKS, parsed.task_table,
            parameters={"status_codes": list(STATUSES), "report_date": report_date},
        )
    if parsed.indicator_table is not None:
        issues += validation.run_suite(
            parsed.indicators, INDICATORS, parsed.indicator_table,
            parameters={"indicator_codes": list(reference.indicators())},
        )
    issues = name_excel_errors(issues, parsed.error_cells)
    issues.sort(key=_listing_order)
    return SubmissionResult(filename, not has_errors(issues), issues, preflight.kind, parsed, **expected)


def _listing_order(found: Issue) -> tuple:
    return found.severity != "error", found.sheet or "", found.row or 0, found.column or ""


def ownership_issues(result: SubmissionResult, owners: dict[str, str]) -> list[Issue]:
    """A warning at each task row that names the uploading agency lead of a code another agency owns.

    `owners` maps task codes to the agency that owns each in the file's system (`warehouse.task_code_owners`:
    the first accepted upload that reported the code naming itself lead). The row is still staged, but the
    owner's report is the one that counts (`mart.v_period_tasks`, issue 17 item 5), so the uploader is told
    at the cell instead of finding out from the report. Rows naming another lead are a partner's report
    and get no warning.
    """
    table = result.parsed.task_table if result.parsed else None
    if table is None or result.tasks.empty or not owners:
        return []
    agencies = reference.agencies()
    found = []
    for row in result.tasks.itertuples(index=False):
        owner = owners.get(row.ma_nhiem_vu)
        if owner is None or owner == result.agency_code or row.co_quan_chu_tri != result.agency_code:
            continue
        name = f"{agencies[owner].name} ({owner})" if owner in agencies else owner
        found.append(issue("task.code_owned_elsewhere", sheet=table.sheet, row=int(row.source_row),
                           column=table.letter("ma_nhiem_vu"), code=row.ma_nhiem_vu, owner=name, owner_code=owner))
    return found


def _context_issues(parsed: ParsedSubmission, expected_agency: str | None, expected_period: str | None,
                    today: dt.date) -> list[Issue]:
    issues: list[Issue] = []

    def at(code: str) -> dict:
        sheet, row, column = parsed.info_cells.get(code, (None, None, None))
        return {"sheet": sheet, "row": row, "column": column}

    if expected_agency is not None and expected_agency not in reference.agencies():
        issues.append(issue("upload.unknown_agency", agency=expected_agency))
    elif expected_agency and parsed.agency_code and parsed.agency_code != expected_agency:
        issues.append(issue("info.agency_mismatch", in_file=parsed.agency_code, uploaded=expected_agency,
                            **at("ma_don_vi")))
    if parsed.period:
        if parsed.period > periods.of(today):
            issues.append(issue("info.period_future", period=periods.label(parsed.period), **at("ky_bao_cao")))
        elif expected_period and parsed.period != expected_period:
            issues.append(issue("info.period_mismatch", in_file=periods.label(parsed.period),
                                uploaded=periods.label(expected_period), **at("ky_bao_cao")))
    if parsed.task_table is not None and parsed.tasks.empty and not parsed.nil_report:
        issues.append(issue("task.empty", sheet=parsed.task_table.sheet, row=parsed.task_table.first_data_row + 1))
    if parsed.nil_report and not parsed.tasks.empty:
        issues.append(issue("task.nil_with_tasks", **at("khong_phat_sinh")))
    return issues
