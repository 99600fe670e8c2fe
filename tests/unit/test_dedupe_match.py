"""Linking NQ57 and NQ71 tasks: each method, one-to-one assignment, hard negatives, review, evaluation."""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import pandas as pd
import pytest

from nq57.dedupe.features import (
    FEATURES,
    ScoredBlock,
    Weights,
    block_features,
    combine,
    deadline_score,
    document_frequencies,
    idf_weights,
    prepare,
    score_block,
)
from nq57.dedupe.match import LINK_COLUMNS, TASK_COLUMNS, Thresholds, link_tasks
from nq57.devtools.dedupe_evaluate import synthetic_regression
from nq57.devtools.dedupe_synthetic import format_deadline, labelled_pairs
from nq57.reference import agencies

# --------------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------------


def task(
    code: str,
    name: str,
    *,
    agency: str = "BKHCN",
    doc: str | None = "04-TB/BCĐTW",
    item: str | None = None,
    deadline: date | None = date(2025, 6, 30),
    kind: str = "THANG",
    product: str | None = "Nghị định",
    link: str | None = None,
) -> dict[str, Any]:
    return {
        "task_code": code,
        "task_name": name,
        "lead_agency_code": agency,
        "assigning_doc": doc,
        "doc_item": item,
        "deadline_date": deadline,
        "deadline_type": kind,
        "product": product,
        "link_code": link,
    }


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(TASK_COLUMNS))


def scored(nq57: pd.DataFrame, nq71: pd.DataFrame, cells: list[tuple[int, int]] | None = None) -> ScoredBlock:
    """Both scoring passes over every NQ57 x NQ71 pair of the frames (one block)."""
    left, right = prepare(nq57), prepare(nq71)
    words = [*left.tokens, *right.tokens]
    cells = cells or [(a, b) for a in range(len(nq57)) for b in range(len(nq71))]
    return score_block(left, list(range(len(nq57))), right, list(range(len(nq71))), idf_weights(words),
                       document_frequencies(words), Weights(), cells)


def pairs(result_frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(result_frame["nq57_task_code"], result_frame["nq71_task_code"], strict=True))


FUND = "Xây dựng Nghị định quy định về việc thành lập, tổ chức hoạt động của các quỹ đầu tư mạo hiểm cho khởi nghiệp sáng tạo"
FUND_71 = "Khẩn trương xây dựng Nghị định quy định việc thành lập, tổ chức hoạt động các quỹ đầu tư mạo hiểm cho khởi nghiệp sáng tạo"
PPP = "Trình Chính phủ ban hành Nghị định quy định về chính sách hợp tác công tư để phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia"
PPP_71 = "Trinh CP ban hanh Nghi dinh ve chinh sach hop tac cong tu de phat trien KH&CN, DMST va CDS quoc gia"
AI_STRATEGY = "Cập nhật Chiến lược quốc gia về nghiên cứu, phát triển và ứng dụng trí tuệ nhân tạo đến năm 2030"


# --------------------------------------------------------------------------------------------------
# Scored links
# --------------------------------------------------------------------------------------------------


def test_paraphrases_link_by_score_one_to_one() -> None:
    nq57 = frame(
        task("57-1", FUND, item="II.2.b"),
        task("57-2", PPP, item="II.2.c"),
        task("57-3", AI_STRATEGY, item="II.3.e", product="Chiến lược"),
    )
    nq71 = frame(
        task("71-9", PPP_71, doc="Thông báo số 04-TB/BCĐTW", item="2.c", deadline=date(2025, 6, 30), kind="NGAY"),
        task("71-8", FUND_71, doc="04/TB-BCĐTW", deadline=date(2025, 6, 20), kind="NGAY", product="Dự thảo Nghị định"),
        task("71-7", "Đến năm 2030, cập nhật Chiến lược quốc gia về nghiên cứu, phát triển và ứng dụng AI", kind="QUY"),
    )
    result = link_tasks(nq57, nq71)
    assert pairs(result.links) == {("57-1", "71-8"), ("57-2", "71-9"), ("57-3", "71-7")}
    assert set(result.links["method"]) == {"score"}
    assert (result.links["score"] >= Thresholds().auto).all()
    assert result.review.empty
    assert result.unmatched_nq57 == [] and result.unmatched_nq71 == []
    assert list(result.links.columns) == list(LINK_COLUMNS)


