"""The one module DAG files call, and the steps `nq57 run` loops over.

Airflow is the orchestration shell: `services()` resolves the Airflow Connections `warehouse` and
`object_store` into plain settings (`nq57.services.Services`) and everything below takes those, so the
rest of the package never imports Airflow (Airflow is imported lazily here, only by the functions that
a DAG task calls: `services`, `skip`, `fail`, `send_reminders`, `notify_operations`).

Data between steps is small JSON-able dicts (an `Upload` as `Upload.as_dict()`, a file's outcome), never
DataFrames: every step re-reads what it needs from the object store or the warehouse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass

from nq57 import periods
from nq57.services import Services
from nq57.settings import get_settings
from nq57.storage import objectstore, warehouse
from nq57.uploads import Upload, batches, fair_share

log = logging.getLogger(__name__)

WAREHOUSE_CONN_ID = "warehouse"
OBJECT_STORE_CONN_ID = "object_store"
SMTP_CONN_ID = "smtp_default"
LABEL_LIMIT = 250  # Airflow keeps at most 250 characters of a rendered map index
# Libraries whose INFO lines drown a task log (GX alone wrote 214 of 227 lines per upload): WARNING and up.
QUIET_LIBRARIES = ("great_expectations", "numexpr", "urllib3", "botocore", "openpyxl", "fontTools")


# ---------------------------------------------------------------- the Airflow shell


def services() -> Services:
    """The warehouse and object store named by the Airflow Connections `warehouse` (postgres) and
    `object_store` (aws, with `endpoint_url` in its extra), as plain settings.

    Raises:
        AirflowFailException: a connection is missing or unusable (configuration: a retry cannot fix it).
    """
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowFailException

    from nq57 import services as service_settings

    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        db = Connection.get(WAREHOUSE_CONN_ID)
        store = Connection.get(OBJECT_STORE_CONN_ID)
        return Services(
            warehouse_url=service_settings.warehouse_url(host=db.host, port=db.port, database=db.schema,
                                                         login=db.login, password=db.password,
                                                         extra=db.extra_dejson),
            store=service_settings.store_config(login=store.login, password=store.password,
                                                extra=store.extra_dejson),
        )
    except Exception as exc:  # AirflowNotFoundException, ValueError: both are configuration faults
        raise AirflowFailException(f"Airflow connections {WAREHOUSE_CONN_ID!r} and {OBJECT_STORE_CONN_ID!r}: "
                                   f"{exc}") from exc


def skip(reason: str) -> None:
    """End the calling task as skipped, saying why (nothing to do is not a failure)."""
    from airflow.sdk.exceptions import AirflowSkipException

    log.info("%s", reason)
    raise AirflowSkipException(reason)


def fail(reason: str) -> None:
    """End the calling task as failed without retries (a fault a retry cannot fix)."""
    from airflow.sdk.exceptions import AirflowFailException

    raise AirflowFailException(reason)


# ---------------------------------------------------------------- ingest


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one upload in an ingest batch; `error` is set when it could not be processed."""

    upload: dict
    submission_id: int | None = None
    accepted: bool | None = None
    system: str | None = None
    tasks: int = 0
    indicators: int = 0
    errors: int = 0
    warnings: int = 0
    feedback_key: str | None = None
    error: str | None = None
    known_bytes: bool = False  # the same bytes were ingested before under this key (another version)

    @property
    def key(self) -> str:
        return self.upload["key"]

    @property
    def verdict(self) -> str:
        if self.error:
            return "failed"
        return "accepted" if self.accepted else "rejected"


class BatchFailed(RuntimeError):
    """Some uploads of a batch could not be processed (the others were, and got their feedback)."""


