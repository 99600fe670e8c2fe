"""What agencies actually send is accepted, with the right normalised values (DESIGN §4, "What real files
look like, and must still be accepted"; research/domain.md (c)).

One test per variation. Every file is built here by `corpus` (xlsxwriter for .xlsx, a hand-written
BIFF8 compound file for .xls) and judged by `submission.evaluate`, the function behind `nq57 validate`,
`nq57 run` and the ingest DAG. Assertions name the normalised values and, for warnings, the rule id and
the cell.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import pandas as pd
import pytest
import xlrd

from nq57.intake import submission as nq57_submission
from nq57.intake.issues import Issue
from nq57.intake.legacy_encoding import unicode_to_tcvn3, unicode_to_vni
from nq57.intake.parse import parse_workbook
from nq57.intake.workbook import Workbook
from nq57.ops.cli import main

from corpus import (
    NO_VALUE,
    SIGNATURE_BLOCK,
    TASK_CODES,
    TITLE_BLOCK,
    Cell,
    Sheet,
    indicator_sheet,
    info_sheet,
    submission,
    task,
    task_sheet,
    xls,
    xlsx,
)

TODAY = dt.date(2026, 11, 15)  # period 2026-10 ends 31/10/2026; report date 15/11/2026

pytestmark = pytest.mark.usefixtures("gx")  # most tests judge files end to end, GX suites included


def judge(sheets: dict[str, Sheet] | bytes, filename: str = "bao_cao.xlsx"):
    data = sheets if isinstance(sheets, bytes) else xlsx(sheets)
    return nq57_submission.evaluate(data, filename, expected_agency="BKHCN", expected_period="2026-10", today=TODAY)


def parsed(sheets: dict[str, Sheet]):
    """The parser's view (table positions, column mapping) of the same file."""
    return parse_workbook(Workbook(xlsx(sheets), "xlsx"))


def assert_accepted(result) -> None:
    errors = [(i.rule, i.sheet, i.cell, i.message) for i in result.issues if i.severity == "error"]
    assert result.accepted and not errors, errors


def where(issues: list[Issue], rule: str) -> list[tuple[str, str | None, str | None]]:
    """(severity, sheet, cell) of every issue with this rule."""
    return [(i.severity, i.sheet, i.cell) for i in issues if i.rule == rule]


def column(tasks: pd.DataFrame, name: str) -> list:
    return tasks[name].tolist()


def letter(code: str, columns: list[str] | None = None) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(columns or TASK_CODES).index(code)]


def codes(n: int) -> list[str]:
    return [f"NQ57-BKHCN-{i:04d}" for i in range(1, n + 1)]


# ------------------------------------------------------------------------------ where the table is


def test_header_on_row_12_under_a_title_block_without_the_code_row():
    sheet = task_sheet([task()], above=TITLE_BLOCK)
    assert sheet.header_row == 12
    result = judge(submission(tasks=sheet))
    assert_accepted(result)
    assert result.issues == []
    table = parsed(submission(tasks=sheet)).task_table
    assert (table.header_row, table.first_data_row) == (11, 12)  # 0-based
    assert column(result.tasks, "source_row") == [13]
    assert column(result.tasks, "ma_nhiem_vu") == ["NQ57-BKHCN-0001"]
    assert column(result.tasks, "deadline_date") == [dt.date(2026, 12, 31)]


def test_header_on_row_12_under_a_title_block_with_the_hidden_code_row():
    sheet = task_sheet([task()], above=TITLE_BLOCK, code_row=True)
    result = judge(submission(tasks=sheet))
    assert_accepted(result)
    assert result.issues == []
    assert column(result.tasks, "source_row") == [14]  # header 12, hidden codes 13, data 14
    assert column(result.tasks, "status_code") == ["DANG_TRONG_HAN"]


def test_header_labels_in_any_case_without_diacritics_with_line_breaks_and_extra_spaces():
    labels = {
        "ma_nhiem_vu": "MA NHIEM VU",
        "ten_nhiem_vu": "Tên\nnhiệm vụ",
        "van_ban_giao": "  Văn bản giao\u00a0nhiệm vụ ",
        "co_quan_chu_tri": "CƠ QUAN\nCHỦ TRÌ (*)",
        "thoi_han": "thoi han",
        "tinh_trang": "Tình  trạng",
        "tien_do": "TIẾN ĐỘ (%)",
        "ngay_hoan_thanh": unicodedata.normalize("NFD", "Ngày hoàn thành"),
    }
    result = judge(submission(tasks=task_sheet([task()], labels=labels)))
    assert_accepted(result)
    assert result.issues == []
    assert parsed(submission(tasks=task_sheet([task()], labels=labels))).task_table.columns == {code: i for i, code in enumerate(TASK_CODES)}
    row = result.tasks.iloc[0]
    assert (row.ma_nhiem_vu, row.co_quan_chu_tri, row.tinh_trang_raw, row.tien_do) == (
        "NQ57-BKHCN-0001", "BKHCN", "Đang thực hiện trong hạn", 60.0)


def test_header_synonyms_used_by_other_templates():
    labels = {
        "stt": "Số TT",
        "ten_nhiem_vu": "Nội dung nhiệm vụ",
        "co_quan_chu_tri": "Đơn vị chủ trì",
        "co_quan_phoi_hop": "Đơn vị phối hợp",
        "thoi_han": "Thời hạn hoàn thành",
        "tinh_trang": "Tình trạng thực hiện",
        "tien_do": "Tỷ lệ hoàn thành (%)",
        "ket_qua": "Kết quả thực hiện",
    }
    rows = [task(co_quan_phoi_hop="BTC", ket_qua="Đã ban hành Quyết định số 1/QĐ-BKHCN")]
    result = judge(submission(tasks=task_sheet(rows, labels=labels)))
    assert_accepted(result)
    assert result.issues == []
    assert parsed(submission(tasks=task_sheet(rows, labels=labels))).task_table.columns == {code: i for i, code in enumerate(TASK_CODES)}
    row = result.tasks.iloc[0]
    assert (row.co_quan_phoi_hop, row.ket_qua, row.thoi_han_raw) == (
        "BTC", "Đã ban hành Quyết định số 1/QĐ-BKHCN", "31/12/2026")


