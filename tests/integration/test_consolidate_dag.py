"""The real `nq57_consolidate` DAG with `dag.test()`: sample data in, links, one row per task, report out."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from nq57 import pipeline
from nq57.devtools import sample_data
from nq57.settings import get_settings
from nq57.storage import objectstore, warehouse

pytestmark = pytest.mark.integration
BUCKETS = get_settings().buckets


def test_consolidate_links_sample_data_and_publishes_the_report(dag_bag, pipeline_env, store, tmp_path):
    from airflow.utils.state import DagRunState

    sample_data.generate(tmp_path, "2026-10", agencies=3, seed=3, tasks_per_agency=15)
    objectstore.upload_inbox(store, BUCKETS.submissions, tmp_path)
    for batch in pipeline.discover(pipeline_env):
        pipeline.ingest_batch(pipeline_env, batch)

    run = dag_bag.dags["nq57_consolidate"].test(run_conf={"period": "2026-10"})
    assert run.state == DagRunState.SUCCESS

    url = pipeline_env.warehouse_url
    truth = {tuple(row) for row in list(csv.reader((tmp_path / ".truth_2026-10.csv").open()))[1:]}
    latest = warehouse.query(url, "SELECT agency_code, system FROM mart.v_latest_submissions")
    accepted_agencies = {a for a, s in latest.itertuples(index=False) if s == "NQ71"} & {
        a for a, s in latest.itertuples(index=False) if s == "NQ57"}
    links = warehouse.query(url, "SELECT * FROM mart.v_task_links WHERE period = '2026-10'")
    predicted = set(zip(links.nq57_task_code, links.nq71_task_code, strict=True))
    expected = {(a, b) for a, b in truth if a.split("-")[1] in accepted_agencies}
    assert predicted and predicted <= truth  # every link made is a true one
    assert len(predicted & expected) >= 0.9 * len(expected)
    assert set(links.method) <= {"code", "crosswalk", "score"} and (links.score > 0).all()

    tasks = warehouse.query(url, "SELECT * FROM mart.v_tasks WHERE period = '2026-10'")
    assert tasks.unified_task_id.is_unique
    both = tasks[tasks.in_both_systems]
    assert len(both) == len(predicted)
    assert set(zip(both.nq57_task_code, both.nq71_task_code, strict=True)) == predicted
    entries = warehouse.query(url, "SELECT count(*) AS n FROM mart.v_period_tasks WHERE period = '2026-10'").n[0]
    assert len(tasks) == entries - len(predicted)  # each linked pair counted once

    report_key = "2026-10/bao_cao_tong_hop_2026-10.xlsx"
    body = objectstore.fetch(store, BUCKETS.reports, report_key)
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    assert "TongHop" in workbook.sheetnames and workbook["BieuDo"]._images
    document = objectstore.fetch(store, BUCKETS.reports, "2026-10/bao_cao_tong_hop_2026-10.docx")
    assert document.startswith(b"PK") and b"word/document.xml" in document


def test_run_command_prints_a_summary_from_the_mart_views(pipeline_env, store, tmp_path, capsys):
    from nq57.ops.cli import main

    sample_data.generate(tmp_path, "2026-10", agencies=3, seed=5, tasks_per_agency=10)
    assert main(["run", "--period", "2026-10", "--inbox", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "inbox: 6 uploaded, 0 unchanged" in out
    assert "Submissions for 2026-10: 6 received, 5 accepted, 1 rejected" in out
    assert "in both systems" in out and "NQ57-NQ71 links in mart.v_task_links" in out
    # the store is configured (it outlives the command): its s3:// URLs are printed
    assert "Monthly report (annex workbook): s3://nq57-reports/2026-10/bao_cao_tong_hop_2026-10.xlsx" in out
    assert "Drafted document for the Prime Minister: s3://nq57-reports/2026-10/bao_cao_tong_hop_2026-10.docx" in out
    assert main(["run", "--period", "2026-10", "--inbox", str(tmp_path)]) == 0
    assert "inbox: 0 uploaded, 6 unchanged" in capsys.readouterr().out