def discover(services: Services, limit: int | None = None, batch_size: int | None = None) -> list[list[dict]]:
    """This run's work: new object versions and judged uploads still owed feedback, as batches of
    `Upload.as_dict()` for the mapped ingest task.

    At most `limit` uploads per run (`NQ57_UPLOADS_PER_RUN`), shared round-robin across agencies, oldest
    first, so a flood from one agency cannot hold back the others; the rest wait for the next run.
    Uploads outside `<agency>/<YYYY-MM>/` are never part of the work: each is answered once instead
    (`answer_misplaced`).
    """
    settings = get_settings()
    limit = settings.uploads_per_run if limit is None else limit
    batch_size = settings.batch_size if batch_size is None else batch_size
    bucket = settings.buckets.submissions
    client = objectstore.connect(services.store)
    versions, misplaced = objectstore.list_submissions(client, bucket)
    answer_misplaced(services, misplaced, limit)
    known = warehouse.known_versions(services.warehouse_url, bucket)
    new = [v for v in versions if (v.key, v.version_id) not in known]
    owed = warehouse.feedback_pending(services.warehouse_url, bucket)
    chosen = fair_share(new + owed, limit)
    log.info("%d object versions in %s: %d new, %d owed feedback; this run takes %d from %d agencies",
             len(versions), bucket, len(new), len(owed), len(chosen), len({u.agency_code for u in chosen}))
    if len(new) + len(owed) > len(chosen):
        log.warning("%d uploads wait for the next run (NQ57_UPLOADS_PER_RUN=%d)",
                    len(new) + len(owed) - len(chosen), limit)
    return [[u.as_dict() for u in group] for group in batches(chosen, batch_size)]


def answer_misplaced(services: Services, misplaced: list[objectstore.MisplacedVersion],
                     limit: int | None = None) -> list[str]:
    """Answer each upload outside `<agency>/<YYYY-MM>/` once, with a feedback workbook under its agency's own
    prefix (`<agency>/sai-thu-muc/…`, `feedback.misplaced_feedback_key`) holding the one finding
    `upload.misplaced` (`nq57.placement`): where the file was put, why that is not accepted, where it belongs.

    The file is never read as a submission nor ledgered. Each answered object version is recorded in
    `raw.misplaced_upload`, so later runs skip it; a new version of the same key is answered again. A key
    not under an agency-shaped first folder (bucket root, `t01/`, `Bao cao/`) has nobody to answer: it is
    logged on every run for the operator. At most `limit` answers per run (`NQ57_UPLOADS_PER_RUN`), shared
    round-robin across agencies like ingestion. Nothing here raises: an upload that cannot be answered (or
    a warehouse that cannot say what was answered) is logged as a warning and tried again next run.

    Returns:
        the feedback keys written this run.
    """
    limit = get_settings().uploads_per_run if limit is None else limit
    for version in misplaced:
        if not version.misplacement.answerable:
            log.warning("ignored %s: %s; not under an agency's folder, so nobody is answered",
                        version.key, version.misplacement.operator_text)
    answerable = [v for v in misplaced if v.misplacement.answerable]
    if not answerable:
        return []
    try:
        answered = warehouse.answered_misplaced(services.warehouse_url, answerable[0].bucket)
    except Exception as exc:  # discovery of real submissions goes on; the answers wait for the next run
        log.warning("uploads outside <agency>/<YYYY-MM>/ not answered this run: %s: %s", type(exc).__name__, exc)
        return []
    owed = [v for v in answerable if (v.key, v.version_id) not in answered]
    if len(answerable) > len(owed):
        log.info("%d uploads outside <agency>/<YYYY-MM>/ were answered before", len(answerable) - len(owed))
    written = []
    for version in fair_share(owed, limit):
        try:
            written.append(_answer_misplaced(services, version))
        except Exception as exc:  # one upload's fault must not withhold the others' answers
            log.warning("%s (version %s) outside <agency>/<YYYY-MM>/ not answered: %s: %s",
                        version.key, version.version_id, type(exc).__name__, exc)
    if len(owed) > limit:
        log.warning("%d uploads outside <agency>/<YYYY-MM>/ wait for their answer until the next run",
                    len(owed) - limit)
    return written


def _answer_misplaced(services: Services, version: objectstore.MisplacedVersion) -> str:
    from nq57.outputs import feedback
    from nq57.placement import misplaced_issue

    settings = get_settings()
    found = version.misplacement
    client = objectstore.connect(services.store)
    sha256 = objectstore.sha256_of(client, version.bucket, version.key, version.version_id)
    finding = misplaced_issue(found, bucket=version.bucket, example_period=periods.collected_on(version.last_modified))
    receipt = feedback.misplaced_receipt(bucket=version.bucket, key=version.key, sha256=sha256,
                                         received_at=version.last_modified, agency=found.agency)
    body = feedback.build_feedback(original=None, receipt=receipt, counts={}, issues=[finding])
    key = feedback.misplaced_feedback_key(found.agency, version.key)
    objectstore.put_bytes(client, settings.buckets.feedback, key, body)
    warehouse.record_misplaced_answer(
        services.warehouse_url, bucket=version.bucket, key=version.key, version_id=version.version_id,
        agency=found.agency, size=version.size, sha256=sha256, received_at=version.last_modified,
        rule=finding.rule, feedback_key=key)
    log.info("%s (version %s) answered in %s: %s", version.key, version.version_id, key, found.operator_text)
    return key


