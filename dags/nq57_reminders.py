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

Param `period` (`YYYY-MM`, optional) reminds for another period; empty means the previous month of the run
date. Contacts come from `nq57/data/agency_contacts.csv` (**placeholders** until operations replace it) or
the file named by `NQ57_CONTACTS_CSV`; an agency without a contact is skipped with a warning.

A failed task mails the operations address (Variable `nq57_ops_email`, else env `NQ57_OPS_EMAIL`) when one
is set. `send_reminder_emails` is not retried: the SMTP hook already retries the connection and each
message (connection extra `retry_limit`), and a task retry would mail again the agencies already reminded.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

TIMEZONE = "Asia/Ho_Chi_Minh"
SMTP_CONN_ID = "smtp_default"


def notify_operations(context) -> None:
    """Mail the operations address, if one is configured, that a reminders task failed."""
    import os

    from airflow.providers.smtp.notifications.smtp import SmtpNotifier
    from airflow.sdk import Variable

    to = Variable.get("nq57_ops_email", default=None) or os.getenv("NQ57_OPS_EMAIL")
    if to:
        SmtpNotifier(to=to, smtp_conn_id=SMTP_CONN_ID)(context)


@dag(
    schedule="0 8 15,18,20 * *",
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
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
            description="Period to remind for; empty = the month before the run date (Vietnam time).",
        ),
    },
    tags=["nq57", "reminders"],
    doc_md=__doc__,
)
def nq57_reminders():
    @task
    def find_missing_agencies() -> dict:
        """Agencies still missing NQ57 and/or NQ71 for the period."""
        from airflow.sdk.exceptions import AirflowFailException

        from nq57 import periods
        from nq57.outputs import reminders
        from nq57.settings import get_settings

        context = get_current_context()
        period = context["params"].get("period")
        if not period:
            when = context.get("logical_date") or context["dag_run"].run_after
            period = periods.collected_on(when)
        url = get_settings().warehouse_url
        try:
            periods.check(period)
            if not url:
                raise ValueError("WAREHOUSE_URL must be set for DAG runs")
        except ValueError as exc:  # a retry cannot fix configuration: fail now
            raise AirflowFailException(str(exc)) from exc
        return {"period": period, "missing": reminders.find_missing(url, period)}

    @task(retries=0)
    def send_reminder_emails(found: dict) -> list[str]:
        """E-mail each missing agency through the SMTP connection."""
        from contextlib import ExitStack

        from airflow.providers.smtp.hooks.smtp import SmtpHook

        from nq57.outputs import reminders
        from nq57.settings import get_settings

        with ExitStack() as stack:
            opened: list[SmtpHook] = []

            def send(to: list[str], subject: str, html: str) -> None:
                if not opened:  # connect on the first message only: no one missing, no connection
                    opened.append(stack.enter_context(SmtpHook(smtp_conn_id=SMTP_CONN_ID)))
                opened[0].send_email_smtp(to=to, subject=subject, html_content=html)

            return reminders.send_reminders(get_settings().warehouse_url or "", found["period"], send,
                                            missing=found["missing"])

    send_reminder_emails(find_missing_agencies())


dag = nq57_reminders()

if __name__ == "__main__":
    dag.test()
