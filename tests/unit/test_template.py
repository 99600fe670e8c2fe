"""The official template: instructions with a worked example, Vietnamese headers over a hidden code row, a prompt
on every column, drop-downs that suggest but never refuse what the parser accepts, protected layout and
catalogues, and a full round trip."""

import datetime as dt
import io

import openpyxl
import pytest

from nq57 import reference
from nq57.columns import INDICATORS, INFO, TASKS
from nq57.intake import submission
from nq57.intake.parse import parse_workbook
from nq57.intake.workbook import Workbook
from nq57.outputs.template import (
    CATALOGUE_FIRST_ROW,
    CODE_ROW,
    FIRST_DATA_ROW,
    HEADER_ROW,
    INFO_FIRST_ROW,
    SHEET_GUIDE,
    TEMPLATE_DATA_ROWS,
    agency_choices,
    build_template,
)

from workbooks import filled, filled_bytes, task, to_bytes

CATALOGUES = ("DM_DonVi", "DM_TrangThai", "DM_ChiTieu")


def validations(sheet) -> list:
    return list(sheet.data_validations.dataValidation)


def validation_of(sheet, cell: str):
    found = [dv for dv in validations(sheet) if cell in dv.sqref]
    assert len(found) == 1, (sheet.title, cell, found)
    return found[0]


def list_values(workbook, validation) -> list[str]:
    """The values a list validation offers (`=Sheet!$A$2:$A$9`)."""
    sheet_name, cells = validation.formula1.lstrip("=").split("!")
    return [c.value for row in workbook[sheet_name][cells.replace("$", "")] for c in row]


def test_sheets_in_order_instructions_first_catalogues_visible_choices_hidden():
    workbook = build_template("NQ57")
    assert workbook.sheetnames == [SHEET_GUIDE, INFO.sheet, TASKS.sheet, INDICATORS.sheet, *CATALOGUES, "DM_LuaChon"]
    assert workbook.active.title == SHEET_GUIDE
    assert [workbook[name].sheet_state for name in workbook.sheetnames] == ["visible"] * 7 + ["hidden"]


def test_headers_are_vietnamese_with_hidden_code_row():
    workbook = build_template("NQ71", "T01", "2026-10")
    sheet = workbook[TASKS.sheet]
    headers = [c.value for c in sheet[HEADER_ROW]][: len(TASKS.columns)]
    assert headers[:4] == ["STT", "Mã nhiệm vụ", "Mã nhiệm vụ tương ứng trên hệ thống còn lại (NQ57/NQ71)",
                           "Tên nhiệm vụ"]
    assert "Tình trạng" in headers and "Tiến độ (%)" in headers
    assert [c.value for c in sheet[CODE_ROW]][: len(TASKS.columns)] == TASKS.codes
    assert sheet.row_dimensions[CODE_ROW].hidden


@pytest.mark.parametrize("old", ["Mã nhiệm vụ bên hệ thống kia", "Mã nhiệm vụ trên hệ thống kia", "Mã liên kết"])
def test_files_made_from_the_old_template_wording_are_still_read(old):
    workbook = filled([task(ma_lien_ket="NQ71-BKHCN-0002")])
    sheet = workbook[TASKS.sheet]
    sheet.delete_rows(CODE_ROW)  # headers matched by their wording alone
    sheet.cell(HEADER_ROW, TASKS.codes.index("ma_lien_ket") + 1, old)
    parsed = parse_workbook(Workbook(to_bytes(workbook), "xlsx"))
    assert parsed.tasks["ma_lien_ket"].tolist() == ["NQ71-BKHCN-0002"]