def test_evidence_is_json_and_explains_the_score() -> None:
    result = link_tasks(frame(task("57-2", PPP, item="II.2.c")), frame(task("71-9", PPP_71, item="2.c", kind="NGAY")))
    (evidence,) = result.links["evidence"]
    json.dumps(evidence)  # goes to the warehouse as JSON
    assert set(evidence["features"]) == set(FEATURES)
    assert all(v is None or 0.0 <= v <= 1.0 for v in evidence["features"].values())
    assert evidence["features"]["lead_agency"] == 1.0
    assert evidence["features"]["doc"] == 1.0  # II.2.c and 2.c of the same notice
    assert evidence["features"]["deadline"] == 1.0  # 06/2025 vs 30/06/2025
    # The normal forms compared: abbreviations expanded, diacritics gone, on both sides alike.
    assert "khoa hoc va cong nghe" in evidence["nq71_name"] and "chuyen doi so" in evidence["nq71_name"]
    assert evidence["nq57_doc"] == evidence["nq71_doc"].replace("2.c", "ii.2.c") == "4-TB-BCDTW ii.2.c"
    assert evidence["nq57_deadline"] == "THANG 2025-06-30" and evidence["nq71_deadline"] == "NGAY 2025-06-30"
    assert evidence["deadline_distance_days"] == 0
    assert evidence["weights"] == Weights().as_dict()
    assert evidence["feature_score"] == result.links["score"].iloc[0]
    assert evidence["tie"] is False


def test_weighted_score_is_the_mean_of_present_features() -> None:
    nq57 = prepare(frame(task("57-1", FUND, product=None)))
    nq71 = prepare(frame(task("71-1", FUND_71)))
    features = block_features(nq57, [0], nq71, [0], idf_weights([*nq57.tokens, *nq71.tokens]))
    weights = Weights()
    assert math.isnan(features["product"][0, 0])  # no product on one side: the feature drops out
    expected = sum(getattr(weights, k) * features[k][0, 0] for k in ("name", "tokens", "doc", "deadline")) / (
        weights.name + weights.tokens + weights.doc + weights.deadline
    )
    assert combine(features, weights)[0, 0] == pytest.approx(expected)


def test_assignment_beats_greedy_first_come() -> None:
    # A1-B1 is the single best pair, but taking it first (greedy) strands A2: A2 (June, typed without
    # marks, citing another letter) fits only B1 (June), not B2 (April); A1 (the second quarter) fits
    # both months. The assignment takes the two good pairs instead of the one best.
    base = "Báo cáo kết quả xây dựng Sàn giao dịch khoa học và công nghệ"
    report = {"item": "II.6.b", "product": "Báo cáo"}
    nq57 = frame(
        task("A1", f"{base} quý II/2025", kind="QUY", **report),
        task("A2", "Bao cao ket qua xay dung San giao dich KH&CN thang 06/2025 (theo NQ 57)", doc="10467/VPCP-KGVX",
             item=None, product=None, deadline=date(2025, 7, 20), kind="NGAY"),
    )
    nq71 = frame(task("B1", f"{base} tháng 6/2025", **report),
                 task("B2", f"{base} tháng 4/2025", deadline=date(2025, 4, 30), **report))
    score = scored(nq57, nq71).score
    codes = (["A1", "A2"], ["B1", "B2"])
    candidates = sorted(
        (
            (score[a, b], codes[0][a], codes[1][b])
            for a in range(2)
            for b in range(2)
            if score[a, b] >= Thresholds().review
        ),
        reverse=True,
    )
    greedy: set[tuple[str, str]] = set()
    for _, x, y in candidates:
        if all(x != g[0] and y != g[1] for g in greedy):
            greedy.add((x, y))
    assert greedy == {("A1", "B1")}  # the best pair first, then nothing left that fits

    result = link_tasks(nq57, nq71, thresholds=Thresholds(auto=0.75, review=0.675))
    assert pairs(result.links) == {("A1", "B2"), ("A2", "B1")}
    assert score[0, 0] > max(score[0, 1], score[1, 0])  # really a better single pair was passed over
    evidence = result.links.set_index("nq57_task_code").at["A1", "evidence"]
    assert evidence["alternatives"]["nq57_next_best"]["nq71_task_code"] == "B1"


