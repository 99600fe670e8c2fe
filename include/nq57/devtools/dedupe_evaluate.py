"""Measure the NQ57 <-> NQ71 linker, beside Splink, on the independent labelled set (`make eval-dedupe`).

The labelled set is `dedupe_labelled` (seed-document wording, retyped the way agencies retype, hard
negatives; it imports nothing from the matching code). Two disjoint parts of it:

- **tune** (seeds `TUNE_SEEDS`, half of the task families): where thresholds are chosen — ours
  (`choose_thresholds`: the lowest automatic threshold whose links keep precision >= `TUNE_PRECISION`,
  the highest review threshold that still puts every true pair the queue budget can reach in front of
  a reviewer) and
  Splink's (its match-probability threshold with the best F1; its m probabilities from the tune
  labels, its u probabilities from random sampling, both then fixed: no EM);
- **test** (seeds `TEST_SEEDS`, the other families): where every figure printed is measured.

Printed, for both systems: precision / recall / F1 of automatic links, wall time; for ours also the
recall counting the review queue, the queue's size (and share of NQ71 tasks) and purity (share of
queued pairs that are true); per retyping kind, recall (automatic and with the queue); per
hard-negative kind, the false links (automatic and queued) out of the trap pairs present.

Also kept: the regression run on `dedupe_synthetic` (the older generator written with the linker; its
figures are not evidence of accuracy) and the 5,000 x 5,000 timing run.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from nq57.dedupe.match import Thresholds, link_tasks
from nq57.devtools.dedupe_labelled import (
    NEGATIVE_KINDS,
    POSITIVE_KINDS,
    TEST_SEEDS,
    TUNE_SEEDS,
    LabelledMonth,
    labelled_month,
)
from nq57.devtools.dedupe_synthetic import labelled_pairs

# Targets of issue 12, on the test part.
TARGETS = {"precision": 0.99, "recall": 0.97, "recall_with_review": 0.99, "queue_share": 0.05}
# Threshold choice on the tune part keeps a margin over the targets.
TUNE_PRECISION = 0.999
QUEUE_SHARE = 0.04
RECALL_SLACK = 0.0005
SWEEP = [round(0.30 + 0.005 * k, 3) for k in range(141)]  # 0.300 .. 1.000

Pair = tuple[str, str]


def _pairs(frame: pd.DataFrame) -> set[Pair]:
    if frame.empty:
        return set()
    return set(zip(frame["nq57_task_code"], frame["nq71_task_code"], strict=True))


def _prf(hits: int, predicted: int, truth: int) -> dict[str, float]:
    precision = hits / predicted if predicted else 1.0
    recall = hits / truth if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


@dataclass
class Tally:
    """Counts over a set of months for one system's output."""

    true_pairs: int = 0
    nq71_tasks: int = 0
    links: int = 0
    link_hits: int = 0
    queue: int = 0
    queue_hits: int = 0
    seconds: float = 0.0
    kind_pairs: Counter = field(default_factory=Counter)
    kind_linked: Counter = field(default_factory=Counter)
    kind_found: Counter = field(default_factory=Counter)  # linked or queued
    trap_pairs: Counter = field(default_factory=Counter)
    trap_linked: Counter = field(default_factory=Counter)
    trap_queued: Counter = field(default_factory=Counter)
    other_false_links: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_links: list[dict[str, Any]] = field(default_factory=list)

    def add(self, month: LabelledMonth, links: set[Pair], queue: set[Pair], seconds: float) -> None:
        truth = month.truth
        self.true_pairs += len(truth)
        self.nq71_tasks += len(month.nq71)
        self.links += len(links)
        self.link_hits += len(links & truth)
        self.queue += len(queue)
        self.queue_hits += len(queue & truth)
        self.seconds += seconds
        names57 = dict(zip(month.nq57["task_code"], month.nq57["task_name"], strict=True))
        names71 = dict(zip(month.nq71["task_code"], month.nq71["task_name"], strict=True))
        for pair in truth:
            kinds = month.positive_kinds[pair]
            for kind in kinds:
                self.kind_pairs[kind] += 1
                self.kind_linked[kind] += pair in links
                self.kind_found[kind] += pair in links or pair in queue
            if pair not in links:
                self.misses.append({"seed": month.seed, "kinds": kinds, "queued": pair in queue,
                                    "nq57": names57[pair[0]], "nq71": names71[pair[1]]})
        for pair, kind in month.traps.items():
            self.trap_pairs[kind] += 1
            self.trap_linked[kind] += pair in links
            self.trap_queued[kind] += pair in queue
        for pair in links - truth:
            kind = month.traps.get(pair, "other")
            self.other_false_links += kind == "other"
            self.false_links.append({"seed": month.seed, "kind": kind, "nq57": names57[pair[0]],
                                     "nq71": names71[pair[1]]})

    def summary(self) -> dict[str, Any]:
        return {
            "true_pairs": self.true_pairs,
            "nq71_tasks": self.nq71_tasks,
            "links": _prf(self.link_hits, self.links, self.true_pairs),
            "recall_with_review": round((self.link_hits + self.queue_hits) / self.true_pairs, 4)
            if self.true_pairs else 1.0,
            "queue": self.queue,
            "queue_share": round(self.queue / self.nq71_tasks, 4) if self.nq71_tasks else 0.0,
            "queue_purity": round(self.queue_hits / self.queue, 4) if self.queue else None,
            "seconds": round(self.seconds, 3),
        }


