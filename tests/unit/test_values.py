import datetime as dt

import pytest

from nq57.intake.values import (
    derive_status,
    parse_date,
    parse_deadline,
    parse_number,
    parse_period,
    parse_progress,
    parse_status,
    resolve_status_family,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("03/04/2025", dt.date(2025, 4, 3)),  # day first, never a month/day swap
        ("3/4/2025", dt.date(2025, 4, 3)),
        ("03-04-2025", dt.date(2025, 4, 3)),
        ("03.04.2025", dt.date(2025, 4, 3)),
        (dt.datetime(2025, 4, 3, 0, 0), dt.date(2025, 4, 3)),
        (45750.0, dt.date(2025, 4, 3)),  # Excel serial
        (None, None),
        ("  ", None),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2025", "2025/13/01", "hôm qua"])
def test_parse_date_rejects_unreadable(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "date", "kind"),
    [
        ("30/06/2025", dt.date(2025, 6, 30), "NGAY"),
        ("06/2025", dt.date(2025, 6, 30), "THANG"),
        ("tháng 6/2025", dt.date(2025, 6, 30), "THANG"),
        ("Quý IV/2025", dt.date(2025, 12, 31), "QUY"),
        ("Quý 1/2026", dt.date(2026, 3, 31), "QUY"),
        ("2025", dt.date(2025, 12, 31), "NAM"),
        (2025, dt.date(2025, 12, 31), "NAM"),
        ("Thường xuyên", None, "THUONG_XUYEN"),
        ("thuong xuyen", None, "THUONG_XUYEN"),
        ("Hằng năm", None, "HANG_NAM"),
        ("Hàng năm", None, "HANG_NAM"),
        ("trước 31/3/2026", dt.date(2026, 3, 31), "NGAY"),
    ],
)
def test_parse_deadline(raw, date, kind):
    assert parse_deadline(raw) == (date, kind)


def test_parse_deadline_explains_unreadable_text_in_vietnamese():
    with pytest.raises(ValueError, match="không đọc được thời hạn"):
        parse_deadline("sớm nhất có thể")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1.287", 1287.0), ("80,3", 80.3), ("1.287,5", 1287.5), ("80%", 80.0), ("12.5", 12.5), (80, 80.0)],
)
def test_parse_number_vietnamese_format(raw, expected):
    assert parse_number(raw) == expected


def test_progress_fraction_in_percent_cell_is_scaled():
    assert parse_progress(0.8, percent_format=True) == 80.0
    assert parse_progress("80,5") == 80.5
    assert parse_progress("80%") == 80.0


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Hoàn thành đúng hạn", "HT_DUNG_HAN"),
        ("Hoàn thành trễ hạn", "HT_QUA_HAN"),
        ("dang thuc hien qua han", "DANG_QUA_HAN"),
        ("Đang triển khai trễ hạn", "DANG_QUA_HAN"),
        ("CHUA_DEN_HAN", "CHUA_DEN_HAN"),
        ("Nhiệm vụ thường xuyên", "THUONG_XUYEN"),
    ],
)
def test_parse_status_aliases(raw, code):
    assert parse_status(raw)[0] == code


def test_completed_without_on_time_half_is_resolved_from_dates():
    assert parse_status("Đã hoàn thành") == (None, "HT")
    derived = derive_status(dt.date(2025, 6, 30), "NGAY", dt.date(2025, 7, 5), dt.date(2025, 10, 31), True)
    assert derived == "HT_QUA_HAN"
    assert resolve_status_family("HT", derived) == "HT_QUA_HAN"


def test_derived_status_for_open_tasks():
    end = dt.date(2026, 10, 31)
    assert derive_status(dt.date(2026, 12, 31), "QUY", None, end, started=True) == "DANG_TRONG_HAN"
    assert derive_status(dt.date(2026, 6, 30), "THANG", None, end, started=True) == "DANG_QUA_HAN"
    assert derive_status(dt.date(2026, 6, 30), "THANG", None, end, started=False) == "CHUA_QUA_HAN"
    assert derive_status(None, "THUONG_XUYEN", None, end, started=True) == "THUONG_XUYEN"


@pytest.mark.parametrize(("raw", "period"), [("10/2026", "2026-10"), ("tháng 9/2026", "2026-09"), ("2026-10", "2026-10")])
def test_parse_period(raw, period):
    assert parse_period(raw) == period


@pytest.mark.parametrize("raw", ["13/2026", "Q4", "10/1999"])
def test_parse_period_rejects_invalid(raw):
    with pytest.raises(ValueError):
        parse_period(raw)