def test_columns_in_any_order():
    shuffled = list(reversed(TASK_CODES))
    sheets = submission(tasks=task_sheet([task(), task(ma_nhiem_vu="NQ57-BKHCN-0002", stt="2")], columns=shuffled))
    result = judge(sheets)
    assert_accepted(result)
    assert result.issues == []
    assert parsed(sheets).task_table.letter("ma_nhiem_vu") == letter("ma_nhiem_vu", shuffled) == "O"
    assert column(result.tasks, "ma_nhiem_vu") == ["NQ57-BKHCN-0001", "NQ57-BKHCN-0002"]
    assert column(result.tasks, "ten_nhiem_vu") == [task()["ten_nhiem_vu"]] * 2
    assert column(result.tasks, "tien_do") == [60.0, 60.0]


def test_unknown_extra_columns_warn_at_their_header_cell_and_their_values_are_kept_out():
    columns = TASK_CODES[:4] + ["nguoi_theo_doi"] + TASK_CODES[4:] + ["ghi_chu"]
    labels = {"nguoi_theo_doi": "Người theo dõi", "ghi_chu": "Ghi chú"}
    row = task(nguoi_theo_doi="Phạm Văn Cường", ghi_chu="Theo dõi sát tiến độ")
    sheets = submission(tasks=task_sheet([row], columns=columns, labels=labels))
    result = judge(sheets)
    assert_accepted(result)
    assert where(result.issues, "column.unknown") == [("warning", "NhiemVu", "E1"), ("warning", "NhiemVu", "R1")]
    assert [i.message for i in result.issues if i.rule == "column.unknown"] == [
        "Cột 'Người theo dõi' không có trong mẫu, hệ thống bỏ qua cột này.",
        "Cột 'Ghi chú' không có trong mẫu, hệ thống bỏ qua cột này.",
    ]
    values = result.tasks.iloc[0].tolist()
    assert "Phạm Văn Cường" not in values and "Theo dõi sát tiến độ" not in values
    assert result.tasks.iloc[0].ten_nhiem_vu == task()["ten_nhiem_vu"]
    assert parsed(sheets).task_table.letter("van_ban_giao") == "F"  # shifted right by the extra column


@pytest.mark.parametrize(
    "names",
    [("Thông tin", "Nhiệm vụ", "Chỉ tiêu"), ("THONG TIN", "NHIEM VU", "CHI TIEU"),
     ("thong tin chung", "Danh sách nhiệm vụ", "Biểu 02 - Chỉ tiêu")],
)
def test_sheet_names_with_or_without_diacritics(names):
    sheets = submission(indicators=[{"ma_chi_tieu": "CT_12", "gia_tri": 75}], names=names)
    result = judge(sheets)
    assert_accepted(result)
    assert result.issues == []
    assert (result.task_sheet, result.indicator_sheet) == names[1:]
    assert (result.agency_code, result.period, result.system) == ("BKHCN", "2026-10", "NQ57")
    assert column(result.indicators, "gia_tri") == [75.0]


def test_tables_found_by_content_in_sheets_named_sheet1_and_sheet2():
    sheets = submission(indicators=[{"ma_chi_tieu": "CT_12", "gia_tri": 75}],
                        names=("Thông tin", "Sheet1", "Sheet2"))
    result = judge(sheets)
    assert_accepted(result)
    assert (result.task_sheet, result.indicator_sheet) == ("Sheet1", "Sheet2")
    assert column(result.tasks, "ma_nhiem_vu") == ["NQ57-BKHCN-0001"]
    assert column(result.indicators, "ma_chi_tieu") == ["CT_12"]


# ------------------------------------------------------------------------------ rows that are not tasks


def test_blank_rows_inside_the_table_are_skipped():
    a, b, c = codes(3)
    sheet = task_sheet([task(ma_nhiem_vu=a), None, None, task(ma_nhiem_vu=b), None, task(ma_nhiem_vu=c), None])
    result = judge(submission(tasks=sheet))
    assert_accepted(result)
    assert result.issues == []
    assert column(result.tasks, "ma_nhiem_vu") == [a, b, c]
    assert column(result.tasks, "source_row") == [2, 5, 7]


def test_signature_block_and_footnotes_below_the_table_make_no_task_and_no_error():
    sheet = task_sheet([task(), task(ma_nhiem_vu="NQ57-BKHCN-0002")], above=TITLE_BLOCK, below=SIGNATURE_BLOCK)
    # The signature titles and names sit in column B, the task-code column.
    assert any(row[1:2] == ["NGƯỜI LẬP BIỂU"] for row in sheet.rows)
    result = judge(submission(tasks=sheet))
    assert_accepted(result)
    assert result.issues == []
    assert column(result.tasks, "ma_nhiem_vu") == ["NQ57-BKHCN-0001", "NQ57-BKHCN-0002"]


