"""`nq57` command line (docs/design.md §6). Thin: every command calls the same package functions as the DAGs.

Every ordinary mistake (a bad option value, a missing file, an unknown submission, a warehouse or store
that cannot be reached, …) ends in one English line on stderr and exit status 2, without a traceback
unless `-v` is given (anywhere on the line); `nq57.ops.errors` holds the explanations. `-v` shows the
package's progress (INFO); libraries stay at WARNING. `validate --json` prints JSON whatever happens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

from nq57 import periods
from nq57.ops.errors import EXIT_MISTAKE, OperatorError, explain

VERBOSE_FLAGS = ("-v", "--verbose")


class UsageError(OperatorError):
    """A command line that does not parse (no traceback is worth showing, even with `-v`)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are `UsageError`s (one line, exit 2), not usage dumps."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see {self.prog} --help)")


# ---------------------------------------------------------------- option types


def _period(value: str) -> str:
    try:
        return periods.check(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _agency(value: str) -> str:
    from nq57 import reference

    code = value.strip().upper()
    if code not in reference.agencies():
        raise argparse.ArgumentTypeError(
            f"unknown agency code {value!r}: use a code of the reference list, e.g. BKHCN or T01 "
            "(sheet DM_DonVi of `nq57 template` lists them)")
    return code


def _xlsx_out(value: str) -> Path:
    """An .xlsx file to write: not an existing directory."""
    path = Path(value)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a directory: name the file to write, e.g. "
                                         f"{path / 'out.xlsx'}")
    if path.suffix.lower() != ".xlsx":
        raise argparse.ArgumentTypeError(f"{value}: the file name must end in .xlsx")
    return path


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return number


def _submission_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a submission id (a whole number from "
                                         "mart.v_submissions.submission_id)") from None


# ---------------------------------------------------------------- commands


def cmd_template(args: argparse.Namespace) -> int:
    from nq57.outputs.template import write_template

    path = write_template(args.out, args.system, args.agency, args.period)
    print(f"template written: {path}")
    return 0


