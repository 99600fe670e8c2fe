"""Normal forms for comparing one task as written in two systems: names, document numbers, deadlines.

Everything here is deterministic and explainable: the strings it returns are what the scorer
compares and what the evidence of a link shows to a reviewer.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from nq57.textnorm import clean, fold, fold_key

# --------------------------------------------------------------------------------------------------
# Task names
# --------------------------------------------------------------------------------------------------

# Abbreviations seen in the seed documents and in agency files, keyed by the folded token with its
# joiners removed (`KH&CN`, `KH-CN`, `kh.cn` and `KHCN` all become `khcn`). Expanded on token
# boundaries only, so `cds` inside a longer word is never touched.
ABBREVIATIONS: dict[str, str] = {
    # science, technology, innovation, digital transformation
    "khcn": "khoa hoc va cong nghe",
    "khktcn": "khoa hoc ky thuat va cong nghe",
    "cds": "chuyen doi so",
    "dmst": "doi moi sang tao",
    "cntt": "cong nghe thong tin",
    "ttnt": "tri tue nhan tao",
    "ncpt": "nghien cuu va phat trien",
    "rd": "nghien cuu va phat trien",
    "cnc": "cong nghe cao",
    "cmcn": "cach mang cong nghiep",
    "cnct": "cong nghe chien luoc",
    "csdl": "co so du lieu",
    "csdlqg": "co so du lieu quoc gia",
    "ttdl": "trung tam du lieu",
    "dvc": "dich vu cong",
    "dvctt": "dich vu cong truc tuyen",
    "tthc": "thu tuc hanh chinh",
    "attt": "an toan thong tin",
    "anm": "an ninh mang",
    "ktxh": "kinh te xa hoi",
    "kts": "kinh te so",
    "cps": "chinh phu so",
    "dnnvv": "doanh nghiep nho va vua",
    "ttkdtm": "thanh toan khong dung tien mat",
    "nsnn": "ngan sach nha nuoc",
    # the political system and its documents
    "htct": "he thong chinh tri",
    "nq": "nghi quyet",
    "nd": "nghi dinh",
    "qd": "quyet dinh",
    "tw": "trung uong",
    "cp": "chinh phu",
    # `TTg` is short for Thủ tướng Chính phủ in Vietnamese administrative writing (`QĐ-TTg`), so it
    # expands to the full title; a bare `Thủ tướng` in the other file loses only `chinh phu`.
    "ttg": "thu tuong chinh phu",
    "ttgcp": "thu tuong chinh phu",
    "bcd": "ban chi dao",
    "bcdtw": "ban chi dao trung uong",
    "qh": "quoc hoi",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "vpcp": "van phong chinh phu",
    "vptw": "van phong trung uong",
    "cqnn": "co quan nha nuoc",
    "tp": "thanh pho",
    "tphcm": "thanh pho ho chi minh",
    # pre-merger ministry names still typed in files (domain brief §3.1)
    "khdt": "ke hoach va dau tu",
    "tttt": "thong tin va truyen thong",
    "tnmt": "tai nguyen va moi truong",
    "gddt": "giao duc va dao tao",
    "nnptnt": "nong nghiep va phat trien nong thon",
    "nnmt": "nong nghiep va moi truong",
    "gtvt": "giao thong van tai",
    "ldtbxh": "lao dong thuong binh va xa hoi",
    "vhttdl": "van hoa the thao va du lich",
}

# Expanded only when written in capitals: in lower case `ai` is the Vietnamese word "who" (and,
# folded, also `ái`, `ải`), so `Ai` at the start of a sentence must not become an acronym.
UPPERCASE_ABBREVIATIONS: dict[str, str] = {
    "AI": "tri tue nhan tao",
    "IOT": "internet van vat",
    "IoT": "internet van vat",
}

# A word, possibly several joined by `&`, `-`, `.` or `/` without spaces (`kh&cn`, `kt-xh`, `tp.hcm`,
# `6/2025`). Joined groups that are not a known abbreviation are split back into their parts.
_TOKEN = re.compile(r"[0-9a-z]+(?:[&\-./][0-9a-z]+)*")
_JOINER = re.compile(r"[&\-./]")
_JOINER_SPLIT = re.compile(r"([&\-./])")
_AMPERSAND_SPACING = re.compile(r"\s*&\s*")
_UPPERCASE_TOKEN = re.compile(r"\b(?:" + "|".join(map(re.escape, UPPERCASE_ABBREVIATIONS)) + r")\b")


def _strip_marks(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


# Precomposed Latin letters with diacritics (all Vietnamese ones are in these ranges) -> base letter.
# `str.translate` with this table is ~10x faster than decomposing every name character by character,
# which matters at 10,000 names per run; combining marks left over (decomposed input) are dropped.
_FOLD_TABLE: dict[int, str] = {
    cp: _strip_marks(chr(cp)) for block in ((0x00C0, 0x0250), (0x1E00, 0x1F00)) for cp in range(*block)
}
_FOLD_TABLE.update({ord("đ"): "d", ord("Đ"): "D"})
_FOLD_TABLE.update({cp: "" for cp in range(0x0300, 0x0370)})

_EXPANSIONS: dict[str, list[str]] = {key: value.split() for key, value in ABBREVIATIONS.items()}


def _fold_keep_case(text: str) -> str:
    """Strip diacritics (and map Đ/đ to D/d) from `clean` text but keep the case."""
    return text.translate(_FOLD_TABLE)


def _number(token: str) -> str:
    # `06/2025` and `6/2025` are the same month; leading zeros carry no meaning in task names.
    return str(int(token)) if token.isdigit() and len(token) < 10 else token


def _expand_joined(token: str) -> list[str]:
    hit = _EXPANSIONS.get(_JOINER.sub("", token))
    if hit is not None:
        return hit
    # An unknown joined group: split it; `&` between words still means "and".
    out: list[str] = []
    for part in _JOINER_SPLIT.split(token):
        if part == "&":
            out.append("va")
        elif part and part not in "-./":
            out.extend(_EXPANSIONS.get(part) or [_number(part)])
    return out


# Citations of the programme's documents inside names, one canonical token each so that every way of
# writing one document compares equal: `Nghị quyết số 57-NQ/TW`, `NQ 57`, `NQ57`, `Nghị quyết 57`,
# `57-NQ/TW` -> `nq57`; `Thông báo số 04-TB/BCĐTW`, `04/TB-BCĐTW` -> `tb4`; `Công văn số
# 10467/VPCP-KGVX` -> `cv10467`. Letters and digits in one token: never read as a number (`numbers`)
# nor as a period. The issuer is dropped (`NQ 71` is written for 71/NQ-CP): a task name cites a
# document of its own programme, so number and kind are what identify it.
_DOC_REFERENCES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:nghi quyet|nq)\s*(?:so\s*)?0*(\d+)(?:\s*[-/]\s*nq\s*[-/]\s*(?:tw|cp))?(?![0-9a-z])"), "nq"),
    (re.compile(r"\b0*(\d+)\s*[-/]\s*nq\s*[-/]\s*(?:tw|cp)\b"), "nq"),
    (re.compile(r"\b(?:thong bao(?: ket luan)?|tb)\s*(?:so\s*)?0*(\d+)(?:\s*[-/]\s*tb\s*[-/]\s*[a-z]+)?(?![0-9a-z])"),
     "tb"),
    (re.compile(r"\b0*(\d+)\s*[-/]\s*tb\s*[-/]\s*[a-z]+\b"), "tb"),
    (re.compile(r"\b(?:cong van|cv)\s*(?:so\s*)?0*(\d+)(?:\s*/\s*[a-z]+\s*-\s*[a-z]+)?(?![0-9a-z])"), "cv"),
    (re.compile(r"\b0*(\d+)\s*/\s*vpcp\s*-\s*[a-z]+\b"), "cv"),
)

# Periods named in a task name, one canonical token each: a day `p20250701`, a month `p202506`, a
# quarter `p2025q2`, a half-year `p2025h1`, a year `p2025`. `tháng 6/2025`, `tháng 06/2025`,
# `T6/2025`, `tháng 6 năm 2025` and `06/2025` are one month; `quý II/2025`, `Quý 2/2025`, `Q2/2025`
# one quarter. Recurring reports differ only here, so `period_conflict` keeps them apart.
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def _day(m: re.Match[str]) -> str:
    day, month, year = int(m[1]), int(m[2]), int(m[3])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return m[0]
    return f" p{year}{month:02d}{day:02d} "


def _month(m: re.Match[str]) -> str:
    month, year = int(m[1]), int(m[2])
    return f" p{year}{month:02d} " if 1 <= month <= 12 else m[0]


def _quarter(m: re.Match[str]) -> str:
    number = _ROMAN.get(m[1]) or int(m[1])
    return f" p{m[2]}q{number} "


_PERIODS: tuple[tuple[re.Pattern[str], object], ...] = (
    (re.compile(r"\b(?:ngay\s*)?(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\b"), _day),
    (re.compile(r"\b6 thang (dau|cuoi) nam\s*(\d{4})\b"), lambda m: f" p{m[2]}h{1 if m[1] == 'dau' else 2} "),
    (re.compile(r"\b(?:quy|q)\s*(iv|iii|ii|i|[1-4])\s*(?:/|nam)\s*(\d{4})\b"), _quarter),
    (re.compile(r"\b(?:thang\s*|t)(\d{1,2})\s*(?:/|nam)\s*(\d{4})\b"), _month),
    (re.compile(r"(?<![0-9/])\b(\d{1,2})\s*/\s*(\d{4})\b"), _month),
    # A year: `năm 2026`, `đến 2030`; the word `năm` is kept (a slip in it, `nmă`, must not lose the year).
    (re.compile(r"(?<![0-9/.-])\b(19[5-9]\d|20\d\d)\b(?![/-]|\.\d)"), lambda m: f" p{m[1]} "),
)
_PERIOD_TOKEN = re.compile(r"p(\d{4})(?:(\d{2})(\d{2})?|q([1-4])|h([12]))?")


def _canonical_references(folded: str) -> str:
    for pattern, prefix in _DOC_REFERENCES:
        folded = pattern.sub(lambda m, p=prefix: f" {p}{int(m[1])} ", folded)
    for pattern, replace_with in _PERIODS:
        folded = pattern.sub(replace_with, folded)
    return folded


@lru_cache(maxsize=16_384)
def canonical_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) of each document citation and period in `clean(text)`, with the canonical
    token `normalize_name` gives it: lets a reader's view mark `Nghị quyết số 57-NQ/TW` and `NQ 57` as
    one thing. Offsets are into `clean(text)` (folding keeps one character per character)."""
    folded = _fold_keep_case(clean(text)).lower()
    spans: list[tuple[int, int, str]] = []
    patterns = [(pattern, lambda m, p=prefix: f" {p}{int(m[1])} ") for pattern, prefix in _DOC_REFERENCES]
    for pattern, replace_with in [*patterns, *_PERIODS]:
        for match in pattern.finditer(folded):
            start, end = match.span()
            if any(start < e and s < end for s, e, _ in spans):
                continue
            token = replace_with(match).strip()  # type: ignore[operator]
            if token != match[0].strip():
                spans.append((start, end, token))
    return sorted(spans)