def test_a_task_row_mentioning_signature_words_is_still_a_task_not_the_end_of_the_table():
    rows = [task(ma_nhiem_vu="A", kho_khan="Lãnh đạo Bộ chưa cho ý kiến", tinh_trang=None, thoi_han=None),
            task(ma_nhiem_vu="B", ten_nhiem_vu="Ghi chú: nhiệm vụ bổ sung")]
    result = judge(submission(tasks=rows))
    assert column(result.tasks, "ma_nhiem_vu") == ["A", "B"]
    assert where(result.issues, "task.deadline_missing") == [("error", "NhiemVu", "I2")]
    assert not result.accepted


def test_section_rows_are_skipped_and_give_each_task_its_group():
    a, b, c, d = codes(4)
    sheet = task_sheet([
        ["I. Về hoàn thiện thể chế"],                       # title typed in the STT cell
        task(ma_nhiem_vu=a, stt="1"),
        task(ma_nhiem_vu=b, stt="2"),
        ["II", "Về phát triển hạ tầng số"],                 # numeral in STT, title in the next cell
        task(ma_nhiem_vu=c, stt="1"),
        [None, None, None, "Nhiệm vụ về nguồn nhân lực"],   # a heading over the name column
        task(ma_nhiem_vu=d, stt="1"),
    ])
    result = judge(submission(tasks=sheet))
    assert_accepted(result)
    assert result.issues == []
    assert column(result.tasks, "ma_nhiem_vu") == [a, b, c, d]
    assert column(result.tasks, "task_group") == [
        "I. Về hoàn thiện thể chế", "I. Về hoàn thiện thể chế", "II. Về phát triển hạ tầng số",
        "Nhiệm vụ về nguồn nhân lực"]


def test_lead_agency_merged_down_several_rows_applies_to_each_row():
    a, b, c, d = codes(4)
    sheet = task_sheet([
        task(ma_nhiem_vu=a, co_quan_chu_tri="Bộ Tài chính"),
        task(ma_nhiem_vu=b, co_quan_chu_tri=None),
        task(ma_nhiem_vu=c, co_quan_chu_tri=None),
        task(ma_nhiem_vu=d, co_quan_chu_tri="Bộ Y tế"),
    ])
    lead = TASK_CODES.index("co_quan_chu_tri")
    sheet.merge(sheet.row_of[0], lead, sheet.row_of[2], lead)  # G2:G4
    result = judge(submission(tasks=sheet))
    assert_accepted(result)
    assert result.issues == []
    assert column(result.tasks, "co_quan_chu_tri") == ["BTC", "BTC", "BTC", "BYT"]
    assert column(result.tasks, "co_quan_chu_tri_raw") == ["Bộ Tài chính"] * 3 + ["Bộ Y tế"]


def test_section_title_merged_across_the_columns_is_not_task_data():
    a, b = codes(2)
    last = len(TASK_CODES) - 1
    sheet = task_sheet([
        ["I. VỀ HOÀN THIỆN THỂ CHẾ, CHÍNH SÁCH"],
        task(ma_nhiem_vu=a),
        ["II. VỀ PHÁT TRIỂN HẠ TẦNG SỐ"],
        [],  # second row of the title merged over two rows
        task(ma_nhiem_vu=b),
    ])
    sheet.merge(sheet.row_of[0], 0, sheet.row_of[0], last)  # A2:P2
    sheet.merge(sheet.row_of[2], 0, sheet.row_of[3], last)  # A4:P5
    result = judge(submission(tasks=sheet))
    assert_accepted(result)
    assert result.issues == []
    assert column(result.tasks, "ma_nhiem_vu") == [a, b]
    assert column(result.tasks, "task_group") == ["I. VỀ HOÀN THIỆN THỂ CHẾ, CHÍNH SÁCH", "II. VỀ PHÁT TRIỂN HẠ TẦNG SỐ"]
    assert column(result.tasks, "stt") == ["1", "1"]


# ------------------------------------------------------------------------------ formulas


def test_formula_cells_are_read_through_their_cached_values():
    rows = [task(stt=Cell(1, formula="=ROW()-1"),
                 ten_nhiem_vu=Cell("Xây dựng Chiến lược dữ liệu quốc gia", formula='="Xây dựng "&"Chiến lược dữ liệu quốc gia"'),
                 tien_do=Cell(75, formula="=3/4*100"))]
    indicators = [{"ma_chi_tieu": "CT_12", "gia_tri": Cell(1287, formula="=1000+287")}]
    result = judge(submission(tasks=rows, indicators=indicators))
    assert_accepted(result)
    assert result.issues == []
    row = result.tasks.iloc[0]
    assert (row.stt, row.ten_nhiem_vu, row.tien_do) == ("1", "Xây dựng Chiến lược dữ liệu quốc gia", 75.0)
    assert column(result.indicators, "gia_tri") == [1287.0]


def test_formula_without_a_cached_value_warns_at_its_cell_instead_of_reading_blank():
    rows = [task(), task(ma_nhiem_vu="NQ57-BKHCN-0002", tien_do=Cell(NO_VALUE, formula="=SUM(L2,10)"))]
    indicators = [{"ma_chi_tieu": "CT_12", "gia_tri": Cell(NO_VALUE, formula="=Sheet9!B2"),
                   "ghi_chu": "Số liệu lấy từ biểu tổng hợp"}]
    info = info_sheet({"ngay_bao_cao": Cell(NO_VALUE, formula="=TODAY()")})
    result = judge(submission(tasks=rows, indicators=indicators, info=info))
    assert_accepted(result)
    assert where(result.issues, "cell.formula_no_value") == [
        ("warning", "ChiTieu", "E2"), ("warning", "NhiemVu", "L3"), ("warning", "ThongTin", "C8")]
    issue = next(i for i in result.issues if i.rule == "cell.formula_no_value" and i.sheet == "NhiemVu")
    assert issue.message == "Ô L3 chứa công thức nhưng tệp không lưu kết quả tính, hệ thống đọc ô này là trống."
    assert column(result.tasks, "tien_do") == [60.0, None]
    assert column(result.indicators, "gia_tri") == [None]
    assert result.report_date is None


