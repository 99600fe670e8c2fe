"""Pairwise evidence that an NQ57 task and an NQ71 task are the same real task.

Each feature is a score in [0, 1] (NaN when a side lacks the data, so the feature then carries no
weight). They are computed for a whole block of candidate pairs at once (one lead agency: every
NQ57 task of the agency against every NQ71 task of it), as matrices, because the scale target is
5,000 x 5,000 tasks in a few seconds.

Names are compared as `normalize.name_tokens` gives them (folded, abbreviations expanded, document
citations and periods as canonical tokens, boilerplate such as `Khẩn trương`, `bảo đảm chất lượng,
tiến độ` and the `Chủ trì, phối hợp với ...` lead-in removed).

Two passes per block (`score_block`). The block-level pass computes every feature for every pair
as matrices; its score picks the candidates (`candidates`: each task's best partners and every pair
above `CANDIDATE_FLOOR`). The word-level pass then aligns the two names of each candidate
(`reconcile.reconcile`: acronyms, typing slips, one-sided qualifiers) and recomputes `name`,
`tokens`, `numbers`, `period` and `object` on the reconciled words (`word_scores`); every decision it
takes goes into the evidence.

| feature | what it compares | how |
|---|---|---|
| `name` | names, character level | max(`ratio`, `token_sort_ratio`) / 100 of the reconciled names, qualifiers left out |
| `tokens` | names, word level | IDF-weighted overlap; a different word on both sides costs more than an extra word on one side (`SUBSTITUTION_COST`, `INSERTION_COST`), a one-sided qualifier least (`reconcile.QUALIFIER_COST`) |
| `numbers` | the numbers in the names | 1 unless both names carry numbers and neither set contains the other; then their Jaccard, and the pair's score is scaled by `Weights.number_conflict` |
| `period` | the periods the names cite (`tháng 6/2025`, `quý II/2025`, `năm 2026`) | 0 when both cite periods and none contains another (`normalize.period_conflict`); the score is then scaled by `Weights.period_conflict`, below review |
| `object` | what each name has that the other lacks | 0 when each carries `OBJECT_WORDS`+ words the other lacks (two decrees of one item, two databases); the score is then scaled by `Weights.object_conflict` |
| `doc` | assigning document and item | `document_score`, times `item_factor` when it is the same document (score >= 0.9) |
| `deadline` | deadlines as periods | 1 when one period contains the other, halving every 30 days apart |
| `product` | expected output | `token_set_ratio` / 100 (short phrases, containment is meaningful) |
| `lead_agency` | the blocking key | 1 when equal; only equal pairs are ever scored |

Why these name scorers (research/perf.md §3, measured on names averaging 131 characters):
`ratio` and `token_sort_ratio` found exactly the planted pairs, are 2-10x faster than
`token_set_ratio` and ~20x faster than `WRatio`; `WRatio` (partial matching) flagged 40 % of all
pairs because task names share long boilerplate, and `token_set_ratio` scores 100 whenever one
name's words are a subset of the other's (`Xây dựng cơ sở dữ liệu` vs `... về đất đai`). The max of
`ratio` (robust to small edits) and `token_sort_ratio` (robust to reordered clauses) covers both
paraphrase kinds. Char-level scores cannot tell `cơ sở dữ liệu về đất đai` from `... về dân cư`
(one short difference in a long shared template), hence `tokens`: words that recur across many
task names (`xay dung`, `co so du lieu`) weigh little, the distinguishing words weigh a lot.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from nq57.dedupe.normalize import (
    UNDATED_TYPES,
    deadline_distance_days,
    documents_compatible,
    items_compatible,
    name_tokens,
    normalize_doc_item,
    normalize_doc_number,
    normalize_name,
    period_conflict,
)
from nq57.dedupe.reconcile import QUALIFIER_COST, Part, Reconciled, reconcile, split_parts

FEATURES: tuple[str, ...] = (
    "name", "tokens", "numbers", "period", "object", "doc", "deadline", "product", "lead_agency",
)
# Two names that each carry at least this many words the other lacks, once abbreviations, slips and
# qualifiers are reconciled, name different objects (`object` = 0). On the tune part of the labelled
# set, 7 of 2,281 true pairs had two such words and none more; 19 of 22 look-alikes scoring >= 0.6 had
# two or more.
OBJECT_WORDS = 2

# Documents of one programme: a task of 57-NQ/TW is carried into the Government's action programme
# (03/NQ-CP, updated by 71/NQ-CP), so the NQ71 file may cite the programme where the NQ57 file cites
# the resolution. Related, not equal: `doc` scores such a pair 0.5.
DOCUMENT_FAMILIES: dict[str, str] = {
    "57-NQ-TW": "NQ57",
    "4-TB-BCDTW": "NQ57",  # the Steering Committee's conclusions, tracked in both systems (domain brief §2)
    "57-NQ": "NQ57",
    "71-NQ-CP": "NQ57",
    "3-NQ-CP": "NQ57",
}

DEADLINE_HALF_LIFE_DAYS = 30.0

# The `tokens` feature is shared / (shared + differing) over IDF-weighted words, where `differing`
# charges words each name has and the other lacks as substitutions (both sides differ: another
# subject, `đất đai` vs `dân cư`) or insertions (only one side has extra words: a clause or filler
# left out or added). Plain weighted Jaccard is SUBSTITUTION_COST = 2, INSERTION_COST = 1; the
# synthetic set chose 2.5 and 0.5, the tune part of the independent set raised the substitution
# cost to 4 (look-alikes of one agency differ by a few common words: `nhân lực`, `chuyển đổi số`).
SUBSTITUTION_COST = 4.0
INSERTION_COST = 0.5


@dataclass(frozen=True)
class Weights:
    """Weights of the weighted mean over the features both sides have, and the conflict factors.

    The weights were chosen on the synthetic set (`dedupe_synthetic`) and kept; the conflict factors
    (`period_conflict`, `object_conflict`) and the thresholds were set on the tune part of the
    independent labelled set (`nq57.devtools.dedupe_evaluate`; figures in README).
    """

    # Name evidence dominates (0.70 together); `tokens` outweighs `name` because character
    # similarity is high for any two tasks built on one template, while the rare words are what
    # tells them apart. Metadata breaks ties: the document and item are the most reliable of it;
    # deadlines get extended and products are often left blank, so they count less.
    name: float = 0.25
    tokens: float = 0.45
    doc: float = 0.15
    deadline: float = 0.10
    product: float = 0.05
    # A pair whose names carry conflicting numbers (`tháng 6/2025` vs `tháng 7/2025`) is scaled by
    # this: recurring reports differ only in such a number.
    number_conflict: float = 0.6
    # A pair whose names name different periods (`tháng 6/2025` vs `tháng 7/2025`, `năm 2026` vs `năm
    # 2027`) is scaled by this: below any review threshold, so recurring reports never link across periods.
    period_conflict: float = 0.5
    # A pair whose names each carry words the other lacks (`OBJECT_WORDS`): two decrees of one item,
    # two databases. Scaled into the review band at most: a reviewer can still confirm a heavy rewording.
    object_conflict: float = 0.75

    def as_dict(self) -> dict[str, float]:
        return {
            "name": self.name,
            "tokens": self.tokens,
            "doc": self.doc,
            "deadline": self.deadline,
            "product": self.product,
            "number_conflict": self.number_conflict,
            "period_conflict": self.period_conflict,
            "object_conflict": self.object_conflict,
        }


# --------------------------------------------------------------------------------------------------
# Preparation: the normal forms of one system's tasks, computed once
# --------------------------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _as_date(value: Any) -> date | None:
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):  # also pd.Timestamp; a datetime never equals a date
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


@lru_cache(maxsize=4096)
def _normalize_short(text: str | None) -> str:
    # Products repeat a lot (`Nghị định`, `Báo cáo`): normalise each distinct one once.
    return normalize_name(text)


@dataclass(frozen=True)
class Prepared:
    """One system's tasks in the normal forms the features compare, as plain lists (row order kept).

    Plain lists rather than a DataFrame: the linker reads single rows thousands of times, and
    `DataFrame.iloc` costs ~100 us a call."""

    codes: list[str]
    agencies: list[str | None]
    link_codes: list[str | None]
    names: list[str]
    sorted_names: list[str]  # words in alphabetical order: `ratio` on these is `token_sort_ratio`
    tokens: list[frozenset[str]]
    numbers: list[frozenset[str]]
    docs: list[str]
    items: list[str]
    deadlines: list[tuple[date | None, str]]
    products: list[str]
    parts: list[list[Part]]  # the name's clauses, for `reconcile`

    def __len__(self) -> int:
        return len(self.codes)


def prepare(tasks: pd.DataFrame) -> Prepared:
    """Normalise one system's task frame (columns as in `match.TASK_COLUMNS`)."""
    punctuated = [name_tokens(_text(v)) for v in tasks["task_name"]]
    names = [" ".join(t for t in tokens if t not in ",()") for tokens in punctuated]
    return Prepared(
        codes=[_text(v) or "" for v in tasks["task_code"]],
        agencies=[_text(v) for v in tasks["lead_agency_code"]],
        link_codes=[_text(v) for v in tasks["link_code"]],
        names=names,
        sorted_names=[" ".join(sorted(n.split())) for n in names],
        tokens=[frozenset(n.split()) for n in names],
        numbers=[frozenset(t for t in n.split() if t.isdigit()) for n in names],
        docs=[normalize_doc_number(_text(v)) for v in tasks["assigning_doc"]],
        items=[normalize_doc_item(_text(v)) for v in tasks["doc_item"]],
        deadlines=[
            (_as_date(day), (_text(kind) or "NGAY").upper())
            for day, kind in zip(tasks["deadline_date"], tasks["deadline_type"], strict=True)
        ],
        products=[_normalize_short(_text(v)) for v in tasks["product"]],
        parts=[split_parts(tokens) for tokens in punctuated],
    )