def cmd_sample_data(args: argparse.Namespace) -> int:
    from nq57 import reference
    from nq57.devtools import sample_data

    if args.agencies > len(reference.agencies()):
        raise OperatorError(f"--agencies {args.agencies}: the reference list has {len(reference.agencies())} agencies")
    files = sample_data.generate(Path(args.out_dir), args.period, agencies=args.agencies, seed=args.seed)
    print(f"{len(files)} sample submissions written under {args.out_dir}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Judge each file; with --feedback also write the feedback workbook the pipeline would send. Exit 0 when
    every file is accepted, 1 when one is rejected, 2 when one cannot be read."""
    from nq57.intake import submission
    from nq57.outputs import feedback

    destination = _feedback_destination(args)
    status = 0
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            message = explain(exc) or f"{name}: cannot read"
            if args.json:
                print(json.dumps({"file": name, "accepted": False, "error": message}, ensure_ascii=False))
            else:
                print(f"nq57 validate: {message}", file=sys.stderr)
            status = EXIT_MISTAKE
            continue
        result = submission.evaluate(data, path.name, expected_agency=args.agency, expected_period=args.period)
        written = None
        if destination is not None:
            written = destination if destination.suffix.lower() == ".xlsx" else destination / (path.name + feedback.SUFFIX)
            receipt = feedback.local_receipt(data, path.name, agency=result.agency_code, period=result.period,
                                             system=result.system, accepted=result.accepted)
            written.write_bytes(feedback.build_feedback(original=data, receipt=receipt, counts=result.counts,
                                                        issues=result.issues))
        if status != EXIT_MISTAKE and not result.accepted:
            status = 1
        if args.json:
            extra = {"feedback": str(written)} if written else {}
            print(json.dumps({**result.as_json(), "file": name, **extra}, ensure_ascii=False))
            continue
        verdict = "accepted" if result.accepted else "REJECTED"
        print(f"{name}: {verdict} ({result.counts['tasks']} tasks, {result.counts['indicators']} indicators, "
              f"{result.error_count} errors, {result.warning_count} warnings)")
        for issue in result.issues:
            where = ":".join(p for p in (issue.sheet, issue.cell) if p)
            print(f"  {issue.severity:<7} {issue.rule:<28} {where:<16} {issue.message}")
        if written:
            print(f"  feedback workbook: {written}")
    return status


def _feedback_destination(args: argparse.Namespace) -> Path | None:
    """`--feedback` as a file (one FILE, a name ending in .xlsx) or a directory (created when missing)."""
    if args.feedback is None:
        return None
    target = Path(args.feedback)
    if target.suffix.lower() == ".xlsx" and not target.is_dir():
        if len(args.files) > 1:
            raise OperatorError(f"--feedback {target} names one file but {len(args.files)} files are validated: "
                                "give a directory instead")
        target.parent.mkdir(parents=True, exist_ok=True)
        return target
    if target.exists() and not target.is_dir():
        raise OperatorError(f"--feedback {target}: not a directory, and not a file name ending in .xlsx")
    target.mkdir(parents=True, exist_ok=True)
    return target


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
            raise OperatorError(f"{exc} (or use --airflow to read the Airflow connections)") from exc
    for line in provision.init(services, airflow_pools=args.airflow):
        print(line)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Exit 0 when every upload of the period was processed, 1 when one could not be (run again to retry)."""
    from nq57 import pipeline
    from nq57.ops import provision, summary
    from nq57.settings import get_settings
    from nq57.storage import objectstore
    from nq57.uploads import Upload

    if args.inbox and not Path(args.inbox).is_dir():
        raise OperatorError(f"--inbox {args.inbox}: no such directory")
    settings = get_settings()
    with _services(args) as services:
        provision.init(services)
        if args.inbox:
            client = objectstore.connect(services.store)
            for path, reason in objectstore.scan_inbox(Path(args.inbox)).refused:
                print(f"inbox: refused {path}: {reason}", file=sys.stderr)
            uploaded = objectstore.upload_inbox(client, settings.buckets.submissions, Path(args.inbox))
            print(f"inbox: {sum(u for _, u in uploaded)} uploaded, {sum(not u for _, u in uploaded)} unchanged")
        work = [Upload.from_dict(u) for batch in pipeline.discover(services, limit=sys.maxsize) for u in batch]
        failed = 0
        for upload in sorted((u for u in work if u.period == args.period), key=lambda u: (*u.store_order, u.key)):
            failed += pipeline.ingest_one(services, upload).error is not None
        pipeline.consolidate_period(services, args.period)
        pipeline.publish_report(services, args.period)
        print(summary.render(services.warehouse_url, args.period))
        # The embedded store vanishes with this process: its files are copied out, else its URLs are given.
        out = Path(args.out) if args.out else (None if settings.object_store_endpoint else Path(f"nq57-out/{args.period}"))
        print(_outputs(services, args.period, out))
        if failed:
            print(f"{failed} upload(s) could not be processed (see the log above); run again to retry them",
                  file=sys.stderr)
    return 1 if failed else 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Sample data -> embedded store -> `airflow dags test nq57_ingest` -> warehouse -> summary, then the
    report, the drafted document and every feedback workbook copied next to each other."""
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
        print()
        print(_outputs(services, period, workdir / "outputs"))
        print(f"Working files (sample data, Airflow home, embedded PostgreSQL): {workdir}")
    return 0


def _outputs(services, period: str, out: Path | None) -> str:
    """Where the period's report, drafted document and feedback workbooks are: copied under `out` (the
    feedback workbooks in `out/feedback/<agency>/`), or, with `out` None, as s3:// URLs of the store."""
    from nq57.ops import summary
    from nq57.outputs import report
    from nq57.settings import get_settings
    from nq57.storage import objectstore

    buckets = get_settings().buckets
    client = objectstore.connect(services.store)
    wanted = [("Monthly report (annex workbook)", buckets.reports, report.report_key(period)),
              ("Drafted document for the Prime Minister", buckets.reports, report.document_key(period))]
    feedback = summary.feedback_keys(services.warehouse_url, period)

    def place(bucket: str, key: str, local: Path | None) -> str:
        if local is None:
            return f"s3://{bucket}/{key}"
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(objectstore.fetch(client, bucket, key))
        return str(local)

    lines = [f"{label}: {place(bucket, key, out / key.rsplit('/', 1)[-1] if out else None)}"
             for label, bucket, key in wanted]
    where = {key: place(buckets.feedback, key, out / "feedback" / key.split("/", 2)[0] / key.rsplit("/", 1)[-1]
                        if out else None) for key, _ in feedback}
    if where:
        lines.append(f"Feedback workbooks ({len(where)}): {out / 'feedback' if out else f's3://{buckets.feedback}/'}")
        lines += [f"  {'rejected' if not accepted else 'accepted'}: {where[key]}" for key, accepted in feedback]
    return "\n".join(lines)


