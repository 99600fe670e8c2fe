"""The upload reference (one type from listing to XCom to ledger) and how a run shares its capacity."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from nq57.uploads import Upload, batches, fair_share

T0 = dt.datetime(2026, 11, 10, 8, 0, tzinfo=dt.UTC)


def upload(agency: str, n: int, minutes: int) -> Upload:
    return Upload("nq57-submissions", f"{agency}/2026-10/f{n:05d}.xlsx", f"v{n}", 100,
                  T0 + dt.timedelta(minutes=minutes), agency, "2026-10")


def test_an_upload_crosses_xcom_as_json_and_comes_back_equal():
    original = upload("T01", 1, 0)
    assert Upload.from_dict(json.loads(json.dumps(original.as_dict()))) == original
    assert original.name == "f00001.xlsx"


def test_an_upload_comes_back_from_its_ledger_row():
    class Row:
        bucket, object_key, version_id, size_bytes = "nq57-submissions", "T01/2026-10/a.xlsx", "v9", 12
        received_at, agency_code, period = T0, "T01", "2026-10"

    assert Upload.from_ledger_row(Row) == Upload("nq57-submissions", "T01/2026-10/a.xlsx", "v9", 12, T0, "T01", "2026-10")


def test_a_flood_from_one_agency_cannot_starve_the_others():
    flood = [upload("T01", n, minutes=n % 7) for n in range(1100)]  # more than Airflow maps in one task
    late = [upload(code, 5000 + i, minutes=60 + i) for i, code in enumerate(("BKHCN", "T79", "BTC"))]
    chosen = fair_share(flood + late, limit=40)
    assert len(chosen) == 40
    assert {u.agency_code for u in chosen} == {"T01", "BKHCN", "T79", "BTC"}
    mine = [u for u in chosen if u.agency_code == "T01"]
    assert mine == sorted(mine, key=lambda u: (u.last_modified, u.key))  # each agency's oldest first
    assert fair_share(flood + late, limit=10_000) and len(fair_share(flood + late, limit=10_000)) == 1103


def test_round_robin_follows_each_agencys_oldest_upload():
    a1, a2, b1 = upload("A", 1, 0), upload("A", 2, 1), upload("B", 3, 5)
    assert fair_share([b1, a2, a1], limit=3) == [a1, b1, a2]


@pytest.mark.parametrize(("count", "size", "expected"), [(0, 10, []), (9, 10, [9]), (25, 10, [10, 10, 5])])
def test_batches(count, size, expected):
    items = [upload("A", n, n) for n in range(count)]
    assert [len(b) for b in batches(items, size)] == expected
    assert [u for b in batches(items, size) for u in b] == items
