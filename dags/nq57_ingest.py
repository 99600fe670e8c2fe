"""
## nq57_ingest

Takes new uploads in `nq57-submissions/<agency>/<YYYY-MM>/` (object versions the submission ledger has not
seen) and answers each one:

1. **discover_new_uploads**: lists the new versions (and judged uploads still owed feedback) and shares
   this run's capacity round-robin across agencies, oldest first (`NQ57_UPLOADS_PER_RUN`, default 400; the
   rest wait for the next run), in batches of `NQ57_BATCH_SIZE` (default 10);
2. **ingest_uploads** (one mapped task per batch, labelled with each file's verdict and object key): for
   each upload, fetch → preflight → parse → validate (Great Expectations suites in `expectations/`) →
   record the verdict, its issues and, if accepted, the typed rows in `staging` (one transaction per file)
   → a Vietnamese feedback workbook to `nq57-feedback/<agency>/<YYYY-MM>/`;
3. **announce_staged_submissions**: emits the `nq57://staged-submissions` asset, which schedules
   `nq57_consolidate`, only when this run accepted something new (otherwise it is skipped).

A rejected file is an outcome, not a failure. A file that cannot be processed (e.g. its version vanished)
fails its batch after every other file of the batch got its verdict and feedback; the batch is retried,
and uploads judged but not yet answered are answered by the next run. Provisioning (buckets, schema,
pools) is `nq57 init`'s job, never a run's. Re-running is safe: judged versions are not judged again.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task

STAGED_SUBMISSIONS = Asset("nq57://staged-submissions")


@dag(
    # Every minute, so an agency gets its feedback within about two minutes of uploading; a run that finds
    # nothing new is one short task (~2 % of one core).
    schedule="* * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Ho_Chi_Minh"),
    catchup=False,
    max_active_runs=1,
    # retry_delay: the deployment's [core] default_task_retry_delay (compose: 60 s)
    default_args={"owner": "data-eng", "retries": 2},
    tags=["nq57", "ingest"],
    description="Every minute: judge new uploads, stage accepted rows, write each agency's feedback",
    doc_md=__doc__,
)
def nq57_ingest():
    @task
    def discover_new_uploads() -> list[list[dict]]:
        """New object versions, fairly shared across agencies, in batches."""
        from nq57 import pipeline

        return pipeline.discover(pipeline.services())

    @task(pool="warehouse", map_index_template="{{ batch_label }}")
    def ingest_uploads(batch: list[dict]) -> list[dict]:
        """Judge, stage and answer each upload of the batch."""
        from nq57 import pipeline

        context = get_current_context()
        return pipeline.ingest_batch(pipeline.services(), batch, label=lambda text: context.update(batch_label=text))

    @task(outlets=[STAGED_SUBMISSIONS], trigger_rule="one_success")
    def announce_staged_submissions() -> dict:
        """Schedule consolidation when this run staged something new."""
        from nq57 import pipeline

        return pipeline.announce_staged(pipeline.services(), since=get_current_context()["dag_run"].start_date)

    ingest_uploads.expand(batch=discover_new_uploads()) >> announce_staged_submissions()


dag = nq57_ingest()

if __name__ == "__main__":
    dag.test()