def test_one_task_links_at_most_once() -> None:
    # The same NQ57 task against two NQ71 tasks, one a close paraphrase, one a weaker one.
    nq57 = frame(task("57-1", FUND, item="II.2.b"))
    nq71 = frame(
        task("71-1", FUND_71, item="II.2.b"), task("71-2", FUND + " và ươm tạo công nghệ", deadline=date(2025, 9, 30))
    )
    result = link_tasks(nq57, nq71)
    assert pairs(result.links) == {("57-1", "71-1")}
    assert "71-2" in result.unmatched_nq71
    assert result.review.empty  # 57-1 is taken: its weaker alternative is not queued as well


def test_exact_tie_goes_to_review() -> None:
    # Two identical NQ71 rows for one NQ57 task: which one is the partner is arbitrary.
    nq57 = frame(task("57-1", FUND))
    nq71 = frame(task("71-1", FUND), task("71-2", FUND))
    result = link_tasks(nq57, nq71)
    assert result.links.empty
    assert len(result.review) == 1
    assert result.review["evidence"].iloc[0]["tie"] is True
    assert result.unmatched_nq57 == ["57-1"]


# --------------------------------------------------------------------------------------------------
# Hard negatives
# --------------------------------------------------------------------------------------------------


def test_one_template_with_different_subjects_stays_apart() -> None:
    common = {"doc": "71/NQ-CP", "deadline": date(2025, 12, 31), "product": "Cơ sở dữ liệu"}
    nq57 = frame(
        task("57-1", "Xây dựng cơ sở dữ liệu về đất đai", **common),
        task("57-2", "Xây dựng cơ sở dữ liệu về dân cư", **common),
        task("57-3", "Xây dựng cơ sở dữ liệu về hộ tịch", **common),
    )
    nq71 = frame(
        task("71-1", "Xây dựng CSDL về dân cư", **common),
        task("71-2", "Xây dựng CSDL về đất đai", **common),
        task("71-3", "Xây dựng CSDL về bảo hiểm xã hội", **common),  # 57-3 has no partner
    )
    result = link_tasks(nq57, nq71)
    assert pairs(result.links) == {("57-1", "71-2"), ("57-2", "71-1")}
    assert ("57-3", "71-3") not in pairs(result.links)
    assert result.unmatched_nq57 == ["57-3"] and result.unmatched_nq71 == ["71-3"]


def test_recurring_monthly_reports_pair_by_month() -> None:
    def report(code: str, month: int, name: str) -> dict[str, Any]:
        return task(
            code, name.format(m=month), deadline=date(2025, month, 30 if month in (6, 9) else 31), product="Báo cáo"
        )

    nq57 = frame(
        *(report(f"57-{m}", m, 'Báo cáo kết quả thực hiện Mô hình hợp tác "3 Nhà" tháng {m}/2025') for m in (6, 7, 8))
    )
    nq71 = frame(
        *(report(f"71-{m}", m, "Báo cáo kết quả thực hiện mô hình hợp tác 3 nhà tháng {m:02d}/2025") for m in (6, 7, 9))
    )
    result = link_tasks(nq57, nq71)
    assert pairs(result.links) == {("57-6", "71-6"), ("57-7", "71-7")}
    # August (NQ57 only) and September (NQ71 only) are different tasks, not even worth a review.
    assert result.review.empty
    assert result.unmatched_nq57 == ["57-8"] and result.unmatched_nq71 == ["71-9"]


def test_same_wording_under_another_lead_agency_is_not_linked() -> None:
    name = "Rà soát nền tảng, hạ tầng số dùng chung, điều chỉnh đầu tư để tránh trùng lặp"
    result = link_tasks(frame(task("57-1", name, agency="BTC")), frame(task("71-1", name, agency="BYT")))
    assert result.links.empty and result.review.empty
    assert result.unmatched_nq57 == ["57-1"] and result.unmatched_nq71 == ["71-1"]


def test_tasks_without_lead_agency_are_not_scored() -> None:
    result = link_tasks(frame(task("57-1", FUND, agency=None)), frame(task("71-1", FUND, agency=None)))
    assert result.links.empty and result.review.empty


# --------------------------------------------------------------------------------------------------
# Code and crosswalk links
# --------------------------------------------------------------------------------------------------


