"""Vietnamese text clean-up shared by the parser and the dedupe: NFC, invisible characters, folding."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")


def clean(text: str) -> str:
    """NFC, no zero-width characters, non-breaking spaces and line breaks collapsed to single spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Case- and diacritic-insensitive key: `Tình trạng` -> `tinh trang`, `Đ` -> `d`."""
    decomposed = unicodedata.normalize("NFD", clean(text).replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.casefold()


@lru_cache(maxsize=8192)
def fold_key(text: str) -> str:
    """`fold` with punctuation removed: a lookup key for labels and names."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())
