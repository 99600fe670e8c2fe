"""Link each month's NQ57 tasks to its NQ71 tasks one-to-one (DESIGN §5).

Links, strongest first; a task linked by a stronger method is not offered to a weaker one:

1. `code` — `link_code` (the template's `ma_lien_ket`) written in either file names a task present in
   the other file this month. Two claims that disagree (X -> Y but Y -> Z, or two tasks claiming the
   same partner) link nothing and are reported in `conflicts`; the tasks go on to steps 2 and 3.
   Code links ignore the lead agency: the agency wrote the code, so a pair whose lead agency was
   recorded differently in the two systems is still linked.
2. `crosswalk` — pairs confirmed in earlier months or by a reviewer, when both codes are present.
3. `score` — a weighted feature score (`features.py`), computed only inside a block of one lead
   agency. By design a true pair whose lead agency differs between the systems is never proposed
   here; it can only be linked by code or crosswalk. Pairs a reviewer rejected are never proposed.
   Within a block the pairs are chosen by a maximum-weight assignment (scipy's
   `linear_sum_assignment`): a task takes part in one link at most, and the choice maximises the
   block's total instead of taking the best pair first (which can strand a task whose only good
   partner was taken by a slightly better pair). Each pair counts for its score minus the review
   threshold, so two barely reviewable pairs never outvote one certain pair.
   Assigned pairs scoring at least `Thresholds.auto` are linked; those in [`review`, `auto`) go to
   the review queue; a pair whose score ties exactly with another candidate of one of its tasks is
   arbitrary, so it goes to review even above `auto`.

Tasks in the review queue stay in `unmatched_*` until a reviewer confirms them (into the crosswalk).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from nq57.dedupe.features import (
    Weights,
    document_frequencies,
    idf_weights,
    pair_evidence,
    prepare,
    respell,
    score_block,
    spelling_map,
)
from nq57.dedupe.reconcile import Reconciled

TASK_COLUMNS: tuple[str, ...] = (
    "task_code",
    "task_name",
    "lead_agency_code",
    "assigning_doc",
    "doc_item",
    "deadline_date",
    "deadline_type",
    "product",
    "link_code",
)
PAIR_COLUMNS: tuple[str, ...] = ("nq57_task_code", "nq71_task_code", "lead_agency_code")
LINK_COLUMNS: tuple[str, ...] = (*PAIR_COLUMNS, "method", "score", "evidence")
CONFLICT_COLUMNS: tuple[str, ...] = (*PAIR_COLUMNS, "reason", "detail")
METHOD_ORDER = {"code": 0, "crosswalk": 1, "score": 2, "review": 3}
TIE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Thresholds:
    """Score bands: >= `auto` links, [`review`, `auto`) goes to a reviewer, below is no link.

    Chosen by `nq57.devtools.dedupe_evaluate.choose_thresholds` on the tune part of the independent
    labelled set (`dedupe_labelled`, seeds 100-119, 2,281 true pairs, 3,079 NQ71 tasks): `auto` is the
    lowest threshold from which automatic links keep precision >= 0.999 there (0.9991, recall 0.996),
    `review` the highest that still queues every true pair a queue of 4 % of the NQ71 tasks can reach
    (recall with the queue 0.9996). The held-out figures are in README (`make eval-dedupe`).
    """

    auto: float = 0.69
    review: float = 0.565

    def __post_init__(self) -> None:
        if not 0.0 < self.review <= self.auto <= 1.0:
            raise ValueError(f"need 0 < review <= auto <= 1, got review={self.review}, auto={self.auto}")


@dataclass
class LinkResult:
    """The month's links. `links` and `review` have `LINK_COLUMNS`; `conflicts` has `CONFLICT_COLUMNS`
    (disagreeing link codes, crosswalk rows overruled by a code, link codes that name no task)."""

    links: pd.DataFrame
    review: pd.DataFrame
    unmatched_nq57: list[str]
    unmatched_nq71: list[str]
    conflicts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(CONFLICT_COLUMNS)))


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _code(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _key(code: str) -> str:
    # Agencies retype the other system's code by hand: compare without case or inner spaces.
    return "".join(code.split()).casefold()


def _check(frame: pd.DataFrame, system: str) -> None:
    missing = [c for c in TASK_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{system} tasks lack columns {missing}")
    codes = frame["task_code"].map(_code)
    if codes.isna().any():
        raise ValueError(f"{system} tasks have an empty task_code")
    duplicated = sorted(set(codes[codes.map(_key).duplicated()]))
    if duplicated:
        raise ValueError(f"{system} task codes are not unique: {duplicated[:10]}")


def _pairs(frame: pd.DataFrame | None) -> list[tuple[str, str, str | None]]:
    if frame is None or frame.empty:
        return []
    agency = frame["lead_agency_code"] if "lead_agency_code" in frame.columns else pd.Series([None] * len(frame))
    out = []
    for a, b, c in zip(frame["nq57_task_code"], frame["nq71_task_code"], agency, strict=True):
        code_a, code_b = _code(a), _code(b)
        if code_a and code_b:
            out.append((code_a, code_b, _code(c)))
    return out


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    if "score" in frame.columns:
        frame["score"] = frame["score"].astype(float)
    return frame


# --------------------------------------------------------------------------------------------------
# The linker
# --------------------------------------------------------------------------------------------------


class _Linker:
    def __init__(
        self,
        nq57: pd.DataFrame,
        nq71: pd.DataFrame,
        thresholds: Thresholds,
        weights: Weights,
    ) -> None:
        left, right = prepare(nq57), prepare(nq71)
        spelling = spelling_map([*left.tokens, *right.tokens])
        self.left, self.right = respell(left, spelling), respell(right, spelling)
        self.left_codes = self.left.codes
        self.right_codes = self.right.codes
        self.left_index = {_key(c): i for i, c in enumerate(self.left_codes)}
        self.right_index = {_key(c): i for i, c in enumerate(self.right_codes)}
        self.thresholds = thresholds
        self.weights = weights
        # IDF over the whole month, both systems: stable whichever tasks were linked by code first.
        self.idf = idf_weights([*self.left.tokens, *self.right.tokens])
        self.df = document_frequencies([*left.tokens, *right.tokens])  # before respelling: slips stay rare
        self.linked_left: dict[int, int] = {}
        self.linked_right: dict[int, int] = {}
        self.links: list[dict[str, Any]] = []
        self.review: list[dict[str, Any]] = []
        self.conflicts: list[dict[str, Any]] = []

    # -- shared ------------------------------------------------------------------------------------

    def _agency(self, i: int | None, j: int | None) -> str | None:
        if i is not None and self.left.agencies[i]:
            return self.left.agencies[i]
        if j is not None:
            return self.right.agencies[j]
        return None

    def _evidence(self, pairs: list[tuple[int, int]]) -> list[dict[str, Any]]:
        """The scored features of pairs linked by code or crosswalk, so a link whose names disagree
        shows it. Computed as one small block per NQ57 agency (the matrix's diagonal is the pairs):
        one call per pair would cost ~0.4 ms each."""
        groups: dict[str | None, list[int]] = defaultdict(list)
        for k, (i, _) in enumerate(pairs):
            groups[self.left.agencies[i]].append(k)
        out: list[dict[str, Any]] = [{} for _ in pairs]
        for members in groups.values():
            rows = [pairs[k][0] for k in members]
            cols = [pairs[k][1] for k in members]
            diagonal = [(d, d) for d in range(len(members))]
            block = score_block(self.left, rows, self.right, cols, self.idf, self.df, self.weights, diagonal)
            features, scores = block.features, block.score
            for d, k in enumerate(members):
                evidence = pair_evidence(self.left, rows[d], self.right, cols[d], features, (d, d),
                                         block.reconciled[(d, d)])
                evidence["feature_score"] = round(float(scores[d, d]), 4)
                out[k] = evidence
        return out

    def _link(self, i: int, j: int, method: str, evidence: dict[str, Any]) -> None:
        self.linked_left[i] = j
        self.linked_right[j] = i
        self.links.append(
            {
                "nq57_task_code": self.left_codes[i],
                "nq71_task_code": self.right_codes[j],
                "lead_agency_code": self._agency(i, j),
                "method": method,
                "score": 1.0,
                "evidence": evidence,
            }
        )

    def _conflict(self, nq57: str | None, nq71: str | None, agency: str | None, reason: str, detail: str) -> None:
        self.conflicts.append(
            {
                "nq57_task_code": nq57,
                "nq71_task_code": nq71,
                "lead_agency_code": agency,
                "reason": reason,
                "detail": detail,
            }
        )

    # -- 1. link codes -----------------------------------------------------------------------------

    def link_by_code(self, rejected: set[tuple[str, str]]) -> None:
        claims: dict[tuple[int, int], set[str]] = defaultdict(set)
        for side, prepared, codes, other_index, other_name in (
            ("nq57", self.left, self.left_codes, self.right_index, "NQ71"),
            ("nq71", self.right, self.right_codes, self.left_index, "NQ57"),
        ):
            for row, target in enumerate(prepared.link_codes):
                if target is None:
                    continue
                other = other_index.get(_key(target))
                if other is None:
                    pair = (codes[row], None) if side == "nq57" else (None, codes[row])
                    agency = self._agency(row, None) if side == "nq57" else self._agency(None, row)
                    self._conflict(
                        *pair,
                        agency,
                        "link_code_not_found",
                        f"{side} {codes[row]} names {target}, absent from {other_name} this month",
                    )
                    continue
                pair_index = (row, other) if side == "nq57" else (other, row)
                claims[pair_index].add(side)

        per_left: dict[int, set[int]] = defaultdict(set)
        per_right: dict[int, set[int]] = defaultdict(set)
        for i, j in claims:
            per_left[i].add(j)
            per_right[j].add(i)
        accepted: list[tuple[int, int, set[str]]] = []
        for (i, j), sides in sorted(claims.items()):
            if len(per_left[i]) > 1 or len(per_right[j]) > 1:
                others = sorted(
                    {self.right_codes[k] for k in per_left[i] if k != j}
                    | {self.left_codes[k] for k in per_right[j] if k != i}
                )
                self._conflict(
                    self.left_codes[i],
                    self.right_codes[j],
                    self._agency(i, j),
                    "conflicting_link_codes",
                    f"claimed by {'+'.join(sorted(sides))}; the same task is also linked by code to {others}",
                )
                continue
            accepted.append((i, j, sides))
        evidences = self._evidence([(i, j) for i, j, _ in accepted])
        for (i, j, sides), evidence in zip(accepted, evidences, strict=True):
            evidence["link_code_from"] = "both" if len(sides) == 2 else sorted(sides)[0]
            if (_key(self.left_codes[i]), _key(self.right_codes[j])) in rejected:
                evidence["previously_rejected"] = True
                self._conflict(
                    self.left_codes[i],
                    self.right_codes[j],
                    self._agency(i, j),
                    "rejected_pair_linked_by_code",
                    "a reviewer rejected this pair, but an agency wrote it as link_code; linked by code",
                )
            self._link(i, j, "code", evidence)

    # -- 2. crosswalk ------------------------------------------------------------------------------

    def link_by_crosswalk(self, crosswalk: list[tuple[str, str, str | None]]) -> None:
        present: dict[tuple[int, int], str | None] = {}
        for code_a, code_b, agency in crosswalk:
            i, j = self.left_index.get(_key(code_a)), self.right_index.get(_key(code_b))
            if i is not None and j is not None:
                present.setdefault((i, j), agency)  # the same pair confirmed twice is one pair
        per_left: dict[int, set[int]] = defaultdict(set)
        per_right: dict[int, set[int]] = defaultdict(set)
        for i, j in present:
            per_left[i].add(j)
            per_right[j].add(i)
        accepted: list[tuple[int, int]] = []
        for (i, j), agency in sorted(present.items()):
            if self.linked_left.get(i) == j:
                continue  # the link code already says the same
            if i in self.linked_left or j in self.linked_right:
                self._conflict(
                    self.left_codes[i],
                    self.right_codes[j],
                    agency or self._agency(i, j),
                    "crosswalk_superseded_by_code",
                    "a link code this month pairs one of these tasks with another task",
                )
                continue
            if len(per_left[i]) > 1 or len(per_right[j]) > 1:
                self._conflict(
                    self.left_codes[i],
                    self.right_codes[j],
                    agency or self._agency(i, j),
                    "conflicting_crosswalk",
                    "the crosswalk pairs one of these tasks with more than one task present this month",
                )
                continue
            accepted.append((i, j))
        for (i, j), evidence in zip(accepted, self._evidence(accepted), strict=True):
            self._link(i, j, "crosswalk", evidence)

    # -- 3. scores ---------------------------------------------------------------------------------

    def link_by_score(self, rejected: dict[str, set[str]]) -> None:
        free_left = [i for i in range(len(self.left)) if i not in self.linked_left]
        free_right = [j for j in range(len(self.right)) if j not in self.linked_right]
        left_agency, right_agency = self.left.agencies, self.right.agencies
        blocks_left: dict[str, list[int]] = defaultdict(list)
        blocks_right: dict[str, list[int]] = defaultdict(list)
        for i in free_left:
            if left_agency[i]:
                blocks_left[left_agency[i]].append(i)
        for j in free_right:
            if right_agency[j]:
                blocks_right[right_agency[j]].append(j)
        for agency in sorted(set(blocks_left) & set(blocks_right)):
            self._score_block(agency, blocks_left[agency], blocks_right[agency], rejected)

    def _score_block(self, agency: str, rows: list[int], cols: list[int], rejected: dict[str, set[str]]) -> None:
        # Two passes: the block-level scores find the candidates, the word-level pass (acronyms,
        # typing slips, one-sided qualifiers, periods) rescores them. Other cells are never proposed.
        block = score_block(self.left, rows, self.right, cols, self.idf, self.df, self.weights)
        features, score, reconciled = block.features, block.score.copy(), block.reconciled
        outside = np.ones(score.shape, dtype=bool)
        if block.cells:
            outside[tuple(np.array(block.cells).T)] = False
        score[outside] = np.minimum(score[outside], self.thresholds.review - 1e-6)
        for a, i in enumerate(rows):
            refused = rejected.get(_key(self.left_codes[i]))
            if refused:
                for b, j in enumerate(cols):
                    if _key(self.right_codes[j]) in refused:
                        score[a, b] = 0.0  # a reviewer said "Sai": never proposed again
        candidate = score >= self.thresholds.review
        if not candidate.any():
            return
        # Assign only among tasks that have a candidate at all (keeps the matrices small); a
        # non-candidate cell costs 0, so choosing it is the same as leaving both tasks unlinked.
        active_rows = np.flatnonzero(candidate.any(axis=1))
        active_cols = np.flatnonzero(candidate.any(axis=0))
        sub_score = score[np.ix_(active_rows, active_cols)]
        sub_candidate = candidate[np.ix_(active_rows, active_cols)]
        # A pair is worth the square of what it scores above the review threshold. Maximising raw
        # scores would value two barely reviewable pairs (0.66 + 0.66) over one certain pair (0.95)
        # and break certain links to make room for doubtful ones; squaring the excess also keeps a
        # certain pair (1.0) ahead of a likely one plus a doubtful one (0.88 + 0.68), the shape of a
        # task whose look-alike lost its own partner (independent labelled set, two_databases).
        cost = np.where(sub_candidate, -np.square(sub_score - self.thresholds.review), 0.0)
        assigned_rows, assigned_cols = linear_sum_assignment(cost)
        for r, c in zip(assigned_rows, assigned_cols, strict=True):
            if not sub_candidate[r, c]:
                continue
            a, b = int(active_rows[r]), int(active_cols[c])
            self._emit_scored(agency, rows, cols, score, candidate, features, a, b, reconciled.get((a, b)))

    def _emit_scored(
        self,
        agency: str,
        rows: list[int],
        cols: list[int],
        score: np.ndarray,
        candidate: np.ndarray,
        features: dict[str, np.ndarray],
        a: int,
        b: int,
        reconciled: Reconciled | None,
    ) -> None:
        i, j = rows[a], cols[b]
        value = float(score[a, b])
        evidence = pair_evidence(self.left, i, self.right, j, features, (a, b), reconciled)
        evidence["weights"] = self.weights.as_dict()
        evidence["feature_score"] = round(value, 4)

        # The best other candidate of each task: shows the reviewer how clear-cut the choice was.
        row_alt = np.where(candidate[a], score[a], -np.inf)
        row_alt[b] = -np.inf
        col_alt = np.where(candidate[:, b], score[:, b], -np.inf)
        col_alt[a] = -np.inf
        alternatives: dict[str, Any] = {}
        tie = False
        if np.isfinite(row_alt.max()):
            k = int(row_alt.argmax())
            alternatives["nq57_next_best"] = {
                "nq71_task_code": self.right_codes[cols[k]],
                "score": round(float(row_alt[k]), 4),
            }
            tie |= abs(float(row_alt[k]) - value) <= TIE_TOLERANCE
        if np.isfinite(col_alt.max()):
            k = int(col_alt.argmax())
            alternatives["nq71_next_best"] = {
                "nq57_task_code": self.left_codes[rows[k]],
                "score": round(float(col_alt[k]), 4),
            }
            tie |= abs(float(col_alt[k]) - value) <= TIE_TOLERANCE
        evidence["alternatives"] = alternatives
        evidence["tie"] = tie

        record = {
            "nq57_task_code": self.left_codes[i],
            "nq71_task_code": self.right_codes[j],
            "lead_agency_code": agency,
            "score": round(value, 4),
            "evidence": evidence,
        }
        if value >= self.thresholds.auto and not tie:
            self.linked_left[i] = j
            self.linked_right[j] = i
            self.links.append({**record, "method": "score"})
        else:
            self.review.append({**record, "method": "review"})

    # -- result ------------------------------------------------------------------------------------

    def result(self) -> LinkResult:
        links = _frame(self.links, LINK_COLUMNS)
        if not links.empty:
            links = links.sort_values(
                by=["method", "score", "nq57_task_code"],
                key=lambda s: s.map(METHOD_ORDER) if s.name == "method" else (-s if s.name == "score" else s),
                kind="stable",
            ).reset_index(drop=True)
        review = _frame(self.review, LINK_COLUMNS)
        if not review.empty:
            review = review.sort_values(
                by=["score", "nq57_task_code"], ascending=[False, True], kind="stable"
            ).reset_index(drop=True)
        return LinkResult(
            links=links,
            review=review,
            unmatched_nq57=[c for i, c in enumerate(self.left_codes) if i not in self.linked_left],
            unmatched_nq71=[c for j, c in enumerate(self.right_codes) if j not in self.linked_right],
            conflicts=_frame(self.conflicts, CONFLICT_COLUMNS),
        )


def link_tasks(
    nq57: pd.DataFrame,
    nq71: pd.DataFrame,
    crosswalk: pd.DataFrame | None = None,
    rejected: pd.DataFrame | None = None,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - frozen, so one shared default is safe
    weights: Weights = Weights(),  # noqa: B008
) -> LinkResult:
    """Link this month's NQ57 tasks to its NQ71 tasks; see the module docstring for the rules.

    `nq57`, `nq71`: one frame per system with `TASK_COLUMNS`, task codes unique per frame.
    `crosswalk`, `rejected`: frames with `nq57_task_code, nq71_task_code, lead_agency_code`.
    """
    _check(nq57, "NQ57")
    _check(nq71, "NQ71")
    rejected_pairs = {(_key(a), _key(b)) for a, b, _ in _pairs(rejected)}
    linker = _Linker(nq57, nq71, thresholds, weights)
    linker.link_by_code(rejected_pairs)
    linker.link_by_crosswalk(_pairs(crosswalk))
    refused: dict[str, set[str]] = defaultdict(set)
    for a, b in rejected_pairs:
        refused[a].add(b)
    linker.link_by_score(refused)
    return linker.result()