def ingest_batch(services: Services, batch: list[dict], label: Callable[[str], None] | None = None) -> list[dict]:
    """Judge, record and answer each upload of a batch, one after the other in this process (one warm
    Great Expectations context for all of them).

    Each upload is independent: its verdict is recorded in its own transaction and its feedback written
    right after, whatever happens to the others. An upload already judged (a retry, or a run that failed
    before writing feedback) is not judged again; only its missing feedback is written. `label` receives
    a one-line summary (verdict and object key of each upload) for the Airflow UI.

    Returns:
        one `FileOutcome` dict per upload.
    Raises:
        BatchFailed: after all uploads were tried, naming those that could not be processed.
    """
    outcomes = [_process(services, Upload.from_dict(item)) for item in batch]
    if label:
        label(batch_label(outcomes))
    failed = [o for o in outcomes if o.error]
    if failed:
        raise BatchFailed("; ".join(f"{o.key}: {o.error}" for o in failed))
    return [asdict(o) for o in outcomes]


def batch_label(outcomes: list[FileOutcome]) -> str:
    """`rejected T01/2026-10/b.xlsx · accepted BKHCN/2026-10/a.xlsx`: failures and rejections first, so they
    always show; shortened to what Airflow keeps (`+N more accepted` for the accepted keys left out)."""
    order = {"failed": 0, "rejected": 1, "accepted": 2}
    ranked = sorted(outcomes, key=lambda o: order[o.verdict])
    parts = [f"{o.verdict} {o.key}" for o in ranked]
    text = " · ".join(parts)
    while len(text) > LABEL_LIMIT and len(parts) > 1:
        parts.pop()
        left = ranked[len(parts):]
        verdicts = {o.verdict for o in left}
        text = " · ".join(parts) + f" · +{len(left)} more {verdicts.pop() if len(verdicts) == 1 else ''}".rstrip()
    return text[:LABEL_LIMIT]


def _process(services: Services, upload: Upload) -> FileOutcome:
    try:
        entry = warehouse.ledger_entry(services.warehouse_url, upload)
        original = None
        if entry is None:
            outcome, original = judge(services, upload)
        else:
            outcome = _recorded(upload, entry)
        if outcome.feedback_key is None:
            key = publish_feedback(services, outcome, original)
            outcome = FileOutcome(**{**asdict(outcome), "feedback_key": key})
        log.info("%s %s (version %s): %d tasks, %d indicators, %d errors, %d warnings; feedback %s%s",
                 upload.key, outcome.verdict, upload.version_id, outcome.tasks, outcome.indicators,
                 outcome.errors, outcome.warnings, outcome.feedback_key,
                 " (version ingested before)" if entry is not None
                 else f" (same bytes as submission {outcome.submission_id})" if outcome.known_bytes else "")
        return outcome
    except Exception as exc:  # one upload's fault must not withhold the others' verdicts and feedback
        log.warning("%s (version %s) not processed: %s: %s", upload.key, upload.version_id, type(exc).__name__, exc)
        return FileOutcome(upload=upload.as_dict(), error=f"{type(exc).__name__}: {exc}")


def _recorded(upload: Upload, entry, **changes) -> FileOutcome:
    """The outcome of an upload from its submission's ledger row (see `warehouse.ledger_entry`)."""
    return FileOutcome(**{**asdict(FileOutcome(
        upload=upload.as_dict(), submission_id=entry.submission_id, accepted=entry.status == "accepted",
        system=entry.system, tasks=entry.task_count or 0, indicators=entry.indicator_count or 0,
        errors=entry.error_count or 0, warnings=entry.warning_count or 0, feedback_key=entry.feedback_key)),
        **changes})


