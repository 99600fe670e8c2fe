"""The report's figures as the warehouse gives them (real PostgreSQL): the three submission states in
mart.v_submissions and mart.v_compliance, indicator verdicts for every target form, two systems' values
kept apart, a month without uploads, two identical runs, `nq57 report` writing both files."""

from __future__ import annotations

import io
import itertools

import docx
import pytest
from sqlalchemy import text

from nq57 import reference
from nq57.outputs import reminders, report
from nq57.storage import warehouse

pytestmark = pytest.mark.integration

_versions = itertools.count(1)


def submit(conn, agency: str, system: str | None, received_at: str, status: str = "accepted", *,
           period: str = "2026-10", errors: list[str] = (), indicators: dict[str, float] | None = None,
           feedback: str | None = None) -> int:
    """A ledger row as the ingest DAG leaves it, with its issues and staged indicator rows."""
    version = next(_versions)
    submission_id = conn.execute(text(
        "INSERT INTO raw.submission (bucket, object_key, version_id, sha256, size_bytes, agency_code, period, "
        "system, received_at, status, error_count, feedback_key) VALUES ('nq57-submissions', :key, :v, :v, 1, "
        ":agency, :period, :system, :at, :status, :errors, :feedback) RETURNING submission_id"),
        {"key": f"{agency}/{period}/{system or 'tep'}_{version}.xlsx", "v": str(version), "agency": agency,
         "period": period, "system": system, "at": received_at, "status": status, "errors": len(errors),
         "feedback": feedback}).scalar_one()
    for seq, message in enumerate(errors):
        conn.execute(text("INSERT INTO raw.submission_issue (submission_id, seq, severity, rule, message) "
                          "VALUES (:id, :seq, 'error', 'x', :message)"), {"id": submission_id, "seq": seq,
                                                                            "message": message})
    for row, (code, value) in enumerate((indicators or {}).items(), start=5):
        conn.execute(text("INSERT INTO staging.indicator (submission_id, source_sheet, source_row, indicator_code, "
                          "value) VALUES (:id, 'ChiTieu', :row, :code, :value)"),
                     {"id": submission_id, "row": row, "code": code, "value": value})
    return submission_id


ON_TIME, LATE = "2026-11-18 09:00:00+07", "2026-11-21 00:30:00+07"


def test_three_submission_states_per_system_and_one_category_per_agency(warehouse_url):
    with warehouse.transaction(warehouse_url) as conn:
        submit(conn, "BKHCN", "NQ57", ON_TIME)
        submit(conn, "BKHCN", "NQ71", ON_TIME)
        submit(conn, "BTC", "NQ57", ON_TIME)
        submit(conn, "BTC", "NQ71", LATE)
        # T01: NQ57 rejected twice (the newer one counts as "why"), NQ71 on time
        submit(conn, "T01", "NQ57", "2026-11-15 09:00:00+07", "rejected", errors=["Lỗi cũ."])
        submit(conn, "T01", "NQ57", "2026-11-19 14:05:00+07", "rejected",
               errors=["Tình trạng 'Đang làm' không thuộc danh mục 7 tình trạng.", "Lỗi thứ hai."],
               feedback="T01/2026-10/b.feedback.xlsx")
        submit(conn, "T01", "NQ71", ON_TIME)
        # T79: accepted on time, then a rejected correction: the earlier version still counts
        submit(conn, "T79", "NQ57", ON_TIME)
        submit(conn, "T79", "NQ71", "2026-11-17 08:00:00+07")
        submit(conn, "T79", "NQ71", "2026-11-20 10:00:00+07", "rejected", errors=["Mã nhiệm vụ bị trùng."])
        # T20: rejected first, then accepted late: late, and the old rejection is no longer news
        submit(conn, "T20", "NQ57", "2026-11-16 09:00:00+07", "rejected", errors=["x"])
        submit(conn, "T20", "NQ57", LATE)
        submit(conn, "T20", "NQ71", ON_TIME)
        # BCA: NQ57 only
        submit(conn, "BCA", "NQ57", ON_TIME)
        # BYT: one unreadable file (system unknown): rejected for both systems
        submit(conn, "BYT", None, ON_TIME, "rejected", errors=["Tệp không phải là bảng tính Excel."])

    rows = warehouse.query(warehouse_url, "SELECT * FROM mart.v_compliance WHERE period = '2026-10'")
    rows = rows.set_index("agency_code")
    states = {code: (r.nq57_state, r.nq71_state, r.submission_state) for code, r in rows.iterrows()
              if code in {"BKHCN", "BTC", "T01", "T79", "T20", "BCA", "BYT", "BQP"}}
    assert states == {
        "BKHCN": ("on_time", "on_time", "on_time"), "BTC": ("on_time", "late", "late"),
        "T01": ("rejected", "on_time", "rejected"), "T79": ("on_time", "on_time", "on_time"),
        "T20": ("late", "on_time", "late"), "BCA": ("on_time", "not_submitted", "partial"),
        "BYT": ("rejected", "rejected", "rejected"), "BQP": ("not_submitted", "not_submitted", "not_submitted"),
    }
    agencies = len(reference.agencies())
    # by hand: on_time 2 (BKHCN, T79), late 2 (BTC, T20), rejected 2 (T01, BYT), partial 1 (BCA), the rest none
    assert rows.submission_state.value_counts().to_dict() == {
        "not_submitted": agencies - 7, "on_time": 2, "late": 2, "rejected": 2, "partial": 1}
    for system in ("nq57", "nq71"):
        assert rows[f"{system}_state"].value_counts().sum() == agencies  # each system adds up too
    t01 = rows.loc["T01"]
    assert (t01.nq57_rejected_errors, t01.nq57_rejection_reason, t01.nq57_rejected_feedback_key) == (
        2, "Tình trạng 'Đang làm' không thuộc danh mục 7 tình trạng.", "T01/2026-10/b.feedback.xlsx")
    assert t01.missing and not t01.nq57_submitted
    t79 = rows.loc["T79"]
    assert t79.nq71_rejection_reason == "Mã nhiệm vụ bị trùng." and t79.nq71_rejected_errors == 1
    assert t79.nq71_counting_received_at.tz_convert("Asia/Ho_Chi_Minh").strftime("%d/%m %H:%M") == "17/11 08:00"
    assert t79.nq71_received_at == t79.nq71_counting_received_at and not t79.missing
    assert str(rows.loc["T20"].nq57_rejected_at) in {"NaT", "None"}  # rejected before the accepted one: old news

    uploads = warehouse.query(warehouse_url, "SELECT * FROM mart.v_submissions WHERE agency_code = 'T79' "
                                             "ORDER BY received_at")
    assert list(uploads.submission_state) == ["accepted_on_time", "accepted_on_time", "rejected"]
    correction = uploads.iloc[-1]
    counted = uploads[uploads.system.eq("NQ71") & uploads.is_latest].iloc[0]
    assert correction.first_error == "Mã nhiệm vụ bị trùng."
    assert correction.counting_submission_id == counted.submission_id  # the earlier version still counts


