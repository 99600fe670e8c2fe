"""Each kind of wording the two systems differ in links; each kind of look-alike stays apart (issue 12).

Names are the seed documents' own task wording (04-TB/BCĐTW, 10467/VPCP-KGVX), retyped as agencies do.
Every pair here goes through `link_tasks` with the shipped thresholds: these are behaviours, not scores.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from nq57.dedupe.match import TASK_COLUMNS, Thresholds, link_tasks
from nq57.devtools.dedupe_labelled import labelled_month

DECREE_FUNDS = ("Xây dựng Nghị định quy định về việc thành lập, tổ chức hoạt động của các quỹ đầu tư mạo hiểm cho "
                "khởi nghiệp sáng tạo, ươm tạo công nghệ và chuyển đổi số")
DECREE_FINANCE = ("Xây dựng Nghị định quy định về đầu tư và cơ chế tài chính cho hoạt động khoa học, công nghệ, "
                  "đổi mới sáng tạo")
SHARED_DATA = ("Xây dựng, ban hành quy định về thu thập, cập nhật, chia sẻ và khai thác dữ liệu của quốc gia về khoa "
               "học, công nghệ, đổi mới sáng tạo và chuyển đổi số")
DB_NATIONAL = "Xây dựng cơ sở dữ liệu quốc gia về khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số"
DB_PEOPLE = "Xây dựng cơ sở dữ liệu quốc gia về nhân lực khoa học, công nghệ và đổi mới sáng tạo"
INSPECT = ("Kiểm tra, giám sát, đánh giá việc thực hiện Nghị quyết số 57-NQ/TW theo lĩnh vực, địa bàn được phân "
           "công")
PLATFORMS = ("Rà soát nền tảng, hạ tầng số dùng chung, điều chỉnh đầu tư để tránh trùng lặp, phù hợp với mô hình "
             "chính quyền 3 cấp")
EXPERTS = ("Báo cáo kết quả thu hút và sử dụng hiệu quả các chuyên gia giỏi quốc tế, người Việt Nam ở trong và "
           "ngoài nước cho các chương trình phát triển công nghệ chiến lược tháng {m}/2025")
PLAN = "Ban hành kế hoạch triển khai thực hiện Nghị quyết số 57-NQ/TW năm {y}"


def task(code: str, name: str, *, agency: str = "BKHCN", doc: str | None = "04-TB/BCĐTW", item: str | None = "II.2.b",
         deadline: date | None = date(2025, 6, 30), kind: str = "THANG", product: str | None = None) -> dict[str, Any]:
    return {"task_code": code, "task_name": name, "lead_agency_code": agency, "assigning_doc": doc, "doc_item": item,
            "deadline_date": deadline, "deadline_type": kind, "product": product, "link_code": None}


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(TASK_COLUMNS))


def month() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rest of a month: other agencies' tasks, so that word weights (IDF) are those of a real month."""
    background = labelled_month(0, "test")
    others = [background.nq57["lead_agency_code"] != "BKHCN", background.nq71["lead_agency_code"] != "BKHCN"]
    return background.nq57[others[0]], background.nq71[others[1]]


def linked(nq57: pd.DataFrame, nq71: pd.DataFrame) -> tuple[set[tuple[str, str]], set[tuple[str, str]], Any]:
    """Link the tasks of the test within a month of other agencies' tasks; only the test's pairs are kept."""
    rest57, rest71 = month()
    result = link_tasks(pd.concat([nq57, rest57], ignore_index=True), pd.concat([nq71, rest71], ignore_index=True))
    mine57, mine71 = set(nq57["task_code"]), set(nq71["task_code"])
    for name in ("links", "review"):
        kept = getattr(result, name)
        setattr(result, name, kept[kept["nq57_task_code"].isin(mine57) | kept["nq71_task_code"].isin(mine71)])
    links = set(zip(result.links["nq57_task_code"], result.links["nq71_task_code"], strict=True))
    review = set(zip(result.review["nq57_task_code"], result.review["nq71_task_code"], strict=True))
    result.unmatched_nq57 = [c for c in result.unmatched_nq57 if c in mine57]
    return links, review, result


def decisions(result, kind: str) -> list[dict[str, str]]:
    return [d for e in result.links["evidence"] for d in e["reconciled"] if d["kind"] == kind]


