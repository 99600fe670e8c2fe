"""Whatever an agency types into a cell, judging the file never crashes.

Hypothesis fills the task table, the indicator table and ThongTin with arbitrary cell content: text with
control characters, huge strings, legacy-encoded and decomposed Vietnamese, numbers including NaN and
infinities, dates, date-times, booleans, blanks, and the phrases the parser looks for (statuses,
deadlines, section and signature lines). `submission.evaluate` must return a verdict: accepted, or
refused with issues whose messages are non-empty; never an exception.
"""

from __future__ import annotations

import datetime as dt
import struct
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nq57.columns import INDICATORS, INFO, TASKS
from nq57.intake import submission as nq57_submission
from nq57.intake.legacy_encoding import unicode_to_tcvn3, unicode_to_vni
from nq57.intake.parse import parse_workbook
from nq57.intake.workbook import Workbook

from corpus import (
    INDICATOR_CODES,
    TASK_CODES,
    Cell,
    indicator_sheet,
    info_sheet,
    submission,
    task,
    task_sheet,
    xls,
    xlsx,
)

TODAY = dt.date(2026, 11, 15)

PHRASES = [
    "Đã hoàn thành", "Đang triển khai", "Hoan thanh dung han", "Đang thực hiện trễ hạn", "HT_QUA_HAN",
    "Quý IV/2025", "tháng 6/2025", "06/2025", "31/02/2025", "Thường xuyên", "Hằng năm", "2025 - 2026",
    "1.287", "80,3", "80%", "1.2.3,4,5", "-0", "1e309", "BKHCN", "Bộ Kế hoạch và Đầu tư", "UBND tỉnh Bình Dương",
    "BTC;BYT", "Bộ Tài chính,\nBộ Y tế", "Các bộ, ngành, địa phương", "NQ57", "nq 71", "Có", "Không",
    "I. Về hoàn thiện thể chế", "II", "NGƯỜI LẬP BIỂU", "Ghi chú: số liệu tạm tính", "Hà Nội, ngày 15 tháng 11 năm 2026",
    "=SUM(A1:A3)", "#REF!", "", " ", "\u200b", "\ufeff\u00a0", "STT", "Mã nhiệm vụ", "Tình trạng", "ma_nhiem_vu",
    unicode_to_tcvn3("Bộ Khoa học và Công nghệ"), unicode_to_vni("Đang thực hiện quá hạn"),
    unicodedata.normalize("NFD", "Hoàn thành quá hạn"), "\u00ad\u00ad", "§¸", "Bé",
]

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
HUGE = st.tuples(st.sampled_from(["x", "ộ", "\x01", " ", "1.", "\u200b", "ư"]), st.integers(2_000, 40_000)).map(
    lambda pair: pair[0] * pair[1])
NUMBER = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e6, max_value=1e6),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.sampled_from([0, 1, 0.8, 11.1, 100, 101, 2025, 45750.0, -1, 1e308]),
)
DATE = st.one_of(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
                 st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)))
VALUE = st.one_of(st.none(), TEXT, st.sampled_from(PHRASES), NUMBER, DATE, st.booleans())
CELL = st.one_of(
    VALUE,
    VALUE,
    HUGE,
    st.builds(Cell, value=st.one_of(NUMBER, DATE), num_format=st.sampled_from(["0%", "mm/yyyy", "@", "dd/mm/yyyy"])),
    st.builds(Cell, value=st.one_of(TEXT, st.sampled_from(PHRASES)), font=st.sampled_from([".VnTime", "VNI-Times", ".VnTimeH"])),
)


def rows(codes: list[str]):
    as_dict = st.fixed_dictionaries({}, optional=dict.fromkeys(codes, CELL))
    raw = st.lists(CELL, max_size=len(codes) + 2)
    return st.lists(st.one_of(as_dict, as_dict, raw, st.none()), max_size=5)


INFO_CELLS = st.fixed_dictionaries({}, optional={code: CELL for code in INFO.codes})


def check(result) -> None:
    assert isinstance(result.accepted, bool)
    assert result.accepted == (not any(i.severity == "error" for i in result.issues))
    if not result.accepted:
        assert result.issues
    for issue in result.issues:
        assert issue.severity in ("error", "warning")
        assert issue.rule and issue.message.strip(), issue
    assert list(result.tasks.columns) == TASKS.frame_columns
    assert list(result.indicators.columns) == INDICATORS.frame_columns


# ~0.1 s an example (GX validation included): 80 examples keep the test near 10 s.
@pytest.mark.usefixtures("gx")
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tasks=rows(TASK_CODES), indicators=rows(INDICATOR_CODES), info=INFO_CELLS, code_row=st.booleans())
def test_arbitrary_cells_never_crash_evaluate(tasks, indicators, info, code_row):
    sheets = submission(tasks=task_sheet(tasks, code_row=code_row), indicators=indicator_sheet(indicators),
                        info=info_sheet(info))
    result = nq57_submission.evaluate(xlsx(sheets), "bao_cao.xlsx", expected_agency="BKHCN",
                                      expected_period="2026-10", today=TODAY)
    check(result)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(tasks=rows(TASK_CODES), indicators=rows(INDICATOR_CODES), info=INFO_CELLS)
def test_arbitrary_cells_in_a_legacy_xls_never_crash_the_parser(tasks, indicators, info):
    sheets = submission(tasks=task_sheet(tasks), indicators=indicator_sheet(indicators), info=info_sheet(info))
    parsed = parse_workbook(Workbook(xls(sheets), "xls"))
    for issue in parsed.issues:
        assert issue.rule and issue.message.strip(), issue
    assert list(parsed.tasks.columns) == TASKS.frame_columns
    assert list(parsed.indicators.columns) == INDICATORS.frame_columns


def test_a_damaged_xls_is_a_refusal_not_an_exception():
    # A sheet whose BOUNDSHEET points past the end of the stream: the reader cannot follow it.
    data = bytearray(xls(submission()))
    record = struct.pack("<HH", 0x0085, 6 + 2 * len("ThongTin"))
    at = data.index(record) + len(record)
    data[at:at + 4] = struct.pack("<I", 0x80000000)
    result = nq57_submission.evaluate(bytes(data), "bao_cao.xls", today=TODAY)
    assert not result.accepted
    assert [i.rule for i in result.issues] == ["file.corrupt"]
    assert result.issues[0].message == (
        "Tệp Excel bị hỏng hoặc sai cấu trúc nên hệ thống không đọc được (không đọc được nội dung các trang tính).")


@pytest.mark.usefixtures("gx")
def test_a_date_cell_beyond_the_calendar_is_an_error_at_its_cell_not_a_corrupt_file():
    # Excel shows ##### for such a cell; the reader keeps the number, and each rule reports it where it stands.
    sheets = submission(tasks=[task(thoi_han=Cell(-1e11, num_format="dd/mm/yyyy"))],
                        info={"ma_don_vi": Cell(-106751991169.0, num_format="mm/yyyy")})
    result = nq57_submission.evaluate(xlsx(sheets), "bao_cao.xlsx", today=TODAY)
    assert [(i.rule, i.sheet, i.cell) for i in result.issues] == [
        ("task.deadline_unreadable", "NhiemVu", "I2"), ("info.unknown_agency", "ThongTin", "C4")]
