"""The feedback workbook an agency gets for every upload (accepted or not), in Vietnamese.

One builder, `build_feedback`, serves the pipeline (every upload, `nq57-feedback/<agency>/<YYYY-MM>/`; an
upload outside `<agency>/<YYYY-MM>/`, `nq57-feedback/<agency>/sai-thu-muc/`) and `nq57 validate --feedback` (a
check before uploading): the same findings give the same workbook.

The first sheet, `PhanHoi`, prints on landscape A4 one page wide, the list's header repeated on every page:

I.   the receipt: file, SHA-256, when it was received (Vietnam time) against the period's deadline
     (`periods.due_at`), accepted or not, and which version of the agency's report counts for the period
     (from `mart.v_submissions`: a rejected correction never replaces an accepted report);
II.  a summary like an import summary: rows read, rows without errors, rows with errors or only warnings,
     rows taken into the consolidation, then the findings counted by rule (`intake.rules`: title, severity);
III. every finding: severity, sheet, cell, what is wrong and how to fix it.

When the upload is a readable .xlsx, the agency's own sheets follow, each offending cell highlighted with a
comment saying what is wrong there; PhanHoi points the reader at those marks only when there are some (an
empty or unopenable file gets PhanHoi alone, whose text then never mentions sheets that are not there). A catalogue sheet a hint points at (`DM_DonVi`, `DM_ChiTieu`, …) is
made visible, or added from the template when the file has none, so no hint sends the reader to a sheet
they cannot see.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections import Counter
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from nq57 import periods, reference
from nq57.intake.issues import Issue
from nq57.intake.rules import RULES
from nq57.outputs import xlsx_layout
from nq57.outputs.excel_text import printable, protect_sheet
from nq57.outputs.xlsx_layout import font
from nq57.vocabulary import SHEET_AGENCY_LIST, SHEET_INDICATOR_LIST, SHEET_STATUS_LIST

SHEET = "PhanHoi"
SUFFIX = ".feedback.xlsx"
#: Folder of an agency's feedback prefix holding the answers to uploads outside `<agency>/<YYYY-MM>/`.
MISPLACED_FOLDER = "sai-thu-muc"
#: S3's limit on a key's length (UTF-8 bytes).
MAX_KEY_BYTES = 1024
SEVERITY_LABEL = {"error": "Lỗi", "warning": "Cảnh báo"}
#: Catalogue sheets a hint may send the reader to; the feedback workbook always shows the ones it names.
CATALOGUES = (SHEET_AGENCY_LIST, SHEET_INDICATOR_LIST, SHEET_STATUS_LIST)

_ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
_WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
_ACCEPTED_FILL = PatternFill("solid", fgColor="C6EFCE")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_LABEL_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, vertical="top", horizontal="center")
_TITLE_COLOR = "1F3864"
#: PhanHoi's columns: STT, severity, sheet, cell, message, hint, rule id (units of Excel column width).
_WIDTHS = (6, 10, 13, 8, 52, 46, 23)
_LAST = len(_WIDTHS)
_LABEL_SPAN = (1, 4)  # the receipt's and the summary's labels: columns A-D
_VALUE_SPAN = (5, _LAST)  # their values: columns E-G
_LOCATIONS_LISTED = 4  # cells listed per rule in the summary; the rest are counted


def feedback_key(agency: str, period: str, object_key: str) -> str:
    """`<agency>/<YYYY-MM>/<file name>.feedback.xlsx` in the feedback bucket, for the upload `object_key`.

    The whole file name is kept, extension included, so two uploads of one folder never share a feedback
    file (`a.xls` and `a.xlsx`, `bao_cao.xlsx` and `bao_cao.XLSX`, `a` and `a.xlsx`)."""
    return f"{agency}/{period}/{object_key.rsplit('/', 1)[-1]}{SUFFIX}"


def misplaced_feedback_key(agency: str, object_key: str) -> str:
    """`<agency>/sai-thu-muc/<path>.feedback.xlsx` in the feedback bucket, for an upload `object_key` put
    under the agency's prefix but outside `<agency>/<YYYY-MM>/` (see `nq57.placement`).

    `<path>` is the key below the agency's folder with every `/` written `__`, whole file name kept, so
    `T01/2026-13/a.xlsx` and `T01/2026-10/con/a.xlsx` get `T01/sai-thu-muc/2026-13__a.xlsx.feedback.xlsx` and
    `T01/sai-thu-muc/2026-10__con__a.xlsx.feedback.xlsx`: one folder the agency can list, one file per key.
    A path too long for an S3 key keeps its file name and a digest of the rest in place of the folders.
    """
    rest = object_key.removeprefix(f"{agency}/")
    key = f"{agency}/{MISPLACED_FOLDER}/{rest.replace('/', '__')}{SUFFIX}"
    if len(key.encode()) <= MAX_KEY_BYTES:
        return key
    folders, _, name = rest.rpartition("/")
    head = f"{agency}/{MISPLACED_FOLDER}/{hashlib.sha256(folders.encode()).hexdigest()[:16]}__"
    room = MAX_KEY_BYTES - len(head.encode()) - len(SUFFIX)
    return head + name.encode()[-room:].decode(errors="ignore") + SUFFIX


@dataclass(frozen=True)
class Counting:
    """The version whose rows count for an agency's period in one system: the newest accepted upload."""

    system: str
    submission_id: int
    file_name: str
    received_at: dt.datetime


