"""One test per validation rule: the verdict, the rule id, the cell, and a Vietnamese message."""

from __future__ import annotations

import datetime as dt

import pytest

from nq57.intake import submission
from nq57.outputs.template import FIRST_DATA_ROW

from workbooks import filled, filled_bytes, task, to_bytes

TODAY = dt.date(2026, 11, 15)

pytestmark = pytest.mark.usefixtures("gx")


def judge(data: bytes, agency: str = "BKHCN", period: str = "2026-10"):
    return submission.evaluate(data, "test.xlsx", expected_agency=agency, expected_period=period, today=TODAY)


def only(result, rule: str):
    found = [i for i in result.issues if i.rule == rule]
    assert found, f"{rule} not in {[i.rule for i in result.issues]}"
    return found[0]


def test_invalid_status_is_rejected_at_its_cell_with_a_vietnamese_message():
    result = judge(filled_bytes([task(tinh_trang="Đang làm")]))
    assert not result.accepted
    issue = only(result, "task.status_invalid")
    assert (issue.severity, issue.sheet, issue.row, issue.column) == ("error", "NhiemVu", FIRST_DATA_ROW, "K")
    assert issue.message == "Tình trạng 'Đang làm' không thuộc danh mục 7 tình trạng."


def test_completed_task_needs_a_completion_date():
    result = judge(filled_bytes([task(tinh_trang="Hoàn thành đúng hạn", tien_do=100)]))
    issue = only(result, "task.completion_date_missing")
    assert not result.accepted and (issue.row, issue.column) == (FIRST_DATA_ROW, "M")


def test_completion_date_after_report_date():
    result = judge(filled_bytes([task(tinh_trang="Hoàn thành đúng hạn", tien_do=100, ngay_hoan_thanh="20/11/2026")]))
    issue = only(result, "task.completion_after_report")
    assert "20/11/2026" in issue.message


def test_duplicate_task_codes_are_rejected_on_every_row():
    result = judge(filled_bytes([task(), task(stt="2")]))
    rows = sorted(i.row for i in result.issues if i.rule == "task.code_duplicate")
    assert not result.accepted and rows == [FIRST_DATA_ROW, FIRST_DATA_ROW + 1]


@pytest.mark.parametrize("progress", [120, -5])
def test_progress_outside_0_100(progress):
    result = judge(filled_bytes([task(tien_do=progress)]))
    assert only(result, "task.progress_out_of_range").column == "L"


def test_completed_with_progress_below_100_is_a_warning():
    result = judge(filled_bytes([task(tinh_trang="Hoàn thành đúng hạn", tien_do=90, ngay_hoan_thanh="01/06/2026")]))
    assert result.accepted
    assert only(result, "task.progress_not_100").severity == "warning"


def test_completed_with_progress_above_100_is_one_error_not_also_a_warning():
    result = judge(filled_bytes([task(tinh_trang="Hoàn thành đúng hạn", tien_do=150, ngay_hoan_thanh="01/06/2026")]))
    assert [i.rule for i in result.issues if i.rule.startswith("task.progress")] == ["task.progress_out_of_range"]


def test_unreadable_deadline():
    result = judge(filled_bytes([task(thoi_han="sớm")]))
    issue = only(result, "task.deadline_unreadable")
    assert not result.accepted and issue.column == "I" and "thời hạn" in issue.message


@pytest.mark.parametrize(
    ("field", "rule"),
    [("ten_nhiem_vu", "task.name_missing"), ("van_ban_giao", "task.document_missing"),
     ("co_quan_chu_tri", "task.lead_missing"), ("thoi_han", "task.deadline_missing"),
     ("tinh_trang", "task.status_missing")],
)
def test_required_task_fields(field, rule):
    result = judge(filled_bytes([task(**{field: None})]))
    assert not result.accepted and only(result, rule).row == FIRST_DATA_ROW


def test_unknown_lead_agency():
    result = judge(filled_bytes([task(co_quan_chu_tri="Bộ Không Tồn Tại")]))
    assert only(result, "task.unknown_agency").column == "G"