# --------------------------------------------------------------------------------------------------
# One pair of each kind links automatically, and its evidence says why
# --------------------------------------------------------------------------------------------------

# A look-alike of the same item sits in the NQ71 file too, so each pair must be told from it.
LOOKALIKE_71 = task("71-X", DECREE_FINANCE, product="Nghị định")


@pytest.mark.parametrize(
    ("retyped", "kind"),
    [
        (f"{DECREE_FUNDS} (theo Nghị quyết số 57-NQ/TW)", "qualifier"),
        (f"{DECREE_FUNDS} (nhiệm vụ tại Chương trình hành động ban hành kèm theo Nghị quyết số 71/NQ-CP)", "qualifier"),
        (f"{DECREE_FUNDS}, trình Chính phủ xem xét, quyết định", "qualifier"),
        (f"{DECREE_FUNDS}, báo cáo Thủ tướng Chính phủ", "qualifier"),
    ],
)
def test_one_sided_qualifier_links(retyped: str, kind: str) -> None:
    links, _, result = linked(frame(task("57-1", DECREE_FUNDS, product="Nghị định")),
                              frame(task("71-1", retyped, product="Nghị định"), LOOKALIKE_71))
    assert links == {("57-1", "71-1")}
    assert decisions(result, kind), result.links["evidence"].iloc[0]


@pytest.mark.parametrize(
    ("retyped", "slip"),
    [
        (DECREE_FUNDS.replace("thành lập", "thhành lập"), "thhanh"),  # a doubled letter
        (DECREE_FUNDS.replace("khởi nghiệp", "kởhi nghiệp"), "kohi"),  # swapped letters
        (DECREE_FUNDS.replace("hoạt động", "họat đôộng"), "doong"),  # tone on the wrong letter, doubled vowel
        (DECREE_FUNDS.replace("khởi nghiệp", "khởi nghệp"), "nghep"),  # a dropped letter
    ],
)
def test_typing_slips_link(retyped: str, slip: str) -> None:
    links, _, result = linked(frame(task("57-1", DECREE_FUNDS)), frame(task("71-1", retyped), LOOKALIKE_71))
    assert links == {("57-1", "71-1")}
    # Which spelling is the slip is a guess when both are real syllables; the pairing is not.
    assert any(slip in (d.get("nq71"), d.get("other")) for d in decisions(result, "typo"))


def test_no_diacritics_on_one_side_links() -> None:
    bare = "Xay dung, ban hanh quy dinh ve thu thap, cap nhat, chia se va khai thac du lieu cua quoc gia ve khoa " \
           "hoc, cong nghe, doi moi sang tao va chuyen doi so"
    links, _, _ = linked(frame(task("57-1", SHARED_DATA)), frame(task("71-1", bare), LOOKALIKE_71))
    assert links == {("57-1", "71-1")}


@pytest.mark.parametrize(
    "retyped",
    [
        "Xây dựng CSDL quốc gia về KH, CN, ĐMST & CĐS",
        "Xây dựng cơ sở dữ liệu quốc gia về KH,CN, ĐMST và CĐS",
        "Xay dung CSDL quoc gia ve KHCN, DMST va CDS",
    ],
)
def test_abbreviations_link(retyped: str) -> None:
    links, _, _ = linked(frame(task("57-1", DB_NATIONAL, doc="71/NQ-CP", item="III.2")),
                         frame(task("71-1", retyped, doc="71/NQ-CP", item="III.2"),
                               task("71-2", "Xây dựng CSDL về dân cư của địa phương", doc="71/NQ-CP", item="III.2")))
    assert links == {("57-1", "71-1")}


def test_resolution_written_short_links() -> None:
    links, _, _ = linked(frame(task("57-1", INSPECT, deadline=None, kind="THUONG_XUYEN")),
                         frame(task("71-1", INSPECT.replace("Nghị quyết số 57-NQ/TW", "NQ 57"), deadline=None,
                                    kind="THUONG_XUYEN")))
    assert links == {("57-1", "71-1")}


