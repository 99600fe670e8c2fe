"""A submission is its bytes under its key; the store's version order decides which upload counts.

Issue 14 item 5: the same bytes under the same key are the same submission whatever version id the store
gave them, so `nq57 run` against a persistent warehouse and a fresh store, two runs uploading one inbox at
once, or a store migration never double the warehouse. Issue 17 item 8: one ingest of a key at a time, and
upload order from the store's version order, not from a timestamp that ties within a second.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from nq57 import pipeline
from nq57.ops.cli import main
from nq57.settings import get_settings
from nq57.storage import objectstore, warehouse

from workbooks import filled_bytes, task

pytestmark = pytest.mark.usefixtures("gx")
BUCKETS = get_settings().buckets
KEY = "BKHCN/2026-10/bao_cao.xlsx"


def fresh_store(services) -> None:
    """Empty the S3 server and provision its buckets again: every version id it gives from now on is new."""
    urllib.request.urlopen(urllib.request.Request(f"http://{services.store.endpoint}/moto-api/reset", method="POST"))
    objectstore.ensure_buckets(objectstore.connect(services.store), BUCKETS)


def warehouse_state(url: str) -> dict[str, object]:
    """What BI readers and the report see: submissions, staged rows, the counting versions, the tasks."""
    def values(sql: str) -> list[tuple]:
        return [tuple(r) for r in warehouse.rows(url, sql)]

    return {
        "submissions": values("SELECT submission_id, object_key, sha256, status, received_at FROM raw.submission "
                              "ORDER BY submission_id"),
        "staged": values("SELECT submission_id, source_row, task_code FROM staging.task ORDER BY 1, 2"),
        "counting": values("SELECT agency_code, system, submission_id FROM mart.v_latest_submissions ORDER BY 1, 2"),
        "tasks": values("SELECT unified_task_id, nq57_task_code, status_code, progress_pct FROM mart.v_tasks ORDER BY 1"),
    }


def counting_sha(url: str, agency: str = "BKHCN") -> str:
    [row] = warehouse.rows(url, "SELECT sha256 FROM mart.v_latest_submissions WHERE agency_code = :a", a=agency)
    return row.sha256


def versions_of(client, key: str = KEY):
    uploads, _ = objectstore.list_submissions(client, BUCKETS.submissions)
    return [u for u in uploads if u.key == key]


def write_inbox(inbox: Path, files: dict[str, bytes]) -> None:
    for key, body in files.items():
        (inbox / key).parent.mkdir(parents=True, exist_ok=True)
        (inbox / key).write_bytes(body)


def test_run_twice_against_a_fresh_store_leaves_the_warehouse_unchanged(services, pipeline_env, store, tmp_path,
                                                                         capsys):
    inbox = tmp_path / "inbox"
    write_inbox(inbox, {
        KEY: filled_bytes(),
        "T01/2026-10/bao_cao.xlsx": filled_bytes([task(ma_nhiem_vu="NQ57-T01-0001", co_quan_chu_tri="T01")],
                                                 agency="T01"),
        "T79/2026-10/bao_cao.xlsx": filled_bytes([task(tinh_trang="Đang làm", co_quan_chu_tri="T79")], agency="T79"),
    })
    assert main(["run", "--period", "2026-10", "--inbox", str(inbox), "--out", str(tmp_path / "first")]) == 0
    first = warehouse_state(pipeline_env.warehouse_url)

    fresh_store(services)  # the same files, read again from a new store: new version ids, same bytes
    assert main(["run", "--period", "2026-10", "--inbox", str(inbox), "--out", str(tmp_path / "second")]) == 0
    capsys.readouterr()

    assert warehouse_state(pipeline_env.warehouse_url) == first
    assert len(first["submissions"]) == 3 and len(first["counting"]) == 2
    versions = warehouse.rows(pipeline_env.warehouse_url, "SELECT count(*) AS n, count(DISTINCT submission_id) AS s "
                                                          "FROM raw.submission_version")
    assert (versions[0].n, versions[0].s) == (6, 3)  # every version noted, each under its submission
    # the new store answers the new uploads too: each feedback workbook is there again
    for key in ("BKHCN/2026-10/bao_cao.xlsx.feedback.xlsx", "T79/2026-10/bao_cao.xlsx.feedback.xlsx"):
        assert objectstore.fetch(store, BUCKETS.feedback, key)


def test_a_correction_stored_in_the_same_second_as_the_original_counts(pipeline_env, store):
    original, correction = filled_bytes(), filled_bytes([task(tien_do=95)])
    objectstore.put_bytes(store, BUCKETS.submissions, KEY, original)
    objectstore.put_bytes(store, BUCKETS.submissions, KEY, correction)
    first, second = versions_of(store)
    assert (first.ordinal, second.ordinal) == (0, 1)  # the store's order of the two versions
    # A store that keeps whole seconds gives both the same timestamp; ingest the correction first, as
    # two parallel batches may.
    tied = first.last_modified.replace(microsecond=0)
    for upload in (dataclasses.replace(second, last_modified=tied), dataclasses.replace(first, last_modified=tied)):
        assert pipeline.ingest_one(pipeline_env, upload).accepted

    assert counting_sha(pipeline_env.warehouse_url) == hashlib.sha256(correction).hexdigest()
    [progress] = warehouse.rows(pipeline_env.warehouse_url, "SELECT progress_pct FROM mart.v_tasks")
    assert progress.progress_pct == 95


def test_uploading_earlier_bytes_again_makes_them_count_again(pipeline_env, store):
    original, correction = filled_bytes(), filled_bytes([task(tien_do=95)])
    outcomes = []
    for body in (original, correction, original):  # a revert: the clerk sends the first file again
        objectstore.put_bytes(store, BUCKETS.submissions, KEY, body)
        outcomes += [pipeline.ingest_one(pipeline_env, u) for u in pipeline_uploads(pipeline_env)]

    assert [o.submission_id for o in outcomes] == [outcomes[0].submission_id, outcomes[1].submission_id,
                                                   outcomes[0].submission_id]
    assert outcomes[2].known_bytes and outcomes[2].feedback_key  # answered, not judged again
    assert counting_sha(pipeline_env.warehouse_url) == hashlib.sha256(original).hexdigest()
    [state] = warehouse.rows(pipeline_env.warehouse_url,
                             "SELECT count(*) AS n, count(*) FILTER (WHERE is_latest) AS latest FROM mart.v_submissions")
    assert (state.n, state.latest) == (2, 1)


def pipeline_uploads(services) -> list:
    """The uploads one ingest run would take now."""
    from nq57.uploads import Upload

    return [Upload.from_dict(item) for batch in pipeline.discover(services) for item in batch]


def test_concurrent_ingests_of_one_key_record_each_content_once(pipeline_env, store):
    body = filled_bytes()
    objectstore.put_bytes(store, BUCKETS.submissions, KEY, body)
    objectstore.put_bytes(store, BUCKETS.submissions, KEY, body)  # the same file twice: two versions
    uploads = versions_of(store)
    assert len(uploads) == 2

    with ThreadPoolExecutor(max_workers=8) as pool:  # eight workers at once, four per version
        outcomes = list(pool.map(lambda u: pipeline.ingest_one(pipeline_env, u), uploads * 4))

    assert all(o.error is None and o.accepted for o in outcomes), [o.error for o in outcomes]
    assert len({o.submission_id for o in outcomes}) == 1
    [counts] = warehouse.rows(pipeline_env.warehouse_url, """
        SELECT (SELECT count(*) FROM raw.submission) AS submissions,
               (SELECT count(*) FROM raw.submission_version) AS versions,
               (SELECT count(*) FROM staging.task) AS tasks""")
    assert (counts.submissions, counts.versions, counts.tasks) == (1, 2, 1)


def test_two_runs_uploading_one_inbox_at_once_record_each_file_once(pipeline_env, store, tmp_path):
    """The attack: two `nq57 run --inbox` at once made 98 versions and submissions for 60 files."""
    inbox = tmp_path / "inbox"
    files = {f"{agency}/2026-10/bao_cao_{n}.xlsx":
             filled_bytes([task(ma_nhiem_vu=f"NQ57-{agency}-000{n}", co_quan_chu_tri=agency)], agency=agency)
             for agency in ("BKHCN", "T01", "T79") for n in (1, 2)}
    write_inbox(inbox, files)
    command = [str(Path(sys.executable).with_name("nq57")), "run", "--period", "2026-10", "--inbox", str(inbox)]
    runs = [subprocess.Popen([*command, "--out", str(tmp_path / f"out{n}")], env=dict(os.environ),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in (1, 2)]
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err

    [counts] = warehouse.rows(pipeline_env.warehouse_url, """
        SELECT (SELECT count(*) FROM raw.submission) AS submissions,
               (SELECT count(DISTINCT object_key) FROM raw.submission) AS keys,
               (SELECT count(*) FROM staging.task) AS tasks""")
    assert (counts.submissions, counts.keys, counts.tasks) == (len(files), len(files), len(files))
