"""The agency's feedback workbook: every issue listed, and marked in place on their own sheets."""

from __future__ import annotations

import io

import openpyxl
import pytest

from nq57.intake import submission
from nq57.outputs import feedback

from workbooks import filled_bytes, task

pytestmark = pytest.mark.usefixtures("gx")


def test_rejected_upload_gets_its_own_file_back_with_each_problem_marked_in_place():
    data = filled_bytes([task(tinh_trang="Đang làm"), task(ma_nhiem_vu="B", ten_nhiem_vu="=HYPERLINK(\"http://x\")",
                                                           tien_do=140)])
    result = submission.evaluate(data, "bao_cao.xlsx", expected_agency="BKHCN", expected_period="2026-10")
    body = feedback.build_feedback(original=data, file_name="bao_cao.xlsx", agency="BKHCN", period="2026-10",
                                   accepted=result.accepted, counts=result.counts, issues=result.issues)
    book = openpyxl.load_workbook(io.BytesIO(body))

    assert book.sheetnames[0] == "PhanHoi" and "NhiemVu" in book.sheetnames
    listing = book["PhanHoi"]
    text = [[c.value for c in row] for row in listing.iter_rows()]
    assert "KHÔNG ĐƯỢC TIẾP NHẬN" in str(text[2][0])
    cells = {row[3]: row for row in text if row[3]}
    assert "K5" in cells and "L6" in cells
    assert cells["K5"][1] == "Lỗi" and "Đang làm" in cells["K5"][4] and cells["K5"][5]

    sheet = book["NhiemVu"]
    assert sheet["K5"].comment is not None and "Đang làm" in sheet["K5"].comment.text
    assert sheet["K5"].fill.fgColor.rgb.endswith("FFC7CE")
    assert sheet["L6"].comment is not None and "0–100" in sheet["L6"].comment.text
    assert sheet["K5"].value == "Đang làm"  # their data is untouched
    assert all(c.data_type != "f" for row in listing.iter_rows() for c in row)


def test_accepted_upload_gets_a_short_confirmation():
    data = filled_bytes()
    result = submission.evaluate(data, "ok.xlsx", expected_agency="BKHCN", expected_period="2026-10")
    body = feedback.build_feedback(original=data, file_name="ok.xlsx", agency="BKHCN", period="2026-10",
                                   accepted=True, counts=result.counts, issues=result.issues)
    listing = openpyxl.load_workbook(io.BytesIO(body))["PhanHoi"]
    assert "ĐƯỢC TIẾP NHẬN. 0 lỗi" in listing["A3"].value and "1 nhiệm vụ" in listing["A3"].value


def test_feedback_for_a_refused_file_lists_the_reason_only():
    result = submission.evaluate(b"%PDF-1.7", "scan.xlsx", expected_agency="T01", expected_period="2026-10")
    body = feedback.build_feedback(original=b"%PDF-1.7", file_name="scan.xlsx", agency="T01", period="2026-10",
                                   accepted=False, counts=result.counts, issues=result.issues)
    book = openpyxl.load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["PhanHoi"]
    assert "file.not_spreadsheet" in [c.value for row in book["PhanHoi"].iter_rows() for c in row]
