"""One uploaded file from bytes to a verdict: preflight -> read -> parse -> validate -> context checks.

The same function serves `nq57 validate`, `nq57 run` and the ingest DAG, so an agency gets the same
answer everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from nq57 import periods, reference
from nq57.intake import validation
from nq57.intake.issues import Issue, error, has_errors, warning
from nq57.intake.parse import ParsedSubmission, parse_workbook
from nq57.intake.preflight import check_upload
from nq57.intake.workbook import Workbook
from nq57.settings import Limits
from nq57.vocabulary import STATUSES


@dataclass
class SubmissionResult:
    file: str
    accepted: bool
    agency_code: str | None = None
    period: str | None = None
    system: str | None = None
    report_date: dt.date | None = None
    nil_report: bool = False
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicators: pd.DataFrame = field(default_factory=pd.DataFrame)
    issues: list[Issue] = field(default_factory=list)
    kind: str | None = None
    task_sheet: str | None = None
    indicator_sheet: str | None = None

    @property
    def error_count(self) -> int:
        return sum(i.severity == "error" for i in self.issues)

    @property
    def warning_count(self) -> int:
        return sum(i.severity == "warning" for i in self.issues)

    @property
    def counts(self) -> dict[str, int]:
        return {"tasks": len(self.tasks), "indicators": len(self.indicators)}

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
    """Judge one file. `expected_*` come from the upload prefix `<agency>/<YYYY-MM>/`."""
    today = today or dt.date.today()
    preflight = check_upload(data, filename, limits)
    if preflight.refused:
        return SubmissionResult(file=filename, accepted=False, issues=list(preflight.issues),
                                agency_code=expected_agency, period=expected_period)
    try:
        book = Workbook(data, preflight.kind or "xlsx")
    except Exception as exc:  # calamine raises its own types for damaged parts
        issue = error("file.corrupt", "Tệp bị hỏng, hệ thống không đọc được nội dung bảng tính.",
                      hint=f"Mở tệp bằng Excel, lưu lại (Save As .xlsx) rồi tải lên lại. Chi tiết: {type(exc).__name__}")
        return SubmissionResult(file=filename, accepted=False, issues=[*preflight.issues, issue],
                                agency_code=expected_agency, period=expected_period)
    parsed = parse_workbook(book)
    issues = list(preflight.issues) + parsed.issues
    issues += _context_issues(parsed, expected_agency, expected_period, today)
    report_date = parsed.report_date or today
    if parsed.task_table is not None:
        issues += validation.run_suite(
            parsed.tasks, "nhiem_vu", sheet=parsed.task_table.sheet,
            column_letters={c: parsed.task_table.letter(c) for c in parsed.task_table.columns},
            parameters={"status_codes": list(STATUSES), "report_date": report_date},
        )
    if parsed.indicator_table is not None:
        issues += validation.run_suite(
            parsed.indicators, "chi_tieu", sheet=parsed.indicator_table.sheet,
            column_letters={c: parsed.indicator_table.letter(c) for c in parsed.indicator_table.columns},
            parameters={"indicator_codes": list(reference.indicators())},
        )
    issues.sort(key=lambda i: (i.severity != "error", i.sheet or "", i.row or 0, i.column or ""))
    return SubmissionResult(
        file=filename,
        accepted=not has_errors(issues),
        agency_code=parsed.agency_code or expected_agency,
        period=parsed.period or expected_period,
        system=parsed.system,
        report_date=parsed.report_date,
        nil_report=parsed.nil_report,
        tasks=parsed.tasks,
        indicators=parsed.indicators,
        issues=issues,
        kind=preflight.kind,
        task_sheet=parsed.task_table.sheet if parsed.task_table else None,
        indicator_sheet=parsed.indicator_table.sheet if parsed.indicator_table else None,
    )


def _context_issues(parsed: ParsedSubmission, expected_agency: str | None, expected_period: str | None,
                    today: dt.date) -> list[Issue]:
    issues: list[Issue] = []

    def at(code: str) -> dict:
        sheet, row, column = parsed.info_cells.get(code, (None, None, None))
        return {"sheet": sheet, "row": row, "column": column}

    if expected_agency is not None and expected_agency not in reference.agencies():
        issues.append(error("upload.unknown_agency", f"Thư mục tải lên '{expected_agency}' không phải là mã đơn vị trong danh mục.",
                            hint="Tải tệp vào thư mục mang đúng mã đơn vị của mình."))
    elif expected_agency and parsed.agency_code and parsed.agency_code != expected_agency:
        issues.append(error("info.agency_mismatch", f"Mã đơn vị trong tệp ({parsed.agency_code}) khác với đơn vị tải lên ({expected_agency}).",
                            **at("ma_don_vi"), hint="Mỗi đơn vị chỉ tải lên báo cáo của chính mình; kiểm tra lại ô Mã đơn vị."))
    if parsed.period:
        current = f"{today.year:04d}-{today.month:02d}"
        if parsed.period > current:
            issues.append(error("info.period_future", f"Kỳ báo cáo {periods.label(parsed.period)} ở tương lai.",
                                **at("ky_bao_cao"), hint="Ghi đúng tháng báo cáo theo dạng MM/YYYY."))
        elif expected_period and parsed.period != expected_period:
            issues.append(error("info.period_mismatch", f"Kỳ báo cáo trong tệp ({periods.label(parsed.period)}) khác với thư mục tải lên ({periods.label(expected_period)}).",
                                **at("ky_bao_cao"), hint="Tải tệp vào thư mục của đúng kỳ báo cáo, hoặc sửa ô Kỳ báo cáo."))
    if parsed.task_table is not None and parsed.tasks.empty and not parsed.nil_report:
        issues.append(error("task.empty", "Sheet nhiệm vụ không có nhiệm vụ nào nhưng chưa đánh dấu 'Không phát sinh'.",
                            sheet=parsed.task_table.sheet, row=parsed.task_table.first_data_row + 1,
                            hint="Ghi danh sách nhiệm vụ, hoặc chọn 'Có' ở ô 'Không phát sinh nhiệm vụ trong kỳ' (sheet ThongTin)."))
    if parsed.nil_report and not parsed.tasks.empty:
        issues.append(warning("task.nil_with_tasks", "Đã chọn 'Không phát sinh' nhưng sheet nhiệm vụ vẫn có nhiệm vụ; hệ thống vẫn tiếp nhận các nhiệm vụ.",
                              **at("khong_phat_sinh")))
    return issues
