"""The independent labelled set and the evaluation on it: independence, coverage, targets, Splink beside."""

from __future__ import annotations

import ast
import inspect
from collections import Counter

import pytest

from nq57.dedupe.match import Thresholds
from nq57.devtools import dedupe_labelled
from nq57.devtools.dedupe_evaluate import TARGETS, choose_thresholds, evaluate, months, targets_met
from nq57.devtools.dedupe_labelled import (
    NEGATIVE_KINDS,
    POSITIVE_KINDS,
    TEST_SEEDS,
    TUNE_SEEDS,
    labelled_month,
    split_families,
)


def test_labelled_set_imports_nothing_from_the_matching_code() -> None:
    tree = ast.parse(inspect.getsource(dedupe_labelled))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not {m for m in imported if m and (m.startswith("nq57") or m.startswith("rapidfuzz"))}


def test_labelled_month_is_deterministic_and_splits_are_disjoint() -> None:
    one, again = labelled_month(3, "test"), labelled_month(3, "test")
    assert one.nq57.equals(again.nq57) and one.nq71.equals(again.nq71) and one.truth == again.truth
    assert not split_families("tune") & split_families("test")
    assert not set(TUNE_SEEDS) & set(TEST_SEEDS)
    assert one.nq57["task_code"].is_unique and one.nq71["task_code"].is_unique
    assert one.nq57["link_code"].isna().all() and one.nq71["link_code"].isna().all()  # wording alone


def test_every_kind_is_present_in_combination_with_hard_negatives_of_every_kind() -> None:
    kinds: Counter = Counter()
    traps: Counter = Counter()
    per_pair: Counter = Counter()
    for month in months(TEST_SEEDS[:5], "test"):
        for carried in month.positive_kinds.values():
            kinds.update(carried)
            per_pair[len(carried)] += 1
        traps.update(month.traps.values())
        by57 = dict(zip(month.nq57["task_code"], month.nq57["lead_agency_code"], strict=True))
        by71 = dict(zip(month.nq71["task_code"], month.nq71["lead_agency_code"], strict=True))
        assert all(by57[a] == by71[b] for a, b in month.truth)
    assert set(kinds) == set(POSITIVE_KINDS)
    assert set(per_pair) <= {2, 3} and per_pair[3] > 0  # two or three kinds per pair
    assert set(traps) == set(NEGATIVE_KINDS)


@pytest.mark.slow
def test_independent_set_meets_the_targets_on_fixed_seeds() -> None:
    report = evaluate(tune_seeds=TUNE_SEEDS[:2], test_seeds=TEST_SEEDS[:6], thresholds=Thresholds(), splink=False)
    ours = report["ours"]
    assert ours["links"]["precision"] >= TARGETS["precision"]
    assert ours["links"]["recall"] >= TARGETS["recall"]
    assert ours["recall_with_review"] >= TARGETS["recall_with_review"]
    assert ours["queue_share"] <= TARGETS["queue_share"]
    tally = report["ours_tally"]
    assert all(tally.trap_linked[kind] == 0 for kind in NEGATIVE_KINDS), tally.false_links
    for kind in POSITIVE_KINDS:
        assert tally.kind_linked[kind] / tally.kind_pairs[kind] >= 0.95, kind


@pytest.mark.slow
def test_shipped_thresholds_are_the_ones_chosen_on_the_tune_part() -> None:
    chosen, _ = choose_thresholds(months(TUNE_SEEDS, "tune"))
    assert (chosen.auto, chosen.review) == (Thresholds().auto, Thresholds().review)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore")
def test_ahead_of_splink_on_the_same_labelled_set() -> None:
    report = evaluate(tune_seeds=TUNE_SEEDS[:3], test_seeds=TEST_SEEDS[:3], thresholds=Thresholds())
    assert report["splink"]["true_pairs"] == report["ours"]["true_pairs"] > 0
    assert targets_met(report)["ahead_of_splink_on_f1"]
    assert 0.5 < report["splink"]["links"]["f1"] < report["ours"]["links"]["f1"]