# --------------------------------------------------------------------------------------------------
# Ours
# --------------------------------------------------------------------------------------------------


def months(seeds: Iterable[int], split: str) -> list[LabelledMonth]:
    return [labelled_month(seed, split) for seed in seeds]


def run_ours(month: LabelledMonth, thresholds: Thresholds) -> tuple[set[Pair], set[Pair], float, pd.DataFrame]:
    started = time.perf_counter()
    result = link_tasks(month.nq57, month.nq71, thresholds=thresholds)
    seconds = time.perf_counter() - started
    scored = pd.concat([result.links, result.review], ignore_index=True)
    return _pairs(result.links), _pairs(result.review), seconds, scored


def choose_thresholds(tune: list[LabelledMonth]) -> tuple[Thresholds, dict[str, Any]]:
    """Thresholds from the tune part: every assigned pair scored once with a low floor, then swept.

    `auto`: the lowest value from which on every higher threshold keeps automatic-link precision >=
    `TUNE_PRECISION`. `review`: the highest value that finds as many true pairs (within
    `RECALL_SLACK`) as the lowest value that keeps the queue within `QUEUE_SHARE` of the NQ71 tasks. Sweeping one run approximates the assignment (whose pair values
    depend on `review`); the test figures come from real runs with the chosen values.
    """
    floor = SWEEP[0]
    rows: list[tuple[float, bool]] = []
    truth_total = nq71_total = 0
    for month in tune:
        _, _, _, scored = run_ours(month, Thresholds(auto=floor, review=floor))
        for a, b, score in zip(scored["nq57_task_code"], scored["nq71_task_code"], scored["score"], strict=True):
            rows.append((float(score), (a, b) in month.truth))
        truth_total += len(month.truth)
        nq71_total += len(month.nq71)
    auto = 1.0
    for t in reversed(SWEEP):
        chosen = [hit for score, hit in rows if score >= t]
        if chosen and sum(chosen) / len(chosen) < TUNE_PRECISION:
            break
        auto = t

    def reach(r: float) -> int:
        return sum(hit for score, hit in rows if score >= r)

    # The lowest review threshold the queue budget allows finds the most true pairs; the highest one
    # that finds as many (within RECALL_SLACK) gives the reviewer the purest queue.
    lowest = auto
    for r in reversed([t for t in SWEEP if t <= auto]):
        if sum(1 for score, _ in rows if r <= score < auto) > QUEUE_SHARE * nq71_total:
            break
        lowest = r
    best = reach(lowest)
    review = max(r for r in SWEEP if lowest <= r <= auto and reach(r) >= best - RECALL_SLACK * truth_total)
    linked = [hit for score, hit in rows if score >= auto]
    found = sum(hit for score, hit in rows if score >= review)
    detail = {
        "auto": auto, "review": review, "true_pairs": truth_total, "nq71_tasks": nq71_total,
        "tune_links": _prf(sum(linked), len(linked), truth_total),
        "tune_recall_with_review": round(found / truth_total, 4) if truth_total else 1.0,
    }
    return Thresholds(auto=auto, review=review), detail


# --------------------------------------------------------------------------------------------------
# Splink, the field's reference
# --------------------------------------------------------------------------------------------------


