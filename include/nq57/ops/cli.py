"""`nq57` command line (DESIGN §6). Thin: every command calls the same package functions as the DAGs."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import tempfile
from pathlib import Path

from nq57 import periods


def _period(value: str) -> str:
    try:
        return periods.check(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_template(args: argparse.Namespace) -> int:
    from nq57.outputs.template import write_template

    path = write_template(Path(args.out), args.system, args.agency, args.period)
    print(f"template written: {path}")
    return 0


def cmd_sample_data(args: argparse.Namespace) -> int:
    from nq57.devtools import sample_data

    files = sample_data.generate(Path(args.out_dir), args.period, agencies=args.agencies, seed=args.seed)
    print(f"{len(files)} sample submissions written under {args.out_dir}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from nq57.intake import submission

    rejected = 0
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            print(f"{name}: cannot read: {exc.strerror}", file=sys.stderr)
            rejected += 1
            continue
        result = submission.evaluate(data, path.name, expected_agency=args.agency, expected_period=args.period)
        rejected += not result.accepted
        if args.json:
            print(json.dumps({**result.as_json(), "file": name}, ensure_ascii=False))
        else:
            verdict = "accepted" if result.accepted else "REJECTED"
            print(f"{name}: {verdict} ({result.counts['tasks']} tasks, {result.counts['indicators']} indicators, "
                  f"{result.error_count} errors, {result.warning_count} warnings)")
            for issue in result.issues:
                where = ":".join(p for p in (issue.sheet, issue.cell) if p)
                print(f"  {issue.severity:<7} {issue.rule:<28} {where:<16} {issue.message}")
    return 1 if rejected else 0


def cmd_init(args: argparse.Namespace) -> int:
    from nq57.ops import provision

    if args.airflow:
        from nq57 import pipeline

        services = pipeline.services()
    else:
        from nq57 import services as service_settings
        from nq57.ops import warehouse_url
        from nq57.settings import Settings

        try:
            services = service_settings.from_environment(Settings(warehouse_url=warehouse_url.resolve(args)))
        except ValueError as exc:
            print(f"nq57 init: {exc} (or use --airflow to read the Airflow connections)", file=sys.stderr)
            return 2
    for line in provision.init(services, airflow_pools=args.airflow):
        print(line)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from nq57 import pipeline
    from nq57.ops import provision, summary
    from nq57.settings import get_settings
    from nq57.storage import objectstore
    from nq57.uploads import Upload

    with _services(args) as services:
        provision.init(services)
        if args.inbox:
            client = objectstore.connect(services.store)
            for path, reason in objectstore.scan_inbox(Path(args.inbox)).refused:
                print(f"inbox: refused {path}: {reason}", file=sys.stderr)
            uploaded = objectstore.upload_inbox(client, get_settings().buckets.submissions, Path(args.inbox))
            print(f"inbox: {sum(u for _, u in uploaded)} uploaded, {sum(not u for _, u in uploaded)} unchanged")
        work = [Upload.from_dict(u) for batch in pipeline.discover(services, limit=sys.maxsize) for u in batch]
        failed = 0
        for upload in sorted((u for u in work if u.period == args.period), key=lambda u: (u.last_modified, u.key)):
            failed += pipeline.ingest_one(services, upload).error is not None
        pipeline.consolidate_period(services, args.period)
        workbook_location, document_location = pipeline.publish_report(services, args.period)
        print(summary.render(services.warehouse_url, args.period))
        print(f"Monthly report: {workbook_location}")
        print(f"Drafted document: {document_location}")
        if failed:
            print(f"{failed} upload(s) could not be processed (see the log above); run again to retry them",
                  file=sys.stderr)
    return 1 if failed else 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Sample data -> embedded store -> `airflow dags test nq57_ingest` -> warehouse -> summary."""
    from nq57.devtools import airflow_runner, embedded, sample_data
    from nq57.ops import summary
    from nq57.settings import get_settings
    from nq57.storage import objectstore

    period = args.period or periods.collected_on(dt.date.today())
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="nq57-demo-"))
    inbox = workdir / "inbox"
    files = sample_data.generate(inbox, period, agencies=args.agencies, seed=args.seed)
    print(f"[1/5] {len(files)} sample submissions for {period} written to {inbox}")
    with embedded.start(state_dir=workdir / "services") as services:
        env = airflow_runner.airflow_env(workdir / "airflow", services.airflow_connections())
        airflow_runner.prepare_home(env)  # Airflow metadata, then `nq57 init --airflow` as deployments run it
        client = objectstore.connect(services.store)
        uploaded = objectstore.upload_inbox(client, get_settings().buckets.submissions, inbox)
        print(f"[2/5] uploaded {sum(u for _, u in uploaded)} files to s3://{get_settings().buckets.submissions} "
              f"at {services.store.endpoint}")
        print("[3/5] running the real DAG: airflow dags test nq57_ingest")
        airflow_runner.dags_test("nq57_ingest", env)
        print(f"[4/5] running the real DAG: airflow dags test nq57_consolidate (period {period})")
        airflow_runner.dags_test("nq57_consolidate", env, conf=json.dumps({"period": period}))
        print("[5/5] warehouse summary (mart views):")
        print(summary.render(services.warehouse_url, period))
        from nq57.outputs import report

        bucket = get_settings().buckets.reports
        print()
        for label, key in (("Monthly report (annex workbook)", report.report_key(period)),
                           ("Drafted document for the Prime Minister", report.document_key(period))):
            local = workdir / key.rsplit("/", 1)[-1]
            local.write_bytes(objectstore.fetch(client, bucket, key))
            print(f"{label}: s3://{bucket}/{key}, copied to {local}")
        print(f"Working files (sample data, Airflow home, embedded PostgreSQL): {workdir}")
    return 0