def judge(services: Services, upload: Upload, today: dt.date | None = None, *,
          again: bool = False) -> tuple[FileOutcome, bytes]:
    """Fetch one object version and record it, one ingest of its key at a time (`warehouse.lock_key`).

    Bytes never seen under the key are judged and recorded as a new submission with their rows, in one
    transaction. Bytes already ledgered under the key are that submission (issue 14: a store migration or
    a second upload of the same file must not double the warehouse): the version is noted, the recorded
    verdict stands (judged again only with `again`, for reprocessing), and the outcome has `known_bytes`
    and no feedback key, so the new upload is answered too.

    Returns the outcome (without feedback yet) and the bytes read, for the feedback workbook.
    """
    from nq57.intake import submission

    client = objectstore.connect(services.store)
    data = objectstore.fetch(client, upload.bucket, upload.key, upload.version_id)
    sha256 = hashlib.sha256(data).hexdigest()
    with warehouse.transaction(services.warehouse_url) as conn:
        warehouse.lock_key(conn, upload.bucket, upload.key)
        known = warehouse.submission_with_content(conn, upload, sha256)
        if known is not None and not again:
            warehouse.record_version(conn, known.submission_id, upload, sha256)
            return _recorded(upload, known, feedback_key=None, known_bytes=True), data
        result = submission.evaluate(
            data, upload.name, expected_agency=upload.agency_code, expected_period=upload.period,
            today=today or upload.last_modified.date(),
        )
        if result.accepted and result.system:
            codes = result.tasks["ma_nhiem_vu"].dropna().astype(str).tolist()
            result.add_issues(submission.ownership_issues(result, warehouse.task_code_owners(conn, result.system, codes)))
        submission_id = known.submission_id if known is not None else warehouse.register(conn, upload, sha256)
        warehouse.record_outcome(conn, submission_id, result, result.task_sheet, result.indicator_sheet)
    outcome = FileOutcome(
        upload=upload.as_dict(), submission_id=submission_id, accepted=result.accepted, system=result.system,
        tasks=result.counts["tasks"], indicators=result.counts["indicators"], errors=result.error_count,
        warnings=result.warning_count,
    )
    return outcome, data


def publish_feedback(services: Services, outcome: FileOutcome, original: bytes | None = None) -> str:
    """Write the agency's feedback workbook to `nq57-feedback/<agency>/<period>/` and note it in the
    ledger; returns its key in the feedback bucket."""
    from nq57.outputs import feedback

    settings = get_settings()
    upload = Upload.from_dict(outcome.upload)
    client = objectstore.connect(services.store)
    if original is None:
        original = objectstore.fetch(client, upload.bucket, upload.key, upload.version_id)
    issues = warehouse.submission_issues(services.warehouse_url, outcome.submission_id)
    receipt = feedback.load_receipt(services.warehouse_url, outcome.submission_id)
    body = feedback.build_feedback(original=original, receipt=receipt,
                                   counts={"tasks": outcome.tasks, "indicators": outcome.indicators}, issues=issues)
    key = feedback.feedback_key(upload.agency_code, upload.period, upload.key)
    objectstore.put_bytes(client, settings.buckets.feedback, key, body)
    warehouse.set_feedback_key(services.warehouse_url, outcome.submission_id, key)
    return key


def ingest_one(services: Services, upload: Upload) -> FileOutcome:
    """Judge one upload and write its feedback (what `nq57 run` does per file)."""
    return _process(services, upload)


def announce_staged(services: Services, since: dt.datetime) -> dict[str, int]:
    """Counts of what this run recorded; the task is skipped (so no asset event, no consolidation) when
    nothing new was accepted."""
    counts = warehouse.staged_since(services.warehouse_url, since)
    log.info("this run recorded %d accepted and %d rejected uploads", counts["accepted"], counts["rejected"])
    if not counts["accepted"]:
        skip("nothing new was staged: no consolidation needed")
    return counts


def reprocess(services: Services, submission_id: int) -> FileOutcome:
    """Judge one ledgered upload again (e.g. after a rule fix) and republish its feedback. Its issues and
    staged rows are replaced, so the result is as if it had been processed once with today's rules.

    Raises:
        LookupError: no such submission.
    """
    upload = warehouse.submission_upload(services.warehouse_url, submission_id)
    if upload is None:
        raise LookupError(f"no submission {submission_id} in the ledger")
    outcome, original = judge(services, upload, again=True)
    key = publish_feedback(services, outcome, original)
    return FileOutcome(**{**asdict(outcome), "feedback_key": key})


# ---------------------------------------------------------------- consolidate


