"""Which object keys are submissions: `<agency>/<YYYY-MM>/<name>`, the period a real month (`nq57.periods`);
and, for every other key, what is wrong with it, where it belongs and who can be answered (`nq57.placement`)."""

from __future__ import annotations

import pytest

from nq57.outputs import feedback
from nq57.placement import misplaced_issue, misplacement
from nq57.storage.objectstore import SUBMISSION_KEY


def test_a_key_under_agency_and_month_is_a_submission():
    match = SUBMISSION_KEY.match("BKHCN/2026-10/bao cao thang 10.xlsx")
    assert (match["agency"], match["period"], match["name"]) == ("BKHCN", "2026-10", "bao cao thang 10.xlsx")
    assert misplacement("BKHCN/2026-10/bao cao thang 10.xlsx") is None


@pytest.mark.parametrize("key", ["BKHCN/2026-13/a.xlsx", "BKHCN/2026-00/a.xlsx", "BKHCN/2026-1/a.xlsx",
                                 "BKHCN/10-2026/a.xlsx", "BKHCN/a.xlsx", "BKHCN/2026-10/x/a.xlsx"])
def test_a_key_whose_folder_is_not_a_month_is_not_a_submission(key):
    # Judged as a submission, a folder like 2026-13 would fail the ingest task on every run.
    assert SUBMISSION_KEY.match(key) is None
    assert misplacement(key) is not None


@pytest.mark.parametrize(("key", "problem", "folder", "suggested"), [
    ("T01/2026-13/a.xlsx", "month_out_of_range", "2026-13", None),
    ("T01/2026-00/a.xlsx", "month_out_of_range", "2026-00", None),
    ("T01/a.xlsx", "no_month", None, None),
    ("T01/bao_cao_10-2026.xlsx", "no_month", None, "T01/2026-10/bao_cao_10-2026.xlsx"),
    ("T01/2026-10/sub/a.xlsx", "subfolder", "sub", "T01/2026-10/a.xlsx"),
    ("T01/2026-10/a/b/c.xlsx", "subfolder", "a/b", "T01/2026-10/c.xlsx"),
    ("T01/10-2026/a.xlsx", "month_form", "10-2026", "T01/2026-10/a.xlsx"),
    ("T01/2026-1/a.xlsx", "month_form", "2026-1", "T01/2026-01/a.xlsx"),
    ("T01/202610/a.xlsx", "month_form", "202610", "T01/2026-10/a.xlsx"),
    ("T01/Thang 9 2026/a.xlsx", "month_form", "Thang 9 2026", "T01/2026-09/a.xlsx"),
    ("T01/bao-cao/a.xlsx", "month_form", "bao-cao", None),
])
def test_a_misplaced_key_says_what_is_wrong_and_where_it_belongs(key, problem, folder, suggested):
    found = misplacement(key)
    assert (found.problem, found.agency, found.folder, found.suggested_key) == (problem, "T01", folder, suggested)
    assert found.answerable
    assert found.operator_text.startswith("not laid out as <agency>/<YYYY-MM>/<file>: ")
    assert (f"it belongs at {suggested}" in found.operator_text) == (suggested is not None)


@pytest.mark.parametrize(("key", "problem"), [
    ("a.xlsx", "root"), ("t01/2026-10/a.xlsx", "not_agency"), ("Bao cao/2026-10/a.xlsx", "not_agency"),
    ("T-01/2026-10/a.xlsx", "not_agency"),
])
def test_a_key_outside_every_agency_prefix_has_nobody_to_answer(key, problem):
    found = misplacement(key)
    assert (found.problem, found.agency, found.answerable) == (problem, None, False)
    with pytest.raises(ValueError):
        misplaced_issue(found, bucket="nq57-submissions", example_period="2026-10")


def test_the_finding_tells_the_agency_where_the_file_was_why_and_where_it_goes():
    finding = misplaced_issue(misplacement("T01/2026-10/sub/a.xlsx"), bucket="nq57-submissions",
                              example_period="2026-09")
    assert (finding.rule, finding.severity, finding.sheet, finding.cell) == ("upload.misplaced", "error", None, None)
    assert finding.message == (
        "Tệp được tải lên tại “nq57-submissions/T01/2026-10/sub/a.xlsx”, không đúng thư mục quy định: tệp nằm "
        "trong thư mục con “sub” của thư mục tháng “T01/2026-10/”, trong khi tệp phải nằm ngay trong thư mục "
        "tháng; vì vậy tệp không được tiếp nhận và nội dung tệp chưa được kiểm tra.")
    assert "<mã cơ quan>/<năm-tháng>/" in finding.hint and "BKHCN/2026-10/" in finding.hint
    assert "tháng từ 01 đến 12" in finding.hint and "không tạo thư mục con" in finding.hint
    assert finding.hint.endswith("Vui lòng tải lên lại tệp vào đúng vị trí “nq57-submissions/T01/2026-10/a.xlsx” "
                                 "(báo cáo tháng 10/2026).")


def test_without_a_month_in_the_key_the_finding_gives_an_example_folder():
    finding = misplaced_issue(misplacement("T01/2026-13/a.xlsx"), bucket="nq57-submissions", example_period="2026-10")
    assert "thư mục “2026-13” không phải là tháng báo cáo hợp lệ (tháng phải từ 01 đến 12)" in finding.message
    assert finding.hint.endswith("ví dụ báo cáo tháng 10/2026 tải lên “nq57-submissions/T01/2026-10/a.xlsx”.")
    no_month = misplaced_issue(misplacement("T01/a.xlsx"), bucket="nq57-submissions", example_period="2026-10")
    assert "tệp nằm ngay trong thư mục của đơn vị “T01/”" in no_month.message


def test_each_misplaced_key_gets_a_feedback_key_of_its_own_under_the_agency():
    keys = {key: feedback.misplaced_feedback_key("T01", key)
            for key in ("T01/a.xlsx", "T01/2026-13/a.xlsx", "T01/2026-10/sub/a.xlsx", "T01/10-2026/a.xlsx")}
    assert keys == {
        "T01/a.xlsx": "T01/sai-thu-muc/a.xlsx.feedback.xlsx",
        "T01/2026-13/a.xlsx": "T01/sai-thu-muc/2026-13__a.xlsx.feedback.xlsx",
        "T01/2026-10/sub/a.xlsx": "T01/sai-thu-muc/2026-10__sub__a.xlsx.feedback.xlsx",
        "T01/10-2026/a.xlsx": "T01/sai-thu-muc/10-2026__a.xlsx.feedback.xlsx",
    }
    long_key = "T01/" + "x/" * 500 + "báo cáo.xlsx"  # 1,019 bytes: a key S3 takes, its flattened answer would not
    assert len(long_key.encode()) <= feedback.MAX_KEY_BYTES
    long_feedback = feedback.misplaced_feedback_key("T01", long_key)
    assert len(long_feedback.encode()) <= feedback.MAX_KEY_BYTES
    assert long_feedback.startswith("T01/sai-thu-muc/") and long_feedback.endswith("báo cáo.xlsx.feedback.xlsx")