@dataclass(frozen=True)
class Receipt:
    """What the feedback workbook says about the upload itself.

    `received_at` is timezone-aware (the store's time of the version, or the time of a local check);
    `submission_id` is None for a check before uploading (`nq57 validate --feedback`), which nothing counts,
    and for an upload outside `<agency>/<YYYY-MM>/`, which is never read or ledgered: `misplaced_at` then
    holds where it was put (`bucket/key`), and the workbook says it was not received for any period.
    `counting` holds the counting version of the upload's system (of each system when its system could
    not be read), empty when none counts yet.
    """

    file_name: str
    sha256: str
    received_at: dt.datetime
    agency: str | None
    period: str | None
    system: str | None
    accepted: bool
    submission_id: int | None = None
    counting: tuple[Counting, ...] = ()
    misplaced_at: str | None = None

    @property
    def local(self) -> bool:
        """A check before uploading: nothing was uploaded."""
        return self.submission_id is None and self.misplaced_at is None

    @property
    def misplaced(self) -> bool:
        """An upload outside `<agency>/<YYYY-MM>/`: in the store, but received for no period."""
        return self.misplaced_at is not None


def local_receipt(data: bytes, file_name: str, *, agency: str | None, period: str | None, system: str | None,
                  accepted: bool, checked_at: dt.datetime | None = None) -> Receipt:
    """The receipt of a check before uploading: the file's SHA-256 and the time of the check (now)."""
    return Receipt(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(),
                   received_at=checked_at or dt.datetime.now(periods.VN), agency=agency, period=period,
                   system=system, accepted=accepted)


def misplaced_receipt(*, bucket: str, key: str, sha256: str, received_at: dt.datetime,
                      agency: str) -> Receipt:
    """The receipt of an upload put at `bucket`/`key` outside `<agency>/<YYYY-MM>/`: no period, no system
    (the file is not read), not accepted; `received_at` is the store's time of the version."""
    return Receipt(file_name=key.rsplit("/", 1)[-1], sha256=sha256, received_at=received_at, agency=agency,
                   period=None, system=None, accepted=False, misplaced_at=f"{bucket}/{key}")


def load_receipt(url: str, submission_id: int) -> Receipt:
    """The receipt of a ledgered upload, from `mart.v_submissions` (`sql/queries/feedback_receipt.sql`).

    Raises:
        LookupError: no such submission.
    """
    from nq57.storage import warehouse

    rows = warehouse.rows(url, warehouse.named_query("feedback_receipt"), submission_id=submission_id)
    if not rows:
        raise LookupError(f"no submission {submission_id} in the ledger")
    first = rows[0]
    counting = tuple(
        Counting(system=r.counting_system, submission_id=r.counting_submission_id,
                 file_name=r.counting_object_key.rsplit("/", 1)[-1], received_at=r.counting_received_at)
        for r in rows if r.counting_submission_id is not None)
    return Receipt(file_name=first.object_key.rsplit("/", 1)[-1], sha256=first.sha256,
                   received_at=first.received_at, agency=first.agency_code, period=first.period,
                   system=first.system, accepted=first.status == "accepted", submission_id=first.submission_id,
                   counting=counting)