def period_interval(token: str) -> tuple[date, date] | None:
    """The dates a canonical period token covers (`p202506` -> 1-30 June 2025); None for other tokens."""
    m = _PERIOD_TOKEN.fullmatch(token)
    if not m:
        return None
    year = int(m[1])
    try:
        if m[3]:
            day = date(year, int(m[2]), int(m[3]))
            return day, day
        if m[2]:
            month = int(m[2])
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        if m[4]:
            last = 3 * int(m[4])
            return date(year, last - 2, 1), date(year, last, calendar.monthrange(year, last)[1])
        if m[5]:
            return (date(year, 1, 1), date(year, 6, 30)) if m[5] == "1" else (date(year, 7, 1), date(year, 12, 31))
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


def period_conflict(tokens_a: Iterable[str], tokens_b: Iterable[str]) -> bool:
    """Both names name periods and none of one side's contains or lies within one of the other's:
    `tháng 6/2025` vs `tháng 7/2025`, `năm 2026` vs `năm 2027` (different tasks); `tháng 6/2025` vs
    `quý II/2025` or vs `ngày 20/6/2025` is no conflict."""
    a = [i for i in map(period_interval, (t for t in tokens_a if t[:1] == "p")) if i]
    b = [i for i in map(period_interval, (t for t in tokens_b if t[:1] == "p")) if i]
    if not a or not b:
        return False
    return not any((x0 <= y0 and y1 <= x1) or (y0 <= x0 and x1 <= y1) for x0, x1 in a for y0, y1 in b)


