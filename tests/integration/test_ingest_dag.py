"""The real `nq57_ingest` DAG with `dag.test()` against the embedded S3 server and PostgreSQL."""

from __future__ import annotations

import io

import openpyxl
import pytest

from nq57.settings import get_settings
from nq57.storage import objectstore, warehouse

from workbooks import filled_bytes, task

pytestmark = pytest.mark.integration
BUCKETS = get_settings().buckets


def upload(client, key: str, data: bytes) -> str | None:
    return objectstore.put_bytes(client, BUCKETS.submissions, key, data)


def run_ingest(dag_bag):
    from airflow.utils.state import DagRunState

    run = dag_bag.dags["nq57_ingest"].test()
    assert run.state == DagRunState.SUCCESS
    return run


def snapshot(url: str) -> dict[str, list]:
    tables = {
        "submissions": "SELECT submission_id, object_key, version_id, status, is_latest, task_count FROM mart.v_submissions ORDER BY 1",
        "tasks": "SELECT * FROM mart.v_tasks ORDER BY unified_task_id",
        "indicators": "SELECT * FROM mart.v_indicators ORDER BY agency_code, indicator_code",
        "issues": "SELECT * FROM raw.submission_issue ORDER BY submission_id, seq",
    }
    return {name: warehouse.query(url, sql).astype(str).values.tolist() for name, sql in tables.items()}


def test_accepted_file_lands_with_provenance_and_bad_file_is_rejected(dag_bag, pipeline_env, store):
    good = filled_bytes([task(), task(stt="2", ma_nhiem_vu="NQ57-BKHCN-0002", ma_lien_ket="NQ71-BKHCN-0002")],
                        [{"ma_chi_tieu": "CT_11_1", "gia_tri": "85,5"}])
    bad = filled_bytes([task(co_quan_chu_tri="T01", tinh_trang="Đang làm")], agency="T01")
    upload(store, "BKHCN/2026-10/bao_cao_nq57.xlsx", good)
    upload(store, "T01/2026-10/bao_cao.xlsx", bad)

    run_ingest(dag_bag)

    url = pipeline_env.warehouse_url
    subs = warehouse.query(url, "SELECT * FROM mart.v_submissions ORDER BY agency_code").set_index("agency_code")
    assert subs.loc["BKHCN", "status"] == "accepted" and subs.loc["BKHCN", "is_latest"]
    assert subs.loc["T01", "status"] == "rejected" and subs.loc["T01", "error_count"] >= 1
    assert len(subs.loc["BKHCN", "sha256"]) == 64 and subs.loc["BKHCN", "version_id"]

    tasks = warehouse.query(url, "SELECT * FROM mart.v_tasks ORDER BY source_row")
    assert tasks["nq57_task_code"].tolist() == ["NQ57-BKHCN-0001", "NQ57-BKHCN-0002"]
    # the declared link code is staged; the NQ71 side appears once its own file is consolidated
    staged_link = warehouse.query(url, "SELECT link_code FROM staging.task WHERE task_code = 'NQ57-BKHCN-0002'")
    assert staged_link.link_code[0] == "NQ71-BKHCN-0002"
    assert set(tasks["object_key"]) == {"BKHCN/2026-10/bao_cao_nq57.xlsx"}
    assert tasks["source_sheet"].tolist() == ["NhiemVu", "NhiemVu"] and tasks["source_row"].tolist() == [5, 6]
    assert tasks.loc[0, "task_name"].startswith("Xây dựng cơ sở dữ liệu quốc gia")
    assert set(tasks["submission_id"]) == {int(subs.loc["BKHCN", "submission_id"])}

    indicators = warehouse.query(url, "SELECT * FROM mart.v_indicators")
    assert indicators.loc[0, "value"] == 85.5 and indicators.loc[0, "target_op"] == ">=" and indicators.loc[0, "meets_target"]

    staged_from_rejected = warehouse.query(
        url, "SELECT count(*) AS n FROM staging.task t JOIN raw.submission s USING (submission_id) WHERE s.agency_code = 'T01'")
    assert staged_from_rejected.n[0] == 0
    issue = warehouse.query(url, "SELECT * FROM raw.submission_issue i JOIN raw.submission s USING (submission_id) "
                                 "WHERE s.agency_code = 'T01' AND rule = 'task.status_invalid'").iloc[0]
    assert (issue.sheet, issue.row_number, issue.column_ref) == ("NhiemVu", 5, "K")
    assert issue.message == "Tình trạng 'Đang làm' không thuộc danh mục 7 tình trạng."

    feedback_key = subs.loc["T01", "feedback_key"]
    assert feedback_key == "T01/2026-10/bao_cao.xlsx.feedback.xlsx"
    body = objectstore.fetch(store, BUCKETS.feedback, feedback_key)
    sheet = openpyxl.load_workbook(io.BytesIO(body))["PhanHoi"]
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "KHÔNG ĐƯỢC TIẾP NHẬN" in text and "Đang làm" in text and "K5" in text
    # the raw upload is kept untouched
    assert objectstore.fetch(store, BUCKETS.submissions, "T01/2026-10/bao_cao.xlsx") == bad


