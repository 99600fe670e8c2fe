"""
## nq57_ingest

Takes every new upload in `nq57-submissions/<agency>/<YYYY-MM>/` (an object version the submission ledger
has not seen), and for each one, as its own mapped task:

1. **ingest_submission**: fetch → preflight → parse → validate (Great Expectations suites in `expectations/`)
   → record the verdict, the issues and, if accepted, the typed rows in `staging` (one transaction, keyed by
   submission: re-running replaces, never duplicates);
2. **publish_feedback**: a Vietnamese feedback workbook to `nq57-feedback/<agency>/<YYYY-MM>/`.

A rejected file is an outcome, not a failure; a file that breaks a task (e.g. the store is down) fails only
its own mapped task instance. The run ends by emitting the `nq57://staged-submissions` asset, which
schedules `nq57_consolidate`.

Re-running is safe: already-ledgered versions are skipped, and each submission's rows are replaced.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, get_current_context, task

STAGED_SUBMISSIONS = Asset("nq57://staged-submissions")


@dag(
    schedule="*/15 * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Ho_Chi_Minh"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-eng", "retries": 2, "retry_delay": pendulum.duration(minutes=2)},
    tags=["nq57", "ingest"],
    doc_md=__doc__,
)
def nq57_ingest():
    @task
    def prepare_store_and_warehouse() -> None:
        """Create missing buckets and apply warehouse migrations."""
        from nq57 import pipeline
        from nq57.devtools import embedded

        pipeline.prepare(embedded.configured())

    @task
    def discover_new_uploads() -> list[dict]:
        """Object versions in the submissions bucket not yet in the ledger."""
        from nq57 import pipeline
        from nq57.devtools import embedded

        return pipeline.discover(embedded.configured())

    @task(pool="warehouse", map_index_template="{{ upload_key }}")
    def ingest_submission(found: dict) -> dict:
        """Fetch, check, parse, validate and stage one upload."""
        from nq57 import pipeline
        from nq57.devtools import embedded

        get_current_context()["upload_key"] = found["key"]
        return pipeline.ingest(embedded.configured(), found)

    @task(map_index_template="{{ upload_key }}")
    def publish_feedback(outcome: dict) -> str:
        """Write the agency's feedback workbook next to its upload."""
        from nq57 import pipeline
        from nq57.devtools import embedded

        get_current_context()["upload_key"] = outcome["key"]
        return pipeline.publish_feedback(embedded.configured(), outcome)

    @task(outlets=[STAGED_SUBMISSIONS], trigger_rule="all_done")
    def summarize_ingest(outcomes: list[dict]) -> dict:
        """Count what this run accepted and rejected."""
        done = [o for o in outcomes if o]
        return {
            "received": len(done),
            "accepted": sum(o["accepted"] for o in done),
            "rejected": sum(not o["accepted"] for o in done),
        }

    found = discover_new_uploads()
    prepare_store_and_warehouse() >> found
    outcomes = ingest_submission.expand(found=found)
    publish_feedback.expand(outcome=outcomes)
    summarize_ingest(outcomes)


dag = nq57_ingest()

if __name__ == "__main__":
    dag.test()
