"""A reporting month pushed through the native stack, and what the assertions read back."""

from __future__ import annotations

import json
import time
from pathlib import Path

from nq57 import periods
from nq57.devtools import sample_data
from nq57.settings import get_settings
from nq57.storage import objectstore, warehouse

BUCKETS = get_settings().buckets
DAGS = ["nq57_ingest", "nq57_consolidate", "nq57_reminders"]


def current_period() -> str:
    import datetime as dt

    return periods.collected_on(dt.datetime.now(dt.UTC))


def upload_month(stack, inbox: Path, period: str, agencies: int = 3, seed: int = 7) -> list[str]:
    sample_data.generate(inbox, period, agencies=agencies, seed=seed, tasks_per_agency=10)
    client = objectstore.connect(stack.services.store)
    return [key for key, uploaded in objectstore.upload_inbox(client, BUCKETS.submissions, inbox) if uploaded]


def wait_for_new_run(stack, dag_id: str, known: set[str], timeout: float = 600) -> dict:
    """The first run of `dag_id` not in `known`, once it has finished."""
    deadline = time.monotonic() + timeout
    while True:
        fresh = [r for r in stack.runs(dag_id) if r["dag_run_id"] not in known]
        if fresh:
            return stack.wait_for_run(dag_id, fresh[-1]["dag_run_id"], timeout=max(60, deadline - time.monotonic()))
        stack.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"no new run of {dag_id}")
        time.sleep(3)


def run_ids(stack, dag_id: str) -> set[str]:
    return {r["dag_run_id"] for r in stack.runs(dag_id)}


def log_lines(stack, dag_id: str, run_id: str, ti: dict) -> list[dict]:
    text = stack.task_log(dag_id, run_id, ti["task_id"], ti["try_number"], ti["map_index"])
    lines = []
    for raw in text.splitlines():
        try:
            lines.append(json.loads(raw))
        except ValueError:
            lines.append({"event": raw})
    return lines


def ledger(stack) -> list:
    return warehouse.query(stack.services.warehouse_url,
                           "SELECT object_key, status, feedback_key FROM raw.submission ORDER BY object_key"
                           ).itertuples(index=False)


def feedback_exists(stack, key: str) -> bool:
    client = objectstore.connect(stack.services.store)
    return objectstore.latest_sha256(client, BUCKETS.feedback, key) is not None or bool(
        objectstore.fetch(client, BUCKETS.feedback, key))


def wait_for_batch_with(stack, key: str, known: set[str], timeout: float = 900) -> tuple[dict, dict]:
    """The first finished ingest run after `known` whose batches handled `key`, and that batch."""
    deadline = time.monotonic() + timeout
    seen: set[str] = set(known)
    while True:
        for run in sorted(stack.runs("nq57_ingest"), key=lambda r: r["run_after"]):
            if run["dag_run_id"] in seen or run["state"] not in ("success", "failed"):
                continue
            seen.add(run["dag_run_id"])
            for ti in stack.task_instances("nq57_ingest", run["dag_run_id"]):
                if ti["task_id"] == "ingest_uploads" and key in (ti["rendered_map_index"] or ""):
                    return run, ti
        stack.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"no ingest run handled {key}")
        time.sleep(3)