# ------------------------------------------------------------------------------ dates and deadlines


def test_dates_as_excel_dates_or_as_text_in_every_day_first_form():
    forms = [dt.date(2026, 10, 5), "05/10/2026", "5/10/2026", "05-10-2026", "05.10.2026",
             dt.datetime(2026, 10, 5, 9, 30)]
    rows = [task(ma_nhiem_vu=code, tinh_trang="Hoàn thành đúng hạn", tien_do=100, ngay_hoan_thanh=form)
            for code, form in zip(codes(len(forms)), forms, strict=True)]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    assert result.issues == []
    assert column(result.tasks, "ngay_hoan_thanh") == [dt.date(2026, 10, 5)] * len(forms)
    assert column(result.tasks, "status_derived") == ["HT_DUNG_HAN"] * len(forms)


def test_deadline_forms_become_a_date_at_the_end_of_their_period_and_a_type():
    forms = {
        dt.date(2026, 12, 31): (dt.date(2026, 12, 31), "NGAY"),
        "30/6/2027": (dt.date(2027, 6, 30), "NGAY"),
        "06/2027": (dt.date(2027, 6, 30), "THANG"),
        "tháng 6/2027": (dt.date(2027, 6, 30), "THANG"),
        "Tháng 2 năm 2028": (dt.date(2028, 2, 29), "THANG"),
        "Quý IV/2026": (dt.date(2026, 12, 31), "QUY"),
        "Quý 1/2027": (dt.date(2027, 3, 31), "QUY"),
        "2027": (dt.date(2027, 12, 31), "NAM"),
        2028: (dt.date(2028, 12, 31), "NAM"),
        "Thường xuyên": (None, "THUONG_XUYEN"),
        "Hằng năm": (None, "HANG_NAM"),
        "hang nam": (None, "HANG_NAM"),
    }
    rows = [task(ma_nhiem_vu=code, thoi_han=form, tinh_trang="Đang triển khai")
            for code, form in zip(codes(len(forms)), forms, strict=True)]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    got = list(zip(column(result.tasks, "deadline_date"), column(result.tasks, "deadline_type"), strict=True))
    assert got == list(forms.values())
    assert column(result.tasks, "thoi_han_raw")[:3] == ["31/12/2026", "30/6/2027", "06/2027"]


def test_day_and_month_are_never_swapped():
    rows = [
        task(ma_nhiem_vu="A", thoi_han="03/04/2027"),                 # text: 3 April
        task(ma_nhiem_vu="B", thoi_han="3/4/2027"),
        task(ma_nhiem_vu="C", thoi_han=dt.date(2027, 3, 4)),          # Excel date: exactly 4 March
        task(ma_nhiem_vu="D", thoi_han=Cell(dt.date(2027, 3, 4), num_format="mm/dd/yyyy")),  # shown US-style
        task(ma_nhiem_vu="E", tinh_trang="Hoàn thành đúng hạn", tien_do=100, ngay_hoan_thanh="01/02/2026"),
    ]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    assert column(result.tasks, "deadline_date")[:4] == [dt.date(2027, 4, 3), dt.date(2027, 4, 3),
                                                         dt.date(2027, 3, 4), dt.date(2027, 3, 4)]
    assert column(result.tasks, "ngay_hoan_thanh")[4] == dt.date(2026, 2, 1)


def test_excel_date_formatted_as_month_and_year_is_a_month_deadline():
    # Typing 06/2026 in a General cell makes Excel store 1 June 2026 shown as "06/2026".
    rows = [task(thoi_han=Cell(dt.date(2027, 6, 1), num_format="mm/yyyy")),
            task(ma_nhiem_vu="NQ57-BKHCN-0002", thoi_han=Cell(dt.date(2027, 6, 1), num_format="[$-42A]mmm-yy"))]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    assert column(result.tasks, "deadline_date") == [dt.date(2027, 6, 30)] * 2
    assert column(result.tasks, "deadline_type") == ["THANG"] * 2
    assert column(result.tasks, "thoi_han_raw") == ["06/2027"] * 2


# ------------------------------------------------------------------------------ numbers


def test_vietnamese_number_format_in_indicator_values():
    values = {"CT_8": "1.287", "CT_9": "80,3", "CT_10": "1.287,5", "CT_12": "80,3%", "CT_13": 16.47,
              "CT_14": " 2 500 "}
    result = judge(submission(indicators=[{"ma_chi_tieu": k, "gia_tri": v} for k, v in values.items()]))
    assert_accepted(result)
    assert result.issues == []
    assert column(result.indicators, "gia_tri") == [1287.0, 80.3, 1287.5, 80.3, 16.47, 2500.0]
    assert column(result.indicators, "gia_tri_raw") == ["1.287", "80,3", "1.287,5", "80,3%", "16.47", "2 500"]


def test_progress_as_number_percent_text_fraction_in_a_percent_cell_or_decimal_comma():
    forms = [80, "80%", Cell(0.8, num_format="0%"), "80,5", Cell(0.805, num_format="0.0%"), "80 %"]
    rows = [task(ma_nhiem_vu=code, tien_do=form) for code, form in zip(codes(len(forms)), forms, strict=True)]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    assert result.issues == []
    assert column(result.tasks, "tien_do") == [80.0, 80.0, 80.0, 80.5, 80.5, 80.0]


# ------------------------------------------------------------------------------ statuses


