"""The Airflow shell's own rules: which reminder slot may mail, what a mapped batch says in the UI,
and services from Airflow connections."""

from __future__ import annotations

import datetime as dt

import pytest
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from nq57 import pipeline, services
from nq57.periods import VN

pytestmark = pytest.mark.integration  # imports Airflow


def at(day: int, hour: int = 8, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=VN)


def test_a_reminder_slot_mails_on_its_own_day_before_the_deadline():
    assert pipeline.reminder_period(None, at(15), now=at(15, 8)) == "2026-10"
    assert pipeline.reminder_period(None, at(20), now=at(20, 23)) == "2026-10"


@pytest.mark.parametrize(("slot", "now", "why"), [
    (at(20), at(29, 10), "is not today"),   # unpaused on the 29th: Airflow fires the 20th's slot at once
    (at(18), at(19, 8), "is not today"),    # a slot run a day late
])
def test_a_late_slot_is_skipped_and_says_why(slot, now, why):
    with pytest.raises(AirflowSkipException, match=why):
        pipeline.reminder_period(None, slot, now=now)


def test_a_manual_run_reminds_for_its_period_and_refuses_a_bad_one():
    assert pipeline.reminder_period("2026-09", at(29), now=at(29)) == "2026-09"
    with pytest.raises(AirflowFailException):
        pipeline.reminder_period("2026-13", at(29), now=at(29))


def test_batch_label_names_each_files_verdict_and_fits_airflows_column():
    def outcome(key, accepted=True, error=None):
        return pipeline.FileOutcome(upload={"key": key}, accepted=accepted, error=error)

    label = pipeline.batch_label([outcome("BKHCN/2026-10/a.xlsx"), outcome("T01/2026-10/b.xlsx", False),
                                  outcome("T04/2026-10/c.xlsx", error="S3Error")])
    assert label == "failed T04/2026-10/c.xlsx · rejected T01/2026-10/b.xlsx · accepted BKHCN/2026-10/a.xlsx"
    many = pipeline.batch_label([outcome(f"T01/2026-10/{'x' * 40}{n}.xlsx") for n in range(9)]
                                + [outcome("T79/2026-10/bad.xlsx", False)])
    assert len(many) <= pipeline.LABEL_LIMIT and many.startswith("rejected T79/2026-10/bad.xlsx")
    assert many.endswith("more accepted")


def test_services_come_from_the_airflow_connections(monkeypatch):
    found = services.Services("postgresql+psycopg://u:p@db.example:5433/nq57?sslmode=require",
                              services.StoreConfig("https://s3.example:9000", "key", "secret"))
    for name, value in found.airflow_connections().items():
        monkeypatch.setenv(name, value)
    resolved = pipeline.services()
    assert resolved.warehouse_url == found.warehouse_url
    assert (resolved.store.endpoint, resolved.store.secure, resolved.store.access_key) == \
        ("https://s3.example:9000", True, "key")


def test_a_missing_connection_fails_without_retry(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_WAREHOUSE", raising=False)
    with pytest.raises(AirflowFailException, match="warehouse"):
        pipeline.services()


def test_a_unix_socket_warehouse_round_trips():
    url = services.warehouse_url(host="/run/pg", port=None, database="nq57", login="postgres", password=None)
    found = services.Services(url, services.StoreConfig("127.0.0.1:9000", "k", "s"))
    assert "host=%2Frun%2Fpg" in url or "host=/run/pg" in url
    assert '"host": "/run/pg"' in found.airflow_connections()["AIRFLOW_CONN_WAREHOUSE"]
