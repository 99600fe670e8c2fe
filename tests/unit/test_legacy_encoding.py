"""Legacy Vietnamese font encodings (TCVN3/ABC, VNI-Windows) -> Unicode NFC."""

from __future__ import annotations

import unicodedata

import pytest

from nq57.intake.legacy_encoding import (
    VIETNAMESE_LETTERS_LOWER,
    VIETNAMESE_LETTERS_UPPER,
    detect_legacy_encoding,
    is_tcvn3_uppercase_font,
    tcvn3_to_unicode,
    to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)

# TCVN 5712:1993 as in GNU libiconv's `tcvn.h` (TCVN5712-1, table VN1; XFree86 copy): the 67 lowercase letters
# and 7 base capitals that the ABC fonts (VN3) share with it. Written out independently of the module's
# table (which follows UniKey's), so a consistently wrong table cannot pass the round trips alone.
LIBICONV_TCVN_BYTES = {
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB8: "á", 0xB9: "ạ", 0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ",
    0xC6: "ặ", 0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ", 0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ",
    0xD0: "é", 0xD1: "ẹ", 0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ", 0xD7: "ì", 0xD8: "ỉ",
    0xDC: "ĩ", 0xDD: "í", 0xDE: "ị", 0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ", 0xE5: "ồ",
    0xE6: "ổ", 0xE7: "ỗ", 0xE8: "ố", 0xE9: "ộ", 0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ",
    0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ", 0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF8: "ứ",
    0xF9: "ự", 0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ",
}  # fmt: skip

# VNI-Windows, from duydev/vietnamese-conversion `src/charsets.ts` (agrees with UniKey's VNI-WIN table).
VNI_SAMPLES = {
    "ậ": "aä", "Ậ": "AÄ", "ắ": "aé", "Ẳ": "AÚ", "ẵ": "aü", "ặ": "aë", "ơ": "ô", "Ớ": "ÔÙ", "ư": "ö",
    "ự": "öï", "ĩ": "ó", "Ĩ": "Ó", "ỉ": "æ", "ị": "ò", "í": "í", "ỵ": "î", "Ỵ": "Î", "ỹ": "yõ",
    "đ": "ñ", "Đ": "Ñ", "ế": "eá", "ồ": "oà", "ủ": "uû", "ũ": "uõ",
}  # fmt: skip

PLAIN_VOWELS = "aeiouyAEIOUY"


def test_alphabet_is_complete():
    assert len(VIETNAMESE_LETTERS_LOWER) == len(set(VIETNAMESE_LETTERS_LOWER)) == 67
    assert len(VIETNAMESE_LETTERS_UPPER) == len(set(VIETNAMESE_LETTERS_UPPER)) == 67
    assert VIETNAMESE_LETTERS_UPPER == VIETNAMESE_LETTERS_LOWER.upper()
    assert set("ăâêôơưđ") <= set(VIETNAMESE_LETTERS_LOWER)


def test_tcvn3_table_matches_tcvn_5712_as_published_by_libiconv():
    wrong = {
        hex(byte): (tcvn3_to_unicode(chr(byte)), expected)
        for byte, expected in LIBICONV_TCVN_BYTES.items()
        if tcvn3_to_unicode(chr(byte)) != expected
    }
    assert wrong == {}
    assert {unicode_to_tcvn3(letter) for letter in VIETNAMESE_LETTERS_LOWER} == {
        chr(b) for b, letter in LIBICONV_TCVN_BYTES.items() if letter.islower()
    }


def test_tcvn3_round_trip_lowercase():
    for letter in VIETNAMESE_LETTERS_LOWER + PLAIN_VOWELS.lower():
        encoded = unicode_to_tcvn3(letter)
        assert len(encoded) == 1, letter
        assert tcvn3_to_unicode(encoded) == letter, (letter, encoded)


def test_tcvn3_round_trip_uppercase():
    # VN3 only has Ă Â Ê Ô Ơ Ư Đ (+ ASCII): those survive in any font; toned capitals need an H font.
    for letter in VIETNAMESE_LETTERS_UPPER + PLAIN_VOWELS.upper():
        encoded = unicode_to_tcvn3(letter)
        assert tcvn3_to_unicode(encoded, uppercase_font=True) == letter, (letter, encoded)
        if unicodedata.normalize("NFD", letter)[1:] in ("", "\u0306", "\u0302", "\u031b") or letter == "Đ":
            assert tcvn3_to_unicode(encoded) == letter, letter
        else:
            assert encoded == unicode_to_tcvn3(letter.lower())  # UniKey's convention
            assert tcvn3_to_unicode(encoded) == letter.lower()


