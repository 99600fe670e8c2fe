"""The ingest steps, called one by one by the `nq57_ingest` DAG and in a loop by `nq57 run`.

Data between steps is small JSON-able dicts (object identity, submission id), never DataFrames: every
step re-reads what it needs from the object store or the warehouse.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import asdict

from nq57 import periods
from nq57.devtools.embedded import Services
from nq57.intake import submission
from nq57.outputs import feedback
from nq57.settings import get_settings
from nq57.storage import objectstore, warehouse

log = logging.getLogger(__name__)


def prepare(services: Services) -> None:
    """Buckets exist, warehouse schema is current."""
    objectstore.ensure_buckets(objectstore.connect(services.store), get_settings().buckets)
    applied = warehouse.migrate(services.warehouse_url)
    if applied:
        log.info("warehouse migrations applied: %s", ", ".join(applied))


def discover(services: Services) -> list[dict]:
    """Object versions in the submissions bucket that the ledger has not seen, oldest first."""
    bucket = get_settings().buckets.submissions
    client = objectstore.connect(services.store)
    versions, misplaced = objectstore.list_submissions(client, bucket)
    for key in misplaced:
        log.warning("ignored %s: not under <agency>/<YYYY-MM>/", key)
    known = warehouse.known_versions(services.warehouse_url, bucket)
    new = [v for v in versions if (v.key, v.version_id) not in known]
    log.info("%d object versions in %s, %d new", len(versions), bucket, len(new))
    return [{**asdict(v), "last_modified": v.last_modified.isoformat()} for v in new]


def ingest(services: Services, found: dict, today: dt.date | None = None) -> dict:
    """Fetch one object version, judge it, and record the verdict with its rows in one transaction."""
    client = objectstore.connect(services.store)
    data = objectstore.fetch(client, found["bucket"], found["key"], found["version_id"])
    digest = hashlib.sha256(data).hexdigest()
    received = dt.datetime.fromisoformat(found["last_modified"])
    result = submission.evaluate(
        data, found["key"].rsplit("/", 1)[-1], expected_agency=found["agency_code"],
        expected_period=found["period"], today=today or received.date(),
    )
    obj = warehouse.ReceivedObject(
        bucket=found["bucket"], key=found["key"], version_id=found["version_id"], size=len(data),
        received_at=received, agency_code=found["agency_code"], period=found["period"],
    )
    with warehouse.transaction(services.warehouse_url) as conn:
        submission_id = warehouse.register(conn, obj, digest)
        warehouse.record_outcome(conn, submission_id, result, result.task_sheet, result.indicator_sheet)
    log.info("%s (version %s): %s, %d tasks, %d errors, %d warnings", found["key"], found["version_id"],
             "accepted" if result.accepted else "rejected", len(result.tasks), result.error_count,
             result.warning_count)
    return {
        "submission_id": submission_id, "key": found["key"], "version_id": found["version_id"],
        "agency_code": found["agency_code"], "period": found["period"], "system": result.system,
        "accepted": result.accepted, "counts": result.counts, "errors": result.error_count,
        "warnings": result.warning_count,
    }


def publish_feedback(services: Services, outcome: dict) -> str:
    """Write the agency's feedback workbook to `nq57-feedback/<agency>/<period>/`; returns its key."""
    settings = get_settings()
    client = objectstore.connect(services.store)
    original = objectstore.fetch(client, settings.buckets.submissions, outcome["key"], outcome["version_id"])
    issues = warehouse.submission_issues(services.warehouse_url, outcome["submission_id"])
    body = feedback.build_feedback(
        original=original, file_name=outcome["key"].rsplit("/", 1)[-1], agency=outcome["agency_code"],
        period=outcome["period"], accepted=outcome["accepted"], counts=outcome["counts"], issues=issues,
    )
    key = feedback.feedback_key(outcome["agency_code"], outcome["period"], outcome["key"])
    objectstore.put_bytes(client, settings.buckets.feedback, key, body)
    warehouse.set_feedback_key(services.warehouse_url, outcome["submission_id"], key)
    return f"{settings.buckets.feedback}/{key}"


def periods_to_consolidate(services: Services, requested: str | None, today: dt.date | None = None) -> list[str]:
    """The requested period; else the previous month (the one being reported on) and every period whose
    submissions changed since it was last consolidated."""
    from nq57.dedupe import consolidate

    if requested:
        return [requested]
    previous = periods.collected_on(today or dt.date.today())
    return sorted({previous, *consolidate.periods_to_consolidate(services.warehouse_url)})


def consolidate_period(services: Services, period: str) -> dict:
    from nq57.dedupe import consolidate

    warehouse.migrate(services.warehouse_url)
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


def reprocess(services: Services, submission_id: int) -> dict:
    """Judge one ledgered upload again (e.g. after a rule fix) and republish its feedback. Its issues and
    staged rows are replaced, so the result is as if it had been processed once with today's rules."""
    ledger = warehouse.query(services.warehouse_url, "SELECT * FROM raw.submission WHERE submission_id = :id",
                             id=submission_id)
    if ledger.empty:
        raise LookupError(f"no submission {submission_id} in the ledger")
    row = ledger.iloc[0]
    found = {
        "bucket": row.bucket, "key": row.object_key, "version_id": row.version_id, "size": int(row.size_bytes),
        "last_modified": row.received_at.isoformat(), "agency_code": row.agency_code, "period": row.period,
    }
    outcome = ingest(services, found)
    publish_feedback(services, outcome)
    return outcome