_PUNCTUATED_TOKEN = re.compile(r"[0-9a-z]+(?:[&\-./][0-9a-z]+)*|[,;:()]")


def _tokens(text: str | None, punctuation: bool) -> list[str]:
    if text is None:
        return []
    # Capital-only acronyms are read before folding: `ÁI` in a name typed in capitals (`NHÂN ÁI`) is
    # a Vietnamese word, and only becomes `AI` once its accent is gone.
    text = _UPPERCASE_TOKEN.sub(lambda m: f" {UPPERCASE_ABBREVIATIONS[m.group()]} ", clean(str(text)))
    folded = _canonical_references(_fold_keep_case(_AMPERSAND_SPACING.sub("&", text)).lower())
    out: list[str] = []
    for token in (_PUNCTUATED_TOKEN if punctuation else _TOKEN).findall(folded):
        if token in ",;:()":
            out.append("(" if token == "(" else ")" if token == ")" else ",")
        elif token.isalnum():  # the common case: one plain word or number
            hit = _EXPANSIONS.get(token)
            if hit is None:
                out.append(_number(token) if token[0].isdigit() else token)
            else:
                out.extend(hit)
        else:
            out.extend(_expand_joined(token))
    return out


def normalize_name(text: str | None) -> str:
    """Comparison form of a task name: NFC, no case or diacritics, abbreviations expanded, document
    citations and periods as canonical tokens, no punctuation.

    `Xây dựng CSDL về KH&CN` -> `xay dung co so du lieu ve khoa hoc va cong nghe`;
    `Ứng dụng AI trong CĐS` -> `ung dung tri tue nhan tao trong chuyen doi so`;
    `Báo cáo tháng 06/2025 theo NQ 57` -> `bao cao p202506 theo nq57`.
    """
    return " ".join(_tokens(text, punctuation=False))


