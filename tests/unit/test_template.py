"""The official template: Vietnamese headers, hidden code row, drop-downs, and a full round trip."""

import io

import openpyxl
import pytest

from nq57.columns import INFO, TASKS
from nq57.intake import submission
from nq57.outputs.template import CODE_ROW, HEADER_ROW, build_template

from workbooks import filled_bytes, task


def test_headers_are_vietnamese_with_hidden_code_row():
    workbook = build_template("NQ71", "T01", "2026-10")
    sheet = workbook[TASKS.sheet]
    headers = [c.value for c in sheet[HEADER_ROW]][: len(TASKS.columns)]
    assert headers[:4] == ["STT", "Mã nhiệm vụ", "Mã nhiệm vụ bên hệ thống kia", "Tên nhiệm vụ"]
    assert "Tình trạng" in headers and "Tiến độ (%)" in headers
    assert [c.value for c in sheet[CODE_ROW]][: len(TASKS.columns)] == TASKS.codes
    assert sheet.row_dimensions[CODE_ROW].hidden


def test_dropdowns_come_from_hidden_catalogue_sheets():
    workbook = build_template("NQ57")
    formulas = {dv.formula1 for dv in workbook[TASKS.sheet].data_validations.dataValidation}
    assert any("DM_TrangThai" in f for f in formulas)
    assert any("DM_DonVi" in f for f in formulas)
    for name in ("DM_DonVi", "DM_TrangThai", "DM_ChiTieu", "DM_LuaChon"):
        assert workbook[name].sheet_state == "hidden"
    statuses = [row[1] for row in workbook["DM_TrangThai"].iter_rows(min_row=2, values_only=True)]
    assert "Đang thực hiện trong hạn" in statuses and len(statuses) == 7


def test_thongtin_is_prefilled_from_arguments():
    workbook = build_template("NQ71", "T79", "2026-10")
    values = {row[1]: row[2] for row in workbook[INFO.sheet].iter_rows(min_row=4, values_only=True) if row[1]}
    assert values["ma_don_vi"] == "T79"
    assert values["ten_don_vi"] == "Ủy ban nhân dân Thành phố Hồ Chí Minh"
    assert values["ky_bao_cao"] == "10/2026"
    assert values["he_thong"] == "NQ71"


@pytest.mark.usefixtures("gx")
def test_round_trip_write_fill_validate_accepted():
    data = filled_bytes([
        task(),
        task(stt="2", ma_nhiem_vu="NQ57-BKHCN-0002", tinh_trang="Hoàn thành đúng hạn", tien_do=100,
             ngay_hoan_thanh="15/06/2026"),
    ], [{"ma_chi_tieu": "CT_11_1", "gia_tri": "80,3"}])
    openpyxl.load_workbook(io.BytesIO(data))  # a real workbook
    result = submission.evaluate(data, "bkhcn.xlsx", expected_agency="BKHCN", expected_period="2026-10")
    assert result.accepted, result.issues
    assert (result.agency_code, result.period, result.system) == ("BKHCN", "2026-10", "NQ57")
    assert list(result.tasks["status_code"]) == ["DANG_TRONG_HAN", "HT_DUNG_HAN"]
    assert result.tasks["deadline_type"].tolist() == ["NGAY", "NGAY"]
    assert result.indicators.loc[0, "gia_tri"] == 80.3
    assert result.tasks["source_row"].tolist() == [5, 6]