def test_unknown_acronym_spelled_by_initials_links() -> None:
    # `PTN` is in no abbreviation list: its letters are the initials of `phòng thí nghiệm`.
    name = ("Rà soát, đánh giá hiện trạng và hiệu quả sử dụng của các phòng thí nghiệm đã được đầu tư để có phương án "
            "tối ưu hoá nguồn lực, tránh lãng phí")
    links, _, result = linked(frame(task("57-1", name, item="II.3.đ")),
                              frame(task("71-1", name.replace("phòng thí nghiệm", "PTN"), item="II.3.đ")))
    assert links == {("57-1", "71-1")}
    assert decisions(result, "acronym")[0]["other"] == "phong thi nghiem"


@pytest.mark.parametrize("written", ["tháng 06/2025", "T6/2025", "tháng 6 năm 2025", "kỳ tháng 6/2025"])
def test_recurring_report_links_within_its_period(written: str) -> None:
    report = {"item": "II.4.a", "product": "Báo cáo"}
    nq57 = frame(task("57-6", EXPERTS.format(m=6), **report),
                 task("57-7", EXPERTS.format(m=7), deadline=date(2025, 7, 31), **report))
    # The NQ71 side writes the June report's period another way and dates it by its due day (20 July),
    # which falls inside July: the name's period, not the deadline, must decide.
    nq71 = frame(task("71-6", EXPERTS.replace("tháng {m}/2025", written), deadline=date(2025, 7, 20), kind="NGAY",
                      **report),
                 task("71-7", EXPERTS.format(m=7), deadline=date(2025, 7, 31), **report))
    links, _, _ = linked(nq57, nq71)
    assert links == {("57-6", "71-6"), ("57-7", "71-7")}


def test_two_and_three_kinds_together_link() -> None:
    retyped = "Xay dung CSDL quoc gia ve KH, CN, DMST va CDS, bao cao Thu tuong Chinh phu"  # 3 kinds
    links, _, _ = linked(frame(task("57-1", DB_NATIONAL.replace("quốc gia", "quốc giaa"), doc="71/NQ-CP")),
                         frame(task("71-1", retyped, doc="71/NQ-CP")))
    assert links == {("57-1", "71-1")}


# --------------------------------------------------------------------------------------------------
# One hard negative of each kind: never linked, whatever else agrees
# --------------------------------------------------------------------------------------------------


def test_two_decrees_of_one_item_stay_apart() -> None:
    # Same agency, document, item, deadline and product; the partner of each is missing.
    links, review, _ = linked(frame(task("57-1", DECREE_FUNDS, product="Nghị định")),
                              frame(task("71-1", DECREE_FINANCE, product="Nghị định")))
    assert not links


def test_two_databases_stay_apart() -> None:
    links, _, _ = linked(frame(task("57-1", DB_NATIONAL, doc="71/NQ-CP", item="III.2", product="Cơ sở dữ liệu")),
                         frame(task("71-1", DB_PEOPLE.replace("cơ sở dữ liệu", "CSDL"), doc="71/NQ-CP", item="III.2",
                                    product="Cơ sở dữ liệu")))
    assert not links


def test_plans_of_two_years_stay_apart() -> None:
    links, review, result = linked(frame(task("57-1", PLAN.format(y=2026), doc="57-NQ/TW", item=None)),
                                   frame(task("71-1", PLAN.format(y=2027), doc="57-NQ/TW", item=None)))
    assert not links and not review
    assert result.unmatched_nq57 == ["57-1"]


def test_recurring_report_never_links_across_periods() -> None:
    report = {"item": "II.4.a", "product": "Báo cáo"}
    links, review, _ = linked(frame(task("57-8", EXPERTS.format(m=8), deadline=date(2025, 8, 31), **report)),
                              frame(task("71-7", EXPERTS.format(m=7).replace("tháng 7/2025", "T7/2025"),
                                         deadline=date(2025, 8, 20), kind="NGAY", **report)))
    assert not links and not review


def test_identical_names_under_other_lead_agencies_stay_apart() -> None:
    links, review, _ = linked(frame(task("57-1", PLATFORMS, agency="BTC", item="II.3.d")),
                              frame(task("71-1", PLATFORMS, agency="BYT", item="II.3.d")))
    assert not links and not review


def test_thresholds_are_the_tuned_ones() -> None:
    # Chosen by `dedupe_evaluate.choose_thresholds` on the tune part; changing the linker means re-running
    # `make eval-dedupe` and updating them together with README's figures.
    assert (Thresholds().auto, Thresholds().review) == (0.69, 0.565)
