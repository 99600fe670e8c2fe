"""Reminders to agencies that have not yet reported for the period (DESIGN §1, DAG `nq57_reminders`).

On days 15, 18 and 20 of month M the period being collected is M-1; its deadline is 00:00 on the 21st of M,
Vietnam time (`mart.v_compliance.due_at`). An agency is reminded when it has no accepted upload for one or
both systems (NQ57, NQ71) of that period. A nil report (`khong_phat_sinh` = Có) is an accepted upload and
counts as submitted for its system; a rejected upload does not count.

Contacts: the shipped `data/agency_contacts.csv` holds **placeholder** addresses under `example.gov.vn`, since
the real reporting contacts are not known to the project. Operations replace that file, or set
`NQ57_CONTACTS_CSV` to their own copy (columns `agency_code,email,contact_name`; several addresses separated
by `;`; lines starting with `#` are comments). An agency with no contact row is skipped with a warning.

Sending is the caller's business: `send_reminders` takes a `send(to, subject, html)` callable, so this module
never imports Airflow (the DAG passes one backed by the Airflow SMTP connection).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from nq57 import periods, reference
from nq57.periods import VN
from nq57.settings import get_settings
from nq57.storage import warehouse
from nq57.vocabulary import SYSTEMS

log = logging.getLogger(__name__)

CONTACTS_ENV = "NQ57_CONTACTS_CSV"
PLACEHOLDER_DOMAIN = "example.gov.vn"
REMINDER_DAYS = (15, 18, 20)

SYSTEM_LABELS = {  # what each source system tracks, as the reminder names it
    "NQ57": "theo dõi thực hiện Nghị quyết số 57-NQ/TW của Bộ Chính trị",
    "NQ71": "theo dõi Chương trình hành động của Chính phủ (Nghị quyết số 71/NQ-CP)",
}

_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")
_ADDRESS_SPLIT = re.compile(r"\s*[;,]\s*")


# ---------------------------------------------------------------- contacts


@dataclass(frozen=True)
class Contact:
    agency_code: str
    email: str  # one address, or several separated by ';'
    contact_name: str = ""

    @property
    def recipients(self) -> list[str]:
        return [a for a in _ADDRESS_SPLIT.split(self.email.strip()) if a]

    @property
    def is_placeholder(self) -> bool:
        return any(a.lower().endswith("." + PLACEHOLDER_DOMAIN) or a.lower().endswith("@" + PLACEHOLDER_DOMAIN)
                   for a in self.recipients)


def contacts(path: str | Path | None = None) -> dict[str, Contact]:
    """Agency code -> reminder contact, from `path`, else `$NQ57_CONTACTS_CSV`, else the shipped placeholders.

    Raises ValueError listing every bad row (unknown agency, duplicate, missing or malformed address), so a
    mistyped replacement file fails the run loudly instead of silently skipping agencies.
    """
    source = path or os.getenv(CONTACTS_ENV) or None
    if source:
        text = Path(source).read_text(encoding="utf-8-sig")
        where = str(source)
    else:
        text = resources.files("nq57").joinpath("data", "agency_contacts.csv").read_text(encoding="utf-8")
        where = "nq57/data/agency_contacts.csv"
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    missing_columns = {"agency_code", "email"} - set(reader.fieldnames or ())
    if missing_columns:
        raise ValueError(f"{where}: missing column(s) {', '.join(sorted(missing_columns))}")
    known = reference.agencies()
    found: dict[str, Contact] = {}
    problems: list[str] = []
    for number, row in enumerate(reader, start=2):
        code = (row.get("agency_code") or "").strip().upper()
        email = (row.get("email") or "").strip()
        name = (row.get("contact_name") or "").strip()
        if code not in known:
            problems.append(f"row {number}: unknown agency code {code!r}")
            continue
        if code in found:
            problems.append(f"row {number}: agency {code} listed twice")
            continue
        contact = Contact(code, email, name)
        bad = [a for a in contact.recipients if not _EMAIL.match(a)]
        if not contact.recipients or bad:
            problems.append(f"row {number}: agency {code} has no valid e-mail address ({email!r})")
            continue
        found[code] = contact
    if problems:
        raise ValueError(f"{where}: " + "; ".join(problems))
    return found


# ---------------------------------------------------------------- periods and deadlines


def _deadline_text(when: dt.datetime) -> str:
    local = when.astimezone(VN) if when.tzinfo else when
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


# ---------------------------------------------------------------- who is missing


def missing_agencies(url: str, period: str) -> pd.DataFrame:
    """Agencies without an accepted upload (nil reports count) for one or both systems of `period`.

    Read from `mart.v_compliance` (`sql/queries/agency_compliance.sql`); a period nobody has uploaded for
    yet is not in that view, so the agency dimension is the left side and such a period lists every agency
    as missing both systems. Columns: agency_code, agency_name, agency_kind, nq57_submitted, nq71_submitted,
    nil_report, due_at, nq57_state / nq71_state (not_submitted | rejected | on_time | late), the newest
    rejected upload per system (nqXX_rejected_at, _rejected_errors, _rejection_reason,
    _rejected_feedback_key), missing_systems (list of "NQ57"/"NQ71").
    """
    frame = warehouse.query(url, warehouse.named_query("agency_compliance"), period=periods.check(period))
    frame = frame[frame["missing"]].reset_index(drop=True)
    frame["missing_systems"] = [
        [s for s, done in (("NQ57", r.nq57_submitted), ("NQ71", r.nq71_submitted)) if not done]
        for r in frame.itertuples()
    ]
    return frame


def _rejections(row) -> dict[str, dict]:
    """System -> its newest rejected upload, for the systems whose only uploads were rejected."""
    found = {}
    for system in SYSTEMS:
        prefix = system.lower()
        if getattr(row, f"{prefix}_state") != "rejected":
            continue
        received = getattr(row, f"{prefix}_rejected_at")
        errors = getattr(row, f"{prefix}_rejected_errors")
        reason = getattr(row, f"{prefix}_rejection_reason")
        feedback = getattr(row, f"{prefix}_rejected_feedback_key")
        found[system] = {
            "received_at": None if pd.isna(received) else pd.Timestamp(received).to_pydatetime().isoformat(),
            "errors": None if pd.isna(errors) else int(errors),
            "reason": None if pd.isna(reason) else str(reason),
            "feedback_key": None if pd.isna(feedback) else str(feedback),
        }
    return found


def find_missing(url: str, period: str) -> list[dict]:
    """`missing_agencies` as plain records (JSON-friendly, e.g. for an XCom): code, name, systems, due_at, and
    `rejected`: system -> {received_at, errors, reason, feedback_key} for systems whose uploads were all
    rejected (submitted but not accepted)."""
    frame = missing_agencies(url, period)
    found = [
        {"agency_code": r.agency_code, "agency_name": r.agency_name, "missing_systems": list(r.missing_systems),
         "due_at": r.due_at.to_pydatetime().astimezone(VN).isoformat(), "rejected": _rejections(r)}
        for r in frame.itertuples()
    ]
    log.info("period %s: %d agencies missing%s", period, len(found),
             ": " + ", ".join(f"{m['agency_code']} ({'+'.join(m['missing_systems'])})" for m in found) if found else "")
    return found


# ---------------------------------------------------------------- the message


@dataclass(frozen=True)
class ReminderMessage:
    subject: str
    html_body: str
    text_body: str


def compose_reminder(agency: reference.Agency | str, missing_systems: Iterable[str], period: str,
                     due_at: dt.datetime | str | None = None, *,
                     rejected: Mapping[str, Mapping] | None = None) -> ReminderMessage:
    """The Vietnamese reminder for one agency: subject, HTML body and plain-text body.

    `rejected` (system -> {received_at, errors, reason, feedback_key}, as `find_missing` gives it) names the
    missing systems whose file was received but not accepted: the message then says so, when it arrived,
    why it was refused and where the feedback workbook is, instead of "nothing received"."""
    period = periods.check(period)
    if isinstance(agency, str):
        agency = reference.agencies().get(agency) or reference.Agency(agency, agency, "", agency, ())
    systems = [s for s in SYSTEMS if s in set(missing_systems)]
    unknown = set(missing_systems) - set(SYSTEMS)
    if unknown or not systems:
        raise ValueError(f"missing_systems must be a non-empty subset of {SYSTEMS}, got {list(missing_systems)}")
    if isinstance(due_at, str):
        due_at = dt.datetime.fromisoformat(due_at)
    deadline = _deadline_text(due_at if due_at is not None else periods.due_at(period))
    month = periods.label(period)
    bucket = get_settings().buckets
    upload = f"{bucket.submissions}/{agency.code}/{period}/"
    feedback = f"{bucket.feedback}/{agency.code}/{period}/"
    both = len(systems) == len(SYSTEMS)

    rejected = {s: dict(v) for s, v in (rejected or {}).items() if s in systems}
    subject = f"Nhắc nộp báo cáo tháng {month} về thực hiện Nghị quyết 57-NQ/TW"
    received = "báo cáo hợp lệ" if rejected else "báo cáo"
    intro = (f"Đến thời điểm gửi thư này, hệ thống tổng hợp chưa nhận được {received} tháng {month} về tình hình "
             f"thực hiện Nghị quyết số 57-NQ/TW của Quý cơ quan trên {'cả hai hệ thống' if both else 'hệ thống'} sau:")
    details = {s: _system_line(s, rejected.get(s), bucket.feedback) for s in systems}
    ask = (f"Đề nghị Quý cơ quan tải báo cáo (tệp Excel theo mẫu, mỗi hệ thống một tệp) lên thư mục {upload} "
           f"trước {deadline} (giờ Việt Nam).")
    nil = ("Nếu trong kỳ không phát sinh nhiệm vụ trên một hệ thống, Quý cơ quan vẫn nộp báo cáo của hệ thống đó "
           "theo mẫu và ghi \"Có\" ở mục \"Không phát sinh nhiệm vụ trong kỳ\".")
    after = f"Kết quả tiếp nhận từng tệp được trả về thư mục {feedback}."
    closing = ("Nếu Quý cơ quan đã nộp báo cáo sau thời điểm gửi thư này, xin vui lòng bỏ qua thư. "
               "Đây là thư tự động từ hệ thống tổng hợp báo cáo, vui lòng không trả lời thư này.")
    lines = [f"Kính gửi: {agency.name}", "", intro, *(f"  - Hệ thống {s}: {details[s]}" for s in systems), "",
             ask, nil, after, "", closing, "", "Trân trọng."]
    text_body = "\n".join(lines) + "\n"

    e = html.escape
    items = "".join(f"<li>Hệ thống <strong>{s}</strong>: {e(details[s])}</li>" for s in systems)
    html_body = (
        '<html><head><meta charset="utf-8"></head><body>'
        f"<p>Kính gửi: <strong>{e(agency.name)}</strong></p>"
        f"<p>{e(intro)}</p><ul>{items}</ul>"
        f"<p>Đề nghị Quý cơ quan tải báo cáo (tệp Excel theo mẫu, mỗi hệ thống một tệp) lên thư mục "
        f"<code>{e(upload)}</code> <strong>trước {e(deadline)}</strong> (giờ Việt Nam).</p>"
        f"<p>{e(nil)}</p><p>Kết quả tiếp nhận từng tệp được trả về thư mục <code>{e(feedback)}</code>.</p>"
        f"<p><em>{e(closing)}</em></p><p>Trân trọng.</p>"
        "</body></html>"
    )
    return ReminderMessage(subject=subject, html_body=html_body, text_body=text_body)


def _system_line(system: str, rejection: Mapping | None, feedback_bucket: str) -> str:
    """What the reminder says of one missing system: what it tracks and, when a file was refused, why."""
    line = SYSTEM_LABELS[system]
    if rejection is None:
        return line + " (chưa nhận được tệp báo cáo)"
    when = rejection.get("received_at")
    arrived = f" lúc {_deadline_text(dt.datetime.fromisoformat(when))}" if when else ""
    errors = rejection.get("errors")
    count = f"{errors} lỗi" if errors else "có lỗi"
    reason = (rejection.get("reason") or "").strip().rstrip(".")
    first = f"; lỗi đầu tiên: {reason}" if reason else ""
    feedback = rejection.get("feedback_key")
    where = f" Chi tiết từng lỗi trong tệp phản hồi {feedback_bucket}/{feedback}." if feedback else ""
    return (f"{line}. Đã nhận tệp báo cáo{arrived} nhưng tệp không được chấp nhận ({count}{first}), nên chưa được "
            f"tính là đã nộp; đề nghị sửa và nộp lại.{where}")


# ---------------------------------------------------------------- sending


class ReminderDeliveryError(RuntimeError):
    """Some reminders could not be sent; `sent` lists the agencies that were reminded anyway."""

    def __init__(self, failed: Mapping[str, str], sent: list[str]):
        self.failed = dict(failed)
        self.sent = list(sent)
        super().__init__(f"reminders not sent to {', '.join(f'{k} ({v})' for k, v in self.failed.items())}; "
                         f"sent to {len(self.sent)} other agencies")


def send_reminders(url: str, period: str, send: Callable[[list[str], str, str], None], *,
                   missing: list[dict] | None = None,
                   contact_book: Mapping[str, Contact] | None = None) -> list[str]:
    """Remind every agency still missing for `period`; returns the agency codes reminded.

    `send(to, subject, html)` delivers one message (`to` is the contact's list of addresses). `missing` is a
    `find_missing` result to use instead of querying the warehouse again. Agencies without a contact are
    skipped with a warning. A failed send does not stop the others; `ReminderDeliveryError` is raised at the
    end naming the failures.
    """
    period = periods.check(period)
    if missing is None:
        missing = find_missing(url, period)
    if not missing:
        log.info("period %s: every agency has reported for both systems; no reminder to send", period)
        return []
    book = contacts() if contact_book is None else contact_book
    sent: list[str] = []
    failed: dict[str, str] = {}
    for entry in missing:
        code = entry["agency_code"]
        contact = book.get(code)
        if contact is None:
            log.warning("period %s: %s is missing %s but has no reminder contact; skipped",
                        period, code, "+".join(entry["missing_systems"]))
            continue
        if contact.is_placeholder:
            log.warning("period %s: %s's contact %s is a placeholder address (replace agency_contacts.csv)",
                        period, code, contact.email)
        message = compose_reminder(code, entry["missing_systems"], period, entry.get("due_at"),
                                   rejected=entry.get("rejected"))
        try:
            send(contact.recipients, message.subject, message.html_body)
        except Exception as exc:  # one bad address must not stop the other reminders
            log.error("period %s: reminder to %s <%s> failed: %s", period, code, contact.email, exc)
            failed[code] = f"{type(exc).__name__}: {exc}"
            continue
        log.info("period %s: reminded %s <%s> (missing %s)", period, code, contact.email,
                 "+".join(entry["missing_systems"]))
        sent.append(code)
    if failed:
        raise ReminderDeliveryError(failed, sent)
    return sent
