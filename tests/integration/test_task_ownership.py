"""Task codes belong to the agency that reports them as lead (issue 17 item 5), end to end on the real store
and warehouse: uploads through the S3 server, the real ingest, consolidation, the mart views and the report.

The attack: agency T79, using only its own upload rights, reports T01's task code in its own file. Before,
the newest report naming its reporter as lead won, so T79 replaced the task's lead, status and name in
mart.v_tasks and in the Prime Minister's report.
"""

from __future__ import annotations

import pytest

from nq57 import pipeline
from nq57.dedupe import consolidate
from nq57.outputs import report
from nq57.settings import get_settings
from nq57.storage import objectstore, warehouse

from workbooks import filled_bytes, task

pytestmark = pytest.mark.integration
BUCKET = get_settings().buckets.submissions
CODE = "NQ57-T01-0001"
OWN = task(ma_nhiem_vu=CODE, co_quan_chu_tri="T01", ten_nhiem_vu="Chuyển đổi số trong quản lý đất đai của tỉnh",
           tinh_trang="Đang thực hiện trong hạn", tien_do=40)


def upload_and_ingest(services, agency: str, rows: list[dict], period: str = "2026-10", name: str = "NQ57") -> None:
    client = objectstore.connect(services.store)
    objectstore.put_bytes(client, BUCKET, f"{agency}/{period}/{name}.xlsx",
                          filled_bytes(rows, agency=agency, period=period))
    for batch in pipeline.discover(services):
        for outcome in pipeline.ingest_batch(services, batch):
            assert outcome["accepted"], warehouse.submission_issues(services.warehouse_url, outcome["submission_id"])


def v_task(url: str, code: str = CODE, period: str = "2026-10"):
    frame = warehouse.query(url, "SELECT * FROM mart.v_tasks WHERE nq57_task_code = :c AND period = :p",
                            c=code, p=period)
    assert len(frame) <= 1
    return None if frame.empty else frame.iloc[0]


def claims(url: str) -> list[tuple]:
    frame = warehouse.query(url, "SELECT period, task_code, owner_agency_code, reporting_agency_code, "
                                 "lead_agency_code, names_itself_lead FROM mart.v_task_code_claims ORDER BY 1, 2, 4")
    return [tuple(r) for r in frame.itertuples(index=False)]


def test_another_agency_naming_itself_lead_does_not_take_over_a_task(pipeline_env):
    url = pipeline_env.warehouse_url
    upload_and_ingest(pipeline_env, "T01", [OWN])
    upload_and_ingest(pipeline_env, "T79", [task(ma_nhiem_vu=CODE, co_quan_chu_tri="T79",
                                                  ten_nhiem_vu="Nhiệm vụ đã bị thay thế",
                                                  tinh_trang="Hoàn thành đúng hạn", tien_do=100,
                                                  ngay_hoan_thanh="01/10/2026")])
    consolidate.consolidate_period(url, "2026-10")

    row = v_task(url)
    assert (row.lead_agency_code, row.task_name, row.status_code, float(row.progress_pct)) == \
        ("T01", OWN["ten_nhiem_vu"], "DANG_TRONG_HAN", 40.0)
    assert bool(row.code_contested)
    assert claims(url) == [("2026-10", CODE, "T01", "T79", "T79", True)]
    data = report.load_report_data(url, "2026-10")
    reported = data.tasks[data.tasks.nq57_task_code == CODE]
    assert list(reported.lead_agency_code) == ["T01"] and list(reported.task_name) == [OWN["ten_nhiem_vu"]]


def test_a_report_naming_the_owner_as_lead_does_not_replace_the_owners_status(pipeline_env):
    url = pipeline_env.warehouse_url
    upload_and_ingest(pipeline_env, "T01", [OWN])
    upload_and_ingest(pipeline_env, "T79", [task(ma_nhiem_vu=CODE, co_quan_chu_tri="T01",
                                                  tinh_trang="Hoàn thành đúng hạn", tien_do=100,
                                                  ngay_hoan_thanh="01/10/2026")])
    row = v_task(url)
    assert (row.lead_agency_code, row.status_code) == ("T01", "DANG_TRONG_HAN")
    assert claims(url) == [("2026-10", CODE, "T01", "T79", "T01", False)]


