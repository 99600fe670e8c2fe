"""The shipped reference data: agencies (with aliases) and the indicator catalogue."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from nq57.textnorm import clean, fold_key


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    kind: str
    short_name: str
    former_names: tuple[str, ...]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    target_op: str
    target_low: float | None
    target_high: float | None
    monitoring_agency: str


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("nq57").joinpath("data", filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def agencies() -> dict[str, Agency]:
    return {
        r["code"]: Agency(
            code=r["code"],
            name=r["name"],
            kind=r["kind"],
            short_name=r["short_name"],
            former_names=tuple(n.strip() for n in r["former_names"].split(";") if n.strip()),
        )
        for r in _rows("agencies.csv")
    }


@lru_cache(maxsize=1)
def indicators() -> dict[str, Indicator]:
    def num(value: str) -> float | None:
        return float(value) if value.strip() else None

    return {
        r["code"]: Indicator(
            code=r["code"],
            name=r["name"],
            unit=r["unit"],
            target_op=r["target_op"],
            target_low=num(r["target_low"]),
            target_high=num(r["target_high"]),
            monitoring_agency=r["monitoring_agency"],
        )
        for r in _rows("indicators.csv")
    }


# Prefixes that real files put before a province's place name (reference/README.md).
_PROVINCE_PREFIXES = (
    "uy ban nhan dan tinh",
    "uy ban nhan dan thanh pho",
    "uy ban nhan dan",
    "ubnd tinh",
    "ubnd thanh pho",
    "ubnd tp",
    "ubnd",
    "tinh",
    "thanh pho",
    "tp",
)
def _place_name(agency: Agency) -> str:
    key = fold_key(agency.name)
    for prefix in _PROVINCE_PREFIXES:
        if key.startswith(prefix + " "):
            return key[len(prefix) + 1 :]
    return key


@lru_cache(maxsize=1)
def agency_aliases() -> dict[str, tuple[str, str]]:
    """Folded alias -> (agency code, alias kind). Kinds: code, name, short_name, former_name, place."""
    aliases: dict[str, tuple[str, str]] = {}

    def add(alias: str, code: str, kind: str) -> None:
        key = fold_key(alias)
        if key:
            aliases.setdefault(key, (code, kind))

    for agency in agencies().values():
        add(agency.code, agency.code, "code")
        add(agency.name, agency.code, "name")
        add(agency.short_name, agency.code, "short_name")
        if agency.kind == "province":
            place = _place_name(agency)
            add(place, agency.code, "place")
            for former in agency.former_names:
                add(former, agency.code, "former_name")
        else:
            for former in agency.former_names:
                add(former, agency.code, "former_name")
    return aliases


def _acronym(name: str) -> str:
    """`Bộ Khoa học và Công nghệ` -> `khcn`: the initial of every syllable after `Bộ`, `và` left out."""
    words = fold_key(name).split()[1:]
    return "".join(w[0] for w in words if w != "va")


@lru_cache(maxsize=1)
def _ministry_acronyms() -> dict[str, str]:
    """Folded acronym of each ministry's name and former names (`khcn`, `tttt`, `khdt`, `ldtbxh`) -> code.
    Acronyms two ministries share are left out rather than guessed."""
    found: dict[str, set[str]] = {}
    for agency in agencies().values():
        for name in (agency.name, *agency.former_names):
            if fold_key(name).startswith("bo "):
                found.setdefault(_acronym(name), set()).add(agency.code)
    return {acronym: next(iter(codes)) for acronym, codes in found.items() if len(codes) == 1 and len(acronym) >= 2}


def _province_in(words: list[str]) -> str | None:
    """The province a trailing run of words names (`... Hà Nội`, `... tỉnh Bình Dương`), if any."""
    table = agency_aliases()
    for start in range(1, len(words)):
        tail = " ".join(words[start:])
        for prefix in ("", *(p + " " for p in _PROVINCE_PREFIXES)):
            if prefix and not tail.startswith(prefix):
                continue
            rest = tail[len(prefix):]
            entry = table.get(rest)
            if entry and entry[1] in ("place", "former_name", "short_name", "name") and entry[0].startswith("T"):
                return entry[0]
    return None


@lru_cache(maxsize=8192)
def resolve_agency(text: str | None) -> str | None:
    """Map a code, name, short name, former name or `UBND tỉnh X` form to an agency code, else None.

    Also understood: a ministry's abbreviation with or without `Bộ` (`Bộ KH&CN`, `Bộ KHCN`, `KH&CN`, the
    pre-merger `Bộ TT&TT`, `Bộ KH&ĐT`, `Bộ TN&MT`, `Bộ GTVT`), and a provincial department
    (`Sở KH&CN Hà Nội`), which reports under its province.
    """
    if text is None:
        return None
    key = fold_key(str(text))
    if not key:
        return None
    table = agency_aliases()
    if key in table:
        return table[key][0]
    if key.upper() in agencies():
        return key.upper()
    for prefix in _PROVINCE_PREFIXES:
        if key.startswith(prefix + " "):
            rest = key[len(prefix) + 1 :]
            if rest in table:
                return table[rest][0]
    words = key.split()
    acronyms = _ministry_acronyms()
    if words[0] == "bo" and len(words) > 1:
        acronym = "".join(w for w in words[1:] if w != "va")
        if acronym in acronyms:
            return acronyms[acronym]
    elif len(words) <= 4:
        acronym = "".join(w for w in words if w != "va")
        if len(acronym) >= 4 and acronym in acronyms:
            return acronyms[acronym]
    if words[0] == "so" and len(words) > 2:
        return _province_in(words)
    return None


_HARD_SPLIT = re.compile(r"\s*(?:[;\n\r]|\s\+\s)\s*")
_LIST_MARKS = " \t-+•*·–—."


def split_agencies(text: str | None) -> list[str]:
    """Split a cell that lists several agencies (`;`, `,` or line breaks) into its parts, cleaned.

    A comma only separates agencies when the text around it does not name one agency as a whole
    (`Bộ Văn hóa, Thể thao và Du lịch` stays one part).
    """
    if text is None:
        return []
    parts: list[str] = []
    for chunk in _HARD_SPLIT.split(str(text)):
        chunk = _strip_marks(chunk)
        if not chunk:
            continue
        pieces = [_strip_marks(p) for p in chunk.split(",")]
        pieces = [p for p in pieces if p]
        if len(pieces) <= 1 or resolve_agency(chunk) is not None:
            parts.append(chunk)
            continue
        found: list[str] = []
        i = 0
        while i < len(pieces):
            for j in range(len(pieces), i + 1, -1):
                joined = ", ".join(pieces[i:j])
                if resolve_agency(joined) is not None:
                    found.append(joined)
                    i = j
                    break
            else:
                found.append(pieces[i])
                i += 1
        # A comma list where nothing is an agency (`Các bộ, ngành, địa phương`) is one description.
        parts.extend(found if any(resolve_agency(p) is not None for p in found) else [chunk])
    return parts


def _strip_marks(text: str) -> str:
    """A list entry without its bullet or trailing full stop, Unicode-cleaned (`- Bộ Y tế.` -> `Bộ Y tế`)."""
    text = clean(text).strip(_LIST_MARKS)
    return text