def normalize_name_punctuated(text: str | None) -> list[str]:
    """`normalize_name`'s tokens with the clause punctuation kept as tokens (`,` for `,;:`, `(`, `)`),
    so that the scorer can tell a parenthesised note or a trailing clause from the rest of a name."""
    return _tokens(text, punctuation=True)


# Administrative boilerplate that says how, not what: the same task is written with and without it
# (04-TB/BCĐTW: "khẩn trương hoàn thiện", "tiếp tục triển khai", "chủ trì, phối hợp với ... các cơ
# quan liên quan", "bảo đảm chất lượng, tiến độ đề ra"). Leading adverbs are removed only at the start
# of a name (`tập trung` inside a name can be content: `trung tâm dữ liệu tập trung`); the longer
# phrases anywhere. Kept short on purpose: each entry must never distinguish two real tasks.
LEADING_BOILERPLATE: tuple[str, ...] = (
    "khan truong",
    "tiep tuc",
    "tap trung",
    "chu dong",
    "day manh",
    "kip thoi",
    "nghien cuu de xuat va",
)
BOILERPLATE: tuple[str, ...] = (
    "chu tri phoi hop voi cac bo nganh dia phuong",
    "chu tri phoi hop voi cac bo nganh",
    "chu tri phoi hop voi cac co quan lien quan",
    "chu tri phoi hop voi cac co quan",
    "phoi hop voi cac co quan lien quan",
    "va cac co quan lien quan",
    "bao dam chat luong tien do de ra",
    "bao dam chat luong tien do",
    "bao dam chat luong hieu qua",
    "dam bao chat luong tien do",
    "theo dung tien do",
    "theo quy dinh",
)
# On the normalised tokens (lower-case ASCII words, `,` `(` `)` for punctuation) plain regexes are exact
# and fast; a phrase matches with or without commas between its words (`chủ trì, phối hợp`).
def _phrase(phrase: str) -> str:
    return r"(?: ,)? ".join(map(re.escape, phrase.split()))


_LEADING_RE = re.compile(r"^(?:(?:" + "|".join(map(_phrase, LEADING_BOILERPLATE)) + r")(?: ,)? )+")
_PHRASES_RE = re.compile(
    r"(?:^| )(?:" + "|".join(sorted(map(_phrase, BOILERPLATE), key=len, reverse=True)) + r")(?= |$)"
)