# IDF prior: as if every month also held IDF_PRIOR_NAMES names in which each word appears at the
# rate IDF_PRIOR_RATE. Invisible at a month's ~1,500 names; with a handful of names (a test, a small
# resubmission) it keeps the weights near-uniform instead of zeroing every shared word.
IDF_PRIOR_NAMES = 20
IDF_PRIOR_RATE = 0.05


def idf_weights(token_sets: Iterable[frozenset[str]]) -> dict[str, float]:
    """Inverse document frequency of each word over all task names of the month (both systems).

    `log((n + P) / (df + P * r))`, i.e. the textbook `log(n / df)` with a small prior (above). A word
    in most names (`xay`, `dung`) weighs little, a word in one name weighs most. Not scikit-learn's
    `log((1+n)/(1+df)) + 1`: its `+ 1` keeps boilerplate (`phu hop voi mo hinh chinh quyen dia phuong
    2 cap`) at a third of a rare word's weight, enough for a dropped clause to sink a true pair.
    """
    counts: dict[str, int] = {}
    n = 0
    for tokens in token_sets:
        n += 1
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    prior = IDF_PRIOR_NAMES * IDF_PRIOR_RATE
    return {t: math.log((n + IDF_PRIOR_NAMES) / (df + prior)) for t, df in counts.items()}


