"""Each kind of real-world Excel fault from issue 11 (round 2), in other shapes than the handed file.

The handed files are regression tests in `test_excel_cases.py`; here every kind is built with the project's
own builders (`corpus.xlsx`, `corpus.xls`, `corpus.repackage`) in the shapes real files take: other error
values, header depths and group labels, numbering styles, hidden states, role notes, date-time forms,
encodings and letter cases of parts, far-away cells. Each file is judged by `submission.evaluate`, the
function behind `nq57 validate`, `nq57 run` and the ingest DAG.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import tracemalloc

import openpyxl
import pandas as pd
import pytest

from nq57.intake import submission as nq57_submission
from nq57.intake.legacy_encoding import unicode_to_tcvn3
from nq57.intake.parse import parse_workbook
from nq57.intake.workbook import Workbook
from nq57.outputs import feedback

from corpus import (
    INDICATOR_CODES,
    TASK_CODES,
    TASK_LABELS,
    Cell,
    ExcelError,
    Sheet,
    indicator_sheet,
    info_sheet,
    repackage,
    submission,
    task,
    task_sheet,
    utf16,
    xls,
    xlsx,
)

TODAY = dt.date(2026, 11, 15)
pytestmark = pytest.mark.usefixtures("gx")  # files are judged end to end, GX suites included
ERRORS = ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!", "#CALC!"]
BIFF_ERRORS = ERRORS[:8]


def judge(data: dict[str, Sheet] | bytes, filename: str = "bao_cao.xlsx"):
    data = data if isinstance(data, bytes) else xlsx(data)
    return nq57_submission.evaluate(data, filename, expected_agency="BKHCN", expected_period="2026-10", today=TODAY)


def assert_accepted(result) -> None:
    errors = [(i.rule, i.sheet, i.cell, i.message) for i in result.issues if i.severity == "error"]
    assert result.accepted and not errors, errors


def where(result, rule: str | None = None) -> list[tuple[str, str, str | None, str | None]]:
    return [(i.severity, i.rule, i.sheet, i.cell) for i in result.issues if rule is None or i.rule == rule]


def column(result, name: str) -> list:
    return result.tasks[name].tolist()


def letter(code: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[TASK_CODES.index(code)]


def done(**overrides) -> dict:
    """A task completed on time (needs its completion date)."""
    return task(**{"tinh_trang": "Hoàn thành đúng hạn", "tien_do": 100, "thoi_han": "30/09/2026",
                   "ngay_hoan_thanh": "15/09/2026", **overrides})


# ================================================================== dates on the 1904 date system (c04)


@pytest.mark.parametrize("builder", [xlsx, xls], ids=["xlsx", "xls"])
def test_date_cells_on_the_1904_date_system_are_the_dates_excel_shows(builder):
    rows = [task(thoi_han=dt.date(2026, 12, 31)),
            done(ma_nhiem_vu="NQ57-BKHCN-0002", thoi_han=dt.date(2026, 9, 30), ngay_hoan_thanh=dt.date(2026, 9, 15))]
    result = judge(builder(submission(tasks=rows), date1904=True), f"a.{builder.__name__}")
    assert_accepted(result)
    assert result.issues == []
    assert column(result, "deadline_date") == [dt.date(2026, 12, 31), dt.date(2026, 9, 30)]
    assert column(result, "ngay_hoan_thanh") == [None, dt.date(2026, 9, 15)]


@pytest.mark.parametrize("date1904", [True, False], ids=["1904", "1900"])
def test_serial_numbers_in_text_cells_count_from_the_workbooks_epoch_and_say_so_at_the_cells(date1904):
    epoch = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)

    def serial(day: dt.date, text_cell: bool = True) -> object:
        number = float((day - epoch).days)
        return Cell(number, num_format="@") if text_cell else number

    rows = [task(thoi_han=serial(dt.date(2026, 12, 31))),
            done(ma_nhiem_vu="NQ57-BKHCN-0002", thoi_han=serial(dt.date(2026, 9, 30), text_cell=False),
                 ngay_hoan_thanh=serial(dt.date(2026, 9, 15)))]
    info = {"ngay_bao_cao": serial(dt.date(2026, 11, 15))}
    result = judge(xlsx(submission(tasks=rows, info=info), date1904=date1904))
    assert_accepted(result)
    assert column(result, "deadline_date") == [dt.date(2026, 12, 31), dt.date(2026, 9, 30)]
    assert column(result, "ngay_hoan_thanh") == [None, dt.date(2026, 9, 15)]
    assert result.report_date == dt.date(2026, 11, 15)
    assert where(result) == [("warning", "cell.date_serial", "NhiemVu", "I2"),
                             ("warning", "cell.date_serial", "NhiemVu", "M3"),
                             ("warning", "cell.date_serial", "ThongTin", "C8")]
    system = "1904" if date1904 else "1900"
    assert all(system in i.message for i in result.issues)
    assert "2 ô" in result.issues[0].message and "I3:" in result.issues[0].message


# ================================================================== Excel error values (c05a)


@pytest.mark.parametrize("code", ERRORS)
def test_an_excel_error_in_an_optional_cell_reads_as_blank_with_a_warning_naming_the_error(code):
    rows = [task(tien_do=Cell(ExcelError(code), formula="=N2/O2"), ma_lien_ket=ExcelError(code),
                 ket_qua=Cell(ExcelError(code), formula="=VLOOKUP(B2,'[DM.xlsx]DM'!$A:$B,2,0)"))]
    indicators = [{"ma_chi_tieu": "CT_12", "gia_tri": 5, "ghi_chu": ExcelError(code)}]
    result = judge(submission(tasks=rows, indicators=indicators))
    assert_accepted(result)
    assert where(result) == [("warning", "cell.excel_error", "ChiTieu", "F2"),
                             ("warning", "cell.excel_error", "NhiemVu", "C2"),
                             ("warning", "cell.excel_error", "NhiemVu", "L2"),
                             ("warning", "cell.excel_error", "NhiemVu", "N2")]
    assert all(f"“{code}”" in i.message and "không xác định" in i.message for i in result.issues)
    assert (column(result, "tien_do"), column(result, "ma_lien_ket"), column(result, "ket_qua")) == ([None], [None], [None])
    assert result.indicators["ghi_chu"].tolist() == [None]


@pytest.mark.parametrize("code", ERRORS)
def test_an_excel_error_where_a_value_is_required_is_an_error_naming_the_excel_error(code):
    rows = [task(tinh_trang=Cell(ExcelError(code), formula="=VLOOKUP(B2,DM!A:B,2,0)")),
            task(ma_nhiem_vu="NQ57-BKHCN-0002", co_quan_chu_tri=ExcelError(code)),
            done(ma_nhiem_vu="NQ57-BKHCN-0003", ngay_hoan_thanh=Cell(ExcelError(code), formula="=MAX(Z4:Z9)"))]
    indicators = [{"ma_chi_tieu": "CT_12", "gia_tri": Cell(ExcelError(code), formula="=A1/0")}]
    info = {"ma_don_vi": ExcelError(code)}
    result = judge(submission(tasks=rows, indicators=indicators, info=info))
    assert not result.accepted
    excel_errors = [(i.severity, i.sheet, i.cell) for i in result.issues if i.rule.startswith("cell.excel_error")]
    assert excel_errors == [("error", "ChiTieu", "E2"), ("error", "NhiemVu", "K2"), ("error", "NhiemVu", "G3"),
                            ("error", "NhiemVu", "M4"), ("error", "ThongTin", "C4")]
    assert {i.rule for i in result.issues if i.rule.startswith("cell.excel_error")} == {"cell.excel_error_required"}
    for issue in (i for i in result.issues if i.rule == "cell.excel_error_required"):
        assert f"“{code}”" in issue.message and issue.message.startswith(f"Ô {issue.cell} (")
    # Nothing else is said about those cells: the Excel error is the reason, not "value missing".
    cells = {(s, c) for _, s, c in excel_errors}
    assert [i.rule for i in result.issues if (i.sheet, i.cell) in cells and i.rule != "cell.excel_error_required"] == []


def test_an_error_constant_without_formula_and_error_text_are_errors_too():
    rows = [task(tien_do=ExcelError("#N/A"), ma_lien_ket="#N/A", kho_khan=" #REF! ")]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    assert [(i.cell, i.rule) for i in result.issues] == [("C2", "cell.excel_error"), ("L2", "cell.excel_error"),
                                                          ("O2", "cell.excel_error")]


@pytest.mark.parametrize("code", BIFF_ERRORS)
def test_excel_errors_in_a_legacy_xls_are_named_like_in_xlsx(code):
    rows = [task(tien_do=ExcelError(code), tinh_trang=ExcelError(code))]
    sheets = submission(tasks=rows)
    old, new = judge(xls(sheets), "a.xls"), judge(sheets)
    assert where(old) == where(new) == [("error", "cell.excel_error_required", "NhiemVu", "K2"),
                                        ("warning", "cell.excel_error", "NhiemVu", "L2")]
    assert all(f"“{code}”" in i.message for i in old.issues)


# ================================================================== .xls number formats, dates and fonts (c06a)


def test_xls_reads_percent_month_only_dates_date_cells_and_fonts_like_xlsx():
    name = "Xây dựng cơ sở dữ liệu quốc gia về khoa học"
    rows = [
        task(tien_do=Cell(0.6, num_format="0%"), thoi_han=Cell(dt.date(2027, 6, 1), num_format="mm/yyyy")),
        task(ma_nhiem_vu="NQ57-BKHCN-0002", tien_do=Cell(0.805, num_format="0.0%"),
             thoi_han=Cell(dt.date(2027, 2, 1), num_format="[$-42A]mmm-yy")),
        done(ma_nhiem_vu="NQ57-BKHCN-0003", tien_do=Cell(1, num_format="0%"),
             thoi_han=Cell(dt.date(2026, 9, 30), num_format="dd/mm/yyyy"), ngay_hoan_thanh=dt.date(2026, 9, 15)),
        task(ma_nhiem_vu="NQ57-BKHCN-0004", ten_nhiem_vu=Cell(unicode_to_tcvn3(name), font=".VnTime"), tien_do=45),
    ]
    sheets = submission(tasks=rows)
    old, new = judge(xls(sheets), "a.xls"), judge(sheets)
    assert old.kind == "xls" and new.kind == "xlsx"
    assert_accepted(old)
    pd.testing.assert_frame_equal(old.tasks, new.tasks)
    assert where(old) == where(new) == [("warning", "text.legacy_encoding", "NhiemVu", "D5")]
    assert column(old, "tien_do") == [60.0, 80.5, 100.0, 45.0]
    assert column(old, "deadline_date") == [dt.date(2027, 6, 30), dt.date(2027, 2, 28), dt.date(2026, 9, 30),
                                            dt.date(2026, 12, 31)]
    assert column(old, "deadline_type") == ["THANG", "THANG", "NGAY", "NGAY"]
    assert column(old, "ten_nhiem_vu")[3] == name


# ================================================================== headers over several rows (c07)


def headed(header_rows: list[list[object]], merges: list[tuple[int, int, int, int]], entries: list[object]) -> Sheet:
    """A task sheet with a title, a blank row, then `header_rows` (merges in 0-based block rows and columns),
    then one row per entry (a dict by column code, or a list as is)."""
    sheet = Sheet()
    sheet.rows += [["DANH SÁCH NHIỆM VỤ VÀ TÌNH HÌNH THỰC HIỆN"], []]
    first = len(sheet.rows) + 1  # Excel row of the first header row
    sheet.rows += [list(row) for row in header_rows]
    sheet.header_row = first
    for r1, c1, r2, c2 in merges:
        sheet.merge(first + r1, c1, first + r2, c2)
    for entry in entries:
        sheet.rows.append([entry.get(code) for code in TASK_CODES] if isinstance(entry, dict) else list(entry))
        sheet.row_of.append(len(sheet.rows))
    return sheet


def group_header(depth: int, groups: dict[tuple[int, int], str], sub: dict[int, tuple[int, str]],
                 ) -> tuple[list[list[object]], list[tuple[int, int, int, int]]]:
    """Header rows where `groups` are labels merged across columns (first, last) on the top row and `sub` gives
    a column's own label on a lower row; every other column's template label is merged down all rows."""
    rows: list[list[object]] = [[None] * len(TASK_CODES) for _ in range(depth)]
    merges: list[tuple[int, int, int, int]] = []
    covered = {c for first, last in groups for c in range(first, last + 1)} | set(sub)
    for c, code in enumerate(TASK_CODES):
        if c not in covered:
            rows[0][c] = TASK_LABELS[code]
            merges.append((0, c, depth - 1, c))
    for (first, last), label in groups.items():
        rows[0][first] = label
        merges.append((0, first, 0, last))
    for c, (r, label) in sub.items():
        rows[r][c] = label
        if r < depth - 1 and not any(first <= c <= last for (first, last) in groups if r == 0):
            merges.append((r, c, depth - 1, c))
    return rows, merges


K, L, M = (TASK_CODES.index(code) for code in ("tinh_trang", "tien_do", "ngay_hoan_thanh"))
TWO_ROWS = {K: (1, "Tình trạng"), L: (1, "Tiến độ (%)"), M: (1, "Ngày hoàn thành")}
ENTRIES = [task(), done(ma_nhiem_vu="NQ57-BKHCN-0002")]


def assert_two_tasks_read(result, first_row: int) -> None:
    assert_accepted(result)
    assert result.issues == []
    assert column(result, "status_code") == ["DANG_TRONG_HAN", "HT_DUNG_HAN"]
    assert column(result, "tien_do") == [60.0, 100.0]
    assert column(result, "ngay_hoan_thanh") == [None, dt.date(2026, 9, 15)]
    assert column(result, "source_row") == [first_row, first_row + 1]


@pytest.mark.parametrize("group", ["Tình hình thực hiện", "Kết quả thực hiện", "TIẾN ĐỘ, KẾT QUẢ", "Thực hiện nhiệm vụ"])
def test_two_header_rows_with_a_group_label_over_the_status_columns(group):
    rows, merges = group_header(2, {(K, M): group}, TWO_ROWS)
    sheet = headed(rows, merges, ENTRIES)
    result = judge(submission(tasks=sheet))
    assert_two_tasks_read(result, first_row=5)
    table = parse_workbook(Workbook(xlsx(submission(tasks=sheet)), "xlsx")).task_table
    assert table.columns == {code: i for i, code in enumerate(TASK_CODES)}
    assert (table.header_row, table.header_rows, table.first_data_row) == (2, 2, 4)


def test_two_header_rows_with_a_group_label_over_the_first_columns():
    sub = {c: (1, TASK_LABELS[code]) for c, code in enumerate(TASK_CODES[:6])}
    rows, merges = group_header(2, {(0, 5): "Thông tin nhiệm vụ", (K, M): "Tình hình thực hiện"}, {**sub, **TWO_ROWS})
    assert_two_tasks_read(judge(submission(tasks=headed(rows, merges, ENTRIES))), first_row=5)


def test_three_header_rows_with_nested_group_labels():
    # Row 1: "Tình hình thực hiện" over K:M; row 2: Tình trạng (merged down), "Tiến độ và ngày" over L:M;
    # row 3: Tiến độ (%), Ngày hoàn thành.
    rows, merges = group_header(3, {(K, M): "Tình hình thực hiện"},
                                {K: (1, "Tình trạng"), L: (2, "Tiến độ (%)"), M: (2, "Ngày hoàn thành")})
    rows[1][L] = "Kết quả"
    merges += [(1, L, 1, M)]
    result = judge(submission(tasks=headed(rows, merges, ENTRIES)))
    assert_two_tasks_read(result, first_row=6)
    assert column(result, "ket_qua") == [None, None]  # "Kết quả" over L:M is a group label, not the column


def test_a_multi_row_header_followed_by_the_code_row_and_a_numbering_row():
    rows, merges = group_header(2, {(K, M): "Tình hình thực hiện"}, TWO_ROWS)
    codes = list(TASK_CODES)
    numbers = [f"({i})" for i in range(1, len(TASK_CODES) + 1)]
    sheet = headed(rows, merges, [codes, numbers, *ENTRIES])
    assert_two_tasks_read(judge(submission(tasks=sheet)), first_row=7)


def test_an_unknown_sub_header_under_a_group_label_is_warned_at_its_own_cell_and_the_group_label_is_not():
    rows, merges = group_header(2, {(K, M): "Tình hình thực hiện"},
                                {K: (1, "Tình trạng"), L: (1, "Tiến độ (%)"), M: (1, "Ghi chú nội bộ")})
    result = judge(submission(tasks=headed(rows, merges, [task()])))
    assert_accepted(result)
    assert where(result) == [("warning", "column.unknown", "NhiemVu", "M4")]


# ================================================================== a row numbering the columns (c08a)

N = len(TASK_CODES)
NUMBERINGS = {
    "1 2 3": [str(i) for i in range(1, N + 1)],
    "numbers": [float(i) for i in range(1, N + 1)],
    "(1) (2) (3)": [f"({i})" for i in range(1, N + 1)],
    "[1] [2] [3]": [f"[{i}]" for i in range(1, N + 1)],
    "A B C": [chr(65 + i) for i in range(N)],
    "(A) (B) (C)": [f"({chr(65 + i)})" for i in range(N)],
    "Cột 1 Cột 2": [f"Cột {i}" for i in range(1, N + 1)],
    "A B C 1 2 3": ["A", "B", "C"] + [str(i) for i in range(1, N - 2)],
    "some columns": ["(1)", None, "(2)", "(3)", None, "(4)"] + [f"({i})" for i in range(5, N - 1)],
}


@pytest.mark.parametrize("code_row", [False, True], ids=["no code row", "code row"])
@pytest.mark.parametrize("numbering", list(NUMBERINGS))
def test_a_row_numbering_the_columns_under_the_header_is_not_a_task(numbering, code_row):
    sheet = task_sheet([NUMBERINGS[numbering], task(), task(ma_nhiem_vu="NQ57-BKHCN-0002")], code_row=code_row)
    result = judge(submission(tasks=sheet))
    assert_accepted(result)
    assert result.issues == []
    assert column(result, "ma_nhiem_vu") == ["NQ57-BKHCN-0001", "NQ57-BKHCN-0002"]
    assert column(result, "source_row") == [3 + code_row, 4 + code_row]


def test_a_numbering_row_above_the_code_row_and_in_the_indicator_sheet():
    tasks = headed([[TASK_LABELS[c] for c in TASK_CODES]], [], [NUMBERINGS["(1) (2) (3)"], list(TASK_CODES), task()])
    indicators = indicator_sheet([[f"({i})" for i in range(1, len(INDICATOR_CODES) + 1)],
                                  {"ma_chi_tieu": "CT_12", "gia_tri": 5}])
    result = judge(submission(tasks=tasks, indicators=indicators))
    assert_accepted(result)
    assert result.issues == []
    assert column(result, "source_row") == [6]
    assert result.indicators["ma_chi_tieu"].tolist() == ["CT_12"]


def test_a_first_task_whose_cells_are_short_is_still_a_task_not_a_numbering_row():
    result = judge(submission(tasks=[task(stt="1", ma_nhiem_vu="A1", muc="B", tien_do=3), task(ma_nhiem_vu="A2")]))
    assert column(result, "ma_nhiem_vu") == ["A1", "A2"]


# ================================================================== hidden sheets (c09)


@pytest.mark.parametrize("builder", [xlsx, xls], ids=["xlsx", "xls"])
@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_stale_task_sheet_before_the_visible_one_is_ignored_and_named(state, builder):
    stale = task_sheet([task(ma_nhiem_vu="NQ57-BKHCN-0901", tien_do=20)])
    stale.state = state
    sheets = {"ThongTin": info_sheet(), "Nhiệm vụ T9": stale, "Nhiệm vụ T10": task_sheet([task()]),
              "ChiTieu": indicator_sheet([])}
    result = judge(builder(sheets), f"a.{builder.__name__}")
    assert_accepted(result)
    assert result.task_sheet == "Nhiệm vụ T10" and column(result, "ma_nhiem_vu") == ["NQ57-BKHCN-0001"]
    assert where(result) == [("warning", "sheet.ignored", "Nhiệm vụ T10", "A1")]
    assert "“Nhiệm vụ T9”" in result.issues[0].message and "ẩn" in result.issues[0].message


def test_a_visible_sheet_wins_over_a_hidden_one_carrying_the_exact_template_name():
    stale = task_sheet([task(ma_nhiem_vu="NQ57-BKHCN-0901")])
    stale.state = "hidden"
    sheets = {"ThongTin": info_sheet(), "NhiemVu": stale, "Danh sách nhiệm vụ tháng 10": task_sheet([task()]),
              "ChiTieu": indicator_sheet([])}
    result = judge(sheets)
    assert result.task_sheet == "Danh sách nhiệm vụ tháng 10"
    assert where(result) == [("warning", "sheet.ignored", "Danh sách nhiệm vụ tháng 10", "A1")]


def test_a_hidden_copy_of_thong_tin_is_ignored_and_named():
    old = info_sheet({"ky_bao_cao": "09/2026"})
    old.state = "veryHidden"
    sheets = {"ThongTin cũ": old, "ThongTin": info_sheet(), "NhiemVu": task_sheet([task()]), "ChiTieu": indicator_sheet([])}
    result = judge(sheets)
    assert_accepted(result)
    assert result.period == "2026-10"
    assert where(result) == [("warning", "sheet.ignored", "ThongTin", "A1")]


def test_a_task_sheet_found_only_hidden_is_read_and_said_to_be_hidden():
    hidden = task_sheet([task()])
    hidden.state = "hidden"
    result = judge(submission(tasks=hidden))
    assert_accepted(result)
    assert column(result, "ma_nhiem_vu") == ["NQ57-BKHCN-0001"]
    assert where(result) == [("warning", "sheet.hidden_read", "NhiemVu", "A1")]


def test_a_second_visible_task_sheet_is_named_as_not_read():
    sheets = {"ThongTin": info_sheet(), "Nhiệm vụ": task_sheet([task()]),
              "Nhiệm vụ (bản sao)": task_sheet([task(ma_nhiem_vu="X")]), "ChiTieu": indicator_sheet([])}
    result = judge(sheets)
    assert result.task_sheet == "Nhiệm vụ"
    assert where(result) == [("warning", "sheet.ignored", "Nhiệm vụ", "A1")]
    assert "“Nhiệm vụ (bản sao)”" in result.issues[0].message


# ================================================================== a literal leading apostrophe (c11)


def test_a_literal_leading_apostrophe_is_dropped_the_same_way_in_every_column():
    rows = [
        task(ma_nhiem_vu="'NQ57-BKHCN-0001", co_quan_chu_tri="'BKHCN", thoi_han="'31/12/2026", tien_do="'60"),
        done(ma_nhiem_vu="'NQ57-BKHCN-0002", tinh_trang="'Hoàn thành đúng hạn", thoi_han="'Quý III/2026",
             tien_do="'100", ngay_hoan_thanh="'15/09/2026"),
        task(ma_nhiem_vu="NQ57-BKHCN-0003", ten_nhiem_vu="'Make in Vietnam' trong chuyển đổi số", tien_do="'80,5"),
    ]
    info = {"ky_bao_cao": "'10/2026", "ngay_bao_cao": "'15/11/2026", "ma_don_vi": "'BKHCN"}
    indicators = [{"ma_chi_tieu": "'CT_12", "gia_tri": "'1.287"}]
    result = judge(submission(tasks=rows, info=info, indicators=indicators))
    assert_accepted(result)
    assert result.issues == []
    assert column(result, "ma_nhiem_vu") == ["NQ57-BKHCN-0001", "NQ57-BKHCN-0002", "NQ57-BKHCN-0003"]
    assert column(result, "deadline_date") == [dt.date(2026, 12, 31), dt.date(2026, 9, 30), dt.date(2026, 12, 31)]
    assert column(result, "tien_do") == [60.0, 100.0, 80.5]
    assert column(result, "ngay_hoan_thanh") == [None, dt.date(2026, 9, 15), None]
    assert column(result, "status_code") == ["DANG_TRONG_HAN", "HT_DUNG_HAN", "DANG_TRONG_HAN"]
    assert column(result, "ten_nhiem_vu")[2] == "'Make in Vietnam' trong chuyển đổi số"  # a quotation stays
    assert (result.period, result.report_date) == ("2026-10", dt.date(2026, 11, 15))
    assert result.indicators["gia_tri"].tolist() == [1287.0]


# ================================================================== day and month swapped by a month-first Excel (c12)


def test_a_column_mixing_day_first_text_dates_with_real_small_day_dates_names_those_cells():
    rows = [task(ma_nhiem_vu="A", thoi_han="31/12/2026"),           # text: a month-first Excel could not read it
            task(ma_nhiem_vu="B", thoi_han="25/11/2026"),
            task(ma_nhiem_vu="C", thoi_han=dt.date(2026, 5, 9)),   # typed 05/09/2026, stored as 9 May
            task(ma_nhiem_vu="D", thoi_han=dt.date(2026, 12, 11)),  # typed 11/12/2026, stored as 11 December
            task(ma_nhiem_vu="E", thoi_han=dt.date(2026, 7, 7)),   # the same both ways
            task(ma_nhiem_vu="F", thoi_han=dt.date(2026, 10, 20))]  # day 20: cannot have been swapped
    result = judge(submission(tasks=rows))
    swapped = where(result, "task.date_maybe_swapped")
    assert swapped == [("warning", "task.date_maybe_swapped", "NhiemVu", "I4")]
    message = next(i.message for i in result.issues if i.rule == "task.date_maybe_swapped")
    assert "I4: đọc là 09/05/2026, nếu bị đảo là 05/09/2026" in message and "I5: đọc là 11/12/2026" in message
    assert "I6" not in message and "I7" not in message and "I2: 31/12/2026" in message
    assert column(result, "deadline_date")[2:4] == [dt.date(2026, 5, 9), dt.date(2026, 12, 11)]  # kept as stored


@pytest.mark.parametrize("builder", [xlsx, xls], ids=["xlsx", "xls"])
def test_real_dates_shown_month_first_warn_and_day_first_or_regional_short_dates_do_not(builder):
    day = dt.date(2027, 3, 4)
    rows = [task(ma_nhiem_vu=code, thoi_han=Cell(day, num_format=fmt)) for code, fmt in
            [("A", "m/d/yyyy"), ("B", "mm/dd/yy"), ("C", "dd/mm/yyyy"), ("D", "d-mmm-yyyy"), ("E", "yyyy-mm-dd")]]
    rows.append(task(ma_nhiem_vu="F", thoi_han=day))
    result = judge(builder(submission(tasks=rows)), f"a.{builder.__name__}")
    assert where(result, "task.date_maybe_swapped") == [("warning", "task.date_maybe_swapped", "NhiemVu", "I2")]
    message = next(i.message for i in result.issues if i.rule == "task.date_maybe_swapped")
    assert "I2:" in message and "I3:" in message and "I4" not in message and "m/d/yyyy" in message


def test_a_column_typed_all_as_text_dates_gives_no_swap_warning():
    rows = [task(ma_nhiem_vu="A", thoi_han="05/09/2026"), task(ma_nhiem_vu="B", thoi_han="30/09/2026"),
            task(ma_nhiem_vu="C", thoi_han=dt.date(2026, 5, 9))]
    assert where(judge(submission(tasks=rows)), "task.date_maybe_swapped") == []


# ================================================================== parts in UTF-16 (c17) and damaged parts

PARTS = ["xl/worksheets/sheet2.xml", "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml",
         "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]
FORMATTED = submission(tasks=[task(tien_do=Cell(0.6, num_format="0%"),
                                   thoi_han=Cell(dt.date(2027, 6, 1), num_format="mm/yyyy"))])


@pytest.mark.parametrize(("encoding", "bom"), [("utf-16-le", True), ("utf-16-be", True), ("utf-16-le", False),
                                               ("utf-16-be", False)], ids=["LE+BOM", "BE+BOM", "LE", "BE"])
@pytest.mark.parametrize("part", PARTS)
def test_xml_parts_in_utf16_are_read_like_utf8(part, encoding, bom):
    base = xlsx(FORMATTED)
    data = repackage(base, lambda name, content: (name, utf16(content, encoding, bom) if name == part else content))
    assert data != base
    result, expected = judge(data), judge(base)
    assert_accepted(result)
    assert result.issues == expected.issues == []
    pd.testing.assert_frame_equal(result.tasks, expected.tasks)
    assert (column(result, "tien_do"), column(result, "deadline_type")) == ([60.0], ["THANG"])


def test_a_task_sheet_that_cannot_be_parsed_is_refused_asking_to_save_again_never_header_not_found():
    base = xlsx(submission(tasks=[task()]))
    data = repackage(base, lambda n, c: (n, c[: len(c) // 2] if n == "xl/worksheets/sheet2.xml" else c))
    result = judge(data)
    assert not result.accepted
    assert [(i.severity, i.rule) for i in result.issues] == [("error", "sheet.unreadable")]
    issue = result.issues[0]
    assert "“NhiemVu”" in issue.message and "Lưu thành" in issue.hint
    # the sheet is there but cannot be read: the finding names it (not the first sheet), without a cell
    assert (issue.sheet, issue.row, issue.cell) == ("NhiemVu", None, None)


def test_a_damaged_extra_sheet_is_a_warning_when_every_table_was_found():
    sheets = {**submission(tasks=[task()]), "Ghi chú": Sheet(rows=[["Ghi chú nội bộ"]])}
    data = repackage(xlsx(sheets), lambda n, c: (n, c.replace(b"</sheetData>", b"<row><c>") if n == "xl/worksheets/sheet4.xml" else c))
    result = judge(data)
    assert_accepted(result)
    assert [(i.severity, i.rule) for i in result.issues] == [("warning", "sheet.unreadable_extra")]
    assert "“Ghi chú”" in result.issues[0].message and result.issues[0].sheet == "Ghi chú"


def test_a_damaged_styles_part_is_worked_around_with_a_warning_and_a_dtd_in_it_is_refused():
    base = xlsx(FORMATTED)
    damaged = repackage(base, lambda n, c: (n, c[:300] if n == "xl/styles.xml" else c))
    result = judge(damaged)
    assert_accepted(result)
    # Formats lost: the month deadline arrives as a number, and says so at its cell.
    assert where(result) == [("warning", "file.part_repaired", "NhiemVu", "A1"),
                             ("warning", "cell.date_serial", "NhiemVu", "I2")]
    assert "0,6" in result.issues[0].message
    dtd = b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x "y">]>'
    unsafe = repackage(base, lambda n, c: (n, dtd + c.split(b"?>", 1)[1] if n == "xl/styles.xml" else c))
    assert [(i.rule, i.severity) for i in judge(unsafe).issues] == [("file.xml_unsafe", "error")]


def test_a_damaged_shared_strings_part_is_refused_as_corrupt():
    data = repackage(xlsx(FORMATTED), lambda n, c: (n, c[:200] if n == "xl/sharedStrings.xml" else c))
    result = judge(data)
    assert [i.rule for i in result.issues] == ["file.corrupt"] and not result.accepted


def test_a_cell_pointing_past_the_shared_strings_is_left_blank_with_a_warning_at_it():
    data = repackage(xlsx(submission(tasks=[task()])), lambda n, c: (n, re.sub(
        rb'(<c r="J2"[^>]*t="s"[^>]*><v>)\d+', rb"\g<1>99999", c) if n == "xl/worksheets/sheet2.xml" else c))
    result = judge(data)
    assert_accepted(result)
    assert where(result) == [("warning", "cell.damaged", "NhiemVu", "J2")]


# ================================================================== reading cost follows the data (c18)


def reading_peak(data: bytes) -> tuple[int, object]:
    tracemalloc.start()
    try:
        parsed = parse_workbook(Workbook(data, "xlsx"))
        return tracemalloc.get_traced_memory()[1], parsed
    finally:
        tracemalloc.stop()


TASKS_300 = [task(ma_nhiem_vu=f"NQ57-BKHCN-{i:04d}") for i in range(1, 301)]


@pytest.mark.parametrize(("row", "col", "value"), [(5, 16383, " "), (5, 16383, "x"), (1_048_575, 0, "x"),
                                                   (1_048_575, 16383, " "), (150, 16383, 1.5)],
                         ids=["space in XFD6", "x in XFD6", "x in A1048576", "space in XFD1048576", "number in XFD151"])
def test_a_stray_far_away_cell_costs_nothing_and_changes_nothing(row, col, value):
    control = xlsx(submission(tasks=TASKS_300))
    sheets = submission(tasks=TASKS_300)
    sheets["NhiemVu"].far[(row, col)] = value
    stray = xlsx(sheets)
    control_peak, expected = reading_peak(control)
    stray_peak, parsed = reading_peak(stray)
    assert stray_peak <= 1.5 * control_peak, (stray_peak, control_peak)
    pd.testing.assert_frame_equal(parsed.tasks, expected.tasks)
    assert [i.rule for i in parsed.issues] == [i.rule for i in expected.issues]


def test_a_huge_declared_dimension_a_merge_to_the_last_row_and_formatting_on_100000_empty_rows_cost_nothing():
    control = xlsx(submission(tasks=TASKS_300))
    empty_rows = b"".join(b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/><c r="P%d" s="1"/></row>' % (r, r, r)
                          for r in range(400, 100_400))

    def sprawl(name: str, content: bytes) -> tuple[str, bytes]:
        if name == "xl/worksheets/sheet2.xml":
            content = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', content)
            content = content.replace(b"</sheetData>", empty_rows + b"</sheetData>")
            content = content.replace(b"</worksheet>", b'<mergeCells count="1"><mergeCell ref="G2:G1048576"/></mergeCells></worksheet>')
        return name, content

    data = repackage(control, sprawl)
    control_peak, expected = reading_peak(control)
    peak, parsed = reading_peak(data)
    assert peak <= 1.5 * control_peak, (peak, control_peak)
    pd.testing.assert_frame_equal(parsed.tasks, expected.tasks)
    assert_accepted(judge(data))


# ================================================================== a role note after the lead agency (c22)


@pytest.mark.parametrize("lead", [
    "BKHCN (chủ trì)", "Bộ Khoa học và Công nghệ (Chủ trì)", "BKHCN - chủ trì", "BKHCN – Chủ trì", "BKHCN: chủ trì",
    "BKHCN (Chủ trì, phối hợp với Bộ Tài chính)", "BKHCN (cơ quan chủ trì)", "Bộ KH&CN (đơn vị chủ trì)",
    "BKHCN [chủ trì]", "Chủ trì: BKHCN", "Cơ quan chủ trì: Bộ Khoa học và Công nghệ", "Bo KHCN (chu tri)",
])
def test_a_role_note_with_the_lead_agency_is_not_part_of_its_name(lead):
    result = judge(submission(tasks=[task(co_quan_chu_tri=lead, co_quan_phoi_hop="Bộ Tài chính (phối hợp)")]))
    assert_accepted(result)
    assert result.issues == []
    assert (column(result, "co_quan_chu_tri"), column(result, "co_quan_phoi_hop")) == (["BKHCN"], ["BTC"])
    assert column(result, "co_quan_chu_tri_raw") == [lead]


def test_a_partner_note_in_the_lead_column_does_not_make_a_lead():
    result = judge(submission(tasks=[task(co_quan_chu_tri="BKHCN (phối hợp)")]))
    assert where(result) == [("error", "task.unknown_agency", "NhiemVu", "G2")]


# ================================================================== dates exported as text with a time (c23)


@pytest.mark.parametrize(("text", "day"), [
    ("2026-09-30T00:00:00", dt.date(2026, 9, 30)),
    ("2026-09-30 00:00:00", dt.date(2026, 9, 30)),
    ("2026-09-30T08:30:00.000", dt.date(2026, 9, 30)),
    ("30/09/2026 00:00:00", dt.date(2026, 9, 30)),
    ("30/09/2026 8:30:00 SA", dt.date(2026, 9, 30)),
    ("30/09/2026 8:30:00 CH", dt.date(2026, 9, 30)),
    ("30/09/2026 12:15 AM", dt.date(2026, 9, 30)),
    ("30-09-2026 00:00", dt.date(2026, 9, 30)),
    ("30.09.2026 23:59", dt.date(2026, 9, 30)),
    ("2026-09-29T18:00:00Z", dt.date(2026, 9, 30)),   # 01:00 on 30 September in Vietnam
    ("2026-09-30T20:00:00+07:00", dt.date(2026, 9, 30)),
    ("2026-09-30T20:00:00-05:00", dt.date(2026, 10, 1)),
])
def test_dates_exported_as_text_with_a_time_are_dates(text, day):
    rows = [task(thoi_han=text), done(ma_nhiem_vu="NQ57-BKHCN-0002", thoi_han="31/12/2026", ngay_hoan_thanh=text)]
    result = judge(submission(tasks=rows))
    assert_accepted(result)
    assert (column(result, "deadline_date")[0], column(result, "deadline_type")[0]) == (day, "NGAY")
    assert column(result, "ngay_hoan_thanh")[1] == day


@pytest.mark.parametrize("text", ["30/09/2026 25:00", "30/09/2026 13:00 CH", "2026-09-30T10:61:00"])
def test_an_impossible_time_after_a_date_is_an_error_at_the_cell(text):
    result = judge(submission(tasks=[task(thoi_han=text)]))
    assert where(result, "task.deadline_unreadable") == [("error", "task.deadline_unreadable", "NhiemVu", "I2")]


# ================================================================== part names in another letter case (c24)


def _rename(old: str, new: str):
    def edit(name: str, content: bytes) -> tuple[str, bytes]:
        return (new if name == old else name), content
    return edit


def _retarget(old: bytes, new: bytes):
    def edit(name: str, content: bytes) -> tuple[str, bytes]:
        return name, content.replace(old, new) if name == "xl/_rels/workbook.xml.rels" else content
    return edit


CASE_EDITS = {
    "target in another case": _retarget(b'Target="worksheets/sheet2.xml"', b'Target="Worksheets/Sheet2.xml"'),
    "absolute target in another case": _retarget(b'Target="worksheets/sheet2.xml"', b'Target="/XL/WORKSHEETS/SHEET2.XML"'),
    "zip entry in another case": _rename("xl/worksheets/sheet2.xml", "xl/Worksheets/SHEET2.xml"),
    "shared strings in another case": _rename("xl/sharedStrings.xml", "xl/SharedStrings.XML"),
    "styles in another case": _rename("xl/styles.xml", "XL/Styles.xml"),
    "target with a dot segment": _retarget(b'Target="worksheets/sheet2.xml"', b'Target="./worksheets/../Worksheets/sheet2.xml"'),
}


@pytest.mark.parametrize("edit", list(CASE_EDITS))
def test_part_names_compare_without_letter_case_and_formats_still_apply(edit):
    data = repackage(xlsx(FORMATTED), CASE_EDITS[edit])
    result = judge(data)
    assert_accepted(result)
    assert result.issues == []
    assert (column(result, "tien_do"), column(result, "deadline_date"), column(result, "deadline_type")) == (
        [60.0], [dt.date(2027, 6, 30)], ["THANG"])


# ================================================================== a missing column or sheet points at a findable cell


def without(code: str, entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k != code}


def test_a_missing_column_is_reported_on_the_header_row_where_the_template_expects_it():
    columns = [c for c in TASK_CODES if c != "tinh_trang"]
    entries = [without("tinh_trang", task()), without("tinh_trang", task(ma_nhiem_vu="NQ57-BKHCN-0002"))]
    result = judge(submission(tasks=task_sheet(entries, columns=columns, above=[["DANH SÁCH NHIỆM VỤ"], []])))
    missing = [i for i in result.issues if i.rule == "column.missing"]
    # K, right after Sản phẩm (J), now holds Tiến độ: the issue sits on the first free cell of the header row.
    assert [(i.sheet, i.cell) for i in missing] == [("NhiemVu", "P3")]
    assert "ở dòng tiêu đề (dòng 3)" in missing[0].message and "ngay sau cột “Sản phẩm” (J)" in missing[0].message
    # Every issue names a cell (sheet, column letter, row), never a column code.
    assert all(i.column and i.column.isalpha() and i.column.isupper() and i.row for i in result.issues), result.issues
    assert [(i.rule, i.cell) for i in result.issues if i.rule == "task.status_missing"] == [
        ("task.status_missing", "P4"), ("task.status_missing", "P5")]


def test_an_excel_error_in_the_column_that_took_a_missing_columns_place_is_not_blamed_for_it():
    columns = [c for c in TASK_CODES if c != "tinh_trang"]
    entries = [without("tinh_trang", task(tien_do=Cell(ExcelError("#DIV/0!"), formula="=1/0")))]
    result = judge(submission(tasks=task_sheet(entries, columns=columns)))
    assert [(i.severity, i.rule, i.cell) for i in result.issues] == [
        ("error", "column.missing", "P1"), ("error", "task.status_missing", "P2"),
        ("warning", "cell.excel_error", "K2")]


def test_a_renamed_column_is_reported_where_it_stands_with_the_label_found_there():
    result = judge(submission(tasks=task_sheet([task()], labels={"tinh_trang": "Tình hình thực hiện"})))
    missing = next(i for i in result.issues if i.rule == "column.missing")
    assert (missing.sheet, missing.cell) == ("NhiemVu", "K1")
    assert "ô K1 đang ghi “Tình hình thực hiện”" in missing.message


def test_a_table_without_a_recognisable_header_points_at_a_row_and_column():
    sheet = Sheet(rows=[["Báo cáo"], [], ["Cột 1", "Cột 2"], ["x", "y"]])
    result = judge(submission(tasks=sheet))
    issue = next(i for i in result.issues if i.rule == "table.header_missing")
    assert (issue.sheet, issue.cell) == ("NhiemVu", "A3")
    assert "STT, Mã nhiệm vụ" in issue.message


def test_missing_sheet_and_column_issues_are_shown_in_the_feedback_workbook_at_their_cells():
    columns = [c for c in TASK_CODES if c != "tinh_trang"]
    sheets = submission(tasks=task_sheet([without("tinh_trang", task())], columns=columns))
    del sheets["ThongTin"]
    data = xlsx(sheets)
    result = judge(data)
    receipt = feedback.local_receipt(data, "bao_cao.xlsx", agency="BKHCN", period="2026-10", system=None,
                                     accepted=result.accepted)
    body = feedback.build_feedback(original=data, receipt=receipt, counts=result.counts, issues=result.issues)
    book = openpyxl.load_workbook(io.BytesIO(body))
    listing = {(row[2], row[3]): row[6] for row in book["PhanHoi"].iter_rows(values_only=True)
               if isinstance(row[0], int) and row[6]}
    assert listing[("NhiemVu", "A1")] == "sheet.missing" and listing[("NhiemVu", "P1")] == "column.missing"
    assert "Không tìm thấy sheet “ThongTin”" in book["NhiemVu"]["A1"].comment.text
    assert "Thiếu cột bắt buộc “Tình trạng”" in book["NhiemVu"]["P1"].comment.text


# ================================================================== judging never raises, feedback never crashes


def test_any_exception_while_judging_a_file_is_that_files_refusal_with_an_english_log_line(monkeypatch, caplog):
    def broken(book):
        raise RuntimeError("simulated defect")

    monkeypatch.setattr(nq57_submission, "parse_workbook", broken)
    with caplog.at_level(logging.ERROR, logger="nq57.intake.submission"):
        result = judge(submission(), "hong.xlsx")
    assert not result.accepted
    assert [(i.severity, i.rule) for i in result.issues] == [("error", "file.unreadable")]
    assert "Excel" in result.issues[0].hint and result.issues[0].message.startswith("Hệ thống không xử lý được")
    record = next(r for r in caplog.records if r.name == "nq57.intake.submission")
    assert "'hong.xlsx'" in record.getMessage() and record.exc_info is not None


def test_control_characters_quoted_in_messages_do_not_crash_the_feedback_workbook():
    rows = [task(tinh_trang="Đang\x01làm\x1f", ten_nhiem_vu="Tên\x00có\x0bký tự điều khiển", ma_nhiem_vu="A\x02")]
    data = xlsx(submission(tasks=rows, info={"ten_don_vi": "Bộ\x07KH"}))
    result = judge(data)
    assert any("\x01" in i.message for i in result.issues)
    receipt = feedback.local_receipt(data, "bao\x03cao.xlsx", agency="BKHCN", period="2026-10", system=None,
                                     accepted=result.accepted)
    body = feedback.build_feedback(original=data, receipt=receipt, counts=result.counts, issues=result.issues)
    listing = openpyxl.load_workbook(io.BytesIO(body))["PhanHoi"]
    text = " ".join(str(c) for row in listing.iter_rows(values_only=True) for c in row if c)
    assert "Đang␁làm" in text and "bao␃cao.xlsx" in text


# ================================================================== shared-string amplification (issue 17 item 7)


def amplified(cells: int, length: int) -> bytes:
    """A small .xlsx whose `cells` cells all reference one shared string of `length` characters."""
    out = io.BytesIO()
    import xlsxwriter

    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("NhiemVu")
    text = ("Nội dung lặp lại " * (length // 17 + 1))[:length]
    for i in range(cells):
        sheet.write_string(i // 16, i % 16, text)
    book.close()
    return out.getvalue()


def test_cells_pointing_at_one_long_shared_string_are_refused_in_preflight_with_the_figures():
    # Excel holds at most 32,767 characters in a cell; 2,000 cells x 30,000 characters is 60 million.
    data = amplified(cells=2_000, length=30_000)
    assert len(data) < 100_000  # 60 million characters once opened, from a file under 100 KB
    tracemalloc.start()
    try:
        result = judge(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not result.accepted
    assert [i.rule for i in result.issues] == ["file.text_amplification"]
    message = result.issues[0].message
    assert "60 triệu ký tự" in message and "giới hạn 50 triệu" in message
    assert "2.000 ô (ô đầu tiên: A1 trong trang tính “NhiemVu”)" in message and "dài 30.000 ký tự" in message
    assert peak < 20 * 2**20, peak
    print(f"\namplification file: {len(data) / 1024:.0f} KB, 60 million characters referenced; refused, "
          f"peak traced memory {peak / 2**20:.1f} MiB")


def test_amplification_hidden_from_the_preflight_scan_is_still_refused_by_the_reader():
    # `<v>&#48;</v>` is the index 0 written as a character reference: the byte scan does not see it, the
    # XML parser does.
    data = repackage(amplified(cells=2_000, length=30_000),
                     lambda n, c: (n, c.replace(b"<v>0</v>", b"<v>&#48;</v>") if n.startswith("xl/worksheets/") else c))
    result = judge(data)
    assert [i.rule for i in result.issues] == ["file.text_amplification"] and not result.accepted


def test_a_long_note_repeated_down_a_real_report_is_not_amplification():
    note = "Đã trình Chính phủ dự thảo; đang chờ ý kiến các bộ, ngành. " * 8
    rows = [task(ma_nhiem_vu=f"NQ57-BKHCN-{i:04d}", kho_khan=note) for i in range(1, 301)]
    assert_accepted(judge(submission(tasks=rows)))


def test_the_text_limit_is_a_setting_that_applies_to_xls_too():
    from nq57.settings import Limits

    sheets = submission(tasks=[task(kho_khan="x" * 5_000) for _ in range(30)])
    for data, name in ((xlsx(sheets), "a.xlsx"), (xls(sheets), "a.xls")):
        result = nq57_submission.evaluate(data, name, today=TODAY, limits=Limits(max_referenced_text=100_000))
        assert [i.rule for i in result.issues] == ["file.text_amplification"], name

