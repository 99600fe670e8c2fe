"""
## nq57_reminders

At 08:00 (Vietnam time) on days 15, 18 and 20 of each month, e-mails every agency that has not yet reported
for the period being collected (the previous month; deadline 00:00 on the 21st):

1. **find_missing_agencies**: agencies in `mart.v_compliance` without an accepted upload for NQ57, NQ71 or
   both (a nil report counts as submitted; a period nobody has uploaded for lists every agency);
2. **send_reminder_emails**: one Vietnamese reminder per agency, naming the missing system(s), the deadline
   and its upload folder `nq57-submissions/<agency>/<YYYY-MM>/`, sent through the Airflow SMTP connection
   `smtp_default` (its extra `from_email` is the sender). Nothing is sent, and no connection is opened,
   when no one is missing.

Safe to unpause at any time: a scheduled run reminds only on its own slot's day and before the deadline;
the slot Airflow fires late (e.g. the last missed one when the DAG is unpaused on the 29th) is skipped,
and its log says why. Param `period` (`YYYY-MM`, optional) reminds for that period now (a manual run).
Contacts come from `nq57/data/agency_contacts.csv` (**placeholders** until operations replace it) or the
file named by `NQ57_CONTACTS_CSV`; an agency without a contact is skipped with a warning.

A failed task mails the operations address (Variable `nq57_ops_email`, else env `NQ57_OPS_EMAIL`) when one
is set. `send_reminder_emails` is not retried: the SMTP hook already retries the connection and each
message (connection extra `retry_limit`), and a task retry would mail again the agencies already reminded.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task


def notify_operations(context) -> None:
    """Mail the operations address that a reminders task failed."""
    from nq57 import pipeline

    pipeline.notify_operations(context)


@dag(
    schedule="0 8 15,18,20 * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Ho_Chi_Minh"),
    catchup=False,
    max_active_runs=1,
    default_args={
        "owner": "data-eng",
        "retries": 2,
        "retry_delay": pendulum.duration(minutes=5),
        "on_failure_callback": notify_operations,
    },
    params={
        "period": Param(
            None,
            type=["null", "string"],
            pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
            title="Kỳ báo cáo (YYYY-MM)",
            description="Period to remind for now; empty = the month before the run's slot, on the slot's day only.",
        ),
    },
    tags=["nq57", "reminders"],
    description="08:00 on the 15th, 18th and 20th: e-mail agencies still missing last month's report",
    doc_md=__doc__,
)
def nq57_reminders():
    @task
    def find_missing_agencies() -> dict:
        """Agencies still missing NQ57 and/or NQ71 for the period."""
        from nq57 import pipeline

        context = get_current_context()
        period = pipeline.reminder_period(context["params"].get("period"),
                                          context.get("logical_date") or context["dag_run"].run_after)
        return pipeline.find_missing_agencies(pipeline.services(), period)

    @task(retries=0)
    def send_reminder_emails(found: dict) -> list[str]:
        """E-mail each missing agency through the SMTP connection."""
        from nq57 import pipeline

        return pipeline.send_reminders(pipeline.services(), found)

    send_reminder_emails(find_missing_agencies())


dag = nq57_reminders()

if __name__ == "__main__":
    dag.test()
