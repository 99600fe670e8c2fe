"""The production topology on the LocalExecutor: scheduler-run DAGs, asset-triggered consolidation,
safe unpausing, a transient store outage retried, and one upload that can never be read.

Runs the compose settings natively (nq57.devtools.stack). Everything here is observed through the
Airflow REST API, the warehouse and the object store, never by calling the package directly.
"""

from __future__ import annotations

import datetime as dt

import pytest

from nq57 import periods
from nq57.storage import objectstore, warehouse

from .conftest import start_stack, stop_stack
from .scenario import (
    BUCKETS,
    DAGS,
    current_period,
    log_lines,
    run_ids,
    upload_month,
    wait_for_batch_with,
    wait_for_new_run,
)
from workbooks import filled_bytes, task

pytestmark = pytest.mark.timeout(1800)


@pytest.fixture(scope="module")
def stack(smtp_sink):
    running = start_stack("LocalExecutor", smtp_sink[1])
    yield running[0], running[1]
    stop_stack(*running)


@pytest.fixture(scope="module")
def unpaused_before_data(stack):
    """Unpause reminders and consolidation on an empty warehouse: the scheduler fires their last slot."""
    stack, _ = stack
    stack.wait_for_dags(DAGS)
    runs = {}
    for dag_id in ("nq57_consolidate", "nq57_reminders"):
        stack.unpause(dag_id)
        runs[dag_id] = wait_for_new_run(stack, dag_id, set())
    return runs


def test_dags_parse_without_errors_or_warnings(stack):
    stack, _ = stack
    stack.wait_for_dags(DAGS)
    assert stack.request("GET", "/api/v2/importErrors")["import_errors"] == []
    assert stack.request("GET", "/api/v2/dagWarnings")["dag_warnings"] == []
    pools = {p["name"]: p["slots"] for p in stack.request("GET", "/api/v2/pools")["pools"]}
    assert pools["warehouse"] == 2  # created by `nq57 init --airflow`, as compose's airflow-init does


def test_unpausing_consolidation_on_an_empty_period_is_a_logged_no_op(stack, unpaused_before_data):
    stack, _ = stack
    run = unpaused_before_data["nq57_consolidate"]
    assert run["state"] == "success" and run["run_type"] == "scheduled"
    tis = {t["task_id"]: t for t in stack.task_instances("nq57_consolidate", run["dag_run_id"])}
    events = " ".join(str(line.get("event")) for line in
                      log_lines(stack, "nq57_consolidate", run["dag_run_id"], tis["choose_periods"]))
    assert "nothing to consolidate" in events
    assert tis["link_nq57_nq71_tasks"]["state"] == "skipped"
    client = objectstore.connect(stack.services.store)
    assert list(client.list_objects(bucket_name=BUCKETS.reports, recursive=True)) == []


def test_unpausing_reminders_never_mails_for_a_late_slot(stack, unpaused_before_data, smtp_sink):
    stack, _ = stack
    run = unpaused_before_data["nq57_reminders"]
    assert run["state"] == "success" and run["run_type"] == "scheduled"
    slot = dt.datetime.fromisoformat(run["run_after"].replace("Z", "+00:00"))
    now = dt.datetime.now(dt.UTC)
    tis = {t["task_id"]: t for t in stack.task_instances("nq57_reminders", run["dag_run_id"])}
    on_time = slot.astimezone(periods.VN).date() == now.astimezone(periods.VN).date() and \
        now < periods.due_at(periods.collected_on(slot))
    if on_time:  # unpaused on a reminder day before 24:00: that day's reminders are due and go out
        assert tis["send_reminder_emails"]["state"] == "success" and smtp_sink[0].messages
    else:
        assert tis["find_missing_agencies"]["state"] == "skipped"
        events = " ".join(str(line.get("event")) for line in
                          log_lines(stack, "nq57_reminders", run["dag_run_id"], tis["find_missing_agencies"]))
        assert "is not today" in events or "has passed" in events
        assert smtp_sink[0].messages == []


