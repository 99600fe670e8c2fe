"""Cell value parsers for what agencies type: dates, deadlines, Vietnamese numbers, statuses, periods.

Every parser takes the raw cell value (str, number, datetime or None) and either returns the typed
value or raises `ValueError` with a Vietnamese explanation the feedback report can show as is.
Dates are always day-first: a `03/04/2025` is 3 April, never 4 March.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re

from nq57 import periods
from nq57.textnorm import clean, fold_key
from nq57.vocabulary import STATUSES

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)
_DATE_TEXT = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# A time after a date, as web systems export it: `00:00:00`, `08:30`, `8:30:00 SA` (sáng, a.m.) or `CH`
# (chiều, p.m.) from Vietnamese Excel, `AM`/`PM`, fractions of a second, and an ISO `T`, `Z` or offset.
_TIME_SUFFIX = re.compile(
    r"(?:\s+|\s*T)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?\s*(sa|ch|am|pm|sáng|chiều)?"
    r"\s*(z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_VN_OFFSET = dt.timedelta(hours=7)
_MONTH_YEAR = re.compile(r"^(?:thang\s*|t\s*)?(\d{1,2})\s*(?:[/\-.]|\s+nam)\s*(\d{4})$")
_QUARTER = re.compile(r"^(?:quy|q)\s*(i{1,3}|iv|[1-4])\s*(?:[/\-.]|nam)?\s*(\d{4})$")
_YEAR = re.compile(r"^(?:nam\s*)?(\d{4})$")
_YEAR_RANGE = re.compile(r"^(?:nam\s*|giai doan\s*)?(\d{4})\s*(?:-|den)\s*(\d{4})$")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def strip_quote_prefix(value: object) -> object:
    """Text with a literal leading apostrophe (`'60`, `'31/12/2026`) as meant: without it.

    Excel's own quote prefix is not part of the value; one stored literally (exported by another tool, or
    typed into a cell already formatted as text) is a leftover of the same habit. Text with a second
    apostrophe is left alone (`'Make in Vietnam'` is a quotation)."""
    if isinstance(value, str) and value.startswith("'") and len(value) > 1 and "'" not in value[1:]:
        return value[1:]
    return value


def split_time(text: str) -> tuple[str, dt.timedelta | None]:
    """`30/09/2026 08:30:00` -> (`30/09/2026`, None); with a UTC offset or `Z` -> (date part, the shift that
    takes the moment to Vietnam time, which may change the day). Raises ValueError for an impossible time."""
    match = _TIME_SUFFIX.search(text)
    if not match or not re.search(r"\d", text[: match.start()]):
        return text, None
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    meridiem = (match.group(4) or "").lower()
    if meridiem in ("ch", "pm", "chiều") and hour < 12:
        hour += 12
    elif meridiem in ("sa", "am", "sáng") and hour == 12:
        hour = 0
    if hour > 24 or minute > 59 or second > 60 or (meridiem and not 0 <= int(match.group(1)) <= 12):
        raise ValueError(f"'{text}' có giờ không hợp lệ")
    offset = match.group(5)
    shift = None
    if offset:
        if offset.lower() == "z":
            utc = dt.timedelta(0)
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            utc = sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        shift = dt.timedelta(hours=hour, minutes=minute, seconds=second) - utc + _VN_OFFSET
    return text[: match.start()].strip(), shift


def _shifted(day: dt.date, shift: dt.timedelta | None) -> dt.date:
    return day if shift is None else (dt.datetime.combine(day, dt.time(0)) + shift).date()


def is_blank(value: object) -> bool:
    """None, NaN, or text with nothing but spaces and invisible characters."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value[:1].isalnum() and clean(value) == ""
    return isinstance(value, float) and math.isnan(value)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _excel_serial(value: float, epoch1904: bool) -> dt.date:
    if not 1 <= value < 2958466:
        raise ValueError(f"số {value:g} không phải là ngày hợp lệ")
    base = _EXCEL_EPOCH_1904 if epoch1904 else _EXCEL_EPOCH
    return base + dt.timedelta(days=int(value))


