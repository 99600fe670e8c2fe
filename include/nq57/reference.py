"""The shipped reference data: agencies (with aliases) and the indicator catalogue."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from nq57.textnorm import fold_key


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
_MINISTRY_EXPANSIONS = {"kh cn": "khoa hoc va cong nghe", "bo kh cn": "bo khoa hoc va cong nghe"}


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


def resolve_agency(text: str | None) -> str | None:
    """Map a code, name, short name, former name or `UBND tỉnh X` form to an agency code, else None."""
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
    return None


_SPLIT = re.compile(r"\s*[;,\n]\s*")


def split_agencies(text: str | None) -> list[str]:
    """Split a cell that lists several agencies (`;`, `,` or line breaks) into its parts."""
    if text is None:
        return []
    return [part for part in (p.strip() for p in _SPLIT.split(str(text))) if part]
