"""Repair Vietnamese typed in legacy 8-bit font encodings (TCVN3/ABC and VNI-Windows) inside Excel.

Why this exists
---------------
Many agencies still type with ABC (`.VnTime`, `.VnArial`, ...) or VNI (`VNI-Times`, `VNI-Helve`, ...)
fonts. The workbook stores the *bytes* the keyboard driver produced, so a modern reader (openpyxl,
xlrd, ours) hands us the Windows-1252 reading of those bytes: `Bé Khoa häc vµ C«ng nghÖ` (TCVN3) or
`Boä Khoa hoïc vaø Coâng ngheä` (VNI) instead of `Bộ Khoa học và Công nghệ`. Unless it is repaired
*before* any other clean-up, labels never match the reference lists, and `textnorm.clean` would even
delete the TCVN3 letter `ư` (byte 0xAD is U+00AD SOFT HYPHEN, which `clean` strips as invisible).

Sources of the tables
---------------------
* TCVN3 (ABC): TCVN 5712:1993, table VN3 (the subset the ABC fonts implement), as encoded in
  UniKey's VnConv library, `SingleByteTables` / "TCVN3" in `ukengine/data.cpp`
  (Pham Kim Long, http://unikey.sourceforge.net; copy read in github.com/vn-input/ibus-unikey).
  Cross-checked code point by code point against the full TCVN 5712:1993 VN1 table of GNU libiconv's
  `tcvn.h` (the TCVN5712-1 charset; read in its XFree86 copy `xc/lib/X11/lcUniConv/tcvn.h`): all 67
  lowercase letters and the seven base capitals 0xA1..0xA7 agree; and against
  github.com/duydev/vietnamese-conversion `src/charsets.ts` (lowercase column).
* VNI-Windows: UniKey VnConv `DoubleByteTables` / "VNI-WIN" (same file), cross-checked against
  duydev/vietnamese-conversion `src/charsets.ts` (VNI column): identical for all 134 letters.

What the tables say (and the choices made here)
-----------------------------------------------
* TCVN3 has one byte per lowercase letter: 0xA8..0xAE = ă â ê ô ơ ư đ, 0xA1..0xA7 = Ă Â Ê Ô Ơ Ư Đ,
  toned lowercase letters in 0xB5..0xFE. VN3 has **no** toned capitals. The ABC "H" fonts
  (`.VnTimeH`, `.VnArialH`, ... font name ending in ``H``) draw every code point as a capital, so
  typists switch to them for headings. Hence the decoder takes ``uppercase_font``: convert, then
  upper-case everything (the H font shows ASCII letters as capitals too). Without the H font, a
  toned capital cannot exist in a TCVN3 cell. The encoder follows UniKey: a toned capital is
  written with its lowercase code, which is what an H-font cell holds. `to_unicode` upper-cases
  when the font name ends in ``H``, or, with no usable font name, when the text was plainly typed
  for an H font (capital ASCII around lowercase toned codes: `CéNG HOµ`).
* Bytes a TCVN3 font leaves to Windows symbols (0x80..0x9F: € “ ” … – etc., and the VN1-only
  capital positions such as 0xC0..0xC5) are **not** decoded as letters, exactly like UniKey: the ABC
  fonts do not draw letters there, and reading them as VN1 capitals would turn real punctuation
  pasted from Word (“ ” … –) into Ỏ Õ Ặ Ọ.
* VNI writes a base letter plus a mark character (`a` + `ä` = ậ); i-tones, ỵ, đ, ơ, ư are single
  characters. Capitals use capital marks (`AÄ` = Ậ). The decoder also accepts a capital base with a
  lowercase mark (`Aùnh` = Ánh), which Word's "Capitalize Each Word" produces; not the reverse,
  because a lowercase vowel + capital Latin-1 letter is what TCVN3 text looks like (`HuÕ` = Huế).
* Only bytes ≥ 0xA0 carry letters in either encoding, where Windows-1252 and Latin-1 coincide. For
  0x80..0x9F we accept both renderings: a reader that decoded the bytes as Latin-1 gives C1 controls
  (U+0080..U+009F), which we turn into the Windows-1252 symbol the legacy (Windows) font shows.

Output is always Unicode NFC.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

__all__ = [
    "LegacyEncoding",
    "VIETNAMESE_LETTERS_LOWER",
    "VIETNAMESE_LETTERS_UPPER",
    "detect_legacy_encoding",
    "is_tcvn3_uppercase_font",
    "tcvn3_to_unicode",
    "to_unicode",
    "unicode_to_tcvn3",
    "unicode_to_vni",
    "vni_to_unicode",
]

LegacyEncoding = Literal["tcvn3", "vni"]

# Tone order used by every row below (UniKey's order): none, sắc, huyền, hỏi, ngã, nặng.
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")

# --------------------------------------------------------------------------------------------------
# TCVN3 (ABC), TCVN 5712:1993 VN3. vowel -> (capital without tone, then lowercase by tone order).
# --------------------------------------------------------------------------------------------------
_TCVN3_VOWELS: dict[str, tuple[int, int, int, int, int, int, int]] = {
    #      CAP    none   sắc    huyền  hỏi    ngã    nặng
    "a": (0x41, 0x61, 0xB8, 0xB5, 0xB6, 0xB7, 0xB9),
    "ă": (0xA1, 0xA8, 0xBE, 0xBB, 0xBC, 0xBD, 0xC6),
    "â": (0xA2, 0xA9, 0xCA, 0xC7, 0xC8, 0xC9, 0xCB),
    "e": (0x45, 0x65, 0xD0, 0xCC, 0xCE, 0xCF, 0xD1),
    "ê": (0xA3, 0xAA, 0xD5, 0xD2, 0xD3, 0xD4, 0xD6),
    "i": (0x49, 0x69, 0xDD, 0xD7, 0xD8, 0xDC, 0xDE),
    "o": (0x4F, 0x6F, 0xE3, 0xDF, 0xE1, 0xE2, 0xE4),
    "ô": (0xA4, 0xAB, 0xE8, 0xE5, 0xE6, 0xE7, 0xE9),
    "ơ": (0xA5, 0xAC, 0xED, 0xEA, 0xEB, 0xEC, 0xEE),
    "u": (0x55, 0x75, 0xF3, 0xEF, 0xF1, 0xF2, 0xF4),
    "ư": (0xA6, 0xAD, 0xF8, 0xF5, 0xF6, 0xF7, 0xF9),
    "y": (0x59, 0x79, 0xFD, 0xFA, 0xFB, 0xFC, 0xFE),
}
_TCVN3_D = (0xA7, 0xAE)  # Đ, đ

# --------------------------------------------------------------------------------------------------
# VNI-Windows. Marks as (capital form, lowercase form), in tone order.
# --------------------------------------------------------------------------------------------------
_VNI_MARK_ROWS: dict[str, tuple[tuple[int, int] | None, ...]] = {
    # tone only (a e o u y, and after ơ/ư)
    "tone": (None, (0xD9, 0xF9), (0xD8, 0xF8), (0xDB, 0xFB), (0xD5, 0xF5), (0xCF, 0xEF)),
    # circumflex combined with the tone (â ê ô)
    "circumflex": ((0xC2, 0xE2), (0xC1, 0xE1), (0xC0, 0xE0), (0xC5, 0xE5), (0xC3, 0xE3), (0xC4, 0xE4)),
    # breve combined with the tone (ă)
    "breve": ((0xCA, 0xEA), (0xC9, 0xE9), (0xC8, 0xE8), (0xDA, 0xFA), (0xDC, 0xFC), (0xCB, 0xEB)),
}
# vowel -> (capital base byte, lowercase base byte, mark row)
_VNI_VOWELS: dict[str, tuple[int, int, str]] = {
    "a": (0x41, 0x61, "tone"),
    "ă": (0x41, 0x61, "breve"),
    "â": (0x41, 0x61, "circumflex"),
    "e": (0x45, 0x65, "tone"),
    "ê": (0x45, 0x65, "circumflex"),
    "i": (0x49, 0x69, "tone"),  # i never takes a mark: every toned i is in _VNI_SINGLE
    "o": (0x4F, 0x6F, "tone"),
    "ô": (0x4F, 0x6F, "circumflex"),
    "ơ": (0xD4, 0xF4, "tone"),
    "u": (0x55, 0x75, "tone"),
    "ư": (0xD6, 0xF6, "tone"),
    "y": (0x59, 0x79, "tone"),
}
# Letters VNI stores as a single byte (capital, lowercase).
_VNI_SINGLE: dict[str, tuple[int, int]] = {
    "í": (0xCD, 0xED),
    "ì": (0xCC, 0xEC),
    "ỉ": (0xC6, 0xE6),
    "ĩ": (0xD3, 0xF3),
    "ị": (0xD2, 0xF2),
    "ỵ": (0xCE, 0xEE),
    "ơ": (0xD4, 0xF4),
    "ư": (0xD6, 0xF6),
    "đ": (0xD1, 0xF1),
}


def _letter(vowel: str, tone_index: int) -> str:
    return unicodedata.normalize("NFC", vowel + _TONES[tone_index])


def _build_letters() -> tuple[str, str]:
    lower = [_letter(v, t) for v in _TCVN3_VOWELS for t in range(6)]
    lower = [ch for ch in lower if not ch.isascii()] + ["đ"]
    return "".join(lower), "".join(ch.upper() for ch in lower)


#: Every non-ASCII Vietnamese letter: 12 vowels x 6 tone states minus the 6 plain ASCII vowels, plus đ.
VIETNAMESE_LETTERS_LOWER, VIETNAMESE_LETTERS_UPPER = _build_letters()


def _build_tcvn3() -> tuple[dict[str, str], dict[int, str]]:
    encode: dict[str, str] = {}
    for vowel, (cap, *codes) in _TCVN3_VOWELS.items():
        for tone, code in enumerate(codes):
            letter = _letter(vowel, tone)
            encode[letter] = chr(code)
            # VN3 has no toned capitals: they share the lowercase code (what an ABC "H" font holds).
            encode[letter.upper()] = chr(cap) if tone == 0 else chr(code)
    encode["Đ"], encode["đ"] = chr(_TCVN3_D[0]), chr(_TCVN3_D[1])
    encode = {k: v for k, v in encode.items() if k != v}  # drop ASCII identities
    # Each code decodes to its lowercase letter, except 0xA1..0xA7, the only capitals VN3 has.
    decode = {ord(code): letter for letter, code in encode.items() if letter.islower()}
    decode.update({ord(code): letter for letter, code in encode.items() if ord(code) < 0xA8})
    return encode, decode


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    encode: dict[str, str] = {}
    for vowel, (cap_base, low_base, row) in _VNI_VOWELS.items():
        for tone, mark in enumerate(_VNI_MARK_ROWS[row]):
            letter = _letter(vowel, tone)
            if letter in _VNI_SINGLE:
                cap_code, low_code = _VNI_SINGLE[letter]
                encode[letter], encode[letter.upper()] = chr(low_code), chr(cap_code)
            elif mark is None:
                encode[letter], encode[letter.upper()] = chr(low_base), chr(cap_base)
            else:
                encode[letter] = chr(low_base) + chr(mark[1])
                encode[letter.upper()] = chr(cap_base) + chr(mark[0])
    cap_code, low_code = _VNI_SINGLE["đ"]
    encode["đ"], encode["Đ"] = chr(low_code), chr(cap_code)
    encode = {k: v for k, v in encode.items() if k != v}
    decode = {seq: letter for letter, seq in encode.items()}
    # Decode-only: a capital base with a lowercase mark, which Word's "Capitalize Each Word" makes of
    # a word-initial vowel (`aùnh` -> `Aùnh`). Not the reverse: a lowercase vowel + capital mark is
    # how TCVN3 text looks (`HuÕ` = Huế) and must not read as VNI.
    for seq, letter in list(decode.items()):
        if len(seq) == 2 and letter.isupper():
            decode.setdefault(seq[0] + seq[1].lower(), letter)
    return encode, decode


_TCVN3_ENCODE, _TCVN3_DECODE = _build_tcvn3()
_VNI_ENCODE, _VNI_DECODE = _build_vni()

# Bytes 0x80..0x9F: Windows-1252 symbol for each C1 control a Latin-1 reader would have produced.
_C1_TO_CP1252: dict[int, str] = {}
for _byte in range(0x80, 0xA0):
    try:
        _C1_TO_CP1252[_byte] = bytes([_byte]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81 0x8D 0x8F 0x90 0x9D: undefined in Windows-1252, kept as is
        pass
# Every character a cp1252 or Latin-1 reading of one byte can produce: nothing else can be mojibake.
_SINGLE_BYTE_CHARS = frozenset(chr(i) for i in range(0x100)) | frozenset(_C1_TO_CP1252.values())

_TCVN3_TABLE = {**_C1_TO_CP1252, **_TCVN3_DECODE}
_VNI_SEQ = re.compile("|".join(re.escape(k) for k in sorted(_VNI_DECODE, key=len, reverse=True)) + "|[\x80-\x9f]")


def _upper_keep_length(text: str) -> str:
    """Upper-case without the length-changing special cases (ß -> SS) that no font glyph performs."""
    return "".join(up if len(up := ch.upper()) == 1 else ch for ch in text)


def tcvn3_to_unicode(text: str, *, uppercase_font: bool = False) -> str:
    """Decode the cp1252/Latin-1 reading of TCVN3 bytes.

    ``uppercase_font`` is for the ABC "H" fonts (`.VnTimeH`), which draw every code point as a
    capital: the only way TCVN3 can show a toned capital, so the visible text is the upper-cased
    decode.
    """
    out = text.translate(_TCVN3_TABLE)
    if uppercase_font:
        out = _upper_keep_length(out)
    return unicodedata.normalize("NFC", out)


def vni_to_unicode(text: str) -> str:
    """Decode the cp1252/Latin-1 reading of VNI-Windows bytes (longest sequence first)."""

    def repl(match: re.Match[str]) -> str:
        seq = match.group()
        return _VNI_DECODE.get(seq) or _C1_TO_CP1252.get(ord(seq[0]), seq)

    return unicodedata.normalize("NFC", _VNI_SEQ.sub(repl, text))


def unicode_to_tcvn3(text: str) -> str:
    """Write text the way an ABC keyboard driver would have stored it, as a cp1252 reader shows it.

    Lossy for toned capitals (VN3 has none): they get the lowercase code, which reads back as
    the capital only with ``tcvn3_to_unicode(..., uppercase_font=True)``, as in an `.VnTimeH` cell.
    """
    return "".join(_TCVN3_ENCODE.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def unicode_to_vni(text: str) -> str:
    """Write text the way a VNI keyboard driver would have stored it, as a cp1252 reader shows it."""
    return "".join(_VNI_ENCODE.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def is_tcvn3_uppercase_font(font_name: str | None) -> bool:
    """ABC capitals-only fonts are the `.Vn*` families whose name ends in a capital ``H`` (`.VnTimeH`)."""
    name = (font_name or "").strip()
    return name.lower().startswith(".vn") and name.endswith("H")


def _font_family(font_name: str | None) -> LegacyEncoding | None:
    name = (font_name or "").strip().lower()
    if name.startswith(".vn"):
        return "tcvn3"
    if name.startswith("vni-"):
        return "vni"
    return None


# --------------------------------------------------------------------------------------------------
# Detection without a font: does decoding turn invalid words into valid Vietnamese syllables?
# --------------------------------------------------------------------------------------------------
_TONE_NAMES = {"\u0301": "sắc", "\u0300": "huyền", "\u0309": "hỏi", "\u0303": "ngã", "\u0323": "nặng"}
_MODIFIED_VOWELS = "ăâêôơư"
_ONSETS = "ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p r s t v x".split()
_OPEN_ONLY = "iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyu ai ao au ay âu ây eo êu ia iu oi ôi ơi ui ưi ưu ưa ua uơ"
_CLOSED_ONLY = "uyê iê yê uô ươ oă uâ oo ă â"
_OPEN_OR_CLOSED = "oa oe uê uy a e ê i o ô ơ u ư y"
_CODAS = "ch ng nh c k m n p t"  # k: minority place names (Đắk Lắk)


def _alt(words: str) -> str:
    return "|".join(sorted(words.split(), key=len, reverse=True))


_SYLLABLE = re.compile(
    f"(?P<onset>{_alt(' '.join(_ONSETS))})?"
    f"(?:(?P<open>{_alt(_OPEN_ONLY)})"
    f"|(?P<any>{_alt(_OPEN_OR_CLOSED)})(?P<coda1>{_alt(_CODAS)})?"
    f"|(?P<closed>{_alt(_CLOSED_ONLY)})(?P<coda2>{_alt(_CODAS)}))"
)


@lru_cache(maxsize=65536)  # report cells repeat the same few thousand words
def _is_vietnamese_syllable(word: str, *, check_case: bool = True) -> bool:
    """Phonotactic check, strict enough that foreign accented words (café, naïve, niño) fail it.

    ``check_case`` also demands `lower`, `UPPER` or `Capitalised`: TCVN3 mojibake shows its
    lowercase letters as Latin-1 capitals (`nghÖ`, `tÕ`), which no correctly typed word does.
    """
    if check_case and not (word.islower() or word.isupper() or word[:1].isupper() and word[1:].islower()):
        return False
    base: list[str] = []
    tones: list[tuple[int, str]] = []
    for ch in unicodedata.normalize("NFC", word.lower()):
        parts = unicodedata.normalize("NFD", ch)
        for mark in parts:
            if mark in _TONE_NAMES:
                tones.append((len(base), _TONE_NAMES[mark]))
        base.append(unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONE_NAMES)))
    if len(tones) > 1 or any(len(b) != 1 for b in base):
        return False
    match = _SYLLABLE.fullmatch("".join(base))
    if match is None:
        return False
    onset = match.group("onset") or ""
    nucleus = match.group("open") or match.group("any") or match.group("closed")
    coda = match.group("coda1") or match.group("coda2") or ""
    front = nucleus[0] in "ieêy"
    # gh/ngh only before front vowels and c/ng never; k is free (Kạn, Kon Tum are real names).
    if (onset in {"gh", "ngh"} and not front) or (onset in {"c", "ng"} and front):
        return False
    if nucleus == "y" and coda and onset != "qu":
        return False  # lone y closes only after qu (quýt, quýnh); elsewhere it is -inh, -ích
    if (coda in {"ng", "c"} and nucleus[-1] in "iy") or (coda in {"nh", "ch"} and nucleus[-1] not in "aêiy"):
        return False  # -inh/-ich, never -ing/-ic; -nh/-ch only after a, ê, i, y
    tone = tones[0][1] if tones else None
    if coda in {"c", "ch", "k", "p", "t"} and tone not in {"sắc", "nặng"}:
        return False
    if tones:
        position = tones[0][0] - len(onset)
        if position not in _tone_positions(nucleus, bool(coda)):
            return False
    return True


def _tone_positions(nucleus: str, closed: bool) -> set[int]:
    """Where a tone may sit in the nucleus (old and new placement styles are both accepted)."""
    modified = [i for i, ch in enumerate(nucleus) if ch in _MODIFIED_VOWELS]
    if modified:
        return {modified[-1]}
    if len(nucleus) == 1:
        return {0}
    if len(nucleus) == 3:
        return {1}
    if closed:
        return {1}
    return {0, 1} if nucleus in {"oa", "oe", "uy"} else {0}


_LEGACY_CHARS = frozenset(chr(k) for k in _TCVN3_DECODE) | frozenset("".join(_VNI_DECODE))


def _tokens(text: str) -> list[str]:
    words, current = [], []
    for ch in text:
        if ch.isalpha() or ch in _LEGACY_CHARS:
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _starts_with_consonant(word: str) -> bool:
    """`Hµ` (Hà), `vµ` (và) are telling; `µm` (micrometre) or `où` (VNI ó) are not."""
    return word[0].isascii() and word[0].isalpha() and word[0].lower() not in "aeiouy"


def _evidence(text: str, decode: Callable[[str], str], *, decoded_case_is_reliable: bool) -> int:
    """How many words this decoding repairs, or 0 when the evidence is not convincing.

    A word is *repaired* when it is not a Vietnamese syllable as read but is one once decoded.
    Only words holding an ASCII letter count, and each distinct word once: lone symbols and
    repeated units (`2 × 3 ÷ 4`, `25 µm x 3 µm`) decode to valid syllables far too easily. Accepted
    when repaired words outnumber the words the decoding breaks or leaves invalid, and there are
    two distinct ones, or one telling one (3+ characters, 2+ ASCII letters, or an ASCII consonant first).
    The decoded case is checked for VNI only: it encodes capitals faithfully, while TCVN3 has no
    toned capitals, so `NH©N` (typed for an H font) rightly decodes to `NHâN`.
    """
    repaired: set[str] = set()
    repaired_count = against = 0
    for word in _tokens(text):
        if word.isascii():
            continue
        valid_before = _is_vietnamese_syllable(word)
        valid_after = _is_vietnamese_syllable(decode(word), check_case=decoded_case_is_reliable)
        if valid_after and not valid_before:
            if any(ch.isascii() and ch.isalpha() for ch in word):
                repaired.add(word)
                repaired_count += 1
        elif not valid_after:
            against += 1
    telling = any(
        len(w) >= 3 or sum(ch.isascii() and ch.isalpha() for ch in w) >= 2 or _starts_with_consonant(w)
        for w in repaired
    )
    if repaired_count > against and (len(repaired) >= 2 or telling):
        return repaired_count
    return 0


def detect_legacy_encoding(text: str, font_name: str | None = None) -> LegacyEncoding | None:
    """Which legacy encoding a cell's text is in, or None when it should be taken as Unicode.

    A `.Vn*` / `VNI-*` font decides, except when the text holds a character no single byte can
    read as (e.g. `ộ`): then the text is already Unicode and the font is a left-over formatting.
    Without such a font, decide conservatively from the words themselves (see `_evidence`); a
    single ambiguous word such as `Bé` (TCVN3 `Bộ`, or genuine `bé`) stays None.
    """
    if not text:
        return _font_family(font_name)
    if not set(text) <= _SINGLE_BYTE_CHARS:
        return None
    family = _font_family(font_name)
    if family is not None:
        return family
    if text.isascii():
        return None
    scores: dict[LegacyEncoding, int] = {
        "tcvn3": _evidence(text, tcvn3_to_unicode, decoded_case_is_reliable=False),
        "vni": _evidence(text, vni_to_unicode, decoded_case_is_reliable=True),
    }
    best = max(scores.values())
    winners = [enc for enc, score in scores.items() if score == best]
    return winners[0] if best and len(winners) == 1 else None


def _typed_for_uppercase_font(text: str) -> bool:
    """TCVN3 text meant for an H font even though the font name does not say so (or no font is known).

    Someone typing `CéNG HOµ` (capital ASCII around lowercase toned codes) saw `CỘNG HOÀ` in an H font;
    nobody means `CộNG HOà`. Requires a word with two capital ASCII letters and a toned code, and no
    lowercase ASCII letter anywhere (`Sè TT` stays `Số TT`).
    """
    if any("a" <= ch <= "z" for ch in text):
        return False
    return any(
        sum("A" <= ch <= "Z" for ch in word) >= 2 and any(ord(ch) in _TCVN3_DECODE for ch in word)
        for word in _tokens(text)
    )


def to_unicode(text: str, font_name: str | None = None) -> tuple[str, LegacyEncoding | None]:
    """The parser's single per-cell entry point: (NFC text, legacy encoding found or None).

    Call it on the raw cell value, before `textnorm.clean` (which deletes TCVN3 `ư`, U+00AD).
    """
    encoding = detect_legacy_encoding(text, font_name)
    if encoding == "tcvn3":
        upper = is_tcvn3_uppercase_font(font_name) or _typed_for_uppercase_font(text)
        return tcvn3_to_unicode(text, uppercase_font=upper), encoding
    if encoding == "vni":
        return vni_to_unicode(text), encoding
    return unicodedata.normalize("NFC", text), None