def test_tcvn3_tricky_code_points():
    assert unicode_to_tcvn3("ư") == "\xad"  # SOFT HYPHEN: must be decoded before any invisible-char clean-up
    assert unicode_to_tcvn3("Ư") == "\xa6"
    assert unicode_to_tcvn3("đĐ") == "\xae\xa7"
    assert unicode_to_tcvn3("ăâêôơ") == "\xa8\xa9\xaa\xab\xac"
    assert unicode_to_tcvn3("ĂÂÊÔƠ") == "\xa1\xa2\xa3\xa4\xa5"


def test_vni_round_trip_both_cases():
    for letter in VIETNAMESE_LETTERS_LOWER + VIETNAMESE_LETTERS_UPPER + PLAIN_VOWELS:
        encoded = unicode_to_vni(letter)
        assert 1 <= len(encoded) <= 2, letter
        assert vni_to_unicode(encoded) == letter, (letter, encoded)


def test_vni_table_samples():
    assert {letter: unicode_to_vni(letter) for letter in VNI_SAMPLES} == VNI_SAMPLES


def test_vni_capitalised_word_initial_vowel():
    # Word's "Capitalize Each Word" upper-cases the base vowel but not its mark.
    assert vni_to_unicode("Aùnh saùng") == "Ánh sáng"


def test_encoders_accept_decomposed_input():
    nfd = unicodedata.normalize("NFD", "Việt Nam")
    assert unicode_to_vni(nfd) == "Vieät Nam"
    assert unicode_to_tcvn3(nfd) == "ViÖt Nam"


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("Bé Khoa häc vµ C«ng nghÖ", "Bộ Khoa học và Công nghệ"),
        ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
        ("Tr\xadêng §¹i häc B¸ch khoa Hµ Néi", "Trường Đại học Bách khoa Hà Nội"),
        ("NghÞ quyÕt 57-NQ/TW vÒ ®ét ph¸ ph¸t triÓn", "Nghị quyết 57-NQ/TW về đột phá phát triển"),
        ("¡n, ¢u, £m, ¤ng, ¥n, ¦íc", "Ăn, Âu, Êm, Ông, Ơn, Ước"),
    ],
)
def test_known_tcvn3_strings(legacy, expected):
    assert tcvn3_to_unicode(legacy) == expected
    assert unicode_to_tcvn3(expected) == legacy


def test_tcvn3_uppercase_font_sentence():
    legacy = "céng hoµ x· héi chñ nghÜa viÖt nam"
    assert tcvn3_to_unicode(legacy, uppercase_font=True) == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert tcvn3_to_unicode(legacy) == "cộng hoà xã hội chủ nghĩa việt nam"
    assert unicode_to_tcvn3("CỘNG HOÀ XÃ HỘI") == "CéNG HOµ X· HéI"


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("Boä Khoa hoïc vaø Coâng ngheä", "Bộ Khoa học và Công nghệ"),
        ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("UÛy ban Nhaân daân Tænh Ñoàng Nai", "Ủy ban Nhân dân Tỉnh Đồng Nai"),
        ("ÖÙNG DUÏNG TRÍ TUEÄ NHAÂN TAÏO, ÑAÊNG KYÙ SÔÛ HÖÕU", "ỨNG DỤNG TRÍ TUỆ NHÂN TẠO, ĐĂNG KÝ SỞ HỮU"),
        ("Ñaàu tö cho nghieân cöùu vaø phaùt trieån", "Đầu tư cho nghiên cứu và phát triển"),
    ],
)
def test_known_vni_strings(legacy, expected):
    assert vni_to_unicode(legacy) == expected
    assert unicode_to_vni(expected) == legacy


def test_cp1252_and_latin1_renderings_of_0x80_0x9f():
    # The same bytes 0x93 0x85 0x94 0x96 as a cp1252 reader and as a Latin-1 reader (C1 controls) give them.
    for rendering in ("\u201c\u2026\u201d \u2013 \u20ac", "\x93\x85\x94 \x96 \x80"):
        assert tcvn3_to_unicode(f"{rendering} Hµ Néi") == "“…” – € Hà Nội"
        assert vni_to_unicode(f"{rendering} Haø Noäi") == "“…” – € Hà Nội"


def test_unmapped_characters_pass_through():
    assert tcvn3_to_unicode("Số 12/2025 – ±5°") == "Số 12/2025 – ±5°"
    assert vni_to_unicode("ID: 57-NQ/TW; 3,5 %") == "ID: 57-NQ/TW; 3,5 %"


@pytest.mark.parametrize(
    ("font", "expected"),
    [
        (".VnTime", "tcvn3"),
        (".VnTimeH", "tcvn3"),
        (".VnArial NarrowH", "tcvn3"),
        (".vntime", "tcvn3"),
        ("VNI-Times", "vni"),
        ("vni-helve", "vni"),
        ("Times New Roman", None),
        ("Arial", None),
        (None, None),
    ],
)
def test_detect_by_font(font, expected):
    # Plain text that pattern detection alone would leave as None: the font decides.
    assert detect_legacy_encoding("Tong so", font) == expected