def parse_date(value: object, *, epoch1904: bool = False) -> dt.date | None:
    """A day: an Excel date, an Excel serial number (counted from the workbook's epoch, 1900 or 1904), or text
    `dd/mm/yyyy`, `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`, ISO `yyyy-mm-dd`, each optionally followed by a
    time as exported by web systems (`30/09/2026 08:30:00`, `8:30:00 SA`, `2026-09-30T00:00:00Z`)."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError("không phải là ngày")
    if isinstance(value, (int, float)):
        return _excel_serial(float(value), epoch1904)
    text = clean(str(strip_quote_prefix(value)))
    day_text, shift = split_time(text)
    return _shifted(_parse_day(day_text, text), shift)


def _parse_day(text: str, shown: str) -> dt.date:
    if match := _DATE_TEXT.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueError(f"'{shown}' không đúng định dạng ngày dd/mm/yyyy")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"'{shown}' không phải là ngày có thật (định dạng dd/mm/yyyy)") from None


def parse_deadline(value: object, *, epoch1904: bool = False) -> tuple[dt.date | None, str]:
    """A deadline as written -> (deadline date, deadline type).

    Month, quarter and year deadlines fall on the last day of that period; `Thường xuyên` (standing task)
    has no date; `Hằng năm` (every year) has none either, its due date depends on the year reported.
    """
    if is_blank(value):
        raise ValueError("thời hạn đang để trống")
    if isinstance(value, (dt.date, dt.datetime, int, float)) and not isinstance(value, bool):
        if isinstance(value, (int, float)) and 1900 <= float(value) <= 2100 and float(value).is_integer():
            return dt.date(int(value), 12, 31), "NAM"
        return parse_date(value, epoch1904=epoch1904), "NGAY"
    text = clean(str(strip_quote_prefix(value)))
    key = fold_key(text)
    if key in {"thuong xuyen", "tx", "nhiem vu thuong xuyen", "thuong xuyen lien tuc"}:
        return None, "THUONG_XUYEN"
    if key in {"hang nam", "hang nam tiep theo", "dinh ky hang nam", "moi nam"}:
        return None, "HANG_NAM"
    day_text, shift = split_time(text)
    compact = re.sub(r"^(?:(?:truoc|han|thoi han|den|ngay)\s+)+", "", fold_key_keep_separators(day_text))
    if _DATE_TEXT.match(compact) or _ISO_DATE.match(compact):
        return _shifted(_parse_day(compact, text), shift), "NGAY"
    if match := _MONTH_YEAR.match(compact):
        month, year = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError(f"'{text}': tháng {month} không hợp lệ")
        return _month_end(year, month), "THANG"
    if match := _QUARTER.match(compact):
        token = match.group(1)
        quarter = _ROMAN[token] if token in _ROMAN else int(token)
        return _month_end(int(match.group(2)), quarter * 3), "QUY"
    if match := _YEAR.match(compact):
        return dt.date(int(match.group(1)), 12, 31), "NAM"
    if (match := _YEAR_RANGE.match(compact)) and match.group(1) <= match.group(2):
        # `2025 - 2026`: due by the end of the last year of the range.
        return dt.date(int(match.group(2)), 12, 31), "NAM"
    raise ValueError(
        f"không đọc được thời hạn '{text}' (dùng dd/mm/yyyy, mm/yyyy, Quý IV/2025, 2025, Thường xuyên, Hằng năm)"
    )


def fold_key_keep_separators(text: str) -> str:
    """Folded text that keeps `/ - .` so dates and periods can still be matched."""
    from nq57.textnorm import fold

    folded = fold(text)
    folded = re.sub(r"[^0-9a-z/\-.\s]+", " ", folded)
    return " ".join(folded.split())


def parse_number(value: object) -> float | None:
    """A number in Vietnamese or plain notation: `1.287` = 1287, `80,3` = 80.3, `1.287,5`, `80%` = 80."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError("không phải là số")
    if isinstance(value, (int, float)):
        return float(value)
    shown = clean(str(value))
    text = clean(str(strip_quote_prefix(value))).replace(" ", "").rstrip("%")
    if not re.fullmatch(r"[+-]?[\d.,]+", text) or not re.search(r"\d", text):
        raise ValueError(f"'{shown}' không phải là số")
    if "," in text and "." in text:
        # Whichever separator comes last is the decimal mark.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 else text.replace(",", "")
    elif text.count(".") > 1 or re.fullmatch(r"[+-]?\d{1,3}\.\d{3}", text):
        # `1.287` is the Vietnamese thousands separator; a decimal point would rarely carry exactly 3 digits.
        text = text.replace(".", "")
    return float(text)


