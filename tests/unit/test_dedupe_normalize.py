"""Normal forms used by the NQ57 <-> NQ71 dedupe: names, document numbers, items, deadlines."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nq57.dedupe.normalize import (
    deadline_distance_days,
    deadline_period,
    documents_compatible,
    items_compatible,
    name_key,
    normalize_doc_item,
    normalize_doc_number,
    normalize_name,
    period_conflict,
    strip_boilerplate,
)

# --------------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KH&CN", "khoa hoc va cong nghe"),
        ("KH & CN", "khoa hoc va cong nghe"),
        ("KH-CN", "khoa hoc va cong nghe"),
        ("KHCN", "khoa hoc va cong nghe"),
        ("khcn", "khoa hoc va cong nghe"),
        ("CĐS", "chuyen doi so"),
        ("CDS", "chuyen doi so"),
        ("ĐMST", "doi moi sang tao"),
        ("CNTT", "cong nghe thong tin"),
        ("HTCT", "he thong chinh tri"),
        ("NQ", "nghi quyet"),
        ("TW", "trung uong"),
        ("CP", "chinh phu"),
        ("TTg", "thu tuong chinh phu"),
        ("BCĐ", "ban chi dao"),
        ("KT-XH", "kinh te xa hoi"),
        ("AI", "tri tue nhan tao"),
        ("TTNT", "tri tue nhan tao"),
        ("DVC", "dich vu cong"),
        ("CSDL", "co so du lieu"),
        ("UBND", "uy ban nhan dan"),
        ("TP.HCM", "thanh pho ho chi minh"),
        ("R&D", "nghien cuu va phat trien"),
    ],
)
def test_abbreviations_expand(text: str, expected: str) -> None:
    assert normalize_name(text) == expected


def test_abbreviation_and_expansion_normalise_alike() -> None:
    short = "Xây dựng CSDL về KH&CN, ứng dụng AI trong CĐS của HTCT"
    long = "xây dựng cơ sở dữ liệu về khoa học và công nghệ, ứng dụng trí tuệ nhân tạo trong chuyển đổi số của hệ thống chính trị"
    assert normalize_name(short) == normalize_name(long)


def test_expansion_only_on_token_boundaries() -> None:
    # `csdl` inside a longer token, `cp` inside a word, `ai` inside `ai` as a word: untouched.
    assert normalize_name("CSDLX") == "csdlx"
    assert normalize_name("cpu") == "cpu"
    assert normalize_name("hai") == "hai"


def test_ai_expands_only_in_capitals() -> None:
    # Lower-case `ai` is the Vietnamese word "who"; only the acronym `AI` means artificial intelligence.
    assert normalize_name("Ai chịu trách nhiệm") == "ai chiu trach nhiem"
    assert normalize_name("ứng dụng AI") == "ung dung tri tue nhan tao"
    assert normalize_name("TINH THẦN NHÂN ÁI") == "tinh than nhan ai"  # capitals, but a Vietnamese word


def test_unknown_joined_tokens_split_and_ampersand_reads_and() -> None:
    assert normalize_name("nghiên cứu & phát triển") == "nghien cuu va phat trien"
    assert normalize_name("mạng 5G-6G") == "mang 5g 6g"
    assert normalize_name("kinh tế-xã hội") == "kinh te xa hoi"


def test_diacritics_case_and_unicode_noise_are_ignored() -> None:
    nfc = "Chuyển đổi số quốc gia"
    assert normalize_name(unicodedata.normalize("NFD", nfc)) == "chuyen doi so quoc gia"
    assert normalize_name("CHUYỂN\u00a0ĐỔI\u200b SỐ  quốc gia.") == "chuyen doi so quoc gia"
    assert normalize_name("chuyen doi so quoc gia") == "chuyen doi so quoc gia"


def test_numbers_lose_leading_zeros() -> None:
    assert normalize_name("Kỳ họp thứ 09") == normalize_name("Kỳ họp thứ 9") == "ky hop thu 9"


@pytest.mark.parametrize("written", ["tháng 6/2025", "tháng 06/2025", "T6/2025", "tháng 6 năm 2025", "06/2025"])
def test_a_month_is_one_period_token_however_written(written: str) -> None:
    assert normalize_name(f"Báo cáo {written}") == "bao cao p202506"


@pytest.mark.parametrize("written", ["quý II/2025", "Quý 2/2025", "Q2/2025", "quý II năm 2025"])
def test_a_quarter_is_one_period_token_however_written(written: str) -> None:
    assert normalize_name(f"Báo cáo {written}") == "bao cao p2025q2"


def test_years_days_and_document_citations_are_canonical() -> None:
    assert normalize_name("Kế hoạch năm 2026") == "ke hoach nam p2026"
    assert normalize_name("từ ngày 01/7/2025") == "tu p20250701"
    for cited in ("Nghị quyết số 57-NQ/TW", "NQ 57", "NQ57", "Nghị quyết 57", "57-NQ/TW", "NQ số 57-NQ/TW"):
        assert normalize_name(f"thực hiện {cited}") == "thuc hien nq57", cited
    assert normalize_name("Thông báo số 04-TB/BCĐTW") == normalize_name("04/TB-BCĐTW") == "tb4"
    assert normalize_name("Công văn số 10467/VPCP-KGVX") == "cv10467"


def test_period_conflict_keeps_periods_apart_but_not_nested_ones() -> None:
    assert period_conflict(["p202506"], ["p202507"])
    assert period_conflict(["p2026"], ["p2027"])
    assert not period_conflict(["p202506"], ["p2025q2"])  # June lies within the second quarter
    assert not period_conflict(["p20250620"], ["p202506"])
    assert not period_conflict(["p202506"], ["bao", "cao"])  # one side names no period


def test_empty_and_missing_names() -> None:
    assert normalize_name(None) == ""
    assert normalize_name("  ,;  ") == ""


def test_boilerplate_is_stripped_but_content_kept() -> None:
    assert (
        name_key(
            "Khẩn trương chủ trì, phối hợp với các cơ quan liên quan xây dựng Đề án X, bảo đảm chất lượng, tiến độ"
        )
        == "xay dung de an x"
    )
    # `tập trung` leads a name as an adverb, but inside a name it is content.
    assert name_key("Tập trung xây dựng trung tâm dữ liệu tập trung") == "xay dung trung tam du lieu tap trung"
    # A name made only of boilerplate stays as it was rather than becoming empty.
    assert strip_boilerplate("tiep tuc") == "tiep tuc"


@given(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ &-./,0123456789KHCNĐSTW",
        max_size=60,
    )
)
def test_normalize_name_is_idempotent_and_unicode_form_blind(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert normalize_name(unicodedata.normalize("NFD", text)) == once


# --------------------------------------------------------------------------------------------------
# Document numbers and items
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04-TB/BCĐTW", "4-TB-BCDTW"),
        ("04/TB-BCĐTW", "4-TB-BCDTW"),
        ("04-tb/bcdtw", "4-TB-BCDTW"),
        ("Thông báo số 04-TB/BCĐTW", "4-TB-BCDTW"),
        ("Thông báo kết luận số 07- TB/CQTTBCĐ", "7-TB-CQTTBCD"),
        ("57-NQ/TW", "57-NQ-TW"),
        ("Nghị quyết 57-NQ/TW", "57-NQ-TW"),
        ("Nghị quyết số 57-NQ/TW ngày 22/12/2024", "57-NQ-TW"),
        ("71/NQ-CP", "71-NQ-CP"),
        ("71-NQ/CP", "71-NQ-CP"),
        ("10467/VPCP-KGVX", "10467-VPCP-KGVX"),
        ("Công văn số 10467/VPCP-KGVX", "10467-VPCP-KGVX"),
        ("42/2014/QĐ-TTg", "42-2014-QD-TTG"),
        # Shorthands keep number and kind but no issuer (see normalize_doc_number's docstring).
        ("NQ 57", "57-NQ"),
        ("Nghị quyết số 57", "57-NQ"),
        ("NQ57", "57-NQ"),
        (None, ""),
        ("", ""),
    ],
)
def test_doc_numbers(text: str | None, expected: str) -> None:
    assert normalize_doc_number(text) == expected


def test_shorthand_is_compatible_but_not_equal() -> None:
    short = normalize_doc_number("NQ 57")
    assert short != normalize_doc_number("57-NQ/TW")
    assert documents_compatible(short, normalize_doc_number("57-NQ/TW"))
    # `NQ 71` could be 71/NQ-CP (the Government programme) or 71-NQ/TW (2025, education): both fit.
    assert documents_compatible(normalize_doc_number("NQ 71"), normalize_doc_number("71/NQ-CP"))
    assert documents_compatible(normalize_doc_number("NQ 71"), normalize_doc_number("71-NQ/TW"))
    assert not documents_compatible(normalize_doc_number("71/NQ-CP"), normalize_doc_number("71-NQ/TW"))
    assert not documents_compatible(normalize_doc_number("57-NQ/TW"), normalize_doc_number("71/NQ-CP"))
    assert not documents_compatible("", "57-NQ-TW")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("II.3.h", "ii.3.h"),
        ("Mục II.3.h", "ii.3.h"),
        ("II-3-h", "ii.3.h"),
        ("mục II, điểm 3.h", "ii.3.h"),
        ("II.3.đ", "ii.3.dd"),
        ("II.3.d", "ii.3.d"),
        ("11.10", "11.10"),
        ("Nhiệm vụ số 58", "58"),
        (None, ""),
    ],
)
def test_doc_items(text: str | None, expected: str) -> None:
    assert normalize_doc_item(text) == expected


def test_item_compatibility() -> None:
    assert items_compatible("ii.3.h", "3.h")  # written without its section
    assert not items_compatible("ii.3.h", "i.3.h")
    assert not items_compatible("11.10", "11.1")  # never read as numbers
    assert not items_compatible("ii.3.dd", "ii.3.d")  # đ is its own item
    assert not items_compatible("", "ii.3.h")


# --------------------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "type_a", "b", "type_b", "expected"),
    [
        (date(2025, 6, 30), "THANG", date(2025, 6, 30), "NGAY", 0),  # 06/2025 vs 30/06/2025
        (date(2025, 6, 30), "QUY", date(2025, 6, 30), "NGAY", 0),  # Quý II/2025 vs 30/06/2025
        (date(2025, 6, 30), "QUY", date(2025, 6, 30), "THANG", 0),  # Quý II/2025 vs 06/2025
        (date(2025, 6, 30), "THANG", date(2025, 6, 20), "NGAY", 0),  # "trước ngày 20/6" is in June
        (date(2025, 6, 1), "THANG", date(2025, 6, 30), "NGAY", 0),  # month stored as its first day
        (date(2025, 12, 31), "NAM", date(2025, 9, 30), "QUY", 0),
        (date(2025, 6, 30), "THANG", date(2025, 7, 31), "THANG", 31),  # consecutive monthly reports
        (date(2025, 6, 30), "THANG", date(2025, 7, 15), "NGAY", 15),
        (date(2025, 6, 20), "NGAY", date(2025, 6, 30), "NGAY", 10),
        (None, "THUONG_XUYEN", date(2025, 6, 30), "NGAY", None),
    ],
)
def test_deadline_distance(a: date | None, type_a: str, b: date, type_b: str, expected: int | None) -> None:
    assert deadline_distance_days(a, b, type_a, type_b) == expected
    assert deadline_distance_days(b, a, type_b, type_a) == expected


def test_deadline_periods() -> None:
    assert deadline_period(date(2025, 5, 15), "QUY") == (date(2025, 4, 1), date(2025, 6, 30))
    assert deadline_period(date(2024, 2, 10), "THANG") == (date(2024, 2, 1), date(2024, 2, 29))
    assert deadline_period(date(2025, 5, 15), "NAM") == (date(2025, 1, 1), date(2025, 12, 31))
    assert deadline_period(date(2025, 5, 15), None) == (date(2025, 5, 15), date(2025, 5, 15))


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(["NGAY", "THANG", "QUY", "NAM"]),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(["NGAY", "THANG", "QUY", "NAM"]),
)
def test_deadline_distance_is_symmetric_and_zero_on_itself(a: date, type_a: str, b: date, type_b: str) -> None:
    assert deadline_distance_days(a, b, type_a, type_b) == deadline_distance_days(b, a, type_b, type_a)
    assert deadline_distance_days(a, a, type_a, type_a) == 0
    assert deadline_distance_days(a, b, type_a, type_b) >= 0