def build_feedback(*, original: bytes | None, receipt: Receipt, counts: dict[str, int], issues: list[Issue]) -> bytes:
    """The feedback workbook (xlsx bytes) for one upload.

    Args:
        original: the uploaded bytes; when openpyxl can open them, the agency's sheets follow `PhanHoi`
            with every finding marked in place.
        receipt: the upload (`load_receipt` in the pipeline, `local_receipt` before uploading).
        counts: rows read, `{"tasks": n, "indicators": m}` (`SubmissionResult.counts`).
        issues: every finding, in the order reported.
    """
    workbook = _agency_copy(original)
    if workbook is None:  # nothing of theirs to annotate: the feedback sheet alone
        workbook = Workbook()
        workbook.remove(workbook.active)
    # Marked before PhanHoi is written, so its text says where the marks are only when there are some.
    marked = sum(_annotate(workbook, issue) for issue in issues)
    sheet = workbook.create_sheet(SHEET, 0)
    workbook.active = 0
    for other in workbook.worksheets[1:]:
        other.sheet_view.tabSelected = False
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    row = _title(sheet, receipt)
    row = _receipt(sheet, row + 1, receipt, issues, marked=bool(marked))
    row = _summary(sheet, row + 1, receipt, counts, issues)
    header_row = _listing(sheet, row + 1, issues)
    _show_catalogues(workbook, issues)
    xlsx_layout.print_setup(sheet, title_rows=f"{header_row}:{header_row}" if header_row else None)
    protect_sheet(sheet)  # agency text (file name, sheet names, messages quoting cells) never a formula
    workbook.properties.title = printable(f"Phản hồi kết quả kiểm tra báo cáo {receipt.file_name}")
    workbook.properties.creator = "Hệ thống tổng hợp báo cáo NQ57"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- the sheet's parts


def _title(sheet: Worksheet, receipt: Receipt) -> int:
    _span(sheet, 1, "PHẢN HỒI KẾT QUẢ KIỂM TRA BÁO CÁO", font(bold=True, size=14, color=_TITLE_COLOR),
          Alignment(horizontal="center", vertical="center", wrap_text=True))
    subtitle = ("Báo cáo định kỳ hằng tháng về tình hình thực hiện Nghị quyết số 57-NQ/TW và "
                "Nghị quyết số 71/NQ-CP")
    _span(sheet, 2, subtitle, font(italic=True), Alignment(horizontal="center", vertical="center", wrap_text=True))
    if receipt.local:
        _span(sheet, 3, "Kiểm tra thử trước khi nộp: tệp chưa được gửi lên hệ thống, kết quả chỉ để tham khảo.",
              font(italic=True, color="9C0006"), Alignment(horizontal="center", vertical="center", wrap_text=True))
        return 3
    return 2