@pytest.fixture(scope="module")
def month(stack, unpaused_before_data, tmp_path_factory):
    """A sample month uploaded, one file behind a transient store outage; ingest unpaused (its scheduled
    run picks them up); the asset event then starts consolidation."""
    stack, proxy = stack
    period = current_period()
    keys = upload_month(stack, tmp_path_factory.mktemp("inbox"), period)
    flaky = sorted(keys)[0]
    proxy.fail(flaky, times=6)  # more than the S3 client's own 3 retries: the task itself must retry
    consolidations = run_ids(stack, "nq57_consolidate")
    stack.unpause("nq57_ingest")
    ingest = wait_for_new_run(stack, "nq57_ingest", set())
    consolidate = wait_for_new_run(stack, "nq57_consolidate", consolidations)
    return {"period": period, "keys": keys, "flaky": flaky, "ingest": ingest, "consolidate": consolidate}


def test_ingest_run_stages_the_month_and_answers_every_upload(stack, month):
    stack, proxy = stack
    assert month["ingest"]["state"] == "success"
    url = stack.services.warehouse_url
    subs = warehouse.query(url, "SELECT * FROM mart.v_submissions WHERE period = :p", p=month["period"])
    assert sorted(subs.object_key) == sorted(month["keys"])
    assert set(subs.status) == {"accepted", "rejected"}  # the sample month carries a defective file
    assert warehouse.query(url, "SELECT count(*) AS n FROM mart.v_tasks WHERE period = :p",
                           p=month["period"]).n[0] > 0
    client = objectstore.connect(stack.services.store)
    for row in subs.itertuples():
        assert row.feedback_key, row.object_key
        assert objectstore.fetch(client, BUCKETS.feedback, row.feedback_key)[:2] == b"PK"


def test_mapped_batches_show_each_files_verdict_and_key(stack, month):
    stack, _ = stack
    run_id = month["ingest"]["dag_run_id"]
    batches = [t for t in stack.task_instances("nq57_ingest", run_id) if t["task_id"] == "ingest_uploads"]
    labels = " · ".join(t["rendered_map_index"] or "" for t in batches)
    url = stack.services.warehouse_url
    verdicts = warehouse.query(url, "SELECT object_key, status FROM raw.submission")
    assert "rejected" in set(verdicts.status)
    shown = 0
    for row in verdicts.itertuples():
        if row.status == "rejected":  # a rejection is always in its batch's label
            assert f"rejected {row.object_key}" in labels
        shown += f"{row.status} {row.object_key}" in labels
    more = sum(int(part.split()[0][1:]) for part in labels.split(" · ") if part.startswith("+"))
    assert shown + more == len(verdicts)  # the rest are counted: "+N more accepted"


def test_a_transient_store_outage_is_retried_and_recovers(stack, month):
    stack, proxy = stack
    assert proxy.failed[month["flaky"]] == 6  # every injected failure was met, then the read went through
    run_id = month["ingest"]["dag_run_id"]
    (batch,) = [t for t in stack.task_instances("nq57_ingest", run_id)
                if t["task_id"] == "ingest_uploads" and month["flaky"] in (t["rendered_map_index"] or "")]
    assert batch["state"] == "success" and batch["try_number"] >= 2  # failed first, retried by Airflow