def test_link_code_from_either_side_wins_over_names_and_agencies() -> None:
    nq57 = frame(
        task("57-1", "Nhiệm vụ A", link="71-1"),
        task("57-2", "Nhiệm vụ B", agency="BTC"),
    )
    nq71 = frame(
        task("71-1", "Một tên hoàn toàn khác"),
        # Written by hand in the other case and with a stray space; the lead agency differs.
        task("71-2", "Tên khác nữa", agency="BKHCN", link=" 57-2"),
    )
    result = link_tasks(nq57, nq71)
    links = result.links.set_index("nq57_task_code")
    assert pairs(result.links) == {("57-1", "71-1"), ("57-2", "71-2")}
    assert set(links["method"]) == {"code"} and set(links["score"]) == {1.0}
    assert links.at["57-1", "evidence"]["link_code_from"] == "nq57"
    assert links.at["57-2", "evidence"]["link_code_from"] == "nq71"
    # The features are still recorded: a code link whose names disagree is visible.
    assert links.at["57-2", "evidence"]["features"]["lead_agency"] == 0.0
    assert links.at["57-2", "evidence"]["feature_score"] < Thresholds().review
    assert links.at["57-2", "lead_agency_code"] == "BTC"


def test_link_code_case_insensitive_and_both_sides_agreeing() -> None:
    nq57 = frame(task("NQ57-BKHCN-001", FUND, link="ct71-00012"))
    nq71 = frame(task("CT71-00012", FUND_71, link="NQ57-BKHCN-001"))
    result = link_tasks(nq57, nq71)
    assert result.links["method"].tolist() == ["code"]
    assert result.links["evidence"].iloc[0]["link_code_from"] == "both"
    assert result.conflicts.empty


def test_conflicting_link_codes_are_reported_and_left_to_scoring() -> None:
    nq57 = frame(task("57-1", FUND, link="71-1"), task("57-2", PPP))
    nq71 = frame(task("71-1", PPP_71, link="57-2"))  # disagrees: 57-1 says 71-1, 71-1 says 57-2
    result = link_tasks(nq57, nq71)
    assert set(result.conflicts["reason"]) == {"conflicting_link_codes"}
    assert pairs(result.conflicts) == {("57-1", "71-1"), ("57-2", "71-1")}
    # Neither claim is trusted; the scorer then pairs the tasks whose content agrees.
    assert pairs(result.links) == {("57-2", "71-1")}
    assert result.links["method"].tolist() == ["score"]


def test_link_code_naming_an_absent_task_is_reported() -> None:
    result = link_tasks(frame(task("57-1", FUND, link="71-404")), frame(task("71-1", AI_STRATEGY, product=None)))
    assert result.links.empty
    (conflict,) = result.conflicts.to_dict("records")
    assert conflict["reason"] == "link_code_not_found" and conflict["nq57_task_code"] == "57-1"
    assert "71-404" in conflict["detail"]


def test_crosswalk_links_pairs_present_this_month() -> None:
    nq57 = frame(task("57-1", "Nhiệm vụ đã xác nhận"), task("57-2", FUND))
    nq71 = frame(task("71-1", "Tên đã đổi sau khi xác nhận", agency="BTC"), task("71-2", FUND_71))
    crosswalk = pd.DataFrame(
        [
            {"nq57_task_code": "57-1", "nq71_task_code": "71-1", "lead_agency_code": "BKHCN"},
            {"nq57_task_code": "57-1", "nq71_task_code": "71-1", "lead_agency_code": "BKHCN"},  # confirmed twice
            {"nq57_task_code": "57-9", "nq71_task_code": "71-9", "lead_agency_code": "BKHCN"},  # not this month
        ]
    )
    result = link_tasks(nq57, nq71, crosswalk=crosswalk)
    methods = dict(zip(result.links["nq57_task_code"], result.links["method"], strict=True))
    assert methods == {"57-1": "crosswalk", "57-2": "score"}
    assert result.links["method"].tolist() == ["crosswalk", "score"]  # strongest first
    assert result.conflicts.empty


def test_link_code_overrules_crosswalk() -> None:
    nq57 = frame(task("57-1", FUND, link="71-2"))
    nq71 = frame(task("71-1", "Tên cũ"), task("71-2", FUND_71))
    crosswalk = pd.DataFrame([{"nq57_task_code": "57-1", "nq71_task_code": "71-1", "lead_agency_code": "BKHCN"}])
    result = link_tasks(nq57, nq71, crosswalk=crosswalk)
    assert pairs(result.links) == {("57-1", "71-2")}
    assert result.links["method"].tolist() == ["code"]
    assert result.conflicts["reason"].tolist() == ["crosswalk_superseded_by_code"]


# --------------------------------------------------------------------------------------------------
# Review band and rejected pairs
# --------------------------------------------------------------------------------------------------