def test_reminders_say_the_file_was_rejected_and_why(warehouse_url):
    with warehouse.transaction(warehouse_url) as conn:
        submit(conn, "T01", "NQ57", "2026-11-19 14:05:00+07", "rejected", errors=["Thiếu sheet NhiemVu."],
               feedback="T01/2026-10/b.feedback.xlsx")
        submit(conn, "T01", "NQ71", ON_TIME)
    [t01] = [m for m in reminders.find_missing(warehouse_url, "2026-10") if m["agency_code"] == "T01"]
    assert t01["missing_systems"] == ["NQ57"]
    assert t01["rejected"]["NQ57"]["errors"] == 1 and t01["rejected"]["NQ57"]["reason"] == "Thiếu sheet NhiemVu."
    message = reminders.compose_reminder("T01", t01["missing_systems"], "2026-10", t01["due_at"],
                                         rejected=t01["rejected"])
    assert "chưa nhận được báo cáo hợp lệ tháng 10/2026" in message.text_body
    assert ("Đã nhận tệp báo cáo lúc 14:05 ngày 19/11/2026 nhưng tệp không được chấp nhận (1 lỗi; lỗi đầu tiên: "
            "Thiếu sheet NhiemVu), nên chưa được tính là đã nộp") in message.text_body
    assert "nq57-feedback/T01/2026-10/b.feedback.xlsx" in message.html_body
    [byt] = [m for m in reminders.find_missing(warehouse_url, "2026-10") if m["agency_code"] == "BYT"]
    assert byt["rejected"] == {}  # nothing received: the plain reminder
    assert "chưa nhận được tệp báo cáo" in reminders.compose_reminder("BYT", byt["missing_systems"], "2026-10",
                                                                       byt["due_at"]).text_body


# catalogue targets: CT_11_1 >= 80, CT_14 > 0.7, CT_4 <= 3, CT_20 = 10, CT_18 = 12, CT_21 between 16 and 18,
# CT_1 qualitative, CT_8 >= 55
VERDICTS = {  # value -> expected verdict, by hand
    ("CT_11_1", 80): True, ("CT_11_1", 79.9): False,
    ("CT_14", 0.7): False, ("CT_14", 0.71): True,
    ("CT_4", 3): True, ("CT_4", 4): False,
    ("CT_20", 10.9): True,  # "= 10" is a floor: 10.9 reaches it (exact equality read "Chưa đạt")
    ("CT_18", 12): True, ("CT_18", 11.5): False,
    ("CT_21", 16): True, ("CT_21", 18): True, ("CT_21", 18.5): False, ("CT_21", 15.9): False,
    ("CT_1", 3): None,
}


