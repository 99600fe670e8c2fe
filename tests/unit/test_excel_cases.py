"""The real-world Excel cases handed with issue 11 (tests/data/excel_cases/README.md), as regression tests.

Each file is the same small submission (agency BTC, period 10/2026, three tasks, two indicators) with one
condition real files carry. Eleven were read right before and must stay so; thirteen were not. Each is
judged as `nq57 validate FILE --agency BTC --period 2026-10` judges it, and held to its README row.
Other shapes of each fault are tested with the project's builders in `test_excel_faults.py`.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from nq57.intake import submission
from nq57.ops.cli import main

CASES = Path(__file__).resolve().parents[1] / "data" / "excel_cases"
TODAY = dt.date(2026, 11, 15)

pytestmark = pytest.mark.usefixtures("gx")  # every case is judged end to end, GX suites included

BASELINE_TASKS = [
    ("NQ57-BTC-101", "BTC", dt.date(2026, 12, 31), "NGAY", "DANG_TRONG_HAN", 60.0, None),
    ("NQ57-BTC-102", "BTC", dt.date(2026, 9, 30), "NGAY", "HT_DUNG_HAN", 100.0, dt.date(2026, 9, 15)),
    ("NQ57-BTC-103", "BTC", None, "THUONG_XUYEN", "THUONG_XUYEN", 50.0, None),
]
# c02, c06a/b, c24 and the strict/namespace/no-ref cases carry a month-formatted deadline for the first task.
MONTH_DEADLINE = ("NQ57-BTC-101", "BTC", dt.date(2027, 6, 30), "THANG", "DANG_TRONG_HAN", 60.0, None)
BASELINE_INDICATORS = [("CT_17", 2.6), ("CT_8", 52.4)]


def judge(name: str):
    data = (CASES / name).read_bytes()
    return submission.evaluate(data, name, expected_agency="BTC", expected_period="2026-10", today=TODAY)


def tasks(result) -> list[tuple]:
    columns = ["ma_nhiem_vu", "co_quan_chu_tri", "deadline_date", "deadline_type", "status_code", "tien_do",
               "ngay_hoan_thanh"]
    return [tuple(row) for row in result.tasks[columns].itertuples(index=False)]


def indicators(result) -> list[tuple]:
    return [tuple(row) for row in result.indicators[["ma_chi_tieu", "gia_tri"]].itertuples(index=False)]


def rules(result) -> list[tuple[str, str, str | None, str | None]]:
    return [(i.severity, i.rule, i.sheet, i.cell) for i in result.issues]


def baseline(month_deadline: bool = False) -> list[tuple]:
    return [MONTH_DEADLINE, *BASELINE_TASKS[1:]] if month_deadline else list(BASELINE_TASKS)


# ------------------------------------------------------------------ must keep working

KEEP = {
    "00_baseline_raw.xlsx": False,
    "c01_inlinestr_only.xlsx": False,
    "c02_absolute_rel_targets.xlsx": True,
    "c03_strict_ooxml.xlsx": True,
    "c10_autofilter_hidden_rows.xlsx": False,
    "c13_x000D_from_word_paste.xlsx": False,
    "c14_wps_dimension_A1.xlsx": True,
    "c15_prefixed_namespaces.xlsx": True,
    "c16_cells_without_r.xlsx": True,
    "c19_table_comments_dv_extlink.xlsx": False,
    "c20_empty_shared_string_and_cdata.xlsx": False,
    "c21_iso_t_d_date_cells.xlsx": False,
}


@pytest.mark.parametrize("name", sorted(KEEP))
def test_cases_that_passed_keep_passing_with_the_baseline_values_and_no_issue(name):
    result = judge(name)
    assert result.accepted, rules(result)
    assert result.issues == []
    assert tasks(result) == baseline(KEEP[name])
    assert indicators(result) == BASELINE_INDICATORS
    assert (result.agency_code, result.period, result.system) == ("BTC", "2026-10", "NQ57")


def test_c13_text_pasted_from_word_keeps_its_line_breaks_out_of_names():
    result = judge("c13_x000D_from_word_paste.xlsx")
    assert not any("_x000D_" in str(v) for v in result.tasks.to_numpy().ravel())


# ------------------------------------------------------------------ failed before, fixed now


def test_c04_serials_on_the_1904_date_system_count_from_the_workbooks_epoch_and_say_so():
    result = judge("c04_date1904_serials.xlsx")
    assert result.accepted
    assert tasks(result) == baseline()
    assert not [i for i in result.issues if i.rule == "task.status_mismatch"]
    # The cells show 44925 in Excel: reading them as dates is said at the cells.
    assert rules(result) == [("warning", "cell.date_serial", "NhiemVu", "I5"),
                             ("warning", "cell.date_serial", "NhiemVu", "M6")]
    assert "1904" in result.issues[0].message and "44925 → 31/12/2026" in result.issues[0].message


def test_c05a_error_values_in_optional_cells_are_accepted_with_a_warning_at_each_naming_the_error():
    result = judge("c05a_error_cells_optional.xlsx")
    assert result.accepted
    assert rules(result) == [("warning", "cell.excel_error", "NhiemVu", "L5"),
                             ("warning", "cell.excel_error", "NhiemVu", "C6")]
    messages = {i.cell: i.message for i in result.issues}
    assert "“#N/A”" in messages["C6"] and "“#DIV/0!”" in messages["L5"]
    assert result.tasks["tien_do"].tolist()[0] is None and result.tasks["ma_lien_ket"].tolist()[1] is None


def test_c06a_legacy_xls_reads_percent_and_month_formats_like_its_xlsx_twin():
    old, new = judge("c06a_xls_percent_and_month_formats.xls"), judge("c06b_same_grid_as_xlsx.xlsx")
    assert old.accepted and new.accepted and old.kind == "xls"
    assert tasks(old) == tasks(new) == baseline(month_deadline=True)
    assert indicators(old) == indicators(new) == BASELINE_INDICATORS
    assert old.issues == new.issues == []


def test_c07_two_row_header_with_a_merged_group_label_is_accepted_with_statuses_read():
    result = judge("c07_two_row_merged_header.xlsx")
    assert result.accepted and result.issues == []
    assert tasks(result) == baseline()


def test_c08a_column_numbering_row_under_the_header_is_not_a_task():
    result = judge("c08a_column_numbers_row_paren.xlsx")
    assert result.accepted and result.issues == []
    assert tasks(result) == baseline()
    assert result.tasks["source_row"].tolist() == [5, 6, 7]


def test_c09_the_visible_sheet_is_read_and_the_hidden_stale_one_named_in_a_warning():
    result = judge("c09_hidden_stale_month_sheet.xlsx")
    assert result.accepted and result.task_sheet == "Nhiệm vụ T10"
    assert tasks(result) == baseline()
    assert rules(result) == [("warning", "sheet.ignored", "Nhiệm vụ T10", "A1")]
    assert "“Nhiệm vụ T9”" in result.issues[0].message and "ẩn" in result.issues[0].message


def test_c11_a_literal_leading_apostrophe_is_read_the_same_in_every_column():
    result = judge("c11_literal_leading_apostrophe.xlsx")
    assert result.accepted and result.issues == []
    assert tasks(result) == baseline()


def test_c12_a_column_mixing_text_dates_and_real_dates_with_a_small_day_warns_naming_the_cells():
    result = judge("c12_us_locale_swapped_dates.xlsx")
    assert result.accepted
    swapped = [i for i in result.issues if i.rule == "task.date_maybe_swapped"]
    assert [(i.sheet, i.cell) for i in swapped] == [("NhiemVu", "M6"), ("NhiemVu", "I8")]
    assert "I8: đọc là 12/01/2026, nếu bị đảo là 01/12/2026" in swapped[1].message
    assert "I5: 31/12/2026" in swapped[1].message  # the text date that gives it away


def test_c17_a_utf16_task_sheet_is_read_like_the_baseline():
    result = judge("c17_utf16_task_sheet.xlsx")
    assert result.accepted and result.issues == []
    assert tasks(result) == baseline()


def test_c18_a_stray_cell_in_column_xfd_changes_nothing():
    stray, control = judge("c18_stray_cell_XFD_300rows.xlsx"), judge("c18_control_300rows_no_stray.xlsx")
    assert stray.accepted and control.accepted and stray.issues == control.issues == []
    assert stray.tasks.equals(control.tasks) and len(stray.tasks) == 300


def test_c22_a_role_note_after_the_lead_agency_is_not_part_of_its_name():
    result = judge("c22_lead_agency_with_chu_tri_note.xlsx")
    assert result.accepted and result.issues == []
    assert result.tasks["co_quan_chu_tri"].tolist() == ["BTC"] * 3
    assert result.tasks["co_quan_chu_tri_raw"].tolist()[:2] == ["Bộ Tài chính (chủ trì)", "BTC (chủ trì)"]


def test_c23_dates_exported_as_text_with_a_time_are_dates():
    result = judge("c23_text_datetime_export.xlsx")
    assert result.accepted and result.issues == []
    assert tasks(result) == baseline()


def test_c24_a_relationship_target_in_another_letter_case_finds_its_part_with_formats():
    result = judge("c24_rels_target_case_mismatch.xlsx")
    assert result.accepted and result.issues == []
    assert tasks(result) == baseline(month_deadline=True)


def test_every_case_through_nq57_validate_json(capsys):
    verdicts = {}
    for path in sorted(CASES.glob("*.xls*")):
        status = main(["validate", str(path), "--json", "--agency", "BTC", "--period", "2026-10"])
        report = json.loads(capsys.readouterr().out)
        verdicts[path.name] = (status, report["accepted"])
    assert len(verdicts) == 27
    assert all(accepted for _, accepted in verdicts.values()), verdicts