def test_status_aliases_are_resolved_and_the_derived_status_is_kept_beside_them():
    done = {"tien_do": 100}
    rows = [
        task(ma_nhiem_vu="A", tinh_trang="Đã hoàn thành", thoi_han="30/06/2026", ngay_hoan_thanh="15/06/2026", **done),
        task(ma_nhiem_vu="B", tinh_trang="Đã hoàn thành", thoi_han="30/06/2026", ngay_hoan_thanh="15/07/2026", **done),
        task(ma_nhiem_vu="C", tinh_trang="Đang thực hiện trễ hạn", thoi_han="30/06/2026"),
        task(ma_nhiem_vu="D", tinh_trang="Đang triển khai", thoi_han="31/12/2026"),
        task(ma_nhiem_vu="E", tinh_trang="Đang triển khai", thoi_han="30/06/2026"),
        task(ma_nhiem_vu="F", tinh_trang="Hoan thanh dung han", thoi_han="30/06/2026", ngay_hoan_thanh="20/06/2026", **done),
        task(ma_nhiem_vu="G", tinh_trang="HOÀN THÀNH TRỄ HẠN", thoi_han="30/06/2026", ngay_hoan_thanh="15/07/2026", **done),
        task(ma_nhiem_vu="H", tinh_trang="Đang thực hiện trong hạn", thoi_han="30/06/2026"),
    ]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    assert column(result.tasks, "status_code") == [
        "HT_DUNG_HAN", "HT_QUA_HAN", "DANG_QUA_HAN", "DANG_TRONG_HAN", "DANG_QUA_HAN", "HT_DUNG_HAN", "HT_QUA_HAN",
        "DANG_TRONG_HAN"]
    assert column(result.tasks, "status_derived") == [
        "HT_DUNG_HAN", "HT_QUA_HAN", "DANG_QUA_HAN", "DANG_TRONG_HAN", "DANG_QUA_HAN", "HT_DUNG_HAN", "HT_QUA_HAN",
        "DANG_QUA_HAN"]
    assert column(result.tasks, "tinh_trang_raw")[0] == "Đã hoàn thành"
    # Only H says "on time" although its deadline passed before the period ended.
    assert where(result.issues, "task.status_mismatch") == [("warning", "NhiemVu", "K9")]
    assert [i.rule for i in result.issues] == ["task.status_mismatch"]


# ------------------------------------------------------------------------------ text


def test_decomposed_unicode_zero_width_characters_and_non_breaking_spaces_are_cleaned():
    nfd = unicodedata.normalize("NFD", "Xây dựng cơ sở dữ liệu quốc gia")
    rows = [task(
        ma_nhiem_vu="\ufeffNQ57-BKHCN-0001\u00a0",
        ten_nhiem_vu=nfd.replace(" cơ", "\u200b cơ").replace(" dữ", "\u00a0\u00a0dữ") + "\u200d",
        co_quan_chu_tri="\u200bBộ Khoa học\u00a0và Công nghệ",
        tinh_trang=unicodedata.normalize("NFD", "Đang thực hiện trong hạn"),
        kho_khan="Thiếu\u202fkinh phí\n\nvà nhân lực",
    )]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    assert result.issues == []
    row = result.tasks.iloc[0]
    assert row.ma_nhiem_vu == "NQ57-BKHCN-0001"
    assert row.ten_nhiem_vu == "Xây dựng cơ sở dữ liệu quốc gia"
    assert unicodedata.is_normalized("NFC", row.ten_nhiem_vu)
    assert (row.co_quan_chu_tri, row.co_quan_chu_tri_raw) == ("BKHCN", "Bộ Khoa học và Công nghệ")
    assert (row.tinh_trang_raw, row.status_code) == ("Đang thực hiện trong hạn", "DANG_TRONG_HAN")
    assert row.kho_khan == "Thiếu kinh phí và nhân lực"


def test_tcvn3_text_in_a_vntime_font_is_converted_to_unicode():
    name = "Xây dựng cơ sở dữ liệu quốc gia về khoa học"
    rows = [task(ten_nhiem_vu=Cell(unicode_to_tcvn3(name), font=".VnTime"),
                 # One ambiguous word: only the font says it is TCVN3 `Bộ`, not the Unicode word `Bé`.
                 kho_khan=Cell(unicode_to_tcvn3("Bộ"), font=".VnTime"))]
    assert rows[0]["kho_khan"].value == "Bé"
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    row = result.tasks.iloc[0]
    assert (row.ten_nhiem_vu, row.kho_khan) == (name, "Bộ")
    assert where(result.issues, "text.legacy_encoding") == [("warning", "NhiemVu", "D2")]
    assert [i.rule for i in result.issues] == ["text.legacy_encoding"]


def test_vni_text_in_a_vni_times_font_is_converted_to_unicode():
    name = "Hoàn thiện hành lang pháp lý cho kinh tế số"
    rows = [task(ten_nhiem_vu=Cell(unicode_to_vni(name), font="VNI-Times"),
                 san_pham=Cell(unicode_to_vni("Nghị định"), font="VNI-Times"))]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    row = result.tasks.iloc[0]
    assert (row.ten_nhiem_vu, row.san_pham) == (name, "Nghị định")
    assert where(result.issues, "text.legacy_encoding") == [("warning", "NhiemVu", "D2")]
    assert "2 ô" in next(i.message for i in result.issues if i.rule == "text.legacy_encoding")


