"""The real `nq57_reminders` DAG with `dag.test()`: the warehouse on PostgreSQL, mail into a local SMTP sink.

The sink is an aiosmtpd server on loopback; the Airflow connection `smtp_default` points at it through
`AIRFLOW_CONN_SMTP_DEFAULT` (plain SMTP: no TLS, no SSL, no login), so the DAG sends through the SMTP
provider's hook exactly as in production.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import threading

import pytest
from sqlalchemy import text

from nq57 import reference
from nq57.outputs import reminders
from nq57.storage import warehouse

pytestmark = pytest.mark.integration
SENDER = "nq57-tonghop@example.gov.vn"
SUBJECT = "Nhắc nộp báo cáo tháng 10/2026 về thực hiện Nghị quyết 57-NQ/TW"


class Sink:
    """aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": parsed})
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m["message"] for m in self.messages if address in m["to"]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink(monkeypatch):
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": controller.port,
        "extra": {"from_email": SENDER, "disable_ssl": True, "disable_tls": True, "retry_limit": 0, "timeout": 10},
    }))
    yield sink
    controller.stop()


@pytest.fixture
def reminder_env(warehouse_url, monkeypatch):
    from nq57.services import Services
    from nq57.storage.objectstore import StoreConfig

    # the DAG finds the warehouse through its Airflow connection, as in production
    for name, value in Services(warehouse_url, StoreConfig("127.0.0.1:9", "k", "s")).airflow_connections().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(reminders.CONTACTS_ENV, raising=False)
    monkeypatch.delenv("NQ57_OPS_EMAIL", raising=False)
    return warehouse_url


def submit(url: str, agency: str, period: str, system: str, *, status: str = "accepted", nil: bool = False,
           received_at: dt.datetime | None = None) -> None:
    """A ledger row as the ingest DAG leaves it after validating an upload."""
    received_at = received_at or dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)
    key = f"{agency}/{period}/{system.lower()}{'_khong_phat_sinh' if nil else ''}_{status}.xlsx"
    with warehouse.transaction(url) as conn:
        conn.execute(text(
            "INSERT INTO raw.submission (bucket, object_key, version_id, sha256, size_bytes, agency_code, period, "
            "system, received_at, processed_at, status, task_count, nil_report) VALUES ('nq57-submissions', :key, "
            "'v1', md5(:key) || md5(:key), 2048, :agency, :period, :system, :received, :received, :status, "
            ":tasks, :nil)"
        ), {"key": key, "agency": agency, "period": period, "system": system, "received": received_at,
            "status": status, "tasks": 0 if nil or status != "accepted" else 12, "nil": nil})


def run_reminders(dag_bag, **kwargs):
    from airflow.utils.state import DagRunState

    run = dag_bag.dags["nq57_reminders"].test(**kwargs)
    return run, run.state == DagRunState.SUCCESS


def body(message: email.message.EmailMessage) -> str:
    return message.get_body(preferencelist=("html", "plain")).get_content()


def test_missing_agencies_count_nil_reports_and_ignore_rejected_uploads(reminder_env):
    url = reminder_env
    submit(url, "BKHCN", "2026-10", "NQ57")
    submit(url, "BKHCN", "2026-10", "NQ71")
    submit(url, "T01", "2026-10", "NQ57")
    submit(url, "T01", "2026-10", "NQ71", status="rejected")
    submit(url, "BTC", "2026-10", "NQ57", nil=True)
    submit(url, "BTC", "2026-10", "NQ71", nil=True)
    submit(url, "BCA", "2026-10", "NQ57", nil=True)  # nil for NQ57 only: NQ71 is still due

    frame = reminders.missing_agencies(url, "2026-10").set_index("agency_code")

    assert set(reference.agencies()) - set(frame.index) == {"BKHCN", "BTC"}
    assert frame.loc["T01", "missing_systems"] == ["NQ71"]
    assert frame.loc["BCA", "missing_systems"] == ["NQ71"]
    assert frame.loc["T79", "missing_systems"] == ["NQ57", "NQ71"]
    assert frame.loc["T01", "due_at"].tz_convert("Asia/Ho_Chi_Minh").isoformat() == "2026-11-21T00:00:00+07:00"
    # a period nobody has uploaded for yet is not in mart.v_compliance: everyone is missing everything
    empty = reminders.missing_agencies(url, "2026-11")
    assert len(empty) == len(reference.agencies())
    assert all(s == ["NQ57", "NQ71"] for s in empty["missing_systems"])