def test_running_twice_changes_nothing_and_a_resubmission_becomes_latest(dag_bag, pipeline_env, store):
    url = pipeline_env.warehouse_url
    key = "BKHCN/2026-10/bao_cao_nq57.xlsx"
    first_version = upload(store, key, filled_bytes([task()]))
    run_ingest(dag_bag)
    once = snapshot(url)

    run_ingest(dag_bag)
    assert snapshot(url) == once

    second_version = upload(store, key, filled_bytes([task(tien_do=90), task(ma_nhiem_vu="NQ57-BKHCN-0009")]))
    run_ingest(dag_bag)
    subs = warehouse.query(url, "SELECT * FROM mart.v_submissions ORDER BY submission_id")
    assert subs["version_id"].tolist() == [first_version, second_version]
    assert subs["is_latest"].tolist() == [False, True]
    tasks = warehouse.query(url, "SELECT nq57_task_code, progress_pct, submission_id FROM mart.v_tasks ORDER BY 1")
    assert tasks["nq57_task_code"].tolist() == ["NQ57-BKHCN-0001", "NQ57-BKHCN-0009"]
    assert tasks["progress_pct"].tolist()[0] == 90
    assert set(tasks["submission_id"]) == {int(subs["submission_id"].iloc[1])}
    # the older version's rows are kept in staging, only no longer counted
    kept = warehouse.query(url, "SELECT count(*) AS n FROM staging.task WHERE submission_id = :id",
                           id=int(subs["submission_id"].iloc[0]))
    assert kept.n[0] == 1


def test_reprocessing_one_file_replaces_its_verdict_without_duplicates(dag_bag, pipeline_env, store):
    from nq57 import pipeline

    upload(store, "BKHCN/2026-10/bao_cao_nq57.xlsx", filled_bytes([task(), task(ma_nhiem_vu="NQ57-BKHCN-0002")]))
    run_ingest(dag_bag)
    url = pipeline_env.warehouse_url
    before = snapshot(url)
    submission_id = int(warehouse.query(url, "SELECT submission_id FROM raw.submission").submission_id[0])

    outcome = pipeline.reprocess(pipeline_env, submission_id)

    assert outcome.submission_id == submission_id and outcome.accepted
    assert snapshot(url) == before


def test_a_verdict_recorded_without_feedback_is_answered_by_the_next_run(dag_bag, pipeline_env, store):
    """A run that died between recording a verdict and writing the feedback leaves no one unanswered."""
    from nq57 import pipeline
    from nq57.uploads import Upload

    upload(store, "BKHCN/2026-10/bao_cao_nq57.xlsx", filled_bytes([task()]))
    (batch,) = pipeline.discover(pipeline_env)
    outcome, _ = pipeline.judge(pipeline_env, Upload.from_dict(batch[0]))  # recorded, then the run "died"
    url = pipeline_env.warehouse_url
    assert warehouse.query(url, "SELECT feedback_key FROM raw.submission").feedback_key[0] is None

    run_ingest(dag_bag)

    ledger = warehouse.query(url, "SELECT submission_id, feedback_key FROM raw.submission")
    assert ledger.submission_id.tolist() == [outcome.submission_id]  # not judged a second time
    assert ledger.feedback_key[0] == "BKHCN/2026-10/bao_cao_nq57.xlsx.feedback.xlsx"
    assert objectstore.fetch(store, BUCKETS.feedback, ledger.feedback_key[0])[:2] == b"PK"
