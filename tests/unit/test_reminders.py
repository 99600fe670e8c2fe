"""Reminders without a warehouse or a mail server: period choice, the Vietnamese message, contacts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from nq57 import periods, reference
from nq57.outputs import reminders

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(("today", "period"), [
    (dt.date(2026, 11, 15), "2026-10"),
    (dt.date(2026, 11, 18), "2026-10"),
    (dt.date(2026, 11, 20), "2026-10"),
    (dt.date(2026, 1, 15), "2025-12"),  # across the year
    (dt.date(2026, 3, 20), "2026-02"),
])
def test_reminder_days_collect_the_previous_month(today, period):
    assert today.day in reminders.REMINDER_DAYS
    assert periods.collected_on(today) == period


def test_reminder_period_reads_an_aware_datetime_in_vietnam_time():
    late_utc = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)  # 01:00 on 1 December in Vietnam
    assert periods.collected_on(late_utc) == "2026-11"
    assert periods.collected_on(dt.datetime(2026, 11, 15, 8, 0, tzinfo=VN)) == "2026-10"


def test_deadline_is_midnight_starting_the_21st_in_vietnam():
    assert periods.due_at("2026-10") == dt.datetime(2026, 11, 21, 0, 0, tzinfo=VN)
    assert periods.due_at("2026-12") == dt.datetime(2027, 1, 21, 0, 0, tzinfo=VN)
    with pytest.raises(ValueError):
        periods.due_at("2026-13")


def test_reminder_for_one_missing_system_names_it_the_deadline_and_the_folder():
    due = dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC)  # as mart.v_compliance returns it
    msg = reminders.compose_reminder(reference.agencies()["T01"], ["NQ71"], "2026-10", due)

    assert msg.subject == "Nhắc nộp báo cáo tháng 10/2026 về thực hiện Nghị quyết 57-NQ/TW"
    for body in (msg.text_body, msg.html_body):
        assert "Ủy ban nhân dân thành phố Hà Nội" in body
        assert "tháng 10/2026" in body
        assert "trước 00:00 ngày 21/11/2026" in body
        assert "nq57-submissions/T01/2026-10/" in body
        assert "Nghị quyết số 71/NQ-CP" in body
        assert "NQ71" in body and "Hệ thống NQ57" not in body and "<strong>NQ57</strong>" not in body
    assert msg.text_body.startswith("Kính gửi: Ủy ban nhân dân thành phố Hà Nội\n")
    assert "  - Hệ thống NQ71: " in msg.text_body
    assert "<li>Hệ thống <strong>NQ71</strong>" in msg.html_body


def test_reminder_for_both_systems_and_a_code_lists_both_in_order():
    msg = reminders.compose_reminder("BVHTTDL", {"NQ71", "NQ57"}, "2025-12")
    assert msg.subject == "Nhắc nộp báo cáo tháng 12/2025 về thực hiện Nghị quyết 57-NQ/TW"
    assert "cả hai hệ thống" in msg.text_body
    assert msg.text_body.index("Hệ thống NQ57") < msg.text_body.index("Hệ thống NQ71")
    assert "trước 00:00 ngày 21/01/2026" in msg.text_body  # default deadline from the period
    assert "Bộ Văn hóa, Thể thao và Du lịch" in msg.html_body
    assert "nq57-submissions/BVHTTDL/2025-12/" in msg.html_body


def test_text_is_precomposed_unicode_and_html_is_escaped():
    import unicodedata

    msg = reminders.compose_reminder("BNNMT", ["NQ57"], "2026-10")
    for part in (msg.subject, msg.text_body, msg.html_body):
        assert unicodedata.normalize("NFC", part) == part
    assert "Nhắc nộp" in msg.subject and "Kính gửi" in msg.text_body
    odd = reference.Agency("X", "Ban <Thử> & Co", "other", "X", ())
    assert "Ban &lt;Thử&gt; &amp; Co" in reminders.compose_reminder(odd, ["NQ57"], "2026-10").html_body


@pytest.mark.parametrize("systems", [[], ["NQ99"]])
def test_compose_refuses_unknown_or_no_systems(systems):
    with pytest.raises(ValueError):
        reminders.compose_reminder("BKHCN", systems, "2026-10")


def test_shipped_contacts_cover_every_agency_with_marked_placeholders(monkeypatch):
    monkeypatch.delenv(reminders.CONTACTS_ENV, raising=False)
    book = reminders.contacts()
    assert set(book) == set(reference.agencies())
    assert book["BKHCN"].email == "baocao57@bkhcn.example.gov.vn"
    assert all(c.is_placeholder for c in book.values())


def test_contacts_file_from_env_overrides_the_shipped_one(tmp_path, monkeypatch):
    path = tmp_path / "contacts.csv"
    path.write_text(
        "# real contacts, maintained by operations\n"
        "agency_code,email,contact_name\n"
        "bkhcn,vanthu@most.gov.vn; baocao@most.gov.vn,Văn phòng Bộ\n"
        "T01,tonghop@hanoi.gov.vn,\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(reminders.CONTACTS_ENV, str(path))
    book = reminders.contacts()
    assert set(book) == {"BKHCN", "T01"}
    assert book["BKHCN"].recipients == ["vanthu@most.gov.vn", "baocao@most.gov.vn"]
    assert book["BKHCN"].contact_name == "Văn phòng Bộ"
    assert not book["T01"].is_placeholder


def test_a_bad_contacts_file_is_refused_with_every_problem(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("agency_code,email,contact_name\nXYZ,a@b.vn,\nBTC,not-an-address,\nBCA,a@bca.gov.vn,\n"
                    "BCA,b@bca.gov.vn,\n", encoding="utf-8")
    with pytest.raises(ValueError) as failure:
        reminders.contacts(path)
    message = str(failure.value)
    assert "XYZ" in message and "BTC" in message and "BCA listed twice" in message


def test_send_reminders_skips_agencies_without_a_contact_and_reports_failures():
    missing = [
        {"agency_code": "T01", "missing_systems": ["NQ71"], "due_at": "2026-11-21T00:00:00+07:00"},
        {"agency_code": "BCA", "missing_systems": ["NQ57", "NQ71"], "due_at": "2026-11-21T00:00:00+07:00"},
        {"agency_code": "BQP", "missing_systems": ["NQ57"], "due_at": "2026-11-21T00:00:00+07:00"},
    ]
    book = {"T01": reminders.Contact("T01", "a@hanoi.gov.vn"), "BQP": reminders.Contact("BQP", "x@bqp.gov.vn")}
    outbox: list[tuple] = []

    sent = reminders.send_reminders("unused", "2026-10", lambda *m: outbox.append(m), missing=missing,
                                    contact_book=book)

    assert sent == ["T01", "BQP"]
    assert [m[0] for m in outbox] == [["a@hanoi.gov.vn"], ["x@bqp.gov.vn"]]
    assert outbox[0][1] == "Nhắc nộp báo cáo tháng 10/2026 về thực hiện Nghị quyết 57-NQ/TW"
    assert "trước 00:00 ngày 21/11/2026" in outbox[0][2]

    def flaky(to, subject, html):
        if to == ["a@hanoi.gov.vn"]:
            raise OSError("mailbox unavailable")

    with pytest.raises(reminders.ReminderDeliveryError) as failure:
        reminders.send_reminders("unused", "2026-10", flaky, missing=missing, contact_book=book)
    assert set(failure.value.failed) == {"T01"} and failure.value.sent == ["BQP"]

    assert reminders.send_reminders("unused", "2026-10", lambda *m: outbox.append(m), missing=[]) == []