def _middle_pair() -> tuple[pd.DataFrame, pd.DataFrame, float]:
    # A shortened name, cited from the Government programme instead of the resolution: plausible,
    # not certain.
    nq57 = frame(task("57-1", FUND, doc="57-NQ/TW", item="III.2"))
    name = "Xây dựng Nghị định về các quỹ đầu tư mạo hiểm"
    nq71 = frame(task("71-1", name, doc="71/NQ-CP", item="58"))
    score = float(link_tasks(nq57, nq71, thresholds=Thresholds(auto=0.01, review=0.01)).links["score"].iloc[0])
    return nq57, nq71, score


def test_default_bands_send_a_partial_match_to_review() -> None:
    nq57, nq71, score = _middle_pair()
    assert Thresholds().review <= score < Thresholds().auto
    result = link_tasks(nq57, nq71)
    assert result.links.empty
    assert pairs(result.review) == {("57-1", "71-1")}
    assert result.review["method"].tolist() == ["review"]
    assert list(result.review.columns) == list(LINK_COLUMNS)
    assert result.review["evidence"].iloc[0]["features"]["doc"] == 0.5  # the resolution vs its programme
    # A queued pair is not a link yet: both tasks are still unmatched.
    assert result.unmatched_nq57 == ["57-1"] and result.unmatched_nq71 == ["71-1"]


@pytest.mark.parametrize(
    ("offset_auto", "offset_review", "where"),
    [(-0.01, -0.02, "links"), (0.01, -0.01, "review"), (0.02, 0.01, "nowhere")],
)
def test_threshold_bands(offset_auto: float, offset_review: float, where: str) -> None:
    nq57, nq71, score = _middle_pair()
    result = link_tasks(nq57, nq71, thresholds=Thresholds(auto=score + offset_auto, review=score + offset_review))
    assert (len(result.links), len(result.review)) == {"links": (1, 0), "review": (0, 1), "nowhere": (0, 0)}[where]


def test_rejected_pairs_are_never_proposed_again() -> None:
    nq57 = frame(task("57-1", FUND), task("57-2", PPP))
    nq71 = frame(task("71-1", FUND_71), task("71-2", PPP_71))
    rejected = pd.DataFrame([{"nq57_task_code": "57-1", "nq71_task_code": "71-1", "lead_agency_code": "BKHCN"}])
    result = link_tasks(nq57, nq71, rejected=rejected)
    assert pairs(result.links) == {("57-2", "71-2")}
    assert ("57-1", "71-1") not in pairs(result.review)
    assert "57-1" in result.unmatched_nq57 and "71-1" in result.unmatched_nq71
    # Not even through the review band, whatever the thresholds.
    low = link_tasks(nq57, nq71, rejected=rejected, thresholds=Thresholds(auto=0.02, review=0.01))
    assert ("57-1", "71-1") not in pairs(low.links) | pairs(low.review)


def test_rejected_pair_with_a_link_code_is_linked_but_flagged() -> None:
    nq57 = frame(task("57-1", FUND, link="71-1"))
    nq71 = frame(task("71-1", FUND_71))
    rejected = pd.DataFrame([{"nq57_task_code": "57-1", "nq71_task_code": "71-1", "lead_agency_code": "BKHCN"}])
    result = link_tasks(nq57, nq71, rejected=rejected)
    assert result.links["method"].tolist() == ["code"]
    assert result.links["evidence"].iloc[0]["previously_rejected"] is True
    assert result.conflicts["reason"].tolist() == ["rejected_pair_linked_by_code"]


# --------------------------------------------------------------------------------------------------
# Inputs and feature scales
# --------------------------------------------------------------------------------------------------


def test_empty_inputs() -> None:
    result = link_tasks(frame(), frame())
    assert result.links.empty and result.review.empty and result.conflicts.empty
    assert result.unmatched_nq57 == [] and result.unmatched_nq71 == []
    assert list(result.links.columns) == list(LINK_COLUMNS)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="not unique"):
        link_tasks(frame(task("57-1", FUND), task("57-1", PPP)), frame())
    with pytest.raises(ValueError, match="lack columns"):
        link_tasks(frame().drop(columns=["link_code"]), frame())
    with pytest.raises(ValueError):
        Thresholds(auto=0.5, review=0.7)