def periods_to_consolidate(services: Services, requested: str | None, logical_date: dt.datetime) -> list[str]:
    """The requested period; else the period being reported on at the run's `logical_date` (the month
    before it) and every period whose submissions changed since it was last consolidated. Periods without
    a single accepted submission are left out, and the log says so (an empty period is a no-op)."""
    from nq57.dedupe import consolidate

    if requested:
        candidates = [periods.check(requested)]
    else:
        candidates = sorted({periods.collected_on(logical_date),
                             *consolidate.periods_to_consolidate(services.warehouse_url)})
    chosen = warehouse.accepted_periods(services.warehouse_url, candidates)
    for period in sorted(set(candidates) - set(chosen)):
        log.info("period %s: no accepted submission yet, nothing to consolidate", period)
    if chosen:
        log.info("consolidating %s", ", ".join(chosen))
    return chosen


def consolidate_period(services: Services, period: str) -> dict:
    """Link the period's NQ57 and NQ71 entries (see `nq57.dedupe.consolidate`); returns counts."""
    from nq57.dedupe import consolidate

    return consolidate.consolidate_period(services.warehouse_url, period)


def publish_report(services: Services, period: str) -> list[str]:
    """Build the monthly report from the mart views and store both files in `nq57-reports/<period>/`: the
    annex workbook and the drafted document. Returns their locations (`bucket/key`), workbook first."""
    from nq57.outputs import report

    built = report.build(report.load_report_data(services.warehouse_url, period))
    bucket = get_settings().buckets.reports
    client = objectstore.connect(services.store)
    locations = []
    for key, body in ((report.report_key(period), built.workbook), (report.document_key(period), built.document)):
        objectstore.put_bytes(client, bucket, key, body)
        locations.append(f"{bucket}/{key}")
    log.info("monthly report for %s: %s", period, ", ".join(locations))
    return locations


# ---------------------------------------------------------------- reminders


def reminder_period(requested: str | None, slot: dt.datetime, now: dt.datetime | None = None) -> str:
    """The period a reminders run is for, or a skip when the run must not mail anyone.

    With `requested` (a manual run's param) that period, whatever the date. Otherwise the run's own
    slot decides: it reminds for the month before the slot, and only on the slot's own day (Vietnam time)
    and before the deadline; a slot fired late (e.g. the last missed one, when the DAG is unpaused days
    after it) is skipped with a log line saying so.
    """
    if requested:
        try:
            return periods.check(requested)
        except ValueError as exc:
            fail(str(exc))
    now = now or dt.datetime.now(dt.UTC)
    period = periods.collected_on(slot)
    slot_day, today = slot.astimezone(periods.VN).date(), now.astimezone(periods.VN).date()
    if slot_day != today:
        skip(f"slot {slot_day} is not today ({today}): a late reminder is not sent")
    if now >= periods.due_at(period):
        skip(f"the deadline for {periods.label(period)} ({periods.due_at(period):%Y-%m-%d %H:%M %Z}) has passed")
    return period


def find_missing_agencies(services: Services, period: str) -> dict:
    """{"period", "missing": [...]} for the reminders DAG (see `nq57.outputs.reminders.find_missing`)."""
    from nq57.outputs import reminders

    return {"period": period, "missing": reminders.find_missing(services.warehouse_url, period)}


def send_reminders(services: Services, found: dict) -> list[str]:
    """E-mail each missing agency through the Airflow SMTP connection `smtp_default`; connects only when
    there is someone to remind. Returns the agency codes reminded."""
    from contextlib import ExitStack

    from airflow.providers.smtp.hooks.smtp import SmtpHook

    from nq57.outputs import reminders

    with ExitStack() as stack:
        opened: list[SmtpHook] = []

        def send(to: list[str], subject: str, html: str) -> None:
            if not opened:
                opened.append(stack.enter_context(SmtpHook(smtp_conn_id=SMTP_CONN_ID)))
            opened[0].send_email_smtp(to=to, subject=subject, html_content=html)

        return reminders.send_reminders(services.warehouse_url, found["period"], send, missing=found["missing"])


def notify_operations(context) -> None:
    """on_failure_callback: mail the operations address (Variable `nq57_ops_email`, else env
    `NQ57_OPS_EMAIL`), when one is set, that a task failed."""
    import os

    from airflow.providers.smtp.notifications.smtp import SmtpNotifier
    from airflow.sdk import Variable

    to = Variable.get("nq57_ops_email", default=None) or os.getenv("NQ57_OPS_EMAIL")
    if to:
        SmtpNotifier(to=to, smtp_conn_id=SMTP_CONN_ID)(context)