@pytest.mark.parametrize("table", [TASKS, INDICATORS], ids=lambda t: t.sheet)
def test_every_column_has_an_input_prompt_on_every_prepared_row(table):
    sheet = build_template()[table.sheet]
    last = FIRST_DATA_ROW + TEMPLATE_DATA_ROWS - 1
    for index, column in enumerate(table.columns, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        validation = validation_of(sheet, f"{letter}{FIRST_DATA_ROW}")
        assert f"{letter}{last}" in validation.sqref
        assert validation.showInputMessage and validation.prompt == column.prompt, column.code
        assert 0 < len(validation.prompt) <= 255 and 0 < len(validation.promptTitle) <= 32, column.code


def test_every_thongtin_value_has_an_input_prompt():
    sheet = build_template()[INFO.sheet]
    for offset, field in enumerate(INFO.columns):
        validation = validation_of(sheet, f"C{INFO_FIRST_ROW + offset}")
        assert validation.showInputMessage and validation.prompt == field.prompt, field.code
        assert len(validation.prompt) <= 255 and len(validation.promptTitle) <= 32, field.code


def test_agency_dropdowns_offer_every_code_name_short_and_former_name_and_never_refuse():
    workbook = build_template("NQ57")
    lead = validation_of(workbook[TASKS.sheet], f"G{FIRST_DATA_ROW}")
    own = validation_of(workbook[INFO.sheet], f"C{INFO_FIRST_ROW}")
    for validation in (lead, own):
        offered = set(list_values(workbook, validation))
        assert offered == set(agency_choices())
        for agency in reference.agencies().values():
            assert {agency.code, agency.name, agency.short_name, *agency.former_names} <= offered, agency.code
        # the parser reads more than any list holds (`Bộ KH&CN`, `UBND tỉnh Lào Cai`, `Sở KH&CN Hà Nội`):
        # a value outside the list is warned about, never refused
        assert validation.errorStyle == "warning" and validation.showErrorMessage
    for offered in agency_choices():
        assert reference.resolve_agency(offered) is not None, offered


def test_every_dropdown_warns_instead_of_refusing():
    workbook = build_template("NQ57")
    lists = [dv for name in (INFO.sheet, TASKS.sheet, INDICATORS.sheet) for dv in validations(workbook[name])
             if dv.type == "list"]
    assert len(lists) == 6  # agency, system, nil report; lead agency, status; indicator code
    assert all(dv.errorStyle == "warning" for dv in lists)


def test_status_and_indicator_dropdowns_come_from_the_visible_catalogues():
    workbook = build_template("NQ57")
    statuses = list_values(workbook, validation_of(workbook[TASKS.sheet], f"K{FIRST_DATA_ROW}"))
    assert len(statuses) == 7 and "Đang thực hiện trong hạn" in statuses
    codes = list_values(workbook, validation_of(workbook[INDICATORS.sheet], f"B{FIRST_DATA_ROW}"))
    assert codes == list(reference.indicators())
    catalogue = workbook["DM_ChiTieu"]
    names = {row[0]: row[1] for row in catalogue.iter_rows(min_row=CATALOGUE_FIRST_ROW, values_only=True)}
    assert names["CT_11_1"] == reference.indicators()["CT_11_1"].name  # the name beside each code


def test_layout_and_catalogues_are_protected_and_data_cells_are_not():
    workbook = build_template("NQ57", "T01", "2026-10")
    for name in workbook.sheetnames:
        protection = workbook[name].protection
        assert protection.sheet and not protection.password, name
    for table in (TASKS, INDICATORS):
        sheet = workbook[table.sheet]
        for index in range(1, len(table.columns) + 1):
            assert sheet.cell(HEADER_ROW, index).protection.locked
            assert sheet.cell(CODE_ROW, index).protection.locked
            assert not sheet.cell(FIRST_DATA_ROW, index).protection.locked
            assert not sheet.cell(FIRST_DATA_ROW + TEMPLATE_DATA_ROWS - 1, index).protection.locked
        assert not sheet.protection.insertRows and not sheet.protection.deleteRows  # False: allowed
        assert sheet.protection.insertColumns and sheet.protection.deleteColumns  # True: not allowed
    info = workbook[INFO.sheet]
    for offset, field in enumerate(INFO.columns):
        row = INFO_FIRST_ROW + offset
        assert info.cell(row, 1).protection.locked and info.cell(row, 2).protection.locked
        assert info.cell(row, 3).protection.locked == (field.code == "phien_ban_mau"), field.code


def test_every_sheet_prints_one_page_wide_with_repeated_headers():
    workbook = build_template("NQ57")
    for name in workbook.sheetnames[:-1]:
        sheet = workbook[name]
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4) and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        expected = "portrait" if name in (SHEET_GUIDE, INFO.sheet) else "landscape"
        assert sheet.page_setup.orientation == expected, name
    for name in (TASKS.sheet, INDICATORS.sheet, *CATALOGUES):
        assert workbook[name].print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}", name