def cmd_reprocess(args: argparse.Namespace) -> int:
    from nq57 import pipeline

    with _services(args) as services:
        for submission_id in args.submission_ids:
            outcome = pipeline.reprocess(services, submission_id)
            print(f"submission {submission_id} ({outcome.key}): {outcome.verdict}, "
                  f"{outcome.errors} errors, {outcome.warnings} warnings")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The annex workbook at --out FILE.xlsx and the drafted document next to it (same name, .docx)."""
    from nq57.outputs import report

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print(f"nq57 report: --out must name an .xlsx file (the drafted .docx is written next to it), got {out}",
              file=sys.stderr)
        return 2
    with _services(args) as services:
        built = report.build(report.load_report_data(services.warehouse_url, args.period))
    document = out.with_suffix(".docx")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(built.workbook)
    document.write_bytes(built.document)
    print(f"monthly report for {args.period} written:")
    print(f"  annex workbook:   {out}")
    print(f"  drafted document: {document}")
    return 0


def cmd_review_export(args: argparse.Namespace) -> int:
    from nq57.outputs import review

    with _services(args) as services:
        count = review.write_export(services.warehouse_url, args.period, Path(args.out))
    print(f"{count} pairs to review for {args.period} written: {args.out}")
    return 0


def cmd_review_import(args: argparse.Namespace) -> int:
    from nq57.outputs import review

    with _services(args) as services:
        result = review.import_review(services.warehouse_url, Path(args.file).read_bytes(), Path(args.file).name,
                                      reviewer=args.reviewer)
    print(f"review decisions applied: {result.confirmed} confirmed, {result.rejected} rejected, "
          f"{result.skipped} rows without a decision")
    return 0


def _services(args: argparse.Namespace):
    from nq57.devtools import embedded
    from nq57.ops import warehouse_url
    from nq57.settings import Settings

    try:
        return embedded.start(Settings(warehouse_url=warehouse_url.resolve(args)))
    except ImportError as exc:  # a production install has no embedded servers
        raise SystemExit(f"nq57: set WAREHOUSE_URL and OBJECT_STORE_ENDPOINT (the embedded servers of the dev "
                         f"group are not installed: {exc.name})") from None


def build_parser() -> argparse.ArgumentParser:
    from nq57.ops import warehouse_url

    parser = argparse.ArgumentParser(prog="nq57", description="Resolution 57 / 71 reporting consolidation")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("template", help="write the blank submission template")
    p.add_argument("out")
    p.add_argument("--system", choices=("NQ57", "NQ71"), default="NQ57")
    p.add_argument("--agency")
    p.add_argument("--period", type=_period)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("sample-data", help="write realistic sample submissions laid out like the bucket")
    p.add_argument("out_dir")
    p.add_argument("--period", type=_period, required=True)
    p.add_argument("--agencies", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_sample_data)

    p = sub.add_parser("validate", help="check files the way the pipeline would; exit 1 if any is rejected")
    p.add_argument("files", nargs="+")
    p.add_argument("--agency")
    p.add_argument("--period", type=_period)
    p.add_argument("--json", action="store_true", help="one JSON object per file")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("init", help="provision once per deployment: buckets, warehouse schema and reference "
                                    "data, Airflow pools (idempotent)")
    p.add_argument("--airflow", action="store_true",
                   help="read the services from the Airflow connections warehouse/object_store and create the "
                        "Airflow pools (what docker compose's airflow-init and make airflow run)")
    warehouse_url.add_options(p, "$WAREHOUSE_URL")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("run", help="upload an inbox folder and run the ingest steps in-process")
    p.add_argument("--period", type=_period, required=True)
    p.add_argument("--inbox")
    warehouse_url.add_options(p, "$WAREHOUSE_URL, else an embedded server")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="end to end on embedded services with the real Airflow DAG")
    p.add_argument("--period", type=_period)
    p.add_argument("--agencies", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workdir")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("reprocess", help="judge ledgered uploads again and republish their feedback")
    p.add_argument("submission_ids", nargs="+", type=int)
    warehouse_url.add_options(p, "$WAREHOUSE_URL, else an embedded server")
    p.set_defaults(func=cmd_reprocess)

    p = sub.add_parser("report", help="write the monthly report from the warehouse: the annex workbook and the "
                                      "drafted document next to it")
    p.add_argument("--period", type=_period, required=True)
    p.add_argument("--out", required=True, help="the annex workbook FILE.xlsx; the .docx goes next to it")
    warehouse_url.add_options(p, "$WAREHOUSE_URL, else an embedded server")
    p.set_defaults(func=cmd_report)

    review = sub.add_parser("review", help="the human review loop for uncertain NQ57/NQ71 pairs")
    review_sub = review.add_subparsers(dest="review_command", required=True)
    p = review_sub.add_parser("export", help="write the open review queue of a period to Excel")
    p.add_argument("--period", type=_period, required=True)
    p.add_argument("--out", required=True)
    warehouse_url.add_options(p, "$WAREHOUSE_URL, else an embedded server")
    p.set_defaults(func=cmd_review_export)
    p = review_sub.add_parser("import", help="apply a filled review file to the crosswalk")
    p.add_argument("file")
    p.add_argument("--reviewer", help="who decided, when the file's 'Người duyệt' column is empty")
    warehouse_url.add_options(p, "$WAREHOUSE_URL, else an embedded server")
    p.set_defaults(func=cmd_review_import)

    sub.add_parser("bi-login", help="create or rotate a read-only BI login (whole mart, or one agency's rows); "
                                    "see nq57 bi-login --help")

    sub.add_parser("policies", help="write (or --check) the per-agency object-store policies and the manifest "
                                    "minio-init.sh reads; see nq57 policies --help")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bi-login"]:  # its own parser (nq57.ops.bi_logins), options and --help included
        from nq57.ops.bi_logins import main_bi

        return main_bi(argv[1:])
    if argv[:1] == ["policies"]:  # its own parser (nq57.ops.store_policies): OUT_DIR [--check]
        from nq57.ops.store_policies import main_policies

        return main_policies(argv[1:])
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except Exception as exc:
        message = service_error(exc)
        if message is None:
            raise
        print(f"nq57 {args.command}: {message}", file=sys.stderr)
        return 1


def service_error(exc: BaseException) -> str | None:
    """One line for the ordinary failures of a service (timeouts, unreachable, refused); None otherwise.
    Looks through wrappers (pandas re-raises driver errors as its own DatabaseError)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        message = _one_service_error(exc)
        if message is not None:
            return message
        exc = exc.__cause__ or exc.__context__
    return None