def _receipt(sheet: Worksheet, row: int, receipt: Receipt, issues: list[Issue], *, marked: bool) -> int:
    """Section I. `marked`: some finding is marked in the agency's own sheets following PhanHoi, which the
    request to correct then points at (a file that could not be opened has no such sheets)."""
    row = _section(sheet, row, "I. THÔNG TIN TIẾP NHẬN")
    errors = sum(i.severity == "error" for i in issues)
    warnings = len(issues) - errors
    verdict = ("ĐƯỢC TIẾP NHẬN" if receipt.accepted else "KHÔNG ĐƯỢC TIẾP NHẬN") + f" ({errors} lỗi, {warnings} cảnh báo)"
    if receipt.local:
        verdict = ("ĐẠT YÊU CẦU" if receipt.accepted else "KHÔNG ĐẠT YÊU CẦU") + f" ({errors} lỗi, {warnings} cảnh báo)"
    unread = ("Chưa xác định (tệp tải lên sai thư mục nên chưa được đọc)" if receipt.misplaced
              else "Chưa xác định được (không đọc được ô Hệ thống nguồn)")
    lines = [
        ("Tệp báo cáo", receipt.file_name, None),
        *([("Vị trí tải lên", receipt.misplaced_at, _ERROR_FILL)] if receipt.misplaced else []),
        ("Đơn vị báo cáo", _agency_text(receipt.agency), None),
        ("Kỳ báo cáo", _period_text(receipt), None),
        ("Hệ thống nguồn", receipt.system or unread, None),
        ("Mã kiểm tra tệp (SHA-256)", receipt.sha256, None),
        ("Thời điểm kiểm tra" if receipt.local else "Thời điểm tải lên" if receipt.misplaced else "Thời điểm tiếp nhận",
         f"{_when(receipt.received_at)} (giờ Việt Nam)", None),
        ("Thời hạn nộp", _timeliness(receipt), None),
        ("Kết quả kiểm tra", verdict, _ACCEPTED_FILL if receipt.accepted else _ERROR_FILL),
        ("Bản báo cáo dùng để tổng hợp", _counting_text(receipt), None),
    ]
    for label, value, fill in lines:
        _pair(sheet, row, label, value, fill=fill, bold=fill is not None)
        row += 1
    if receipt.misplaced:
        _span(sheet, row, "Vui lòng tải lên lại tệp vào đúng thư mục theo hướng dẫn ở mục III; hệ thống chỉ kiểm tra "
                          "nội dung tệp và gửi phản hồi sau khi tệp nằm đúng thư mục.", font(italic=True), _WRAP)
        row += 1
    elif not receipt.accepted:
        marks = (" (ô có lỗi được tô màu và có ghi chú ngay trong các sheet của đơn vị phía sau)" if marked
                 else "")
        _span(sheet, row, f"Vui lòng sửa các lỗi trong danh sách ở mục III{marks} rồi tải lên lại tệp vào đúng "
                          "thư mục của đơn vị.", font(italic=True), _WRAP)
        row += 1
    return row


def _summary(sheet: Worksheet, row: int, receipt: Receipt, counts: dict[str, int], issues: list[Issue]) -> int:
    row = _section(sheet, row + 1, "II. TÓM TẮT KẾT QUẢ KIỂM TRA")
    if receipt.misplaced:  # nothing was read: no row counts to give
        _span(sheet, row, "Nội dung tệp chưa được kiểm tra vì tệp tải lên sai thư mục; không dòng nào của tệp được "
                          "đưa vào tổng hợp.", font(italic=True), _WRAP)
        return _rule_counts(sheet, row + 1, issues)
    tasks, indicators = counts.get("tasks", 0), counts.get("indicators", 0)
    erroneous = _rows_with(issues, "error")
    warned = _rows_with(issues, "warning") - erroneous
    file_level = sum(1 for i in issues if i.severity == "error" and not _row_level(i))

    def split(found: set[tuple[str, str, int]]) -> tuple[int, int]:
        return (sum(1 for family, _, _ in found if family == "task"),
                sum(1 for family, _, _ in found if family == "indicator"))

    def both(task_count: int, indicator_count: int) -> str:
        return f"{task_count} dòng nhiệm vụ, {indicator_count} dòng chỉ tiêu"

    bad_tasks, bad_indicators = split(erroneous)
    warned_tasks, warned_indicators = split(warned)
    taken = (both(tasks, indicators) if receipt.accepted
             else "Không có dòng nào (tệp không được tiếp nhận thì không dữ liệu nào của tệp được tổng hợp)")
    if receipt.local:
        taken = (both(tasks, indicators) + " nếu tệp được nộp như hiện tại" if receipt.accepted
                 else "Không có dòng nào nếu tệp được nộp như hiện tại")
    for label, value in (
        ("Số dòng dữ liệu đọc được", both(tasks, indicators)),
        ("Số dòng không có lỗi", both(max(0, tasks - bad_tasks), max(0, indicators - bad_indicators))),
        ("Số dòng có lỗi", both(bad_tasks, bad_indicators)),
        ("Số dòng chỉ có cảnh báo", both(warned_tasks, warned_indicators)),
        ("Lỗi chung của tệp (không thuộc dòng nào)", f"{file_level} lỗi"),
        ("Số dòng được đưa vào tổng hợp", taken),
    ):
        _pair(sheet, row, label, value)
        row += 1
    return _rule_counts(sheet, row, issues)