def test_tcvn3_text_in_a_default_font_is_recognised_by_its_characters():
    name = "Đẩy mạnh chuyển đổi số trong cơ quan nhà nước"
    encoded = unicode_to_tcvn3(name)
    assert "\u00ad" in encoded  # TCVN3 `ư` is the soft hyphen, which text clean-up would delete
    rows = [task(ten_nhiem_vu=encoded, co_quan_chu_tri=unicode_to_tcvn3("Bộ Tài chính"))]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    row = result.tasks.iloc[0]
    assert row.ten_nhiem_vu == name
    assert (row.co_quan_chu_tri, row.co_quan_chu_tri_raw) == ("BTC", "Bộ Tài chính")
    assert where(result.issues, "text.legacy_encoding") == [("warning", "NhiemVu", "D2")]


# ------------------------------------------------------------------------------ agencies


def test_agency_names_abbreviations_and_pre_merger_names_resolve_to_codes():
    leads = {
        "Bộ Thông tin và Truyền thông": "BKHCN",
        "Bộ Kế hoạch và Đầu tư": "BTC",
        "UBND tỉnh Bình Dương": "T79",
        "Bộ KH&CN": "BKHCN",
        "TP. Hồ Chí Minh": "T79",
        "Bo Tai chinh": "BTC",
        "Bộ TT&TT": "BKHCN",
        "Bộ GTVT": "BXD",
        "Sở KH&CN Hà Nội": "T01",
        "Bộ Văn hóa, Thể thao và Du lịch": "BVHTTDL",
    }
    rows = [task(ma_nhiem_vu=code, co_quan_chu_tri=name) for code, name in zip(codes(len(leads)), leads, strict=True)]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    assert result.issues == []
    assert column(result.tasks, "co_quan_chu_tri") == list(leads.values())
    assert column(result.tasks, "co_quan_chu_tri_raw") == list(leads)


def test_several_partner_agencies_in_one_cell_are_split_on_semicolons_commas_and_line_breaks():
    forms = ["BTC; BYT", "Bộ Tài chính, Bộ Y tế", "Bộ Tài chính\nBộ Y tế", "- Bộ Tài chính;\n- Bộ Y tế.",
             "Bộ Kế hoạch và Đầu tư,\r\nBộ Y tế", "BTC;BYT;BTC"]
    rows = [task(ma_nhiem_vu=code, co_quan_phoi_hop=form) for code, form in zip(codes(len(forms)), forms, strict=True)]
    rows.append(task(ma_nhiem_vu="X", co_quan_phoi_hop="Bộ Văn hóa, Thể thao và Du lịch, Bộ Y tế"))
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    assert result.issues == []
    assert column(result.tasks, "co_quan_phoi_hop") == ["BTC;BYT"] * len(forms) + ["BVHTTDL;BYT"]


def test_several_lead_agencies_the_first_leads_and_the_others_become_partners():
    rows = [task(co_quan_chu_tri="Bộ Tài chính, Bộ Công Thương", co_quan_phoi_hop="Bộ Y tế"),
            task(ma_nhiem_vu="NQ57-BKHCN-0002", co_quan_chu_tri="Bộ Công Thương\nBộ Xây dựng")]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    assert column(result.tasks, "co_quan_chu_tri") == ["BTC", "BCT"]
    assert column(result.tasks, "co_quan_phoi_hop") == ["BCT;BYT", "BXD"]
    assert where(result.issues, "task.several_leads") == [("warning", "NhiemVu", "G2"), ("warning", "NhiemVu", "G3")]
    assert [i.rule for i in result.issues] == ["task.several_leads"] * 2


# ------------------------------------------------------------------------------ codes and ThongTin


def test_item_typed_as_a_number_warns_and_codes_with_leading_zeros_stay_text():
    rows = [task(ma_nhiem_vu="007", ma_lien_ket="00012", stt="01", muc=11.1),
            task(ma_nhiem_vu="008", muc="11.10")]
    indicators = [{"ma_chi_tieu": 11.1, "gia_tri": 85}, {"ma_chi_tieu": "ct 11.2", "gia_tri": 40}]
    result = judge(submission(tasks=rows, indicators=indicators))
    assert_accepted(result)
    assert column(result.tasks, "ma_nhiem_vu") == ["007", "008"]
    assert column(result.tasks, "ma_lien_ket") == ["00012", None]
    assert column(result.tasks, "stt") == ["01", "1"]
    assert column(result.tasks, "muc") == ["11.1", "11.10"]
    assert where(result.issues, "task.item_numeric") == [("warning", "NhiemVu", "F2")]
    assert column(result.indicators, "ma_chi_tieu") == ["CT_11_1", "CT_11_2"]
    assert where(result.issues, "indicator.code_numeric") == [("warning", "ChiTieu", "B2")]


@pytest.mark.parametrize("period", ["tháng 10/2026", "10/2026", "Tháng 10 năm 2026", dt.date(2026, 10, 1),
                                    Cell(dt.date(2026, 10, 1), num_format="mm/yyyy")])
def test_period_system_and_agency_in_thong_tin_as_agencies_type_them(period):
    info = {"ky_bao_cao": period, "he_thong": "nq 57", "ma_don_vi": "Bộ Khoa học và Công nghệ",
            "ngay_bao_cao": dt.date(2026, 11, 15), "khong_phat_sinh": "khong"}
    result = judge(submission(info=info_sheet(info, codes=False)))
    assert_accepted(result)
    assert result.issues == []
    assert (result.period, result.system, result.agency_code) == ("2026-10", "NQ57", "BKHCN")
    assert (result.report_date, result.nil_report) == (dt.date(2026, 11, 15), False)


# ------------------------------------------------------------------------------ legacy .xls