def document_frequencies(token_sets: Iterable[frozenset[str]]) -> dict[str, int]:
    """In how many names of the month each word occurs (both systems)."""
    counts: dict[str, int] = {}
    for tokens in token_sets:
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    return counts


def spelling_map(token_sets: Iterable[frozenset[str]], cutoff: float = 85.0) -> dict[str, str]:
    """Words seen once this month that are one slip away from a word seen at least 3 times -> that word.

    A typo (`chuyn`, `chih`) would otherwise be the rarest, heaviest word of its name and make a true
    pair look like two tasks with different subjects. Only words of 4+ letters sharing the first
    letter, with `ratio` >= `cutoff` (one dropped letter in a 5-letter syllable is 89), so real
    distinct words (`trung` / `truong`, both frequent) are never merged.
    """
    counts: dict[str, int] = {}
    for tokens in token_sets:
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    frequent: dict[str, list[str]] = {}
    for token in sorted(counts):
        if counts[token] >= 3 and len(token) >= 4 and not token.isdigit():
            frequent.setdefault(token[0], []).append(token)
    mapping: dict[str, str] = {}
    for token in sorted(counts):
        if counts[token] != 1 or len(token) < 4 or token.isdigit():
            continue
        choices = frequent.get(token[0])
        if choices:
            best = process.extractOne(token, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
            if best is not None:
                mapping[token] = best[0]
    return mapping


def respell(prepared: Prepared, mapping: dict[str, str]) -> Prepared:
    """`prepared` with its word sets (the `tokens` feature's input) respelled by `spelling_map`."""
    if not mapping:
        return prepared
    tokens = [frozenset(mapping.get(t, t) for t in ts) if not ts.isdisjoint(mapping) else ts for ts in prepared.tokens]
    return replace(prepared, tokens=tokens)


# --------------------------------------------------------------------------------------------------
# Scalar feature definitions (applied to the distinct values of a block, then broadcast)
# --------------------------------------------------------------------------------------------------


# Pure and called with few distinct arguments across blocks: cached.
@lru_cache(maxsize=65_536)
def document_score(doc_a: str, doc_b: str) -> float:
    """1.0 same document; 0.9 when one side wrote a shorthand without issuer (`NQ 57` ~ `57-NQ/TW`);
    0.5 different documents of one programme (57-NQ/TW vs 71/NQ-CP); 0.0 unrelated; NaN if one is missing."""
    if not doc_a or not doc_b:
        return math.nan
    if documents_compatible(doc_a, doc_b):
        return 1.0 if doc_a == doc_b else 0.9
    family_a, family_b = DOCUMENT_FAMILIES.get(doc_a), DOCUMENT_FAMILIES.get(doc_b)
    return 0.5 if family_a is not None and family_a == family_b else 0.0


# Pure and called with few distinct arguments across blocks: cached.
@lru_cache(maxsize=65_536)
def item_factor(item_a: str, item_b: str) -> float:
    """Within one document: compatible items (`II.3.h` vs `3.h`) 1.0, an item on one side only 0.9,
    no item on either side 1.0, different items 0.3 (usually different tasks of one notice)."""
    if item_a and item_b:
        return 1.0 if items_compatible(item_a, item_b) else 0.3
    return 0.9 if item_a or item_b else 1.0


# Pure and called with few distinct arguments across blocks: cached.
@lru_cache(maxsize=65_536)
def deadline_score(a: tuple[date | None, str], b: tuple[date | None, str]) -> float:
    """1 when the deadlines agree as periods, halving every 30 days apart.

    Regular tasks (`Thường xuyên`, `Hằng năm`) have no date: both regular 1.0 (0.75 if of different
    kinds), regular vs dated 0.5 (`Hoàn thành trước 20/6 và thực hiện thường xuyên` is typed either
    way). NaN when a dated type lacks its date.
    """
    (day_a, kind_a), (day_b, kind_b) = a, b
    regular_a, regular_b = kind_a in UNDATED_TYPES, kind_b in UNDATED_TYPES
    if regular_a and regular_b:
        return 1.0 if kind_a == kind_b else 0.75
    if regular_a or regular_b:
        dated_day = day_b if regular_a else day_a
        return 0.5 if dated_day is not None else math.nan
    if day_a is None or day_b is None:
        return math.nan
    distance = deadline_distance_days(day_a, day_b, kind_a, kind_b)
    if distance is None:
        return math.nan
    return 0.5 ** (distance / DEADLINE_HALF_LIFE_DAYS)


def _unique_matrix(values_a: Sequence[Any], values_b: Sequence[Any], fn: Any) -> np.ndarray:
    """`fn` over every (a, b) pair, computed once per distinct value pair (blocks repeat values a lot)."""
    index_a: dict[Any, int] = {}
    index_b: dict[Any, int] = {}
    codes_a = np.fromiter((index_a.setdefault(v, len(index_a)) for v in values_a), dtype=np.intp, count=len(values_a))
    codes_b = np.fromiter((index_b.setdefault(v, len(index_b)) for v in values_b), dtype=np.intp, count=len(values_b))
    small = np.empty((len(index_a), len(index_b)), dtype=np.float64)
    for va, i in index_a.items():
        for vb, j in index_b.items():
            small[i, j] = fn(va, vb)
    return small[np.ix_(codes_a, codes_b)]


def _binary(sets: Sequence[frozenset[str]], vocabulary: dict[str, int]) -> np.ndarray:
    matrix = np.zeros((len(sets), len(vocabulary)), dtype=np.float64)
    for row, tokens in enumerate(sets):
        for token in tokens:
            matrix[row, vocabulary[token]] = 1.0
    return matrix


# --------------------------------------------------------------------------------------------------
# Block features
# --------------------------------------------------------------------------------------------------


def block_features(
    left: Prepared, rows: Sequence[int], right: Prepared, cols: Sequence[int], idf: dict[str, float]
) -> dict[str, np.ndarray]:
    """All features for every (rows[a], cols[b]) pair, as len(rows) x len(cols) matrices."""
    n, m = len(rows), len(cols)
    # token_sort_ratio(a, b) == ratio(sorted words of a, sorted words of b): sorting each name once
    # instead of once per pair halves the cost. Two threads only pay off on large blocks.
    workers = -1 if n * m >= 20_000 else 1
    names_a, names_b = [left.names[i] for i in rows], [right.names[j] for j in cols]
    ratio = process.cdist(names_a, names_b, scorer=fuzz.ratio, dtype=np.float32, workers=workers)
    sorted_a, sorted_b = [left.sorted_names[i] for i in rows], [right.sorted_names[j] for j in cols]
    token_sort = process.cdist(sorted_a, sorted_b, scorer=fuzz.ratio, dtype=np.float32, workers=workers)
    name = np.maximum(ratio, token_sort).astype(np.float64) / 100.0

    sets_a, sets_b = [left.tokens[i] for i in rows], [right.tokens[j] for j in cols]
    # Sorted: a fixed summation order keeps scores (and so ties) identical from run to run.
    vocabulary = {t: k for k, t in enumerate(sorted(set().union(*sets_a, *sets_b)))}
    weights = np.array([idf.get(t, 1.0) for t in vocabulary], dtype=np.float64)
    bin_a, bin_b = _binary(sets_a, vocabulary), _binary(sets_b, vocabulary)
    shared = (bin_a * weights) @ bin_b.T
    only_a = (bin_a @ weights)[:, None] - shared
    only_b = (bin_b @ weights)[None, :] - shared
    differing = SUBSTITUTION_COST * np.minimum(only_a, only_b) + INSERTION_COST * np.abs(only_a - only_b)
    tokens = np.divide(shared, shared + differing, out=np.zeros((n, m)), where=(shared + differing) > 0)

    nums_a, nums_b = [left.numbers[i] for i in rows], [right.numbers[j] for j in cols]
    num_vocab = {t: k for k, t in enumerate(sorted(set().union(*nums_a, *nums_b)))}
    if num_vocab:
        nbin_a, nbin_b = _binary(nums_a, num_vocab), _binary(nums_b, num_vocab)
        common = nbin_a @ nbin_b.T
        size_a, size_b = nbin_a.sum(axis=1)[:, None], nbin_b.sum(axis=1)[None, :]
        either = size_a + size_b - common
        compatible = (size_a == 0) | (size_b == 0) | (common == np.minimum(size_a, size_b))
        jaccard = np.divide(common, either, out=np.ones((n, m)), where=either > 0)
        numbers = np.where(compatible, 1.0, jaccard)
    else:
        numbers = np.ones((n, m))

    # Documents and items separately: few distinct documents, and items only matter within one.
    document = _unique_matrix([left.docs[i] for i in rows], [right.docs[j] for j in cols], document_score)
    item = _unique_matrix([left.items[i] for i in rows], [right.items[j] for j in cols], item_factor)
    doc = np.where(document >= 0.9, document * item, document)
    deadline = _unique_matrix([left.deadlines[i] for i in rows], [right.deadlines[j] for j in cols], deadline_score)
    product = _unique_matrix([left.products[i] for i in rows], [right.products[j] for j in cols], product_score)
    lead_agency = _unique_matrix(
        [left.agencies[i] for i in rows],
        [right.agencies[j] for j in cols],
        lambda a, b: 1.0 if a is not None and a == b else 0.0,  # two unknown agencies are not "the same"
    )
    return {
        "name": name,
        "tokens": tokens,
        "numbers": numbers,
        "period": np.ones((n, m)),
        "object": np.ones((n, m)),
        "doc": doc,
        "deadline": deadline,
        "product": product,
        "lead_agency": lead_agency,
    }


# Candidate pairs for the word-level pass: every pair scoring at least CANDIDATE_FLOOR in the
# block-level pass, and each task's CANDIDATES_PER_TASK best partners scoring at least CANDIDATE_MIN.
CANDIDATE_FLOOR = 0.55
CANDIDATES_PER_TASK = 2
CANDIDATE_MIN = 0.2


def candidates(score: np.ndarray) -> list[tuple[int, int]]:
    """The cells of a block worth the word-level pass, in row-major order."""
    n, m = score.shape
    if n == 0 or m == 0:
        return []
    chosen = score >= CANDIDATE_FLOOR
    k = min(CANDIDATES_PER_TASK, m)
    best_cols = np.argpartition(-score, k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(n), k)
    chosen[rows, best_cols.ravel()] |= score[rows, best_cols.ravel()] >= CANDIDATE_MIN
    k = min(CANDIDATES_PER_TASK, n)
    best_rows = np.argpartition(-score, k - 1, axis=0)[:k, :]
    cols = np.tile(np.arange(m), k)
    chosen[best_rows.ravel(), cols] |= score[best_rows.ravel(), cols] >= CANDIDATE_MIN
    return [(int(a), int(b)) for a, b in zip(*np.nonzero(chosen), strict=True)]


def word_scores(rec: Reconciled, idf: dict[str, float]) -> dict[str, float]:
    """`name`, `tokens`, `numbers`, `period` and `object` of a reconciled pair (see the module table)."""
    set_a, set_b = set(rec.core_a), set(rec.core_b)

    def weight(words: Iterable[str]) -> float:
        return sum(idf.get(w, 1.0) for w in words)

    shared = weight(set_a & set_b)
    only_a, only_b = weight(set_a - set_b), weight(set_b - set_a)
    qualifier = weight(set(rec.qualifier_a) - set_b) + weight(set(rec.qualifier_b) - set_a)
    differing = (SUBSTITUTION_COST * min(only_a, only_b) + INSERTION_COST * abs(only_a - only_b)
                 + QUALIFIER_COST * qualifier)
    tokens = shared / (shared + differing) if shared + differing > 0 else 0.0
    core_a, core_b = " ".join(rec.core_a), " ".join(rec.core_b)
    name = max(fuzz.ratio(core_a, core_b), fuzz.ratio(" ".join(sorted(rec.core_a)), " ".join(sorted(rec.core_b))))
    nums_a = {w for w in set_a if w.isdigit()}
    nums_b = {w for w in set_b if w.isdigit()}
    if nums_a and nums_b and not (nums_a <= nums_b or nums_b <= nums_a):
        numbers = len(nums_a & nums_b) / len(nums_a | nums_b)
    else:
        numbers = 1.0
    period = 0.0 if period_conflict(rec.core_a, rec.core_b) else 1.0
    # Counted with repeats: `cơ sở dữ liệu ... chuyển đổi số` lacks one `số` where the other has one.
    count_a, count_b = Counter(rec.core_a), Counter(rec.core_b)
    different = min(sum((count_a - count_b).values()), sum((count_b - count_a).values())) >= OBJECT_WORDS
    return {"name": name / 100.0, "tokens": tokens, "numbers": numbers, "period": period,
            "object": 0.0 if different else 1.0}


def refine(
    left: Prepared,
    rows: Sequence[int],
    right: Prepared,
    cols: Sequence[int],
    features: dict[str, np.ndarray],
    cells: Iterable[tuple[int, int]],
    idf: dict[str, float],
    df: dict[str, int],
) -> dict[tuple[int, int], Reconciled]:
    """The word-level pass: for each cell (a, b), reconcile the two names (`reconcile.reconcile`) and
    overwrite `name`, `tokens`, `numbers` and `period` in `features` with the reconciled scores.
    Returns the reconciliation of each cell, for the evidence."""
    out: dict[tuple[int, int], Reconciled] = {}
    for a, b in cells:
        rec = reconcile(left.parts[rows[a]], right.parts[cols[b]], idf, df)
        for key, value in word_scores(rec, idf).items():
            features[key][a, b] = value
        out[(a, b)] = rec
    return out


@dataclass
class ScoredBlock:
    """A block's features (matrices), its combined scores, the cells that had the word-level pass and
    their reconciliations."""

    features: dict[str, np.ndarray]
    score: np.ndarray
    cells: list[tuple[int, int]]
    reconciled: dict[tuple[int, int], Reconciled]


def score_block(
    left: Prepared,
    rows: Sequence[int],
    right: Prepared,
    cols: Sequence[int],
    idf: dict[str, float],
    df: dict[str, int],
    weights: Weights,
    cells: list[tuple[int, int]] | None = None,
) -> ScoredBlock:
    """Both passes over a block: block-level features for every pair, then the word-level pass on
    `cells` (default: `candidates` of the block-level scores), then the combined score."""
    features = block_features(left, rows, right, cols, idf)
    if cells is None:
        cells = candidates(combine(features, weights))
    reconciled = refine(left, rows, right, cols, features, cells, idf, df)
    return ScoredBlock(features, combine(features, weights), cells, reconciled)


# Pure and called with few distinct arguments across blocks: cached.
@lru_cache(maxsize=65_536)
def product_score(a: str, b: str) -> float:
    """`token_set_ratio` on normalised products: `Nghị định` is contained in `Dự thảo Nghị định`."""
    return fuzz.token_set_ratio(a, b) / 100.0 if a and b else math.nan


def combine(features: dict[str, np.ndarray], weights: Weights) -> np.ndarray:
    """Weighted mean of the features present for a pair (NaN ones drop out of numerator and
    denominator), scaled down when the names' numbers conflict. `lead_agency` is the blocking key,
    not a weight: outside a block nothing is scored."""
    parts = (
        ("name", weights.name),
        ("tokens", weights.tokens),
        ("doc", weights.doc),
        ("deadline", weights.deadline),
        ("product", weights.product),
    )
    total = np.zeros_like(features["name"])
    weight_sum = np.zeros_like(features["name"])
    for key, weight in parts:
        values = features[key]
        present = ~np.isnan(values)
        total = total + np.where(present, values, 0.0) * weight
        weight_sum = weight_sum + present * weight
    mean = np.divide(total, weight_sum, out=np.zeros_like(total), where=weight_sum > 0)
    conflict = features["numbers"] < 1.0
    mean = np.where(conflict, mean * weights.number_conflict, mean)
    mean = np.where(features["object"] < 1.0, mean * weights.object_conflict, mean)
    return np.where(features["period"] < 1.0, mean * weights.period_conflict, mean)


def pair_evidence(
    left: Prepared,
    i: int,
    right: Prepared,
    j: int,
    features: dict[str, np.ndarray],
    cell: tuple[int, int],
    reconciled: Reconciled | None = None,
) -> dict[str, Any]:
    """JSON-serialisable evidence for the pair (left task i, right task j): every feature score (read
    from `features` at `cell`), the normal forms that were compared and, when the names were
    reconciled word by word, each decision (`acronym`, `typo`, `qualifier`)."""
    scores: dict[str, float | None] = {}
    for key in FEATURES:
        value = float(features[key][cell])
        scores[key] = None if math.isnan(value) else round(value, 4)
    (day_a, kind_a), (day_b, kind_b) = left.deadlines[i], right.deadlines[j]
    return {
        "features": scores,
        "nq57_name": left.names[i],
        "nq71_name": right.names[j],
        "nq57_doc": " ".join(p for p in (left.docs[i], left.items[i]) if p) or None,
        "nq71_doc": " ".join(p for p in (right.docs[j], right.items[j]) if p) or None,
        "nq57_deadline": f"{kind_a} {day_a.isoformat()}" if day_a else kind_a,
        "nq71_deadline": f"{kind_b} {day_b.isoformat()}" if day_b else kind_b,
        "deadline_distance_days": deadline_distance_days(day_a, day_b, kind_a, kind_b),
        "nq57_product": left.products[i] or None,
        "nq71_product": right.products[j] or None,
        "nq57_lead_agency": left.agencies[i],
        "nq71_lead_agency": right.agencies[j],
        "reconciled": reconciled.decisions if reconciled is not None else [],
        "nq57_core": reconciled.core_a if reconciled is not None else None,
        "nq71_core": reconciled.core_b if reconciled is not None else None,
    }