def guide_rows(system: str) -> list[list]:
    return [[c.value for c in row] for row in build_template(system)[SHEET_GUIDE].iter_rows()]


def worked_example(rows: list[list], table) -> dict[str, object]:
    """Column code -> the example value the HuongDan sheet shows for it."""
    labels = {c.label: c.code for c in table.columns}
    return {labels[row[1]]: row[4] for row in rows if isinstance(row[0], int) and row[1] in labels}


@pytest.mark.parametrize("system", ["NQ57", "NQ71"])
def test_instructions_show_each_column_with_its_rule_and_the_worked_example(system):
    rows = guide_rows(system)
    text = " ".join(str(v) for row in rows for v in row if v)
    assert "HƯỚNG DẪN LẬP BÁO CÁO" in text and "hết ngày 20" in text
    columns = (*TASKS.columns, *INDICATORS.columns)
    described = [row[:5] for row in rows if isinstance(row[0], int) and row[1] in {c.label for c in columns}]
    assert described == [[n, c.label, "Có" if c.required else None, c.prompt, c.example_for(system) or None]
                         for table in (TASKS, INDICATORS) for n, c in enumerate(table.columns, start=1)]
    assert not any("<" in str(v) for row in described for v in row[4:])  # no placeholder left unfilled


@pytest.mark.parametrize(("system", "own", "linked"), [("NQ57", "NQ57-BKHCN-0001", "NQ71-BKHCN-0012"),
                                                       ("NQ71", "NQ71-BKHCN-0012", "NQ57-BKHCN-0001")])
def test_the_worked_example_follows_the_system_the_template_is_for(system, own, linked):
    rows = guide_rows(system)
    example = worked_example(rows, TASKS)
    # Mã nhiệm vụ is the code on this template's system, the linked code the same task's code on the other
    assert (example["ma_nhiem_vu"], example["ma_lien_ket"]) == (own, linked)
    other = "NQ71" if system == "NQ57" else "NQ57"
    sentence = next(str(r[1]) for r in rows if r[1] and str(r[1]).startswith("Ví dụ dưới đây"))
    assert f"báo cáo theo hệ thống {system} (cột Mã nhiệm vụ tương ứng ghi mã của cùng nhiệm vụ trên hệ thống " \
           f"{other})" in sentence
    info = build_template(system)[INFO.sheet]
    assert {r[1]: r[2] for r in info.iter_rows(min_row=INFO_FIRST_ROW, values_only=True) if r[1]}["he_thong"] == system


@pytest.mark.usefixtures("gx")
@pytest.mark.parametrize("system", ["NQ57", "NQ71"])
def test_the_worked_example_is_a_valid_submission(system):
    rows = guide_rows(system)
    example = {k: v for k, v in worked_example(rows, TASKS).items() if v}
    indicator = {k: v for k, v in worked_example(rows, INDICATORS).items() if v}
    data = filled_bytes([example], [indicator], system=system)
    result = submission.evaluate(data, "vi_du.xlsx", expected_agency="BKHCN", expected_period="2026-10",
                                 today=dt.date(2026, 11, 15))
    assert result.accepted and result.issues == []  # not even a warning
    assert result.system == system
    assert result.tasks["ma_nhiem_vu"].tolist() == [f"{system}-BKHCN-{'0001' if system == 'NQ57' else '0012'}"]
    assert result.tasks["ma_lien_ket"].tolist() == [
        "NQ71-BKHCN-0012" if system == "NQ57" else "NQ57-BKHCN-0001"]
    assert result.tasks["co_quan_phoi_hop"].tolist() == ["BTC;BCA"]
    assert result.indicators["gia_tri"].tolist() == [80.3]


def test_thongtin_is_prefilled_from_arguments():
    workbook = build_template("NQ71", "T79", "2026-10")
    values = {row[1]: row[2] for row in workbook[INFO.sheet].iter_rows(min_row=INFO_FIRST_ROW, values_only=True)
              if row[1]}
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