def cmd_reprocess(args: argparse.Namespace) -> int:
    from nq57 import pipeline

    with _services(args) as services:
        for submission_id in args.submission_ids:
            try:
                outcome = pipeline.reprocess(services, submission_id)
            except LookupError as exc:
                raise OperatorError(f"unknown submission id {submission_id}: see mart.v_submissions.submission_id "
                                    f"({exc})") from exc
            print(f"submission {submission_id} ({outcome.key}): {outcome.verdict}, "
                  f"{outcome.errors} errors, {outcome.warnings} warnings")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The annex workbook at --out FILE.xlsx and the drafted document next to it (same name, .docx)."""
    from nq57.outputs import report

    out = args.out
    with _services(args) as services:
        built = report.build(report.load_report_data(services.warehouse_url, args.period), annex_name=out.name)
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
        count = review.write_export(services.warehouse_url, args.period, args.out)
    print(f"{count} pairs to review for {args.period} written: {args.out}")
    return 0


def cmd_review_import(args: argparse.Namespace) -> int:
    from nq57.outputs import review

    path = Path(args.file)
    data = path.read_bytes()  # a missing file is explained before any service starts
    try:
        sheet = review.read_review_file(data, path.name)
    except review.ReviewFileError as exc:
        raise OperatorError(str(exc)) from exc
    with _services(args) as services:
        try:
            result = review.import_review(services.warehouse_url, sheet, path.name, reviewer=args.reviewer)
        except review.ReviewFileError as exc:
            raise OperatorError(str(exc)) from exc
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
        raise OperatorError(f"set WAREHOUSE_URL and OBJECT_STORE_ENDPOINT (the embedded servers of the dev group "
                            f"are not installed: {exc.name})") from None


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    from nq57.ops import warehouse_url

    common = _Parser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true",
                        help="show progress (INFO) and, on an error, the traceback; accepted anywhere on the line")
    parser = _Parser(prog="nq57", description="Resolution 57 / 71 reporting consolidation", parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    warehouse_default = "$WAREHOUSE_URL, else an embedded server"

    def command(name: str, help_text: str, **kwargs) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common], **kwargs)

    p = command("template", "write the blank submission template")
    p.add_argument("out", type=_xlsx_out, metavar="OUT.xlsx", help="the workbook to write")
    p.add_argument("--system", choices=("NQ57", "NQ71"), default="NQ57",
                   help="the source system the file reports on (default: NQ57)")
    p.add_argument("--agency", type=_agency, metavar="CODE", help="prefill the agency code and name, e.g. T01")
    p.add_argument("--period", type=_period, metavar="YYYY-MM", help="prefill the reporting period")
    p.set_defaults(func=cmd_template)

    p = command("sample-data", "write realistic sample submissions laid out like the bucket")
    p.add_argument("out_dir", metavar="OUT_DIR", help="where to write <agency>/<YYYY-MM>/*.xlsx")
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM", help="the reporting period")
    p.add_argument("--agencies", type=_positive, default=6, metavar="N", help="how many agencies (default: 6)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    p.set_defaults(func=cmd_sample_data)

    p = command("validate", "check files the way the pipeline would; exit 1 if any is rejected, 2 if one "
                            "cannot be read")
    p.add_argument("files", nargs="+", metavar="FILE", help="an .xlsx or .xls submission")
    p.add_argument("--agency", type=_agency, metavar="CODE",
                   help="the agency folder the file would be uploaded to (checked against ThongTin)")
    p.add_argument("--period", type=_period, metavar="YYYY-MM",
                   help="the period folder the file would be uploaded to (checked against ThongTin)")
    p.add_argument("--json", action="store_true", help="one JSON object per file on stdout, errors included")
    p.add_argument("--feedback", metavar="PATH",
                   help="also write the feedback workbook the pipeline would send: OUT.xlsx for one FILE, or a "
                        "directory that gets <file name>.feedback.xlsx per FILE")
    p.set_defaults(func=cmd_validate)

    p = command("init", "provision once per deployment: buckets, warehouse schema and reference data, Airflow "
                        "pools (idempotent)")
    p.add_argument("--airflow", action="store_true",
                   help="read the services from the Airflow connections warehouse/object_store and create the "
                        "Airflow pools (what docker compose's airflow-init and make airflow run)")
    warehouse_url.add_options(p, "$WAREHOUSE_URL")
    p.set_defaults(func=cmd_init)

    p = command("run", "upload an inbox folder and run the ingest steps in-process")
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM",
                   help="the period to ingest, consolidate and report")
    p.add_argument("--inbox", metavar="DIR", help="a folder laid out like the bucket: DIR/<agency>/<YYYY-MM>/*.xlsx")
    warehouse_url.add_options(p, warehouse_default)
    p.add_argument("--out", metavar="DIR",
                   help="copy the report, the drafted document and the feedback workbooks here (default with the "
                        "embedded store: nq57-out/<YYYY-MM>; with OBJECT_STORE_ENDPOINT their s3:// URLs are printed)")
    p.set_defaults(func=cmd_run)

    p = command("demo", "end to end on embedded services with the real Airflow DAGs")
    p.add_argument("--period", type=_period, metavar="YYYY-MM", help="the period (default: last month)")
    p.add_argument("--agencies", type=_positive, default=6, metavar="N", help="how many agencies (default: 6)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed of the sample data (default: 0)")
    p.add_argument("--workdir", metavar="DIR", help="working folder (default: a new temporary folder)")
    p.set_defaults(func=cmd_demo)

    p = command("reprocess", "judge ledgered uploads again and republish their feedback")
    p.add_argument("submission_ids", nargs="+", type=_submission_id, metavar="SUBMISSION_ID",
                   help="mart.v_submissions.submission_id of an upload")
    warehouse_url.add_options(p, warehouse_default)
    p.set_defaults(func=cmd_reprocess)

    p = command("report", "write the monthly report from the warehouse: the annex workbook and the drafted "
                          "document next to it")
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM", help="the reporting period")
    p.add_argument("--out", type=_xlsx_out, required=True, metavar="FILE.xlsx",
                   help="the annex workbook; the .docx goes next to it")
    warehouse_url.add_options(p, warehouse_default)
    p.set_defaults(func=cmd_report)

    review = command("review", "the human review loop for uncertain NQ57/NQ71 pairs")
    review_sub = review.add_subparsers(dest="review_command", required=True, metavar="ACTION")
    p = review_sub.add_parser("export", help="write the open review queue of a period to Excel", parents=[common])
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM", help="the reporting period")
    p.add_argument("--out", type=_xlsx_out, required=True, metavar="FILE.xlsx", help="the review workbook to write")
    warehouse_url.add_options(p, warehouse_default)
    p.set_defaults(func=cmd_review_export)
    p = review_sub.add_parser("import", help="apply a filled review file to the crosswalk", parents=[common])
    p.add_argument("file", metavar="FILE.xlsx", help="a review workbook written by `nq57 review export`, filled")
    p.add_argument("--reviewer", metavar="NAME", help="who decided, when the file's 'Người duyệt' column is empty")
    warehouse_url.add_options(p, warehouse_default)
    p.set_defaults(func=cmd_review_import)

    command("bi-login", "create or rotate a read-only BI login (whole mart, or one agency's rows); "
                        "see nq57 bi-login --help", add_help=False)

    command("policies", "write (or --check) the per-agency object-store policies and the manifest minio-init.sh "
                        "reads; see nq57 policies --help", add_help=False)
    return parser


# ---------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose, argv = _verbosity(argv)
    _configure_logging(verbose)
    as_json = "--json" in argv and argv[:1] == ["validate"]
    command = next((a for a in argv if not a.startswith("-")), None)
    try:
        if argv[:1] == ["bi-login"]:  # its own parser (nq57.ops.bi_logins), options and --help included
            from nq57.ops.bi_logins import main_bi

            return main_bi(argv[1:])
        if argv[:1] == ["policies"]:  # its own parser (nq57.ops.store_policies): OUT_DIR [--check]
            from nq57.ops.store_policies import main_policies

            return main_policies(argv[1:])
        args = build_parser().parse_args(argv)
        return args.func(args)
    except KeyboardInterrupt:
        print("nq57: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        message = explain(exc)
        if message is None:
            raise
        if verbose and not isinstance(exc, UsageError):
            traceback.print_exc()
        if as_json:
            print(json.dumps({"error": message}, ensure_ascii=False))
        else:
            print(f"nq57 {command}: {message}" if command else f"nq57: {message}", file=sys.stderr)
        return EXIT_MISTAKE


def _verbosity(argv: list[str]) -> tuple[bool, list[str]]:
    """Whether `-v` / `--verbose` appears anywhere before `--`, and the arguments without it."""
    end = argv.index("--") if "--" in argv else len(argv)
    verbose = any(a in VERBOSE_FLAGS for a in argv[:end])
    return verbose, [a for a in argv[:end] if a not in VERBOSE_FLAGS] + argv[end:]


def _configure_logging(verbose: bool) -> None:
    """The package's warnings and errors, and with `-v` its progress (INFO). Libraries stay quiet: only
    their errors show, and with `-v` their warnings (a retry of urllib3, …), whatever level they set on
    their own loggers (Great Expectations sets INFO on some). A process that configured logging itself
    (a test runner, a program calling `main`) keeps its own handlers."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "nq57_cli", False)), None)
    if handler is None:
        if root.handlers:
            return
        handler = logging.StreamHandler()
        handler.nq57_cli = True
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    threshold = logging.WARNING if verbose else logging.ERROR
    handler.filters = [lambda record: record.name == "nq57" or record.name.startswith("nq57.")
                       or record.levelno >= threshold]


if __name__ == "__main__":
    sys.exit(main())