def _messy_submission() -> dict[str, Sheet]:
    """Variations a .xls can carry (no fonts or formulas): title block, sections, merged lead, text and
    Excel dates, Vietnamese numbers, status aliases, agency names, signatures."""
    a, b, c = codes(3)
    tasks = task_sheet([
        ["I. Về hoàn thiện thể chế"],
        task(ma_nhiem_vu=a, co_quan_chu_tri="Bộ Kế hoạch và Đầu tư", thoi_han=dt.date(2026, 6, 30),
             tinh_trang="Đã hoàn thành", tien_do="100%", ngay_hoan_thanh="15/06/2026"),
        task(ma_nhiem_vu=b, co_quan_chu_tri=None, thoi_han="Quý IV/2026", tinh_trang="Đang triển khai",
             tien_do="40,5", co_quan_phoi_hop="Bộ Tài chính\nBộ Y tế", muc=11.1),
        None,
        ["II", "Về hạ tầng số"],
        task(ma_nhiem_vu=c, thoi_han="Thường xuyên", tinh_trang="Nhiệm vụ thường xuyên", tien_do=None),
    ], above=TITLE_BLOCK, below=SIGNATURE_BLOCK)
    lead = TASK_CODES.index("co_quan_chu_tri")
    tasks.merge(tasks.row_of[1], lead, tasks.row_of[2], lead)
    indicators = indicator_sheet([{"ma_chi_tieu": "CT_12", "gia_tri": "1.287"},
                                  {"ma_chi_tieu": "CT_13", "gia_tri": "80,3"}])
    info = info_sheet({"ky_bao_cao": "tháng 10/2026", "he_thong": "NQ 57"})
    return submission(tasks=tasks, indicators=indicators, info=info, names=("Thông tin", "Nhiệm vụ", "Chỉ tiêu"))


def test_legacy_xls_file_parses_like_the_same_xlsx():
    sheets = _messy_submission()
    data = xls(sheets)
    book = xlrd.open_workbook(file_contents=data)  # an independent reader agrees it is a real .xls
    assert book.sheet_names() == ["Thông tin", "Nhiệm vụ", "Chỉ tiêu"]
    assert book.sheet_by_name("Nhiệm vụ").cell_value(0, 7) == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"

    old = judge(data, "bao_cao.xls")
    new = judge(sheets)
    assert old.kind == "xls" and new.kind == "xlsx"
    assert_accepted(old)
    pd.testing.assert_frame_equal(old.tasks, new.tasks)
    pd.testing.assert_frame_equal(old.indicators, new.indicators)
    assert [(i.rule, i.sheet, i.cell) for i in old.issues] == [(i.rule, i.sheet, i.cell) for i in new.issues]
    assert (old.agency_code, old.period, old.system) == ("BKHCN", "2026-10", "NQ57")
    assert column(old.tasks, "co_quan_chu_tri") == ["BTC", "BTC", "BKHCN"]
    assert column(old.tasks, "status_code") == ["HT_DUNG_HAN", "DANG_TRONG_HAN", "THUONG_XUYEN"]
    assert column(old.tasks, "deadline_date") == [dt.date(2026, 6, 30), dt.date(2026, 12, 31), None]
    assert column(old.tasks, "task_group") == ["I. Về hoàn thiện thể chế"] * 2 + ["II. Về hạ tầng số"]
    assert column(old.indicators, "gia_tri") == [1287.0, 80.3]


# ------------------------------------------------------------------------------ everything at once


def _kitchen_sink() -> dict[str, Sheet]:
    """One file with most variations together, the way a real submission mixes them."""
    columns = ["stt", "ma_nhiem_vu", "ten_nhiem_vu", "muc", "van_ban_giao", "co_quan_chu_tri", "co_quan_phoi_hop",
               "thoi_han", "tinh_trang", "tien_do", "ngay_hoan_thanh", "nguoi_theo_doi", "ket_qua", "san_pham",
               "kho_khan", "kien_nghi", "ma_lien_ket"]
    labels = {"stt": "TT", "ma_nhiem_vu": "MA NHIEM VU", "ten_nhiem_vu": "Nội dung\nnhiệm vụ",
              "co_quan_chu_tri": "Đơn vị  chủ trì", "thoi_han": "Thời hạn hoàn thành", "tinh_trang": "TÌNH TRẠNG",
              "tien_do": "Tiến độ (%)", "nguoi_theo_doi": "Cán bộ theo dõi"}
    nfd = unicodedata.normalize("NFD", "Phát triển nền tảng số quốc gia")
    tasks = task_sheet([
        ["I. Về hoàn thiện thể chế"],
        task(stt=Cell(1, formula="=ROW()-13"), ma_nhiem_vu="NQ57-BKHCN-0001",
             ten_nhiem_vu=Cell(unicode_to_tcvn3("Xây dựng Luật Khoa học, công nghệ và đổi mới sáng tạo"), font=".VnTime"),
             co_quan_chu_tri="Bộ Thông tin và Truyền thông", co_quan_phoi_hop="Bộ Tài chính, Bộ Y tế",
             thoi_han=dt.date(2026, 6, 30), tinh_trang="Đã hoàn thành", tien_do=Cell(1, num_format="0%"),
             ngay_hoan_thanh="20/06/2026", muc=11.1, nguoi_theo_doi="Lê Văn Dũng"),
        task(stt="2", ma_nhiem_vu="NQ57-BKHCN-0002", ten_nhiem_vu=nfd + "\u200b", co_quan_chu_tri=None,
             thoi_han="Quý IV/2026", tinh_trang="Dang trien khai", tien_do="45,5",
             co_quan_phoi_hop="UBND tỉnh Bình Dương\nBộ KH&ĐT"),
        None,
        ["II", "Về hạ tầng số"],
        task(stt="1", ma_nhiem_vu="NQ57-BKHCN-0003", co_quan_chu_tri="Bo Tai chinh; Bộ Công Thương",
             thoi_han="06/2026", tinh_trang="Đang thực hiện trễ hạn", tien_do=Cell(NO_VALUE, formula="=J15*2"),
             ma_lien_ket="0071"),
        task(stt="2", ma_nhiem_vu="NQ57-BKHCN-0004", co_quan_chu_tri="TP. Hồ Chí Minh", thoi_han="Thường xuyên",
             tinh_trang="Thường xuyên", tien_do="80%"),
    ], columns=columns, labels=labels, above=TITLE_BLOCK, below=SIGNATURE_BLOCK)
    lead = columns.index("co_quan_chu_tri")
    tasks.merge(tasks.row_of[1], lead, tasks.row_of[2], lead)
    indicators = indicator_sheet([
        ["I. Đến năm 2030"],
        {"stt": "1", "ma_chi_tieu": "CT_11_1", "gia_tri": "80,3", "don_vi_tinh": "%"},
        {"stt": "2", "ma_chi_tieu": "ct 12", "gia_tri": "1.287"},
        {"stt": "3", "ma_chi_tieu": "CT_13", "gia_tri": Cell(55, formula="=50+5")},
    ], above=TITLE_BLOCK[:4], below=SIGNATURE_BLOCK)
    info = info_sheet({"ma_don_vi": "Bộ KH&CN", "ky_bao_cao": "tháng 10/2026", "he_thong": "nq 57",
                       "ngay_bao_cao": dt.date(2026, 11, 15)})
    return submission(tasks=tasks, indicators=indicators, info=info, names=("Thông tin", "Sheet1", "Chỉ tiêu"))