def test_a_month_the_owner_does_not_report_is_not_filled_by_another_agency(pipeline_env):
    url = pipeline_env.warehouse_url
    upload_and_ingest(pipeline_env, "T01", [OWN], period="2026-09")
    upload_and_ingest(pipeline_env, "T01", [task(ma_nhiem_vu="NQ57-T01-0002", co_quan_chu_tri="T01")])
    upload_and_ingest(pipeline_env, "T79", [task(ma_nhiem_vu=CODE, co_quan_chu_tri="T79",
                                                  tinh_trang="Hoàn thành đúng hạn", tien_do=100,
                                                  ngay_hoan_thanh="01/10/2026")])
    assert v_task(url) is None  # T01 did not report it in October; T79's version does not stand in
    assert v_task(url, period="2026-09").lead_agency_code == "T01"
    assert claims(url) == [("2026-10", CODE, "T01", "T79", "T79", True)]


def test_a_later_upload_of_the_attacker_does_not_change_ownership_or_resubmission_order(pipeline_env):
    """The owner's own correction still wins over its first upload; the attacker's resubmission does not."""
    url = pipeline_env.warehouse_url
    upload_and_ingest(pipeline_env, "T01", [OWN])
    upload_and_ingest(pipeline_env, "T79", [task(ma_nhiem_vu=CODE, co_quan_chu_tri="T79")], name="a")
    upload_and_ingest(pipeline_env, "T01", [{**OWN, "tien_do": 70}])
    upload_and_ingest(pipeline_env, "T79", [task(ma_nhiem_vu=CODE, co_quan_chu_tri="T79")], name="a")
    row = v_task(url)
    assert (row.lead_agency_code, float(row.progress_pct)) == ("T01", 70.0)


def test_partners_reports_of_an_unclaimed_code_still_count_and_are_flagged(pipeline_env):
    """No reporter names itself lead (the lead agency does not report): the newest report counts, and two
    agencies reporting the same code are listed for follow-up."""
    url = pipeline_env.warehouse_url
    shared = task(ma_nhiem_vu="NQ57-BYT-0009", co_quan_chu_tri="BYT", tien_do=20)
    upload_and_ingest(pipeline_env, "T01", [shared])
    row = v_task(url, "NQ57-BYT-0009")
    assert (row.lead_agency_code, bool(row.code_contested)) == ("BYT", False)
    upload_and_ingest(pipeline_env, "T79", [{**shared, "tien_do": 30}])
    row = v_task(url, "NQ57-BYT-0009")
    assert (row.lead_agency_code, float(row.progress_pct), bool(row.code_contested)) == ("BYT", 30.0, True)
    assert {c[3] for c in claims(url)} == {"T01", "T79"}


def test_the_agency_claiming_an_owned_code_is_told_at_the_cell(pipeline_env):
    """Flagged, never silent: T79's row is kept but does not count, and T79's feedback says so at the code's
    cell, naming the owner; the owner's own report and a partner's report get no such warning."""
    import io

    import openpyxl

    from nq57.outputs import feedback

    url = pipeline_env.warehouse_url
    upload_and_ingest(pipeline_env, "T01", [OWN, task(ma_nhiem_vu="NQ57-T01-0002", co_quan_chu_tri="T01")])
    upload_and_ingest(pipeline_env, "T79", [task(ma_nhiem_vu="NQ57-T79-0001", co_quan_chu_tri="T79"),
                                            task(ma_nhiem_vu=CODE, co_quan_chu_tri="T79"),
                                            task(ma_nhiem_vu="NQ57-T01-0002", co_quan_chu_tri="T01")])
    found = warehouse.rows(url, """
        SELECT s.agency_code, i.sheet, i.row_number, i.column_ref, i.message, i.severity
        FROM raw.submission_issue i JOIN raw.submission s USING (submission_id)
        WHERE i.rule = 'task.code_owned_elsewhere'""")
    assert [(f.agency_code, f.sheet, f.row_number, f.column_ref, f.severity) for f in found] == \
        [("T79", "NhiemVu", 6, "B", "warning")]  # the second task row of the sheet (data from row 5), code column
    assert found[0].message.startswith(f"Mã nhiệm vụ {CODE} đã được Ủy ban nhân dân") and "(T01)" in found[0].message
    [staged] = warehouse.rows(url, "SELECT status, task_count FROM raw.submission WHERE agency_code = 'T79'")
    assert (staged.status, staged.task_count) == ("accepted", 3)

    body = objectstore.fetch(objectstore.connect(pipeline_env.store), get_settings().buckets.feedback,
                             feedback.feedback_key("T79", "2026-10", "T79/2026-10/NQ57.xlsx"))
    cell = openpyxl.load_workbook(io.BytesIO(body))["NhiemVu"]["B6"]
    assert cell.value == CODE and CODE in cell.comment.text and "T01" in cell.comment.text