def test_font_does_not_override_real_unicode():
    # A `.VnTime` left on a cell whose text is already Unicode: converting would garble `ô`, `à`...
    assert detect_legacy_encoding("Bộ Khoa học và Công nghệ", ".VnTime") is None
    assert to_unicode("Bộ Khoa học và Công nghệ", "VNI-Times") == ("Bộ Khoa học và Công nghệ", None)


def test_uppercase_font_names():
    assert is_tcvn3_uppercase_font(".VnTimeH")
    assert is_tcvn3_uppercase_font(".VnArialH ")
    assert not is_tcvn3_uppercase_font(".VnTime")
    assert not is_tcvn3_uppercase_font("VNI-TimesH")
    assert not is_tcvn3_uppercase_font(None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bé Khoa häc vµ C«ng nghÖ", "tcvn3"),
        ("Tæng sè", "tcvn3"),
        ("UBND tØnh §ång Nai", "tcvn3"),
        ("ñy ban nh©n d©n tØnh", "tcvn3"),
        ("Tr\xadêng häc", "tcvn3"),
        ("Boä Khoa hoïc vaø Coâng ngheä", "vni"),
        ("Vieät Nam", "vni"),
        ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "vni"),
    ],
)
def test_detect_by_pattern(text, expected):
    assert detect_legacy_encoding(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Hello world",
        "123",
        "1.234,56",
        "57-NQ/TW",
        "KH&CN",
        "Bộ Khoa học và Công nghệ",
        "Cà phê",  # genuine Vietnamese made only of Latin-1 letters
        "Tây Ninh",
        unicodedata.normalize("NFD", "Việt Nam"),
        "café",
        "naïve",
        "Crème brûlée",
        "São Paulo",
        "niño",
        "Müller",
        "Noël",
        "Où est la gare ?",
        "« Bonjour »",
        "25 µm x 3 µm",
        "2 × 3 ÷ 4",
        "© 2024",
        "½ kg",
        "“Trích dẫn”",
        "Bé",  # TCVN3 `Bộ`, or genuine `bé`: too ambiguous without a font
    ],
)
def test_detect_negatives(text):
    assert detect_legacy_encoding(text) is None


def test_round_trip_detection_on_real_labels():
    labels = [
        "Bộ Khoa học và Công nghệ",
        "Số lượng đề tài nghiên cứu",
        "Kinh phí thực hiện (triệu đồng)",
        "Trường Đại học Bách khoa Hà Nội",
        "Chuyển đổi số",
        "Đơn vị tính",
        "Kết quả thực hiện",
        "Người lập biểu",
        "Thủ trưởng đơn vị",
        "Khuyến khích doanh nghiệp đầu tư",
        "Dịch vụ công trực tuyến toàn trình",
    ]
    for label in labels:
        assert detect_legacy_encoding(label) is None, label
        for encoding, encode in (("tcvn3", unicode_to_tcvn3), ("vni", unicode_to_vni)):
            assert to_unicode(encode(label)) == (label, encoding), (label, encoding)
    # A toned capital has no TCVN3 code outside the H fonts: it comes back lowercase, as the font showed it.
    label = "Ứng dụng trí tuệ nhân tạo"
    assert to_unicode(unicode_to_vni(label)) == (label, "vni")
    assert to_unicode(unicode_to_tcvn3(label)) == ("ứng dụng trí tuệ nhân tạo", "tcvn3")


def test_to_unicode_returns_nfc():
    nfd = unicodedata.normalize("NFD", "Bộ Khoa học")
    text, encoding = to_unicode(nfd)
    assert encoding is None
    assert text == "Bộ Khoa học" and unicodedata.is_normalized("NFC", text)
    for legacy, font in (("Bé Khoa häc", ".VnTime"), ("Boä Khoa hoïc", "VNI-Times"), ("Bé Khoa häc", None)):
        text, encoding = to_unicode(legacy, font)
        assert text == "Bộ Khoa học" and unicodedata.is_normalized("NFC", text)
        assert encoding is not None


def test_to_unicode_uppercase_font():
    assert to_unicode("céng hoµ x· héi", ".VnTimeH") == ("CỘNG HOÀ XÃ HỘI", "tcvn3")
    assert to_unicode("céng hoµ x· héi", ".VnTime") == ("cộng hoà xã hội", "tcvn3")


def test_to_unicode_infers_text_typed_for_an_uppercase_font():
    # No font name known: capital ASCII around lowercase toned codes was typed for `.VnTimeH`.
    assert to_unicode("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM") == ("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "tcvn3")
    assert to_unicode("Sè TT", ".VnTime") == ("Số TT", "tcvn3")


def test_to_unicode_plain_text_untouched():
    assert to_unicode("57-NQ/TW") == ("57-NQ/TW", None)
    assert to_unicode("café") == ("café", None)
    assert to_unicode("Tong so", ".VnTime") == ("Tong so", "tcvn3")