def test_kitchen_sink_file_is_accepted_by_nq57_validate_json_with_normalised_values(tmp_path, capsys):
    data = xlsx(_kitchen_sink())
    path = tmp_path / "BKHCN_NQ57_2026-10.xlsx"
    path.write_bytes(data)

    status = main(["validate", str(path), "--json", "--agency", "BKHCN", "--period", "2026-10"])

    report = json.loads(capsys.readouterr().out)
    assert status == 0, report["issues"]
    assert report["accepted"] is True
    assert (report["agency_code"], report["period"], report["system"]) == ("BKHCN", "2026-10", "NQ57")
    assert report["counts"] == {"tasks": 4, "indicators": 3}
    assert {i["severity"] for i in report["issues"]} == {"warning"}
    assert sorted((i["rule"], i["sheet"], f"{i['column']}{i['row']}") for i in report["issues"]) == [
        ("cell.formula_no_value", "Sheet1", "J18"),
        ("column.unknown", "Sheet1", "L12"),
        ("task.item_numeric", "Sheet1", "D14"),
        ("task.several_leads", "Sheet1", "F18"),
        ("text.legacy_encoding", "Sheet1", "C14"),
    ]
    assert all(i["message"] and i["hint"] for i in report["issues"])

    # The same verdict from the function behind the CLI, with the values it loads.
    result = judge(data)
    tasks = result.tasks
    assert column(tasks, "ma_nhiem_vu") == [f"NQ57-BKHCN-000{i}" for i in range(1, 5)]
    assert column(tasks, "task_group") == ["I. Về hoàn thiện thể chế"] * 2 + ["II. Về hạ tầng số"] * 2
    assert column(tasks, "ten_nhiem_vu")[:2] == ["Xây dựng Luật Khoa học, công nghệ và đổi mới sáng tạo",
                                                  "Phát triển nền tảng số quốc gia"]
    assert column(tasks, "co_quan_chu_tri") == ["BKHCN", "BKHCN", "BTC", "T79"]
    assert column(tasks, "co_quan_phoi_hop") == ["BTC;BYT", "T79;BTC", "BCT", None]
    assert column(tasks, "deadline_date") == [dt.date(2026, 6, 30), dt.date(2026, 12, 31), dt.date(2026, 6, 30), None]
    assert column(tasks, "deadline_type") == ["NGAY", "QUY", "THANG", "THUONG_XUYEN"]
    assert column(tasks, "status_code") == ["HT_DUNG_HAN", "DANG_TRONG_HAN", "DANG_QUA_HAN", "THUONG_XUYEN"]
    assert column(tasks, "status_derived") == ["HT_DUNG_HAN", "DANG_TRONG_HAN", "DANG_QUA_HAN", "THUONG_XUYEN"]
    assert column(tasks, "tien_do") == [100.0, 45.5, None, 80.0]
    assert column(tasks, "ngay_hoan_thanh") == [dt.date(2026, 6, 20), None, None, None]
    assert column(tasks, "muc") == ["11.1", "II.5.d", "II.5.d", "II.5.d"]
    assert column(tasks, "ma_lien_ket") == [None, None, "0071", None]
    assert column(tasks, "stt") == ["1", "2", "1", "2"]
    assert column(result.indicators, "ma_chi_tieu") == ["CT_11_1", "CT_12", "CT_13"]
    assert column(result.indicators, "gia_tri") == [80.3, 1287.0, 55.0]



def test_xls_whose_dimensions_run_backwards_is_refused_before_the_reader_sees_it():
    # a reader that trusts DIMENSIONS would try to allocate for ~2^32 rows on this file
    data = bytearray(xls({"Nhiệm vụ": Sheet(rows=[["STT", "Mã nhiệm vụ"], ["1", "NV-1"]])}))
    marker = bytes.fromhex("00020e00")  # DIMENSIONS record, BIFF8 body of 14 bytes
    at = data.index(marker) + 4
    data[at:at + 8] = (9).to_bytes(4, "little") + (2).to_bytes(4, "little")
    result = nq57_submission.evaluate(bytes(data), "a.xls")
    assert not result.accepted and [i.rule for i in result.issues] == ["file.corrupt"]