def parse_progress(value: object, *, percent_format: bool = False) -> float | None:
    """Progress in percent: `80`, `80%`, `80,5`, or `0.8` when the cell is formatted as a percentage."""
    if is_blank(value):
        return None
    number = parse_number(value)
    if number is None:
        return None
    if percent_format and isinstance(value, (int, float)):
        number *= 100
    return round(number, 2)


_STATUS_BY_KEY = {fold_key(label): code for code, label in STATUSES.items()}
_STATUS_BY_KEY.update({fold_key(code): code for code in STATUSES})
_STATUS_ALIASES = {
    "hoan thanh dung han": "HT_DUNG_HAN",
    "da hoan thanh dung han": "HT_DUNG_HAN",
    "hoan thanh qua han": "HT_QUA_HAN",
    "hoan thanh tre han": "HT_QUA_HAN",
    "da hoan thanh qua han": "HT_QUA_HAN",
    "da hoan thanh tre han": "HT_QUA_HAN",
    "dang thuc hien trong han": "DANG_TRONG_HAN",
    "dang thuc hien dung han": "DANG_TRONG_HAN",
    "dang trien khai trong han": "DANG_TRONG_HAN",
    "dang thuc hien qua han": "DANG_QUA_HAN",
    "dang thuc hien tre han": "DANG_QUA_HAN",
    "dang trien khai qua han": "DANG_QUA_HAN",
    "dang trien khai tre han": "DANG_QUA_HAN",
    "chua thuc hien chua den han": "CHUA_DEN_HAN",
    "chua den han": "CHUA_DEN_HAN",
    "chua thuc hien trong han": "CHUA_DEN_HAN",
    "chua thuc hien qua han": "CHUA_QUA_HAN",
    "chua thuc hien tre han": "CHUA_QUA_HAN",
    "nhiem vu thuong xuyen": "THUONG_XUYEN",
    "thuong xuyen": "THUONG_XUYEN",
}
_STATUS_BY_KEY.update(_STATUS_ALIASES)
# Statuses whose on-time/overdue half must be derived from the dates.
_STATUS_FAMILIES = {
    "hoan thanh": "HT",
    "da hoan thanh": "HT",
    "dang thuc hien": "DANG",
    "dang trien khai": "DANG",
    "chua thuc hien": "CHUA",
}


# Wording that varies between agencies and systems but means the same thing (research (c) 12).
_STATUS_REWRITES = (
    (re.compile(r"\btre han\b|\bcham tien do\b|\bcham\b"), "qua han"),
    (re.compile(r"\bdung tien do\b|\bdung thoi han\b|\btruoc han\b|\bdam bao tien do\b"), "dung han"),
    (re.compile(r"\btrien khai( thuc hien)?\b|\bthuc hien( trien khai)?\b"), "thuc hien"),
    (re.compile(r"^da hoan thanh\b"), "hoan thanh"),
    (re.compile(r"^chua bat dau\b"), "chua thuc hien"),
)