def _splink_frame(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """What a data engineer feeds Splink: folded names (NFC, no marks, lower case), their word arrays,
    the deadline as a date, the document as written, the product."""
    from nq57.textnorm import fold_key

    names = [fold_key(str(v)) for v in frame["task_name"]]
    return pd.DataFrame({
        "unique_id": frame["task_code"].astype(str),
        "lead_agency_code": frame["lead_agency_code"].astype(str),
        "name": names,
        "name_tokens": [sorted(set(n.split())) for n in names],
        "deadline": pd.to_datetime(frame["deadline_date"], errors="coerce"),
        "doc": [fold_key(str(v)) if v is not None and not pd.isna(v) else None for v in frame["assigning_doc"]],
        "product": [fold_key(str(v)) if v is not None and not pd.isna(v) else None for v in frame["product"]],
    })


def _splink_settings(m_u: dict[str, Any] | None = None):
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [
        cl.JaroWinklerAtThresholds("name", [0.97, 0.92, 0.85]),
        cl.ArrayIntersectAtSizes("name_tokens", [20, 14, 9, 5]),
        cl.AbsoluteDateDifferenceAtThresholds("deadline", input_is_string=False, metrics=["day", "day"],
                                              thresholds=[1, 45]),
        cl.ExactMatch("doc"),
        cl.ExactMatch("product"),
    ]
    return SettingsCreator(
        link_type="link_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on("lead_agency_code")],
        probability_two_random_records_match=0.01,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def splink_train(tune: list[LabelledMonth]) -> dict[str, Any]:
    """Splink's model from the tune part without EM: u by random sampling, m from the tune labels."""
    from splink import DuckDBAPI, Linker

    left = pd.concat([_splink_frame(m.nq57.assign(task_code=f"{m.seed}:" + m.nq57["task_code"]), "nq57")
                      for m in tune], ignore_index=True)
    right = pd.concat([_splink_frame(m.nq71.assign(task_code=f"{m.seed}:" + m.nq71["task_code"]), "nq71")
                       for m in tune], ignore_index=True)
    # Months are independent: blocking on agency alone would pair month 1 with month 2 of one agency.
    left["lead_agency_code"] = left["unique_id"].str.split(":").str[0] + ":" + left["lead_agency_code"]
    right["lead_agency_code"] = right["unique_id"].str.split(":").str[0] + ":" + right["lead_agency_code"]
    db = DuckDBAPI()
    linker = Linker([db.register(left, dataset_display_name="nq57"), db.register(right, dataset_display_name="nq71")],
                    _splink_settings(), log_level=logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    labels = pd.DataFrame([
        {"source_dataset_l": "nq57", "unique_id_l": f"{m.seed}:{a}", "source_dataset_r": "nq71",
         "unique_id_r": f"{m.seed}:{b}", "clerical_match_score": 1.0}
        for m in tune for a, b in m.truth
    ])
    linker.training.estimate_m_from_pairwise_labels(db.register(labels, dataset_display_name="labels"))
    return linker.misc.save_model_to_json()


def run_splink(month: LabelledMonth, model: dict[str, Any], threshold: float) -> tuple[set[Pair], float, pd.DataFrame]:
    """Splink's links for one month: pairs at or above `threshold`, one-to-one (each task keeps its
    best-scoring pair, as our linker does), and the seconds taken from data to links."""
    from splink import DuckDBAPI, Linker

    started = time.perf_counter()
    db = DuckDBAPI()
    linker = Linker([db.register(_splink_frame(month.nq57, "nq57"), dataset_display_name="nq57"),
                     db.register(_splink_frame(month.nq71, "nq71"), dataset_display_name="nq71")], model,
                    log_level=logging.ERROR)
    predictions = linker.inference.predict(threshold_match_probability=min(threshold, 0.01)).as_pandas_dataframe()
    seconds = time.perf_counter() - started
    if predictions.empty:
        return set(), seconds, predictions
    left_is_57 = predictions["source_dataset_l"] == "nq57"
    predictions = predictions.assign(
        nq57=predictions["unique_id_l"].where(left_is_57, predictions["unique_id_r"]),
        nq71=predictions["unique_id_r"].where(left_is_57, predictions["unique_id_l"]),
    )
    return _one_to_one(predictions, threshold), seconds, predictions


def _one_to_one(predictions: pd.DataFrame, threshold: float) -> set[Pair]:
    taken57: set[str] = set()
    taken71: set[str] = set()
    out: set[Pair] = set()
    ordered = predictions[predictions["match_probability"] >= threshold].sort_values(
        ["match_probability", "nq57", "nq71"], ascending=[False, True, True])
    for a, b in zip(ordered["nq57"], ordered["nq71"], strict=True):
        if a not in taken57 and b not in taken71:
            taken57.add(a)
            taken71.add(b)
            out.add((a, b))
    return out


def splink_threshold(tune: list[LabelledMonth], model: dict[str, Any]) -> float:
    """The match-probability threshold with the best F1 on the tune part."""
    predictions = [(m, run_splink(m, model, 0.01)[2]) for m in tune]
    best, best_f1 = 0.5, -1.0
    for threshold in (0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999):
        hits = predicted = truth = 0
        for month, frame in predictions:
            links = _one_to_one(frame, threshold) if not frame.empty else set()
            hits += len(links & month.truth)
            predicted += len(links)
            truth += len(month.truth)
        f1 = _prf(hits, predicted, truth)["f1"]
        if f1 > best_f1:
            best, best_f1 = threshold, f1
    return best


# --------------------------------------------------------------------------------------------------
# The old synthetic set and the scale run
# --------------------------------------------------------------------------------------------------


def synthetic_regression(seed: int = 0, thresholds: Thresholds = Thresholds()) -> dict[str, Any]:  # noqa: B008
    """Precision / recall on `dedupe_synthetic` (500 x 500): a regression check, not evidence."""
    nq57, nq71, truth = labelled_pairs(seed=seed, agencies=20, tasks_per_agency=25)
    result = link_tasks(nq57, nq71, thresholds=thresholds)
    links, review = _pairs(result.links), _pairs(result.review)
    return {"links": _prf(len(links & truth), len(links), len(truth)),
            "recall_with_review": round(len((links | review) & truth) / len(truth), 4), "queue": len(review)}


def scale_run(n: int = 5000, agencies: int = 50, seed: int = 0) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) for one `link_tasks` call on n x n synthetic tasks
    spread over `agencies` lead agencies. CPU time is the figure to compare on a shared machine."""
    per_agency = -(-n // agencies)
    nq57, nq71, _ = labelled_pairs(seed=seed, agencies=agencies, tasks_per_agency=per_agency)
    nq57, nq71 = nq57.head(n), nq71.head(n)
    started, cpu = time.perf_counter(), time.process_time()
    link_tasks(nq57, nq71)
    return time.perf_counter() - started, time.process_time() - cpu


# --------------------------------------------------------------------------------------------------
# The whole evaluation
# --------------------------------------------------------------------------------------------------


def evaluate(
    tune_seeds: Iterable[int] = TUNE_SEEDS,
    test_seeds: Iterable[int] = TEST_SEEDS,
    thresholds: Thresholds | None = None,
    splink: bool = True,
) -> dict[str, Any]:
    """Choose thresholds on the tune part (unless `thresholds` is given), measure on the test part."""
    tune, test = months(tune_seeds, "tune"), months(test_seeds, "test")
    chosen, tuning = choose_thresholds(tune)
    used = thresholds or chosen
    ours = Tally()
    for month in test:
        links, queue, seconds, _ = run_ours(month, used)
        ours.add(month, links, queue, seconds)
    report: dict[str, Any] = {
        "tuning": tuning,
        "thresholds": {"auto": used.auto, "review": used.review},
        "shipped_defaults": {"auto": Thresholds().auto, "review": Thresholds().review},
        "ours": ours.summary(),
        "ours_tally": ours,
    }
    if splink:
        logging.getLogger("splink").setLevel(logging.ERROR)
        started = time.perf_counter()
        model = splink_train(tune)
        threshold = splink_threshold(tune, model)
        train_seconds = time.perf_counter() - started
        theirs = Tally()
        for month in test:
            links, seconds, _ = run_splink(month, model, threshold)
            theirs.add(month, links, set(), seconds)
        report["splink"] = theirs.summary() | {"threshold": threshold, "train_seconds": round(train_seconds, 2)}
        report["splink_tally"] = theirs
    return report


def targets_met(report: dict[str, Any]) -> dict[str, bool]:
    ours = report["ours"]
    met = {
        "precision": ours["links"]["precision"] >= TARGETS["precision"],
        "recall": ours["links"]["recall"] >= TARGETS["recall"],
        "recall_with_review": ours["recall_with_review"] >= TARGETS["recall_with_review"],
        "queue_share": ours["queue_share"] <= TARGETS["queue_share"],
    }
    if "splink" in report:
        met["ahead_of_splink_on_f1"] = ours["links"]["f1"] > report["splink"]["links"]["f1"]
    return met


def format_table(report: dict[str, Any]) -> str:
    ours, tally = report["ours"], report["ours_tally"]
    theirs = report.get("splink")
    other = report.get("splink_tally")
    purity = "-" if ours["queue_purity"] is None else f"{ours['queue_purity']:.2f}"
    lines = [
        f"Independent labelled set, test part: {ours['true_pairs']} true pairs, {ours['nq71_tasks']} NQ71 tasks "
        f"(thresholds chosen on the tune part: auto {report['thresholds']['auto']}, "
        f"review {report['thresholds']['review']})",
        "",
        "| system | precision | recall | F1 | recall incl. review | review queue (share of NQ71) | queue purity | time |",
        "|---|---|---|---|---|---|---|---|",
        f"| nq57 linker | {ours['links']['precision']:.4f} | {ours['links']['recall']:.4f} | {ours['links']['f1']:.4f} "
        f"| {ours['recall_with_review']:.4f} | {ours['queue']} ({100 * ours['queue_share']:.1f} %) "
        f"| {purity} | {ours['seconds']:.2f} s |",
    ]
    if theirs:
        lines.append(
            f"| Splink {_splink_version()} (DuckDB, fixed m/u, p >= {theirs['threshold']}) "
            f"| {theirs['links']['precision']:.4f} | {theirs['links']['recall']:.4f} | {theirs['links']['f1']:.4f} "
            f"| - | - | - | {theirs['seconds']:.2f} s (+{theirs['train_seconds']:.1f} s training) |")
    lines += ["", "Per retyping kind (true pairs carrying it; a pair carries 2-3 kinds):", "",
              "| kind | pairs | ours: recall | ours: recall incl. review |"
              + (" Splink: recall |" if other else ""),
              "|---|---|---|---|" + ("---|" if other else "")]
    for kind in POSITIVE_KINDS:
        n = tally.kind_pairs[kind]
        if not n:
            continue
        row = f"| {kind} | {n} | {tally.kind_linked[kind] / n:.4f} | {tally.kind_found[kind] / n:.4f} |"
        if other:
            row += f" {other.kind_linked[kind] / n:.4f} |"
        lines.append(row)
    lines += ["", "Per hard-negative kind (trap pairs present: a task and a look-alike in the other system):", "",
              "| kind | trap pairs | ours: false links | ours: queued |" + (" Splink: false links |" if other else ""),
              "|---|---|---|---|" + ("---|" if other else "")]
    for kind in NEGATIVE_KINDS:
        row = f"| {kind} | {tally.trap_pairs[kind]} | {tally.trap_linked[kind]} | {tally.trap_queued[kind]} |"
        if other:
            row += f" {other.trap_linked[kind]} |"
        lines.append(row)
    row = f"| other (no trap) | - | {tally.other_false_links} | - |"
    if other:
        row += f" {other.other_false_links} |"
    lines.append(row)
    return "\n".join(lines)


def _splink_version() -> str:
    from importlib.metadata import version

    return version("splink")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate the NQ57 <-> NQ71 linker beside Splink.")
    parser.add_argument("--no-splink", action="store_true", help="skip Splink")
    parser.add_argument("--no-scale", action="store_true", help="skip the 5,000 x 5,000 timing run")
    parser.add_argument("--errors", action="store_true", help="print every miss and false link of ours")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    args = parser.parse_args(argv)

    report = evaluate(splink=not args.no_splink)
    print(format_table(report))
    if args.errors:
        for miss in report["ours_tally"].misses:
            print("MISS", json.dumps(miss, ensure_ascii=False))
        for wrong in report["ours_tally"].false_links:
            print("FALSE", json.dumps(wrong, ensure_ascii=False))
    print()
    print("synthetic regression set (dedupe_synthetic, written with the linker):",
          json.dumps(synthetic_regression()))
    if not args.no_scale:
        wall, cpu = scale_run()
        print(f"scale run: 5,000 x 5,000 tasks over 50 agencies linked in {wall:.2f} s ({cpu:.2f} s CPU)")
    if args.json:
        print(json.dumps({k: v for k, v in report.items() if not k.endswith("_tally")}, ensure_ascii=False))
    met = targets_met(report)
    print("targets:", ", ".join(f"{k} {'met' if v else 'NOT MET'}" for k, v in met.items()))
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
