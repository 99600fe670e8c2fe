"""Word-level reconciliation of two task names: what each differing word is, before they are scored.

Two systems' names of one task differ in ways that say nothing about the task: an abbreviation typed
on one side only, a typing slip, a note or a clause one agency added. A bag-of-words score counts each
of these as a different word, so a true pair can look as far apart as two different tasks. This
module aligns the words of a candidate pair (one NQ57 name, one NQ71 name, both `normalize` output)
and says, word by word, why they differ:

- `acronym`: a word of one name spells the initials of a run of words of the other (`ptn` ~
  `phong thi nghiem`, `cbccvc` ~ `can bo cong chuc vien chuc`), an optional `va` skipped. Known
  abbreviations are expanded earlier (`normalize.ABBREVIATIONS`); this catches the rest. Only a word
  that is not a Vietnamese syllable can be an acronym.
- `typo`: a word one edit away from a word of the other name (Damerau: a doubled, dropped or swapped
  letter; a tone mark on the wrong letter vanishes with the diacritics) when one of the two is not a
  Vietnamese syllable (`thhang`, `queyt`, `chyuen`), or both are 4+ letters and one occurs only once in
  the month. Two real syllables one letter apart (`dan`/`dat`, `trung`/`truong`) are never merged.
- `qualifier`: a parenthesised note, or clauses at the start or end of a name that open like a
  qualifier (`QUALIFIER_OPENERS`: `trình`, `báo cáo`, `gửi`, `theo`, ... or a document citation),
  none of whose words the other name has (`(theo Nghị quyết số 57-NQ/TW)`, `, trình Quốc hội`,
  `, báo cáo Thủ tướng Chính phủ`): scored as a cheap insertion (`QUALIFIER_COST`) instead of as
  missing content, and left out of the character-level comparison. At least `QUALIFIER_MIN_CORE` words of a name are never qualifiers.

`reconcile()` returns the reconciled word lists and the list of these decisions; every decision is
shown in the link's evidence (`features.pair_evidence`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA

# --------------------------------------------------------------------------------------------------
# Vietnamese syllables (folded: no tone, no ă/â/ê/ô/ơ/ư/đ), to tell a typing slip from a real word
# --------------------------------------------------------------------------------------------------

_ONSETS: tuple[str, ...] = (
    "ngh", "ng", "gh", "gi", "kh", "ch", "nh", "ph", "th", "tr", "qu",
    "b", "c", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
# Every rime of standard Vietnamese, folded (e.g. `ương` -> `uong`, `uyên` -> `uyen`).
_RIMES: frozenset[str] = frozenset(
    """a ai ao au ay am an ang anh ap at ac ach e eo em en eng ep et ec eu enh ech i ia iu im in inh ip it ich
    ieu iem ien iep iet ieng iec o oi om on ong op ot oc oa oai oay oan oang oanh oac oach oat oam oap oe oeo
    oen oet u ua ui um un ung up ut uc uu ue uan uat uang uac uay uanh uach uyu uy uya uyen uyet uynh uych uyt
    uoi uom uon uong uop uot uoc uou y yeu yen yet yem oong ooc uen uet uenh""".split()
)
_FRONT = ("e", "i", "y")


@lru_cache(maxsize=65_536)
def is_syllable(word: str) -> bool:
    """True when `word` (folded, lower case) can be a Vietnamese syllable: a known onset and rime, with
    the spelling rules on `c/k`, `g/gh` and `ng/ngh` (`nge`, `ky`-less `ce`, `thhang` are not)."""
    if not word.isalpha() or not word.isascii():
        return False
    for onset in _ONSETS:
        if not word.startswith(onset):
            continue
        rime = word[len(onset):]
        if onset in ("qu", "gi") and (rime == "" or rime in _RIMES or ("u" + rime) in _RIMES or ("i" + rime) in _RIMES):
            return True
        if rime not in _RIMES:
            continue
        front = rime.startswith(_FRONT)
        if onset in ("k", "gh", "ngh") and not front:
            continue
        if onset in ("c", "g", "ng") and front:
            continue
        return True
    return False


# --------------------------------------------------------------------------------------------------
# Names in parts
# --------------------------------------------------------------------------------------------------

QUALIFIER_COST = 0.1  # per unit of IDF weight, against `features.INSERTION_COST` for a missing word
QUALIFIER_MIN_CORE = 3  # distinct words that must remain outside the qualifiers
# Words that open a qualifying clause in Vietnamese administrative writing: whom it is submitted or
# reported to, what it implements or follows. A clause opening otherwise (`, kết nối với ...`,
# `, nhà khoa học ...`) is content, however much one system left it out. A clause citing a document
# (`nq57`, `tb4`) qualifies as well.
QUALIFIER_OPENERS: frozenset[str] = frozenset({
    "trinh", "bao cao", "gui", "theo", "thuc hien", "nhiem vu", "dap ung", "phu hop", "can cu", "nham",
    "de bao cao", "xin y kien", "lay y kien",
})
_CITATION = re.compile(r"(?:nq|tb|cv)\d+")
QUALIFIER_MATCHED_SHARE = 0.2  # a part whose words the other name has at most this share of (by weight)


@dataclass(frozen=True)
class Part:
    """A clause of a name: `paren` (inside parentheses) or `main`."""

    words: tuple[str, ...]
    kind: str


def split_parts(tokens: Sequence[str]) -> list[Part]:
    """`normalize.normalize_name_punctuated` tokens -> clauses, the punctuation dropped."""
    parts: list[tuple[list[str], bool]] = []
    current: list[str] = []
    depth = 0

    def close(in_paren: bool) -> None:
        nonlocal current
        if current:
            parts.append((current, in_paren))
        current = []

    for token in tokens:
        if token == "(":
            close(depth > 0)
            depth += 1
        elif token == ")":
            close(depth > 0)
            depth = max(0, depth - 1)
        elif token == ",":
            close(depth > 0)
        else:
            current.append(token)
    close(depth > 0)
    return [Part(tuple(words), "paren" if paren else "main") for words, paren in parts]


# --------------------------------------------------------------------------------------------------
# Reconciliation
# --------------------------------------------------------------------------------------------------


@dataclass
class Reconciled:
    """Two names after alignment: the words of each (acronyms replaced by what they stand for, slips
    by the other name's spelling) split into core and qualifier words, and the decisions taken."""

    core_a: list[str]
    core_b: list[str]
    qualifier_a: list[str]
    qualifier_b: list[str]
    decisions: list[dict[str, str]] = field(default_factory=list)


def _acronym_run(acronym: str, words: Sequence[str], free: set[str]) -> tuple[int, int] | None:
    """(start, end) of a run of `words` whose initials spell `acronym` (a `va` may be skipped), at least
    half of them words the acronym's own name lacks (`free`): an acronym stands for words not written."""
    n = len(acronym)
    for start in range(len(words)):
        k, j = 0, start
        while k < n and j < len(words):
            word = words[j]
            if word[:1] == acronym[k] and word.isalpha():
                k += 1
                j += 1
            elif word == "va" and j > start:
                j += 1
            else:
                break
        if k == n and j - start >= 2 and 2 * sum(w in free for w in words[start:j]) >= j - start:
            return start, j
    if n < 3:
        return None
    # One slip inside the acronym (`CSĐ`, `CĐĐS` for `CĐS`): a run of free words whose initials are
    # one edit from it.
    for start in range(len(words)):
        for length in (n - 1, n, n + 1):
            run = words[start: start + length]
            if len(run) != length or length < 3 or not all(w.isalpha() for w in run):
                continue
            if 2 * sum(w in free for w in run) < length:
                continue
            if OSA.distance("".join(w[0] for w in run), acronym, score_cutoff=1) <= 1:
                return start, start + length
    return None


def _acronym_like(word: str) -> bool:
    return word.isalpha() and 2 <= len(word) <= 8 and not is_syllable(word)


@lru_cache(maxsize=65_536)
def _deletions(word: str) -> tuple[str, ...]:
    return (word, *(word[:k] + word[k + 1:] for k in range(len(word))))


@lru_cache(maxsize=262_144)
def _one_edit(a: str, b: str) -> bool:
    return OSA.distance(a, b, score_cutoff=1) <= 1


def _typo_match(a: str, b: str, df: dict[str, int]) -> bool:
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 3 or not (a.isalpha() and b.isalpha()):
        return False
    if not _one_edit(a, b):
        return False
    if not is_syllable(a) or not is_syllable(b):
        return True
    return min(len(a), len(b)) >= 4 and min(df.get(a, 0), df.get(b, 0)) <= 1


def reconcile(
    parts_a: Sequence[Part], parts_b: Sequence[Part], idf: dict[str, float], df: dict[str, int]
) -> Reconciled:
    """Align name A's words with name B's: acronyms, then typing slips, then one-sided qualifiers.

    `idf`: word weights of the month; `df`: in how many names of the month each word occurs (the
    rarity test for slips between two real syllables)."""
    words_a = [list(p.words) for p in parts_a]
    words_b = [list(p.words) for p in parts_b]
    decisions: list[dict[str, str]] = []

    def flat(parts: list[list[str]]) -> list[str]:
        return [w for p in parts for w in p]

    # 1. acronyms, both ways
    for mine, theirs, side in ((words_a, words_b, "nq57"), (words_b, words_a, "nq71")):
        other = flat(theirs)
        other_set = set(other)
        for part in mine:
            for k, word in enumerate(part):
                if word in other_set or not _acronym_like(word):
                    continue
                free = other_set - set(flat(mine))
                run = _acronym_run(word, other, free)
                if run is None:
                    continue
                expansion = other[run[0]: run[1]]
                part[k: k + 1] = [" ".join(expansion)]  # placeholder, flattened below
                decisions.append({"kind": "acronym", side: word, "other": " ".join(expansion)})
        for p, part in enumerate(mine):
            mine[p] = [w for item in part for w in item.split(" ")]

    # 2. typing slips: a word of one name only, one edit from a word of the other name only
    set_a, set_b = set(flat(words_a)), set(flat(words_b))
    # Words one edit apart share a one-deletion form (SymSpell's index): only those are compared.
    index: dict[str, list[str]] = {}
    for candidate in sorted(set_b - set_a):
        if len(candidate) >= 3 and candidate.isalpha():
            for key in _deletions(candidate):
                index.setdefault(key, []).append(candidate)
    used: set[str] = set()
    respell_a: dict[str, str] = {}
    respell_b: dict[str, str] = {}
    for word in sorted(set_a - set_b):
        if len(word) < 3 or not word.isalpha():
            continue
        near = sorted({c for key in _deletions(word) for c in index.get(key, ())})
        for candidate in near:
            if candidate not in used and _typo_match(word, candidate, df):
                used.add(candidate)
                # The slip takes the spelling of the real syllable (or the more frequent word).
                if is_syllable(candidate) and not is_syllable(word):
                    respell_a[word] = candidate
                elif is_syllable(word) and not is_syllable(candidate):
                    respell_b[candidate] = word
                elif df.get(candidate, 0) >= df.get(word, 0):
                    respell_a[word] = candidate
                else:
                    respell_b[candidate] = word
                break
    for mapping, parts, side in ((respell_a, words_a, "nq57"), (respell_b, words_b, "nq71")):
        for wrong, right in sorted(mapping.items()):
            decisions.append({"kind": "typo", side: wrong, "other": right})
        for p, part in enumerate(parts):
            parts[p] = [mapping.get(w, w) for w in part]

    # 3. one-sided qualifiers
    set_a, set_b = set(flat(words_a)), set(flat(words_b))
    qualifier_a = _qualifiers(parts_a, words_a, set_b, idf)
    qualifier_b = _qualifiers(parts_b, words_b, set_a, idf)
    for qualifier, side in ((qualifier_a, "nq57"), (qualifier_b, "nq71")):
        for k in qualifier:
            decisions.append({"kind": "qualifier", side: " ".join((words_a if side == "nq57" else words_b)[k])})
    core_a = [w for k, part in enumerate(words_a) if k not in qualifier_a for w in part]
    core_b = [w for k, part in enumerate(words_b) if k not in qualifier_b for w in part]
    q_a = [w for k in sorted(qualifier_a) for w in words_a[k] if w not in core_a]
    q_b = [w for k in sorted(qualifier_b) for w in words_b[k] if w not in core_b]
    return Reconciled(core_a, core_b, q_a, q_b, decisions)


def _opens_qualifier(words: Sequence[str]) -> bool:
    return bool(words) and (words[0] in QUALIFIER_OPENERS or " ".join(words[:2]) in QUALIFIER_OPENERS
                            or any(_CITATION.fullmatch(w) for w in words))


def _qualifiers(parts: Sequence[Part], words: list[list[str]], other: set[str], idf: dict[str, float]) -> set[int]:
    """Indexes of the parts that are one-sided qualifiers (see the module docstring); never so many
    that fewer than `QUALIFIER_MIN_CORE` distinct words remain."""

    def unmatched(k: int) -> bool:
        # Words the name repeats elsewhere (`trình độ` ... `, trình Chính phủ`) say nothing about
        # whether the other name has this clause.
        rest = {w for n, part in enumerate(words) if n != k for w in part}
        unique = set(words[k]) - rest
        mass = sum(idf.get(w, 1.0) for w in unique)
        shared = sum(idf.get(w, 1.0) for w in unique & other)
        return mass > 0 and shared <= QUALIFIER_MATCHED_SHARE * mass

    chosen = {k for k, part in enumerate(parts) if part.kind == "paren" and words[k] and unmatched(k)}
    plain = [k for k, part in enumerate(parts) if part.kind != "paren" and words[k]]
    if len(plain) >= 2:
        # Trailing clauses: the unmatched run at the end, from its first clause that opens a qualifier
        # (`, trình Chính phủ xem xét, quyết định` is two clauses, the first opens it).
        tail: list[int] = []
        for k in reversed(plain[1:]):
            if not unmatched(k):
                break
            tail.insert(0, k)
        opener = next((n for n, k in enumerate(tail) if _opens_qualifier(words[k])), None)
        if opener is not None:
            chosen.update(tail[opener:])
        # Leading clauses: `Thực hiện Nghị quyết 57, ...`.
        head: list[int] = []
        for k in plain[:-1]:
            if not unmatched(k):
                break
            head.append(k)
        if head and _opens_qualifier(words[head[0]]):
            chosen.update(head)
    core = {w for k, part in enumerate(words) if k not in chosen for w in part}
    return chosen if len(core) >= QUALIFIER_MIN_CORE else set()
