"""mart.v_compliance: who reported each system on time (before 00:00 on the 21st, Vietnam time), late, or not."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from nq57.storage import warehouse

pytestmark = pytest.mark.integration


def submit(conn, agency: str, system: str, received_at: str, status: str = "accepted", nil: bool = False) -> None:
    conn.execute(text(
        "INSERT INTO raw.submission (bucket, object_key, version_id, sha256, size_bytes, agency_code, period, system, "
        "received_at, status, nil_report) VALUES ('b', :key, :v, :v, 1, :agency, '2026-10', :system, :at, :status, :nil)"),
        {"key": f"{agency}/2026-10/{system}.xlsx", "v": f"{agency}{system}{received_at}", "agency": agency,
         "system": system, "at": received_at, "status": status, "nil": nil})


def test_on_time_late_missing_and_nil_reports(warehouse_url):
    with warehouse.transaction(warehouse_url) as conn:
        submit(conn, "BKHCN", "NQ57", "2026-11-20 16:59:59+00")  # 23:59:59 on the 20th in Hà Nội: on time
        submit(conn, "BKHCN", "NQ71", "2026-11-10 09:00:00+07")
        submit(conn, "BTC", "NQ57", "2026-11-20 17:00:00+00")  # 00:00 on the 21st in Hà Nội: late
        submit(conn, "BTC", "NQ71", "2026-11-15 09:00:00+07", nil=True)  # nothing to report, counts as submitted
        submit(conn, "T01", "NQ57", "2026-11-12 09:00:00+07", status="rejected")  # a rejected file is not a report
    rows = warehouse.query(warehouse_url, "SELECT * FROM mart.v_compliance WHERE period = '2026-10'").set_index("agency_code")

    assert len(rows) == len(warehouse.query(warehouse_url, "SELECT * FROM core.agency"))
    bkhcn, btc, t01 = rows.loc["BKHCN"], rows.loc["BTC"], rows.loc["T01"]
    assert (bkhcn.nq57_submitted, bkhcn.nq71_submitted, bkhcn.on_time, bkhcn.late, bkhcn.missing) == (
        True, True, True, False, False)
    assert (btc.nq57_on_time, btc.nq71_on_time, btc.late, btc.missing, btc.nil_report) == (False, True, True, False, True)
    assert (t01.nq57_submitted, t01.nq71_submitted, t01.missing) == (False, False, True)
    assert rows.missing.sum() == len(rows) - 2
