"""A realistic month through the real scheduler, beside `nq57 run` on the same files (figures, not assertions).

1. generates the month: every agency of the reference list × 2 systems, ~300 tasks per file (a few
   files carry deliberate errors, as a real month does);
2. in-process: the `nq57 run` steps (judge, record and answer each file, consolidate, report) on embedded
   PostgreSQL and S3 — wall time and CPU time of the pipeline thread;
3. native stack (`make airflow`'s topology, compose's settings, LocalExecutor): uploads the month, lets the
   scheduler run `nq57_ingest` and the asset-triggered `nq57_consolidate` — wall time from the first
   upload to the published report, CPU time of every Airflow process, and per-task times;
4. latency: one agency uploads a corrected file into the running stack; seconds until its feedback
   workbook is in the store.

Goal on the 2-core reference machine: native within 3x the in-process wall time; feedback within 2 min.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "include"))

import psutil  # noqa: E402  (pgserver's dependency)

from nq57 import periods, pipeline, reference  # noqa: E402
from nq57.devtools import embedded, sample_data  # noqa: E402
from nq57.devtools.stack import NativeStack  # noqa: E402
from nq57.ops import provision  # noqa: E402
from nq57.settings import Settings, get_settings  # noqa: E402
from nq57.storage import objectstore, warehouse  # noqa: E402
from nq57.uploads import Upload  # noqa: E402


def in_process(inbox: Path, period: str, state: Path) -> dict:
    with embedded.start(Settings(warehouse_url=None, object_store_endpoint=None), state_dir=state) as services:
        provision.init(services)
        objectstore.upload_inbox(objectstore.connect(services.store), get_settings().buckets.submissions, inbox)
        wall, cpu = time.perf_counter(), time.thread_time()
        uploads = [Upload.from_dict(u) for b in pipeline.discover(services, limit=sys.maxsize) for u in b]
        for upload in uploads:
            pipeline.ingest_one(services, upload)
        pipeline.consolidate_period(services, period)
        pipeline.publish_report(services, period)
        return {"files": len(uploads), "wall": time.perf_counter() - wall, "cpu": time.thread_time() - cpu}


def stack_cpu(stack: NativeStack) -> float:
    """CPU seconds of every process the stack started and of their descendants (finished ones included)."""
    total = 0.0
    for process in stack.processes.values():
        try:
            root = psutil.Process(process.pid)
            for p in [root, *root.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
        except psutil.NoSuchProcess:
            continue
    return total


def seconds(ti: dict) -> float:
    start, end = (dt.datetime.fromisoformat(ti[k].replace("Z", "+00:00")) for k in ("start_date", "end_date"))
    return (end - start).total_seconds()


def native(inbox: Path, period: str, workdir: Path, files: int) -> dict:
    with NativeStack(workdir) as stack:
        stack.wait_for_dags(["nq57_ingest", "nq57_consolidate"])
        stack.unpause("nq57_consolidate")  # fires its last monthly slot now, on an empty period: let it pass
        first = stack.runs("nq57_consolidate")
        while not first or first[0]["state"] not in ("success", "failed"):
            time.sleep(2)
            first = stack.runs("nq57_consolidate")
        url = stack.services.warehouse_url
        cpu, wall = stack_cpu(stack), time.perf_counter()
        client = objectstore.connect(stack.services.store)
        objectstore.upload_inbox(client, get_settings().buckets.submissions, inbox)
        stack.unpause("nq57_ingest")
        report = f"{period}/bao_cao_tong_hop_{period}.xlsx"
        while True:  # until every upload is answered and the report of the consolidation after it is out
            done = warehouse.query(url, "SELECT count(*) AS n FROM raw.submission WHERE feedback_key IS NOT NULL").n[0]
            runs = [r for r in stack.runs("nq57_consolidate") if r["run_type"] == "asset_triggered"]
            if done == files and runs and all(r["state"] == "success" for r in runs) and \
                    objectstore.latest_sha256(client, get_settings().buckets.reports, report):
                break
            stack.check_alive()
            time.sleep(2)
        wall, cpu = time.perf_counter() - wall, stack_cpu(stack) - cpu
        tis = [t for r in stack.runs("nq57_ingest") for t in stack.task_instances("nq57_ingest", r["dag_run_id"])
               if t["state"] == "success"]
        batches = [seconds(t) for t in tis if t["task_id"] == "ingest_uploads"]
        others = [seconds(t) for t in tis if t["task_id"] != "ingest_uploads"]

        # one agency resubmits: seconds from landing in the store to its feedback workbook
        code = sorted(reference.agencies())[0]
        source = next(inbox.glob(f"{code}/{period}/*"))
        version = objectstore.put_bytes(client, get_settings().buckets.submissions,
                                        f"{code}/{period}/resubmitted_{source.name}", source.read_bytes())
        landed = time.perf_counter()
        while warehouse.query(url, "SELECT count(*) AS n FROM raw.submission WHERE version_id = :v "
                                   "AND feedback_key IS NOT NULL", v=version).n[0] == 0:
            stack.check_alive()
            time.sleep(1)
        latency = time.perf_counter() - landed
    return {"wall": wall, "cpu": cpu, "batches": batches, "others": others, "latency": latency}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=len(reference.agencies()))
    parser.add_argument("--tasks", type=int, default=300)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="nq57-bench-scheduler-"))
    period = periods.collected_on(dt.datetime.now(dt.UTC))
    files = sample_data.generate(work / "inbox", period, agencies=args.agencies, seed=7, tasks_per_agency=args.tasks)
    print(f"\nthe month through the real scheduler: {len(files)} files ({args.agencies} agencies x 2 systems, "
          f"{args.tasks} tasks each), period {period}, batches of {get_settings().batch_size}")
    ours = in_process(work / "inbox", period, work / "inproc")
    real = native(work / "inbox", period, work / "stack", ours["files"])
    batch = statistics.mean(real["batches"]) if real["batches"] else float("nan")
    print(f"{'':<34}{'wall':>10}{'CPU':>10}{'per file (wall)':>18}")
    print(f"{'nq57 run (in-process)':<34}{ours['wall']:>9.1f}s{ours['cpu']:>9.1f}s{ours['wall'] / ours['files']:>17.2f}s")
    print(f"{'native stack (LocalExecutor)':<34}{real['wall']:>9.1f}s{real['cpu']:>9.1f}s"
          f"{sum(real['batches']) / ours['files']:>17.2f}s")
    print(f"native / in-process wall: {real['wall'] / ours['wall']:.2f}x (goal: within 3x)")
    print(f"ingest_uploads tasks: {len(real['batches'])}, mean {batch:.1f} s, max {max(real['batches']):.1f} s; "
          f"other tasks: {len(real['others'])}, mean {statistics.mean(real['others']):.1f} s")
    print(f"one agency's upload answered with feedback {real['latency']:.0f} s after landing (goal: within 120 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