def test_timestamps_and_missing_values_from_pandas() -> None:
    nq57 = frame(task("57-1", FUND, deadline=None, kind="THUONG_XUYEN", doc=None, product=None))
    nq71 = frame(task("71-1", FUND, kind="NGAY"))
    nq71["deadline_date"] = pd.to_datetime(nq71["deadline_date"])  # Timestamp, not date
    result = link_tasks(nq57, nq71)
    evidence = result.links["evidence"].iloc[0]
    assert evidence["features"]["deadline"] == 0.5  # regular task vs a dated one
    assert evidence["features"]["doc"] is None and evidence["features"]["product"] is None


def test_deadline_scores() -> None:
    june = (date(2025, 6, 30), "THANG")
    assert deadline_score(june, (date(2025, 6, 20), "NGAY")) == 1.0
    assert deadline_score(june, (date(2025, 7, 30), "NGAY")) == pytest.approx(0.5)  # 30 days: half
    assert deadline_score(june, (date(2025, 7, 31), "THANG")) < deadline_score(june, (date(2025, 7, 15), "NGAY"))
    assert deadline_score((None, "THUONG_XUYEN"), (None, "THUONG_XUYEN")) == 1.0
    assert math.isnan(deadline_score((None, "NGAY"), june))


@pytest.mark.parametrize(
    ("doc_a", "item_a", "doc_b", "item_b", "expected"),
    [
        ("04-TB/BCĐTW", "II.3.h", "04-TB/BCĐTW", "3.h", 1.0),  # same document, compatible items
        ("04-TB/BCĐTW", "II.3.h", "04-TB/BCĐTW", "II.3.e", 0.3),  # same document, different items
        ("57-NQ/TW", None, "NQ 57", None, 0.9),  # shorthand without issuer
        ("57-NQ/TW", None, "71/NQ-CP", "58", 0.5),  # two documents of one programme
        ("57-NQ/TW", None, "10467/VPCP-KGVX", None, 0.0),  # unrelated documents
    ],
)
def test_doc_feature_as_the_linker_computes_it(doc_a, item_a, doc_b, item_b, expected) -> None:
    nq57 = prepare(frame(task("57-1", FUND, doc=doc_a, item=item_a)))
    nq71 = prepare(frame(task("71-1", FUND_71, doc=doc_b, item=item_b)))
    features = block_features(nq57, [0], nq71, [0], idf_weights([*nq57.tokens, *nq71.tokens]))
    assert features["doc"][0, 0] == pytest.approx(expected)


# --------------------------------------------------------------------------------------------------
# Synthetic data and evaluation
# --------------------------------------------------------------------------------------------------


def test_synthetic_pairs_are_deterministic_and_realistic() -> None:
    nq57, nq71, truth = labelled_pairs(seed=3, agencies=6, tasks_per_agency=12)
    again = labelled_pairs(seed=3, agencies=6, tasks_per_agency=12)
    pd.testing.assert_frame_equal(nq57, again[0])
    pd.testing.assert_frame_equal(nq71, again[1])
    assert truth == again[2]
    assert not nq57.equals(labelled_pairs(seed=4, agencies=6, tasks_per_agency=12)[0])
    assert len(nq57) == len(nq71) == 72
    assert list(nq57.columns) == list(TASK_COLUMNS)
    assert nq57["task_code"].is_unique and nq71["task_code"].is_unique
    assert set(nq57["lead_agency_code"]) <= set(agencies())
    assert {a for a, _ in truth} <= set(nq57["task_code"]) and {b for _, b in truth} <= set(nq71["task_code"])
    by57 = nq57.set_index("task_code")["lead_agency_code"]
    by71 = nq71.set_index("task_code")["lead_agency_code"]
    assert all(by57[a] == by71[b] for a, b in truth)
    assert 0 < len(truth) < len(nq57)  # some tasks exist in one system only


def test_format_deadline() -> None:
    assert format_deadline(date(2025, 6, 30), "THANG") == "06/2025"
    assert format_deadline(date(2025, 6, 30), "QUY") == "Quý II/2025"
    assert format_deadline(date(2025, 6, 30), "NGAY") == "30/06/2025"
    assert format_deadline(None, "THUONG_XUYEN") == "Thường xuyên"


def test_synthetic_regression_set_still_links() -> None:
    report = synthetic_regression(seed=0)
    assert report["links"]["precision"] >= 0.98 and report["links"]["recall"] >= 0.95
    assert report["recall_with_review"] >= report["links"]["recall"]