def _rule_counts(sheet: Worksheet, row: int, issues: list[Issue]) -> int:
    """The findings counted by rule, errors first, with where each rule was found."""
    if not issues:
        return row
    row += 1
    _header(sheet, row, ["STT", "Mức độ", "Số lần", None, "Quy tắc", "Vị trí", "Mã quy tắc"], merge=(3, 4))
    row += 1
    by_rule: dict[str, list[Issue]] = {}
    for issue in issues:
        by_rule.setdefault(issue.rule, []).append(issue)
    ranked = sorted(by_rule.items(), key=lambda item: (item[1][0].severity != "error", -len(item[1]), item[0]))
    for number, (rule_id, found) in enumerate(ranked, start=1):
        rule = RULES.get(rule_id)
        places = [p for p in (_place(i) for i in found) if p]
        listed = ", ".join(places[:_LOCATIONS_LISTED])
        if len(places) > _LOCATIONS_LISTED:
            listed += f" và {len(places) - _LOCATIONS_LISTED} vị trí khác"
        severity = found[0].severity
        _table_row(sheet, row, [number, SEVERITY_LABEL.get(severity, severity), len(found), None,
                                rule.title if rule else rule_id, listed or "Toàn tệp", rule_id],
                   severity=severity, merge=(3, 4))
        row += 1
    return row


def _listing(sheet: Worksheet, row: int, issues: list[Issue]) -> int | None:
    row = _section(sheet, row + 1, "III. DANH SÁCH LỖI VÀ CẢNH BÁO")
    if not issues:
        _span(sheet, row, "Không có lỗi hay cảnh báo nào.", font(italic=True), _WRAP)
        return None
    header_row = row
    _header(sheet, row, ["STT", "Mức độ", "Sheet", "Ô / dòng", "Nội dung lỗi", "Cách khắc phục", "Mã quy tắc"])
    for number, issue in enumerate(issues, start=1):
        row += 1
        # a finding about a whole sheet (one that cannot be read) has no cell: it concerns all of it
        where = issue.cell or (f"dòng {issue.row}" if issue.row else "Toàn sheet" if issue.sheet else "")
        _table_row(sheet, row, [number, SEVERITY_LABEL.get(issue.severity, issue.severity), issue.sheet or "",
                                where, issue.message, issue.hint or "", issue.rule], severity=issue.severity)
    return header_row


# ---------------------------------------------------------------- receipt sentences


def _when(moment: dt.datetime) -> str:
    local = moment.astimezone(periods.VN) if moment.tzinfo else moment
    return f"{local:%H:%M:%S} ngày {local:%d/%m/%Y}"


def _agency_text(code: str | None) -> str:
    if not code:
        return "Chưa xác định được"
    agency = reference.agencies().get(code)
    return f"{code} – {agency.name}" if agency else f"{code} (không có trong danh mục đơn vị)"


def _period_text(receipt: Receipt) -> str:
    if receipt.misplaced:
        return "Không xác định (tệp không nằm trong thư mục tháng báo cáo)"
    if not receipt.period:
        return "Chưa xác định được"
    return f"Tháng {periods.label(receipt.period)}"


def _timeliness(receipt: Receipt) -> str:
    if receipt.misplaced:  # no period: nothing is on time or late
        return ("Không áp dụng: tệp tải lên sai thư mục không được tính là đã nộp báo cáo; thời điểm nộp được "
                "tính khi tệp được tải lên đúng thư mục.")
    if not receipt.period:
        return "Chưa xác định được kỳ báo cáo nên chưa đánh giá được thời hạn."
    due = periods.due_at(receipt.period)
    last_day = (due - dt.timedelta(days=1)).date()
    deadline = f"Hết ngày {last_day:%d/%m/%Y} (trước 00:00 ngày {due:%d/%m/%Y}, giờ Việt Nam)"
    on_time = periods.is_on_time(receipt.period, receipt.received_at)
    if receipt.local:
        return deadline + (": nếu nộp ngay bây giờ là nộp đúng hạn." if on_time
                           else ": đã quá hạn, tệp nộp bây giờ được ghi nhận là nộp muộn.")
    if on_time:
        return deadline + ": tệp được nộp đúng hạn."
    late = receipt.received_at - due
    days, hours = late.days, late.seconds // 3600
    after = f"{days} ngày {hours} giờ" if days else f"{hours} giờ {late.seconds % 3600 // 60} phút"
    return deadline + f": tệp được nộp sau thời hạn {after}."