def test_dag_mails_each_missing_agency_in_vietnamese_and_no_one_else(dag_bag, reminder_env, smtp_sink):
    url = reminder_env
    submit(url, "BKHCN", "2026-10", "NQ57")
    submit(url, "BKHCN", "2026-10", "NQ71")
    submit(url, "T01", "2026-10", "NQ57")
    submit(url, "BTC", "2026-10", "NQ57", nil=True)
    submit(url, "BTC", "2026-10", "NQ71", nil=True)

    run, ok = run_reminders(dag_bag, run_conf={"period": "2026-10"})
    assert ok, run.state

    book = reminders.contacts()
    reminded = {code for code, c in book.items() if smtp_sink.to(c.email)}
    assert reminded == set(reference.agencies()) - {"BKHCN", "BTC"}
    assert len(smtp_sink.messages) == len(reminded)  # one message per agency
    assert not smtp_sink.to("baocao57@bkhcn.example.gov.vn") and not smtp_sink.to("baocao57@btc.example.gov.vn")
    assert {m["from"] for m in smtp_sink.messages} == {SENDER}

    (hanoi,) = smtp_sink.to("baocao57@t01.example.gov.vn")
    assert hanoi["Subject"] == SUBJECT
    assert hanoi["To"] == "baocao57@t01.example.gov.vn" and hanoi["From"] == SENDER
    html = body(hanoi)
    assert "Kính gửi: <strong>Ủy ban nhân dân thành phố Hà Nội</strong>" in html
    assert "Hệ thống <strong>NQ71</strong>" in html and "<strong>NQ57</strong>" not in html
    assert "Nghị quyết số 71/NQ-CP" in html
    assert "trước 00:00 ngày 21/11/2026" in html
    assert "nq57-submissions/T01/2026-10/" in html

    (police,) = smtp_sink.to("baocao57@bca.example.gov.vn")
    assert police["Subject"] == SUBJECT
    html = body(police)
    assert "Bộ Công an" in html and "cả hai hệ thống" in html
    assert "Hệ thống <strong>NQ57</strong>" in html and "Hệ thống <strong>NQ71</strong>" in html
    assert "nq57-submissions/BCA/2026-10/" in html

    ti = run.get_task_instance("send_reminder_emails")
    assert ti.state == "success"


def test_a_late_slot_mails_no_one_and_nothing_is_sent_when_no_one_is_missing(dag_bag, reminder_env, smtp_sink):
    url = reminder_env
    # the 08:00 slot of 15 November (Vietnam time) run today, e.g. fired when the DAG was unpaused later
    # (an explicit null period: dag.test() keeps an earlier test's run_conf in the shared DAG's params)
    run, ok = run_reminders(dag_bag, logical_date=dt.datetime(2026, 11, 15, 1, 0, tzinfo=dt.UTC),
                            run_conf={"period": None})
    assert ok, run.state
    assert run.get_task_instance("find_missing_agencies").state == "skipped"
    assert smtp_sink.messages == []  # October's agencies are all missing, yet a late reminder is not sent

    for code in reference.agencies():
        for system in ("NQ57", "NQ71"):
            submit(url, code, "2026-10", system, nil=code.startswith("T"))
    run, ok = run_reminders(dag_bag, run_conf={"period": "2026-10"})
    assert ok, run.state
    assert run.get_task_instance("send_reminder_emails").state == "success"
    assert smtp_sink.messages == []
    assert reminders.find_missing(url, "2026-10") == []


def test_a_failed_run_mails_operations(dag_bag, reminder_env, smtp_sink, monkeypatch):
    monkeypatch.setenv("NQ57_OPS_EMAIL", "vanhanh@example.gov.vn")
    monkeypatch.delenv("AIRFLOW_CONN_WAREHOUSE")  # a configuration fault: retrying cannot fix it

    run, ok = run_reminders(dag_bag, run_conf={"period": "2026-10"})

    assert not ok
    failed = run.get_task_instance("find_missing_agencies")
    assert failed.state == "failed" and failed.try_number == 1  # a configuration fault is not retried
    assert run.get_task_instance("send_reminder_emails").state == "upstream_failed"
    assert [m["to"] for m in smtp_sink.messages] == [["vanhanh@example.gov.vn"]]
    alert = smtp_sink.messages[0]["message"]
    assert "nq57_reminders" in alert["Subject"] and "find_missing_agencies" in alert["Subject"]