# The coordination clause in front of the action: `Chủ trì, phối hợp với Bộ Tài chính xây dựng ...`,
# `Phối hợp với Bộ Khoa học và Công nghệ tăng cường ...`. Who coordinates is not what the task is (the
# lead agency is its own column), and one system often leaves the clause out. Removed up to the first
# word that starts an action, when one comes within `LEAD_IN_MAX_WORDS` words.
LEAD_IN_STARTS: tuple[str, ...] = ("chu tri", "phoi hop")
ACTION_WORDS: frozenset[str] = frozenset({
    "xay dung", "ban hanh", "trien khai", "hoan thanh", "hoan thien", "tang cuong", "to chuc", "nghien cuu",
    "de xuat", "bao dam", "dam bao", "day manh", "thuc hien", "cap nhat", "ra soat", "danh gia", "thu hut",
    "xu ly", "phat trien", "thong nhat", "tiep thu", "giam sat", "cong bo", "lua chon", "trinh", "sua doi",
})
LEAD_IN_MAX_WORDS = 30


def _strip_lead_in(tokens: list[str]) -> list[str]:
    if " ".join(tokens[:2]) not in LEAD_IN_STARTS:
        return tokens
    for k in range(1, min(len(tokens), LEAD_IN_MAX_WORDS)):
        if tokens[k] in ACTION_WORDS or " ".join(tokens[k: k + 2]) in ACTION_WORDS:
            return tokens[k:]
    return tokens


def _strip(tokens: list[str]) -> list[str]:
    joined = " ".join(tokens)
    stripped = _PHRASES_RE.sub("", _LEADING_RE.sub("", joined)).split()
    stripped = _strip_lead_in(stripped)
    while stripped and stripped[0] == ",":
        stripped = stripped[1:]
    return stripped if any(t not in _PUNCTUATION for t in stripped) else tokens


_PUNCTUATION = frozenset({",", "(", ")"})


def strip_boilerplate(normalized: str) -> str:
    """Remove `BOILERPLATE` phrases (and the coordination lead-in) from a `normalize_name` result;
    never returns an empty name."""
    return " ".join(_strip(normalized.split()))


def name_tokens(text: str | None) -> list[str]:
    """`normalize_name_punctuated` without boilerplate: the words the scorer aligns, with clause marks."""
    return _strip(normalize_name_punctuated(text))


def name_key(text: str | None) -> str:
    """What the scorer compares: `normalize_name` without boilerplate."""
    return " ".join(t for t in name_tokens(text) if t not in _PUNCTUATION)


# --------------------------------------------------------------------------------------------------
# Assigning documents and items
# --------------------------------------------------------------------------------------------------

# Words that name the kind of document, mapped to the code used in its number (`Nghị quyết` -> NQ).
_DOC_KINDS: dict[str, str] = {
    "nghi quyet": "NQ",
    "thong bao ket luan": "TB",
    "thong bao": "TB",
    "ket luan": "KL",
    "quyet dinh": "QD",
    "chi thi": "CT",
    "cong van": "CV",
    "ke hoach": "KH",
    "nghi dinh": "ND",
    "thong tu": "TT",
    "quy che": "QC",
    "huong dan": "HD",
    "nq": "NQ",
    "tb": "TB",
    "qd": "QD",
    "kl": "KL",
}
# A full number: `04-TB/BCĐTW`, `04/TB-BCĐTW`, `71/NQ-CP`, `10467/VPCP-KGVX`, `42/2014/QĐ-TTg`.
_DOC_FULL = re.compile(r"(\d+)((?:\s*[/\-]\s*\d{4})?)\s*[/\-]\s*([A-Z][A-Z0-9]*(?:\s*[/\-]\s*[A-Z][A-Z0-9]*)*)")
# A shorthand without the issuer: `NQ 57`, `Nghị quyết số 57`, `NQ57`.
_DOC_SHORT = re.compile(
    r"\b(" + "|".join(sorted((k.upper() for k in _DOC_KINDS), key=len, reverse=True)) + r")\s*(?:SO\s*)?(\d+)\b"
)