def _counting_text(receipt: Receipt) -> str:
    period = f"tháng {periods.label(receipt.period)}" if receipt.period else "kỳ báo cáo"
    if receipt.misplaced:
        return ("Tệp này không được tiếp nhận nên không được dùng để tổng hợp; các báo cáo đơn vị đã tải lên đúng "
                "thư mục không bị ảnh hưởng.")
    if receipt.local:
        return ("Tệp chưa được nộp. Sau khi tải lên thư mục của đơn vị, hệ thống kiểm tra lại và gửi phản hồi; "
                "bản được tiếp nhận mới nhất của mỗi hệ thống được dùng để tổng hợp.")
    system = f" hệ thống {receipt.system}" if receipt.system else ""
    mine = [c for c in receipt.counting if c.submission_id == receipt.submission_id]
    others = [c for c in receipt.counting if c.submission_id != receipt.submission_id]
    if mine:
        return f"Tệp này được dùng để tổng hợp số liệu{system} {period}."
    if receipt.accepted:
        newer = "; ".join(f"bản nộp lúc {_when(c.received_at)} (tệp {c.file_name})" for c in others)
        return f"Tệp này được tiếp nhận, nhưng {newer} mới hơn nên được dùng để tổng hợp."
    if others and receipt.system:
        c = others[0]
        return (f"Tệp này không được tiếp nhận; bản nộp lúc {_when(c.received_at)} (tệp {c.file_name}) "
                f"vẫn được dùng để tổng hợp số liệu{system} {period}.")
    if others:
        kept = "; ".join(f"{c.system}: bản nộp lúc {_when(c.received_at)} (tệp {c.file_name})" for c in others)
        return f"Tệp này không được tiếp nhận; các bản vẫn được dùng để tổng hợp: {kept}."
    return (f"Tệp này không được tiếp nhận và đơn vị chưa có báo cáo{system} nào được tiếp nhận cho {period}: "
            "vui lòng sửa lỗi và nộp lại.")


# ---------------------------------------------------------------- counting


def _row_level(issue: Issue) -> bool:
    rule = RULES.get(issue.rule)
    return bool(rule and rule.row_level and issue.row)


def _rows_with(issues: list[Issue], severity: str) -> set[tuple[str, str, int]]:
    """(rule family, sheet, row) of the task and indicator rows with a finding of `severity`."""
    return {(i.rule.split(".", 1)[0], i.sheet or "", i.row) for i in issues if i.severity == severity and _row_level(i)}


def _place(issue: Issue) -> str | None:
    where = issue.cell or (f"dòng {issue.row}" if issue.row else None)
    if issue.sheet and where:
        return f"{issue.sheet}!{where}" if issue.cell else f"{issue.sheet} {where}"
    return issue.sheet or where


# ---------------------------------------------------------------- cells


def _span(sheet: Worksheet, row: int, value: str, cell_font, alignment: Alignment) -> None:
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=_LAST)
    cell = sheet.cell(row, 1, printable(value))
    cell.font, cell.alignment = cell_font, alignment
    xlsx_layout.fit_row(sheet, row, [(1, _LAST)])


def _section(sheet: Worksheet, row: int, title: str) -> int:
    cell = sheet.cell(row, 1, title)
    cell.font = font(bold=True, size=12, color=_TITLE_COLOR)
    sheet.row_dimensions[row].height = 20
    return row + 1