def _one_service_error(exc: BaseException) -> str | None:
    import urllib3
    from minio.error import S3Error
    from sqlalchemy.exc import DBAPIError, OperationalError

    from nq57.ops.warehouse_url import WarehouseUrlError

    if isinstance(exc, WarehouseUrlError):
        return str(exc)
    if isinstance(exc, urllib3.exceptions.MaxRetryError):
        reason = exc.reason or exc
        return (f"the object store at {exc.pool.host}:{exc.pool.port} did not answer ({reason}); "
                "limits: OBJECT_STORE_CONNECT_TIMEOUT, OBJECT_STORE_READ_TIMEOUT, OBJECT_STORE_RETRIES")
    if isinstance(exc, S3Error):
        return f"the object store refused {exc.bucket_name or ''}/{exc.object_name or ''}: {exc.code} ({exc.message})"
    if isinstance(exc, DBAPIError):
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        detail = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
        if sqlstate == "55P03":
            return (f"the warehouse gave up waiting for a lock ({detail}): another session holds it; "
                    "limit: WAREHOUSE_LOCK_TIMEOUT")
        if sqlstate == "57014":
            return f"a warehouse statement ran too long ({detail}); limit: WAREHOUSE_STATEMENT_TIMEOUT"
        if isinstance(exc, OperationalError):
            return f"cannot use the warehouse: {detail}"
    return None


if __name__ == "__main__":
    sys.exit(main())