def normalize_doc_number(text: str | None) -> str:
    """Canonical document number: `<number>[-<year>]-<KIND>[-<ISSUER>...]`, ASCII upper case.

    `04-TB/BCĐTW`, `04/TB-BCĐTW`, `04-tb/bcdtw` and `Thông báo số 04-TB/BCĐTW` -> `4-TB-BCDTW`;
    `Nghị quyết 57-NQ/TW` -> `57-NQ-TW`; `71/NQ-CP` -> `71-NQ-CP`.

    Decision on shorthands: `NQ 57` / `Nghị quyết 57` -> `57-NQ`, i.e. number and kind but *no
    issuer*. It is not made equal to `57-NQ-TW`, because the same shorthand is genuinely ambiguous
    elsewhere (`NQ 71` is 71/NQ-CP, the Government programme, but also 71-NQ/TW of 2025 on
    education). `documents_compatible` treats an issuer-less number as compatible with any full
    number that has the same number and kind, and the `doc` feature scores that lower than equality.
    """
    if text is None:
        return ""
    upper = fold(str(text)).upper()
    full = _DOC_FULL.search(upper)
    if full:
        number, year, rest = full.groups()
        parts = [str(int(number))]
        if year:
            parts.append(re.sub(r"\D", "", year))
        parts.extend(p for p in re.split(r"[\s/\-]+", rest) if p)
        return "-".join(parts)
    short = _DOC_SHORT.search(upper)
    if short:
        kind, number = short.groups()
        return f"{int(number)}-{_DOC_KINDS[kind.lower()]}"
    return fold_key(upper).upper().replace(" ", "-")


def documents_compatible(a: str, b: str) -> bool:
    """Same canonical number, or one is an issuer-less shorthand of the other (`57-NQ` ~ `57-NQ-TW`)."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, full = (a, b) if len(a) < len(b) else (b, a)
    return full.startswith(short + "-") and short.count("-") == 1


_ITEM_WORDS = frozenset({"muc", "diem", "khoan", "tiet", "phan", "chuong", "dieu", "nhiem", "vu", "so", "stt"})
_WORD = re.compile(r"[^\W_]+")


def normalize_doc_item(text: str | None) -> str:
    """Canonical item reference inside a document: `Mục II.3.h`, `II-3-h`, `ii.3.h` -> `ii.3.h`.

    Kept as text (`11.10` stays different from `11.1`). The letter `đ` is a separate item after `d`
    in Vietnamese legal numbering (a, b, c, d, đ, e), so as an item it becomes `dd` instead of
    folding to `d`; words naming the level (`mục`, `điểm`, `khoản`) are dropped.
    """
    if text is None:
        return ""
    parts: list[str] = []
    for word in _WORD.findall(clean(str(text)).lower()):
        if word == "đ":
            parts.append("dd")
            continue
        key = fold(word)
        if key not in _ITEM_WORDS:
            parts.extend(re.findall(r"[0-9a-z]+", key))
    return ".".join(parts)


def items_compatible(a: str, b: str) -> bool:
    """Equal, or one is the tail of the other (`3.h` written without its section `II`)."""
    if not a or not b:
        return False
    if a == b:
        return True
    short, full = (a, b) if len(a) < len(b) else (b, a)
    return full.endswith("." + short)


# --------------------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------------------

DATED_TYPES = frozenset({"NGAY", "THANG", "QUY", "NAM"})
UNDATED_TYPES = frozenset({"THUONG_XUYEN", "HANG_NAM"})


def deadline_period(day: date, deadline_type: str | None = "NGAY") -> tuple[date, date]:
    """The period a deadline stands for: a day, or the whole month / quarter / year containing `day`.

    The parser stores `06/2025` and `Quý II/2025` as the period's last day; deriving the period from
    the stored date keeps this right even if some source stored the first day instead.
    """
    kind = (deadline_type or "NGAY").upper()
    if kind == "THANG":
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if kind == "QUY":
        first_month = 3 * ((day.month - 1) // 3) + 1
        last_month = first_month + 2
        return date(day.year, first_month, 1), date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    if kind in ("NAM", "HANG_NAM"):
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return day, day


def deadline_distance_days(
    a: date | None,
    b: date | None,
    type_a: str | None = "NGAY",
    type_b: str | None = "NGAY",
) -> int | None:
    """Days between two deadlines, reading a month / quarter / year deadline as its period.

    0 when one period contains the other (`20/06/2025` vs `06/2025`, `30/06/2025` vs `Quý II/2025`);
    otherwise the distance between the periods' last days (`06/2025` vs `07/2025` is 31 days, not the
    1 day between 30 June and 1 July, so consecutive monthly reports stay apart). None when either
    side has no date.
    """
    if a is None or b is None:
        return None
    start_a, end_a = deadline_period(a, type_a)
    start_b, end_b = deadline_period(b, type_b)
    if (start_a <= start_b and end_b <= end_a) or (start_b <= start_a and end_a <= end_b):
        return 0
    return abs((end_a - end_b).days)