def _status_key(value: object) -> str:
    key = fold_key(str(value))
    for pattern, replacement in _STATUS_REWRITES:
        key = pattern.sub(replacement, key)
    return " ".join(key.split())


def parse_status(value: object) -> tuple[str | None, str | None]:
    """Status text -> (status code, family). A full status gives its code; `Đã hoàn thành` gives (None, 'HT')
    so the caller resolves on-time vs overdue from the dates. Accepts the aliases agencies use: `trễ hạn`
    for `quá hạn`, `triển khai` for `thực hiện`, `Đã hoàn thành`, any case, with or without diacritics."""
    if is_blank(value):
        return None, None
    for key in (fold_key(str(value)), _status_key(value)):
        if key in _STATUS_BY_KEY:
            code = _STATUS_BY_KEY[key]
            return code, code.split("_")[0]
        if key in _STATUS_FAMILIES:
            return None, _STATUS_FAMILIES[key]
    raise ValueError(f"tình trạng '{clean(str(value))}' không thuộc danh mục")


def derive_status(
    deadline: dt.date | None,
    deadline_type: str | None,
    completed_on: dt.date | None,
    period_end: dt.date,
    started: bool,
) -> str:
    """The status the dates imply: completed on time/late, in progress on time/late, not started."""
    if deadline_type in {"THUONG_XUYEN", "HANG_NAM"} or deadline is None:
        return "THUONG_XUYEN" if completed_on is None else "HT_DUNG_HAN"
    if completed_on is not None:
        return "HT_DUNG_HAN" if completed_on <= deadline else "HT_QUA_HAN"
    overdue = period_end > deadline
    if started:
        return "DANG_QUA_HAN" if overdue else "DANG_TRONG_HAN"
    return "CHUA_QUA_HAN" if overdue else "CHUA_DEN_HAN"


def resolve_status_family(family: str, derived: str) -> str:
    """Complete a family-only status (`Đã hoàn thành`) with the on-time half of the derived status."""
    overdue = derived.endswith("QUA_HAN")
    return {
        "HT": "HT_QUA_HAN" if overdue else "HT_DUNG_HAN",
        "DANG": "DANG_QUA_HAN" if overdue else "DANG_TRONG_HAN",
        "CHUA": "CHUA_QUA_HAN" if overdue else "CHUA_DEN_HAN",
    }[family]


_PERIOD_TEXT = re.compile(r"^(?:thang\s*|t\s*)?(\d{1,2})\s*(?:[/\-.]|\s+nam)\s*(\d{4})$")
_PERIOD_ISO = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_period(value: object) -> str:
    """A reporting period `MM/YYYY` (also `tháng 10/2026`, `2026-10`, or an Excel date) -> `YYYY-MM`."""
    if is_blank(value):
        raise ValueError("kỳ báo cáo đang để trống")
    if isinstance(value, (dt.date, dt.datetime)):
        return periods.of(value)
    text = clean(str(value))
    compact = fold_key_keep_separators(text)
    if match := _PERIOD_TEXT.match(compact):
        month, year = int(match.group(1)), int(match.group(2))
    elif match := _PERIOD_ISO.match(compact):
        year, month = int(match.group(1)), int(match.group(2))
    else:
        raise ValueError(f"kỳ báo cáo '{text}' không đúng định dạng MM/YYYY")
    if not 1 <= month <= 12 or not 2020 <= year <= 2100:
        raise ValueError(f"kỳ báo cáo '{text}' không hợp lệ")
    return periods.of(dt.date(year, month, 1))


def parse_yes_no(value: object) -> bool | None:
    if is_blank(value):
        return None
    key = fold_key(str(value))
    if key in {"co", "x", "yes", "true", "1", "khong phat sinh"}:
        return True
    if key in {"khong", "no", "false", "0"}:
        return False
    raise ValueError(f"'{clean(str(value))}' phải là Có hoặc Không")