def test_agency_names_and_former_names_resolve_to_codes():
    result = judge(filled_bytes([
        task(co_quan_chu_tri="Bộ Thông tin và Truyền thông"),
        task(ma_nhiem_vu="B", co_quan_chu_tri="Bộ Kế hoạch và Đầu tư", co_quan_phoi_hop="UBND tỉnh Bình Dương; Bộ Y tế"),
    ]))
    assert result.accepted, result.issues
    assert result.tasks["co_quan_chu_tri"].tolist() == ["BKHCN", "BTC"]
    assert result.tasks.loc[1, "co_quan_phoi_hop"] == "T79;BYT"


def test_agency_in_file_must_match_upload_prefix():
    result = judge(filled_bytes(agency="BTC"), agency="BKHCN")
    issue = only(result, "info.agency_mismatch")
    assert not result.accepted and issue.sheet == "ThongTin" and issue.column == "C"


def test_unknown_agency_in_file():
    result = judge(filled_bytes(info={"ma_don_vi": "XYZ"}))
    assert only(result, "info.unknown_agency").sheet == "ThongTin"


@pytest.mark.parametrize(
    ("period", "rule"), [("13/2026", "info.period_invalid"), ("12/2026", "info.period_future"),
                         ("09/2026", "info.period_mismatch")],
)
def test_period_rules(period, rule):
    result = judge(filled_bytes(info={"ky_bao_cao": period}))
    assert not result.accepted and only(result, rule).sheet == "ThongTin"


def test_missing_required_column():
    workbook = filled()
    sheet = workbook["NhiemVu"]
    sheet.delete_cols(11)  # Tình trạng
    result = judge(to_bytes(workbook))
    issue = only(result, "column.missing")
    assert not result.accepted and "Tình trạng" in issue.message
    # On the header row, never a column code: the message says where the template puts it (right after
    # Sản phẩm, J); the cell is the first free one right of the table, since K now holds Tiến độ.
    assert (issue.sheet, issue.cell) == ("NhiemVu", "P3")
    assert "ngay sau cột “Sản phẩm” (J)" in issue.message and "ô trống P3" in issue.message


def test_missing_required_sheet():
    workbook = filled()
    del workbook["NhiemVu"]
    result = judge(to_bytes(workbook))
    issue = only(result, "sheet.missing")
    # The missing sheet cannot be pointed at: the issue sits on A1 of the first sheet the agency sees and
    # names the sheet it lacks and the sheets it has.
    assert not result.accepted and (issue.sheet, issue.cell) == ("HuongDan", "A1")  # the template's first sheet
    assert issue.message.startswith("Không tìm thấy sheet “NhiemVu” (danh sách nhiệm vụ); tệp có các sheet: “HuongDan”, "
                                    "“ThongTin”")


def test_empty_task_sheet_needs_nil_report():
    assert only(judge(filled_bytes([])), "task.empty").severity == "error"
    nil = judge(filled_bytes([], info={"khong_phat_sinh": "Có"}))
    assert nil.accepted and nil.nil_report


def test_unknown_indicator_and_missing_value():
    result = judge(filled_bytes(indicators=[{"ma_chi_tieu": "CT_99", "gia_tri": 5}, {"ma_chi_tieu": "CT_12"},
                                            {"ma_chi_tieu": "CT_13", "ghi_chu": "Chưa có số liệu"}]))
    assert only(result, "indicator.code_unknown").row == FIRST_DATA_ROW
    assert only(result, "indicator.value_missing").row == FIRST_DATA_ROW + 1
    assert not [i for i in result.issues if i.row == FIRST_DATA_ROW + 2]


def test_status_that_disagrees_with_dates_is_a_warning_and_both_are_kept():
    result = judge(filled_bytes([task(thoi_han="30/06/2026", tinh_trang="Đang thực hiện trong hạn")]))
    assert result.accepted
    assert only(result, "task.status_mismatch").severity == "warning"
    assert (result.tasks.loc[0, "status_code"], result.tasks.loc[0, "status_derived"]) == ("DANG_TRONG_HAN", "DANG_QUA_HAN")