def test_successful_run_logs_one_info_line_per_file_and_no_errors(stack, month):
    stack, _ = stack
    run_id = month["ingest"]["dag_run_id"]
    seen = []
    for ti in stack.task_instances("nq57_ingest", run_id):
        if ti["state"] != "success":
            continue
        lines = log_lines(stack, "nq57_ingest", run_id, ti)  # the log of its last, successful try
        assert not [line for line in lines if str(line.get("level", "")).lower() in ("error", "critical")], ti["task_id"]
        if ti["task_id"] == "ingest_uploads":
            seen += [str(line["event"]) for line in lines if str(line.get("level", "")).lower() == "info"
                     and " feedback " in str(line.get("event"))]
            noisy = [line for line in lines if str(line.get("logger", "")).startswith("great_expectations")
                     and str(line.get("level", "")).lower() == "info"]
            assert noisy == []
    for key in month["keys"]:
        mine = [event for event in seen if event.startswith(key + " ")]
        assert len(mine) == 1, (key, mine)
        assert any(f"{key} {verdict} (version" in mine[0] for verdict in ("accepted", "rejected"))


def test_the_asset_event_starts_consolidation_and_the_report_is_published(stack, month):
    stack, _ = stack
    run = month["consolidate"]
    assert run["state"] == "success" and run["run_type"] == "asset_triggered"
    client = objectstore.connect(stack.services.store)
    key = f"{month['period']}/bao_cao_tong_hop_{month['period']}.xlsx"
    assert objectstore.fetch(client, BUCKETS.reports, key)[:2] == b"PK"
    labels = {t["rendered_map_index"] for t in stack.task_instances("nq57_consolidate", run["dag_run_id"])
              if t["task_id"] == "link_nq57_nq71_tasks"}
    assert labels == {month["period"]}


def test_a_file_that_fails_for_good_does_not_withhold_the_others_feedback(stack, month):
    stack, proxy = stack
    period = month["period"]
    client = objectstore.connect(stack.services.store)
    broken, fine = f"BTC/{period}/mat_phien_ban.xlsx", f"BTC/{period}/bao_cao_nq57.xlsx"
    proxy.fail(broken, times=None)
    stack.pause("nq57_ingest")  # both files must land before discovery, so that they share one batch
    objectstore.put_bytes(client, BUCKETS.submissions, broken, filled_bytes([task()], agency="BTC", period=period))
    objectstore.put_bytes(client, BUCKETS.submissions, fine, filled_bytes([task(co_quan_chu_tri="BTC")],
                                                                           agency="BTC", period=period))
    stack.unpause("nq57_ingest")
    # the every-minute schedule picks them up
    run, batch = wait_for_batch_with(stack, broken, run_ids(stack, "nq57_ingest"))

    assert run["state"] == "failed"
    assert batch["state"] == "failed" and batch["try_number"] == 3  # retried, then given up
    assert f"failed {broken}" in batch["rendered_map_index"] and f"accepted {fine}" in batch["rendered_map_index"]
    url = stack.services.warehouse_url
    rows = warehouse.query(url, "SELECT object_key, status, feedback_key FROM raw.submission "
                                "WHERE agency_code = 'BTC'").set_index("object_key")
    assert broken not in rows.index  # never judged: nothing half-recorded
    assert rows.loc[fine, "feedback_key"] and objectstore.fetch(client, BUCKETS.feedback, rows.loc[fine, "feedback_key"])


def test_consolidation_runs_only_after_an_ingest_run_that_staged_something(stack, month):
    """Ingest runs that stage nothing new (nothing found, or only a file that cannot be read) do not
    announce: no asset event, no consolidation rebuild."""
    stack, _ = stack
    announced = quiet = 0
    for run in stack.runs("nq57_ingest"):
        if run["state"] not in ("success", "failed"):
            continue
        states = {t["task_id"]: t["state"] for t in stack.task_instances("nq57_ingest", run["dag_run_id"])}
        if states.get("announce_staged_submissions") == "success":
            announced += 1
        else:
            assert states.get("announce_staged_submissions") in ("skipped", "upstream_failed"), states
            quiet += 1
    asset_runs = [r for r in stack.runs("nq57_consolidate") if r["run_type"] == "asset_triggered"]
    assert quiet >= 1  # the every-minute schedule kept running while the tests above did their work
    assert 1 <= len(asset_runs) <= announced