def _pair(sheet: Worksheet, row: int, label: str, value: str, *, fill: PatternFill | None = None,
          bold: bool = False) -> None:
    sheet.merge_cells(start_row=row, start_column=_LABEL_SPAN[0], end_row=row, end_column=_LABEL_SPAN[1])
    sheet.merge_cells(start_row=row, start_column=_VALUE_SPAN[0], end_row=row, end_column=_VALUE_SPAN[1])
    label_cell = sheet.cell(row, _LABEL_SPAN[0], label)
    label_cell.font, label_cell.alignment, label_cell.fill = font(bold=True), _WRAP, _LABEL_FILL
    value_cell = sheet.cell(row, _VALUE_SPAN[0], printable(value))
    value_cell.font, value_cell.alignment = font(bold=bold), _WRAP
    if fill is not None:
        value_cell.fill = fill
    for column in range(1, _LAST + 1):
        sheet.cell(row, column).border = _BOX
    xlsx_layout.fit_row(sheet, row, [_LABEL_SPAN, _VALUE_SPAN])


def _header(sheet: Worksheet, row: int, labels: list[str | None], merge: tuple[int, int] | None = None) -> None:
    for column, label in enumerate(labels, start=1):
        cell = sheet.cell(row, column, label)
        cell.font, cell.fill, cell.border = font(bold=True), _HEADER_FILL, _BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    if merge:
        sheet.merge_cells(start_row=row, start_column=merge[0], end_row=row, end_column=merge[1])
    xlsx_layout.fit_row(sheet, row, _spans(merge))


def _table_row(sheet: Worksheet, row: int, values: list[object], *, severity: str,
               merge: tuple[int, int] | None = None) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row, column, printable(value))  # agency text may quote control characters
        cell.font, cell.border = font(), _BOX
        cell.alignment = _CENTER if column in (1, 2, 3, 4) else _WRAP
    sheet.cell(row, 2).fill = _ERROR_FILL if severity == "error" else _WARNING_FILL
    if merge:
        sheet.merge_cells(start_row=row, start_column=merge[0], end_row=row, end_column=merge[1])
    xlsx_layout.fit_row(sheet, row, _spans(merge))


def _spans(merge: tuple[int, int] | None) -> list[tuple[int, int]]:
    spans = [(c, c) for c in range(1, _LAST + 1)]
    if merge:
        spans = [s for s in spans if not merge[0] <= s[0] <= merge[1]] + [merge]
    return spans


# ---------------------------------------------------------------- the agency's own sheets


def _agency_copy(original: bytes | None) -> Workbook | None:
    if not original:
        return None
    # Only a file preflight lets through is opened: a zip bomb, or a file whose cells reference gigabytes of
    # shared text, would exhaust memory in openpyxl, which has no such guard.
    from nq57.intake.preflight import check_upload

    checked = check_upload(original)
    if checked.refused or checked.kind != "xlsx":
        return None
    try:
        return load_workbook(io.BytesIO(original))
    except Exception:  # not an xlsx openpyxl can open (a damaged part): list only
        return None


def _annotate(workbook: Workbook, issue: Issue) -> bool:
    """Highlight the offending cell in the agency's own sheet and say what is wrong there (the row's first
    cell when the finding has no column letter). False when the finding has no cell in a sheet of the copy
    (no copy, a file-wide finding, a sheet that could not be read)."""
    if not issue.sheet or issue.sheet not in workbook.sheetnames or issue.sheet == SHEET or not issue.row:
        return False
    sheet = workbook[issue.sheet]
    cell = sheet[issue.cell] if issue.cell else sheet.cell(issue.row, 1)
    cell.fill = _ERROR_FILL if issue.severity == "error" else _WARNING_FILL
    text = printable(f"{SEVERITY_LABEL.get(issue.severity, '')}: {issue.message}"
                     + (f"\n→ {issue.hint}" if issue.hint else ""))
    if cell.comment is not None:
        text = cell.comment.text + "\n\n" + text
    cell.comment = Comment(text, "Hệ thống tổng hợp NQ57", width=320, height=140)
    return True


def _show_catalogues(workbook: Workbook, issues: list[Issue]) -> None:
    """Every catalogue sheet a finding names is visible: unhidden in the agency's copy, or added from the
    template's catalogue when the copy has none (or there is no copy)."""
    from nq57.outputs.template import write_catalogue

    named = Counter(name for issue in issues for name in CATALOGUES
                    if name in (issue.hint or "") or name in issue.message)
    for name in named:
        if name in workbook.sheetnames:
            workbook[name].sheet_state = "visible"
        else:
            write_catalogue(workbook, name)
