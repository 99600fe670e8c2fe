"""
## nq57_consolidate

Turns the staged submissions of a period into one record per real task and the monthly report:

1. **choose_periods**: the `period` param if given; otherwise the month being reported on at the run's
   logical date (the month before it) plus every period whose submissions changed since its last
   consolidation; a period without any accepted submission is left out, and the log says so;
2. **link_nq57_nq71_tasks** (one mapped task per period): links the NQ57 and NQ71 entries of the same task
   (by `ma_lien_ket` code, the reviewed crosswalk, then a scored match blocked by lead agency), keeps each
   task's `unified_task_id` stable across months and queues uncertain pairs for review;
3. **publish_monthly_report**: the Vietnamese monthly report to `nq57-reports/<period>/`: the drafted
   official document for the Prime Minister (.docx) and its annex workbook (.xlsx).

Runs when `nq57_ingest` staged new submissions (asset `nq57://staged-submissions`) and at 06:00 on the 21st
of every month (Vietnam time), after the reporting deadline. Re-running a period replaces its links,
review queue and report: the result is the same as running it once.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, Param, dag, get_current_context, task

STAGED_SUBMISSIONS = Asset("nq57://staged-submissions")


@dag(
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 6 21 * *", timezone="Asia/Ho_Chi_Minh"),
        assets=[STAGED_SUBMISSIONS],
    ),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Ho_Chi_Minh"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-eng", "retries": 2, "retry_delay": pendulum.duration(minutes=2)},
    params={
        "period": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
            title="Period (YYYY-MM)",
            description="Consolidate this period only (reruns, backfills). Empty: last month and changed periods.",
        )
    },
    tags=["nq57", "consolidate", "report"],
    description="On newly staged submissions and monthly at 06:00 on the 21st: link NQ57-NQ71 tasks, "
                "publish the monthly report",
    doc_md=__doc__,
)
def nq57_consolidate():
    @task
    def choose_periods() -> list[str]:
        """Which periods this run consolidates (none: nothing to do)."""
        from nq57 import pipeline

        context = get_current_context()
        return pipeline.periods_to_consolidate(pipeline.services(), context["params"].get("period"),
                                               context.get("logical_date") or context["dag_run"].run_after)

    @task(pool="warehouse", map_index_template="{{ map_label }}")
    def link_nq57_nq71_tasks(period: str) -> str:
        """Link the period's NQ57 and NQ71 entries of the same real task."""
        from nq57 import pipeline

        get_current_context()["map_label"] = period
        pipeline.consolidate_period(pipeline.services(), period)
        return period

    @task(map_index_template="{{ map_label }}")
    def publish_monthly_report(period: str) -> list[str]:
        """Build and store the monthly report: drafted document and annex workbook."""
        from nq57 import pipeline

        get_current_context()["map_label"] = period
        return pipeline.publish_report(pipeline.services(), period)

    publish_monthly_report.expand(period=link_nq57_nq71_tasks.expand(period=choose_periods()))


dag = nq57_consolidate()

if __name__ == "__main__":
    dag.test()