def test_indicator_verdict_honours_every_target_form(warehouse_url):
    agencies = [c for c in reference.agencies() if c.startswith("T")]
    with warehouse.transaction(warehouse_url) as conn:
        for agency, ((code, value), _) in zip(agencies, VERDICTS.items(), strict=False):
            submit(conn, agency, "NQ57", ON_TIME, indicators={code: value})
    got = warehouse.query(warehouse_url, "SELECT agency_code, indicator_code, value, meets_target, value_conflict "
                                         "FROM mart.v_indicators WHERE period = '2026-10'").set_index("agency_code")
    for agency, ((code, value), expected) in zip(agencies, VERDICTS.items(), strict=False):
        row = got.loc[agency]
        assert (row.indicator_code, float(row.value)) == (code, value)
        verdict = None if row.meets_target is None or row.meets_target != row.meets_target else bool(row.meets_target)
        assert verdict is expected, (code, value)
        assert not row.value_conflict


def test_two_systems_disagreeing_keep_both_values_whatever_the_upload_order(warehouse_url):
    with warehouse.transaction(warehouse_url) as conn:
        # the same second, so no "newest upload" could decide: nothing is picked
        submit(conn, "BTC", "NQ71", ON_TIME, indicators={"CT_8": 12.4, "CT_17": 3.1})
        submit(conn, "BTC", "NQ57", ON_TIME, indicators={"CT_8": 7.8, "CT_17": 3.1})
        submit(conn, "NHNN", "NQ57", ON_TIME, indicators={"CT_12": 82})
        submit(conn, "NHNN", "NQ71", ON_TIME, indicators={"CT_12": 74.5})
    sql = "SELECT * FROM mart.v_indicators WHERE period = '2026-10' ORDER BY agency_code, indicator_code"
    rows = warehouse.query(warehouse_url, sql).set_index("indicator_code")
    ct8 = rows.loc["CT_8"]
    assert ct8.value_conflict and (ct8.value is None or ct8.value != ct8.value)
    assert (float(ct8.nq57_value), float(ct8.nq71_value)) == (7.8, 12.4)
    assert (ct8.nq57_meets_target, ct8.nq71_meets_target, ct8.meets_target) == (False, False, False)
    assert ct8.system == "NQ57+NQ71"
    ct12 = rows.loc["CT_12"]  # one value meets >= 80, the other does not: no verdict
    assert ct12.value_conflict and ct12.meets_target is None
    ct17 = rows.loc["CT_17"]  # both systems agree: one value, no conflict
    assert not ct17.value_conflict and float(ct17.value) == 3.1 and bool(ct17.meets_target)
    # two runs read the same figures, and build byte-identical files
    first = report.build(report.load_report_data(warehouse_url, "2026-10"), generated_at=GENERATED)
    second = report.build(report.load_report_data(warehouse_url, "2026-10"), generated_at=GENERATED)
    assert first.workbook == second.workbook and first.document == second.document


def test_a_month_without_uploads_reports_every_agency_as_not_submitted(warehouse_url):
    with warehouse.transaction(warehouse_url) as conn:
        submit(conn, "BKHCN", "NQ57", ON_TIME, period="2026-09")  # the warehouse has September, not October
    data = report.load_report_data(warehouse_url, "2026-10")
    agencies = len(reference.agencies())
    assert len(data.compliance) == agencies and set(data.compliance.submission_state) == {"not_submitted"}
    assert data.trend_periods == ("2026-09", "2026-10") and data.previous_compliance is not None
    built = report.build(data, generated_at=GENERATED)
    assert built.figures.compliance.by_state["not_submitted"] == agencies == 58
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(built.document)).paragraphs)
    assert "58 đơn vị (100,0%) chưa gửi đủ báo cáo hợp lệ, gồm: 58 đơn vị chưa gửi báo cáo." in body
    assert [p.compliance["not_submitted"] for p in built.figures.trend] == [57, 58]


def test_report_command_writes_the_workbook_and_the_document_next_to_it(warehouse_url, tmp_path, capsys):
    from nq57.ops.cli import main

    with warehouse.transaction(warehouse_url) as conn:
        submit(conn, "BKHCN", "NQ57", ON_TIME)
    (tmp_path / "bao_cao").mkdir()  # nq57 writes into folders that exist (README "Output paths")
    out = tmp_path / "bao_cao" / "thang10.xlsx"
    assert main(["report", "--period", "2026-10", "--out", str(out), "--warehouse", warehouse_url]) == 0
    printed = capsys.readouterr().out
    assert f"annex workbook:   {out}" in printed and f"drafted document: {out.with_suffix('.docx')}" in printed
    assert out.read_bytes().startswith(b"PK") and out.with_suffix(".docx").read_bytes().startswith(b"PK")
    body = "\n".join(p.text for p in docx.Document(out.with_suffix(".docx")).paragraphs)
    # the document names the annex written next to it, never the store's name for it
    assert "tệp thang10.xlsx" in body and "bao_cao_tong_hop" not in body
    assert main(["report", "--period", "2026-10", "--out", str(tmp_path / "x.pdf"), "--warehouse",
                 warehouse_url]) == 2
    assert "the file name must end in .xlsx" in capsys.readouterr().err


GENERATED = __import__("datetime").datetime(2026, 11, 21, 8, 0)
