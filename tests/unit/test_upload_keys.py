"""Which object keys are submissions: `<agency>/<YYYY-MM>/<name>`, the period a real month (`nq57.periods`)."""

from __future__ import annotations

import pytest

from nq57.storage.objectstore import SUBMISSION_KEY


def test_a_key_under_agency_and_month_is_a_submission():
    match = SUBMISSION_KEY.match("BKHCN/2026-10/bao cao thang 10.xlsx")
    assert (match["agency"], match["period"], match["name"]) == ("BKHCN", "2026-10", "bao cao thang 10.xlsx")


@pytest.mark.parametrize("key", ["BKHCN/2026-13/a.xlsx", "BKHCN/2026-00/a.xlsx", "BKHCN/2026-1/a.xlsx",
                                 "BKHCN/10-2026/a.xlsx", "BKHCN/a.xlsx", "BKHCN/2026-10/x/a.xlsx"])
def test_a_key_whose_folder_is_not_a_month_is_not_a_submission(key):
    # Judged as a submission, a folder like 2026-13 would fail the ingest task on every run.
    assert SUBMISSION_KEY.match(key) is None
