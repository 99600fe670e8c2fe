"""`nq57` command line (docs/design.md §6). Thin: every command calls the same package functions as the DAGs.

Every ordinary mistake (a bad option value, a missing file, an unknown submission, a warehouse or store
that cannot be reached, …) ends in one English line on stderr and exit status 2, without a traceback
unless `-v` is given (anywhere on the line); `nq57.ops.errors` holds the explanations. `-v` shows the
package's progress (INFO); libraries stay at WARNING. `validate --json` prints JSON whatever happens.
Every other option goes after its command (`nq57 validate FILE --json`).

Output paths are checked before any work (`_output_file`, `_output_folder`): an output is never one of
the command's inputs, and the folder an output goes into must exist (only the last folder of an output
folder is created, and nq57's own subfolders inside it).

Services (`_warehouse`, `_services`): without `WAREHOUSE_URL` the commands use the embedded PostgreSQL
kept in `.nq57/pgdata` (NQ57_STATE_DIR), which `nq57 run` fills and `report`/`review` read; the embedded
S3 store lives only as long as one command, so `reprocess` (which reads the uploads again) needs
`OBJECT_STORE_ENDPOINT`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path

from nq57 import periods
from nq57.ops.errors import EXIT_MISTAKE, OperatorError, explain

VERBOSE_FLAGS = ("-v", "--verbose")


class UsageError(OperatorError):
    """A command line that does not parse (no traceback is worth showing, even with `-v`). `prog` is the
    command it is about (`nq57 review export`), whose --help it points to."""

    def __init__(self, message: str, prog: str = "nq57") -> None:
        super().__init__(f"{message} (see {prog} --help)")
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are `UsageError`s (one line, exit 2), not usage dumps."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, self.prog)


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
    """The name of an .xlsx file to write (where it goes is checked by `_output_file`)."""
    path = Path(value)
    if path.suffix.lower() != ".xlsx" and not path.is_dir():
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


# ---------------------------------------------------------------- output paths (checked before any work)


def _output_file(option: str, path: Path, inputs: Sequence[tuple[str, Path]] = (), *,
                 folder_checked: bool = False) -> Path:
    """`path` as a file this command may write: not a directory, in a folder that exists, and not one of
    the command's `inputs` ((what it is, path), e.g. ("the file being validated", FILE)), whatever the
    spelling: `./`, `..`, a symbolic or a hard link. `folder_checked`: the folder is an output folder
    already checked by `_output_folder` (it may not exist yet).

    Raises:
        OperatorError: naming `option` (e.g. `--feedback`) and what to give instead.
    """
    if path.is_dir():
        raise OperatorError(f"{option} {path} is a directory: name the file to write, e.g. {path / 'out.xlsx'}")
    if not folder_checked:
        _existing_folder(path.parent)
    for what, source in inputs:
        if _same_file(path, source):
            spelled = f" ({source})" if str(source) != str(path) else ""
            raise OperatorError(f"{option} {path} is {what}{spelled}; give another path")
    return path


def _read_inputs(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """The files every service command reads besides its own: the --warehouse-file."""
    found = getattr(args, "warehouse_file", None)
    return [("the --warehouse-file", found)] if found else []


def _output_folder(option: str, path: Path, inputs: Sequence[Path] = (), *, ours: bool = False) -> Path:
    """`path` as a folder this command writes into: not a file, not inside one of the `inputs` folders,
    and its parent folder exists (`ours`: a default name of nq57's own, created with its parents). The
    folder itself is created when the command writes.

    Raises:
        OperatorError: naming `option` (e.g. `--out`) and what to give instead.
    """
    if path.exists() and not path.is_dir():
        raise OperatorError(f"{option} {path} is a file, not a folder: name a folder (created when missing)")
    if not ours:
        _existing_folder(path.parent)
    for source in inputs:
        if path.resolve() == source.resolve() or source.resolve() in path.resolve().parents:
            raise OperatorError(f"{option} {path} is inside {source}, which this command reads; give another folder")
    return path


def _existing_folder(folder: Path) -> None:
    folder = folder if str(folder) else Path(".")
    if not folder.is_dir():
        raise OperatorError(f"folder {folder} {'is not a folder' if folder.exists() else 'does not exist'}: "
                            "create it first, or name another")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


# ---------------------------------------------------------------- commands


def cmd_template(args: argparse.Namespace) -> int:
    from nq57.outputs.template import write_template

    path = write_template(_output_file("OUT.xlsx", args.out), args.system, args.agency, args.period)
    print(f"template written: {path}")
    return 0


def cmd_sample_data(args: argparse.Namespace) -> int:
    from nq57 import reference
    from nq57.devtools import sample_data

    if args.agencies > len(reference.agencies()):
        raise OperatorError(f"--agencies {args.agencies}: the reference list has {len(reference.agencies())} agencies")
    out_dir = _output_folder("OUT_DIR", Path(args.out_dir))
    files = sample_data.generate(out_dir, args.period, agencies=args.agencies, seed=args.seed)
    print(f"{len(files)} sample submissions written under {out_dir}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Judge each file; with --feedback also write the feedback workbook the pipeline would send. Exit 0 when
    every file is accepted, 1 when one is rejected (a damaged or truncated workbook is a rejected submission,
    with its feedback), 2 when a FILE does not exist or is not a file."""
    from nq57.intake import submission
    from nq57.ops.summary import counted
    from nq57.outputs import feedback

    targets = _feedback_targets(args)
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
        written = targets.get(name)
        if written is not None:
            written.parent.mkdir(exist_ok=True)  # --feedback DIR: its parent folder exists (checked)
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
        print(f"{name}: {verdict} ({counted(result.counts['tasks'], 'task')}, "
              f"{counted(result.counts['indicators'], 'indicator')}, {counted(result.error_count, 'error')}, "
              f"{counted(result.warning_count, 'warning')})")
        for issue in result.issues:
            where = ":".join(p for p in (issue.sheet, issue.cell) if p)
            print(f"  {issue.severity:<7} {issue.rule:<28} {where:<16} {issue.message}")
        if written:
            print(f"  feedback workbook: {written}")
    return status


def _feedback_targets(args: argparse.Namespace) -> dict[str, Path]:
    """FILE -> the feedback workbook to write for it: `--feedback OUT.xlsx` for one FILE, or
    `DIR/<file name>.feedback.xlsx` for each (DIR created when missing). Checked before any file is judged.

    Raises:
        OperatorError: a workbook name for several files, a path that is neither, an output that is one of
            the FILEs, a folder that does not exist.
    """
    from nq57.outputs import feedback

    if args.feedback is None:
        return {}
    target = Path(args.feedback)
    inputs = [("the file being validated", Path(name)) for name in args.files]
    if target.suffix.lower() == ".xlsx" and not target.is_dir():
        if len(args.files) > 1:
            raise OperatorError(f"--feedback {target} names one file but {len(args.files)} files are validated: "
                                "give a directory instead")
        return {args.files[0]: _output_file("--feedback", target, inputs)}
    if target.exists() and not target.is_dir():
        raise OperatorError(f"--feedback {target}: not a directory, and not a file name ending in .xlsx")
    _output_folder("--feedback", target)
    return {name: _output_file("--feedback", target / (Path(name).name + feedback.SUFFIX), inputs, folder_checked=True)
            for name in args.files}


def cmd_init(args: argparse.Namespace) -> int:
    from nq57.ops import provision

    if args.airflow:
        from nq57 import pipeline

        services = pipeline.services()
    else:
        from nq57 import services as service_settings
        from nq57.ops import warehouse_url
        from nq57.settings import Settings

        settings = Settings(warehouse_url=warehouse_url.resolve(args))
        missing = []
        if not settings.warehouse_url:
            missing.append("no warehouse (set WAREHOUSE_URL or give --warehouse URL / --warehouse-file FILE)")
        if not settings.object_store_endpoint:
            missing.append("no object store (set OBJECT_STORE_ENDPOINT, OBJECT_STORE_ACCESS_KEY and "
                           "OBJECT_STORE_SECRET_KEY)")
        if missing:
            raise OperatorError(f"{' and '.join(missing)} to provision: nq57 init sets up the deployment's own "
                                "services, never embedded ones (or use --airflow to read the Airflow connections)")
        services = service_settings.from_environment(settings)
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

    inbox = Path(args.inbox) if args.inbox else None
    if inbox is not None and not inbox.is_dir():
        raise OperatorError(f"--inbox {args.inbox}: no such directory")
    settings = get_settings()
    # The embedded store vanishes with this process: its files are copied out, else its URLs are given.
    if args.out:
        out = _output_folder("--out", Path(args.out), [inbox] if inbox else [])
    elif settings.object_store_endpoint:
        out = None
    else:
        out = _output_folder("--out", Path(f"nq57-out/{args.period}"), [inbox] if inbox else [], ours=True)
    with _services(args, empty_ok=True) as services:
        provision.init(services)
        if inbox is not None:
            client = objectstore.connect(services.store)
            scan = objectstore.scan_inbox(inbox)
            for path, reason in scan.refused:
                print(f"inbox: refused {path}: {reason}", file=sys.stderr)
            uploaded = objectstore.upload_inbox(client, settings.buckets.submissions, inbox, scan)
            print(f"inbox: {sum(u for _, u in uploaded)} uploaded, {sum(not u for _, u in uploaded)} unchanged")
        work = [Upload.from_dict(u) for batch in pipeline.discover(services, limit=sys.maxsize) for u in batch]
        failed = 0
        for upload in sorted((u for u in work if u.period == args.period), key=lambda u: (*u.store_order, u.key)):
            failed += pipeline.ingest_one(services, upload).error is not None
        pipeline.consolidate_period(services, args.period)
        pipeline.publish_report(services, args.period)
        print(summary.render(services.warehouse_url, args.period))
        print(_outputs(services, args.period, out, embedded_store=not settings.object_store_endpoint))
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
    if args.workdir:
        workdir = _output_folder("--workdir", Path(args.workdir))
        workdir.mkdir(exist_ok=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="nq57-demo-"))
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
        print(_outputs(services, period, workdir / "outputs", embedded_store=True))
        print(f"Working files (sample data, Airflow home, embedded PostgreSQL): {workdir}")
        if dt.datetime.now(dt.UTC) >= periods.due_at(period):
            print(f"The sample files were uploaded now, after the deadline for {period} "
                  f"({periods.due_at(period):%Y-%m-%d %H:%M %Z}), so every one counts as late.")
    return 0


def _outputs(services, period: str, out: Path | None, *, embedded_store: bool) -> str:
    """Where the period's report, drafted document and feedback workbooks are: copied under `out` (the
    feedback workbooks in `out/feedback/<agency>/`), or, with `out` None, as s3:// URLs of the store.

    The warehouse lists every upload of the period, also those of earlier commands; an object the store
    does not hold (the embedded store keeps nothing between commands) is named as missing, never a failure.
    """
    from minio.error import S3Error

    from nq57.ops import summary
    from nq57.outputs import report
    from nq57.settings import get_settings
    from nq57.storage import objectstore

    buckets = get_settings().buckets
    client = objectstore.connect(services.store)
    wanted = [("Monthly report (annex workbook)", buckets.reports, report.report_key(period)),
              ("Drafted document for the Prime Minister", buckets.reports, report.document_key(period))]
    feedback = summary.feedback_keys(services.warehouse_url, period)
    missing = 0

    def place(bucket: str, key: str, local: Path | None) -> str:
        nonlocal missing
        try:
            if local is None:
                client.stat_object(bucket_name=bucket, object_name=key)
                return f"s3://{bucket}/{key}"
            body = objectstore.fetch(client, bucket, key)
        except S3Error as exc:
            missing += 1
            if exc.code in ("NoSuchKey", "NoSuchVersion"):
                return f"{key}: not in this store"
            return f"{key}: not copied ({explain(exc)})"
        local.parent.mkdir(parents=True, exist_ok=True)  # under `out`, checked before the run
        local.write_bytes(body)
        return str(local)

    lines = [f"{label}: {place(bucket, key, out / key.rsplit('/', 1)[-1] if out else None)}"
             for label, bucket, key in wanted]
    where = {key: place(buckets.feedback, key, out / "feedback" / key.split("/", 2)[0] / key.rsplit("/", 1)[-1]
                        if out else None) for key, _ in feedback}
    if where:
        lines.append(f"Feedback workbooks ({len(where)}): {out / 'feedback' if out else f's3://{buckets.feedback}/'}")
        lines += [f"  {'rejected' if not accepted else 'accepted'}: {where[key]}" for key, accepted in feedback]
    if missing:
        why = ("the embedded store keeps nothing between commands, so outputs of earlier runs are gone; set "
               "OBJECT_STORE_ENDPOINT to keep them" if embedded_store else "see the lines above")
        lines.append(f"{summary.counted(missing, 'output')} of {period} could not be had from the store: {why}")
    return "\n".join(lines)


def cmd_reprocess(args: argparse.Namespace) -> int:
    from nq57 import pipeline
    from nq57.ops.summary import counted
    from nq57.settings import get_settings

    if not get_settings().object_store_endpoint:
        raise OperatorError("needs the pipeline's object store, which holds the uploads to judge again: set "
                            "OBJECT_STORE_ENDPOINT (and OBJECT_STORE_ACCESS_KEY, OBJECT_STORE_SECRET_KEY); the "
                            "embedded store holds nothing between commands")
    with _services(args) as services:
        for submission_id in args.submission_ids:
            try:
                outcome = pipeline.reprocess(services, submission_id)
            except LookupError as exc:
                raise OperatorError(f"unknown submission id {submission_id}: see mart.v_submissions.submission_id "
                                    f"({exc})") from exc
            print(f"submission {submission_id} ({outcome.key}): {outcome.verdict}, "
                  f"{counted(outcome.errors, 'error')}, {counted(outcome.warnings, 'warning')}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The annex workbook at --out FILE.xlsx and the drafted document next to it (same name, .docx)."""
    from nq57.outputs import report

    out = _output_file("--out", args.out, _read_inputs(args))
    document = _output_file("--out", out.with_suffix(".docx"), _read_inputs(args))
    with _warehouse(args) as url:
        built = report.build(report.load_report_data(url, args.period), annex_name=out.name)
    out.write_bytes(built.workbook)
    document.write_bytes(built.document)
    print(f"monthly report for {args.period} written:")
    print(f"  annex workbook:   {out}")
    print(f"  drafted document: {document}")
    return 0


def cmd_review_export(args: argparse.Namespace) -> int:
    from nq57.outputs import review

    out = _output_file("--out", args.out, _read_inputs(args))
    with _warehouse(args) as url:
        count = review.write_export(url, args.period, out)
    print(f"{count} pairs to review for {args.period} written: {out}")
    return 0


def cmd_review_import(args: argparse.Namespace) -> int:
    from nq57.outputs import review

    path = Path(args.file)
    data = path.read_bytes()  # a missing file is explained before any service starts
    try:
        sheet = review.read_review_file(data, path.name)
    except review.ReviewFileError as exc:
        raise OperatorError(str(exc)) from exc
    with _warehouse(args) as url:
        try:
            result = review.import_review(url, sheet, path.name, reviewer=args.reviewer)
        except review.ReviewFileError as exc:
            raise OperatorError(str(exc)) from exc
    print(f"review decisions applied: {result.confirmed} confirmed, {result.rejected} rejected, "
          f"{result.skipped} rows without a decision")
    return 0


def cmd_bi_login(args: argparse.Namespace) -> int:
    from nq57.ops import bi_logins

    return bi_logins.command(args)


def cmd_policies(args: argparse.Namespace) -> int:
    from nq57.ops import store_policies

    if not args.check:
        _output_folder("OUT_DIR", args.out_dir)
    return store_policies.command(args)


# ---------------------------------------------------------------- services


def _not_installed(exc: ImportError, variables: str) -> OperatorError:
    """A production install has no embedded servers (the dev group): name what to configure instead."""
    return OperatorError(f"set {variables} (the embedded servers of the dev group are not installed: {exc.name})")


def _services(args: argparse.Namespace, *, empty_ok: bool = False):
    """The warehouse and the store: configured ones where set, else embedded (the warehouse kept in
    `.nq57/pgdata`, the store for this command only). Unless `empty_ok` (`nq57 run` provisions it), an
    embedded warehouse must hold nq57's schema (`_require_filled`)."""
    from nq57.devtools import embedded
    from nq57.ops import warehouse_url
    from nq57.settings import Settings

    settings = Settings(warehouse_url=warehouse_url.resolve(args))
    try:
        running = embedded.start(settings)
    except ImportError as exc:
        raise _not_installed(exc, "WAREHOUSE_URL and OBJECT_STORE_ENDPOINT") from None
    if settings.warehouse_url is None and not empty_ok:
        try:
            _require_filled(running.warehouse_url, settings)
        except BaseException:
            running.stop()
            raise
    return running


@contextlib.contextmanager
def _warehouse(args: argparse.Namespace) -> Iterator[str]:
    """The warehouse URL, for commands that need only the warehouse: the configured one, else the embedded
    PostgreSQL `nq57 run` keeps in `.nq57/pgdata` (started for this command, no store started)."""
    from nq57.ops import warehouse_url
    from nq57.settings import get_settings

    url = warehouse_url.resolve(args)
    if url is not None:
        yield url
        return
    from nq57.devtools import embedded

    settings = get_settings()
    try:
        url, server = embedded.start_postgres(settings.state_dir / "pgdata")
    except ImportError as exc:
        raise _not_installed(exc, "WAREHOUSE_URL") from None
    try:
        _require_filled(url, settings)
        yield url
    finally:
        server.cleanup()


def _require_filled(url: str, settings) -> None:
    """The embedded warehouse has the nq57 schema, else the advice that applies to it (not `nq57 init`,
    which provisions configured services only).

    Raises:
        OperatorError: it is empty.
    """
    from nq57.storage import warehouse

    present = warehouse.rows(url, warehouse.named_query("relation_exists"), relation="mart.v_submissions")
    if not present[0].present:
        raise OperatorError(f"the embedded warehouse ({settings.state_dir / 'pgdata'}) holds no nq57 data yet: "
                            "`nq57 run --period YYYY-MM --inbox DIR` fills it; or set WAREHOUSE_URL (or "
                            "--warehouse) to the deployment's warehouse")


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    from nq57.ops import bi_logins, store_policies, warehouse_url

    common = _Parser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true",
                        help="show progress (INFO) and, on an error, the traceback; accepted anywhere on the line")
    parser = _Parser(prog="nq57", description="Resolution 57 / 71 reporting consolidation", parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # Where the embedded warehouse is: the one `nq57 run` fills when WAREHOUSE_URL is not set.
    embedded_warehouse = "$WAREHOUSE_URL, else the embedded PostgreSQL kept in .nq57/ that nq57 run fills"

    def command(name: str, help_text: str, **kwargs) -> argparse.ArgumentParser:
        made = sub.add_parser(name, help=help_text, description=help_text, parents=[common], **kwargs)
        made.set_defaults(command_prog=made.prog)
        return made

    p = command("template", "write the blank submission template")
    p.add_argument("out", type=_xlsx_out, metavar="OUT.xlsx", help="the workbook to write, in an existing folder")
    p.add_argument("--system", choices=("NQ57", "NQ71"), default="NQ57",
                   help="the source system the file reports on (default: NQ57)")
    p.add_argument("--agency", type=_agency, metavar="CODE", help="prefill the agency code and name, e.g. T01")
    p.add_argument("--period", type=_period, metavar="YYYY-MM", help="prefill the reporting period")
    p.set_defaults(func=cmd_template)

    p = command("sample-data", "write realistic sample submissions laid out like the bucket")
    p.add_argument("out_dir", metavar="OUT_DIR",
                   help="where to write <agency>/<YYYY-MM>/*.xlsx (created when missing; its parent folder must exist)")
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM", help="the reporting period")
    p.add_argument("--agencies", type=_positive, default=6, metavar="N", help="how many agencies (default: 6)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default: 0)")
    p.set_defaults(func=cmd_sample_data)

    p = command("validate", "check files the way the pipeline would; exit 1 if any is rejected (a damaged "
                            "workbook is rejected, with its feedback), 2 if a FILE does not exist or is not a file")
    p.add_argument("files", nargs="+", metavar="FILE", help="an .xlsx or .xls submission")
    p.add_argument("--agency", type=_agency, metavar="CODE",
                   help="the agency folder the file would be uploaded to (checked against ThongTin)")
    p.add_argument("--period", type=_period, metavar="YYYY-MM",
                   help="the period folder the file would be uploaded to (checked against ThongTin)")
    p.add_argument("--json", action="store_true", help="one JSON object per file on stdout, errors included")
    p.add_argument("--feedback", metavar="PATH",
                   help="also write the feedback workbook the pipeline would send: OUT.xlsx for one FILE, or a "
                        "directory (created when missing) that gets <file name>.feedback.xlsx per FILE; never a FILE")
    p.set_defaults(func=cmd_validate)

    p = command("init", "provision once per deployment: buckets, warehouse schema and reference data, Airflow "
                        "pools (idempotent)")
    p.add_argument("--airflow", action="store_true",
                   help="read the services from the Airflow connections warehouse/object_store and create the "
                        "Airflow pools (what docker compose's airflow-init and make airflow run)")
    warehouse_url.add_options(p, "$WAREHOUSE_URL; init provisions configured services only, with "
                                 "OBJECT_STORE_ENDPOINT")
    p.set_defaults(func=cmd_init)

    p = command("run", "upload an inbox folder and run the ingest steps in-process")
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM",
                   help="the period to ingest, consolidate and report")
    p.add_argument("--inbox", metavar="DIR", help="a folder laid out like the bucket: DIR/<agency>/<YYYY-MM>/*.xlsx")
    warehouse_url.add_options(p, embedded_warehouse)
    p.add_argument("--out", metavar="DIR",
                   help="copy the report, the drafted document and the feedback workbooks here (created when "
                        "missing; its parent folder must exist; not inside --inbox). Default with the embedded "
                        "store: nq57-out/<YYYY-MM>; with OBJECT_STORE_ENDPOINT their s3:// URLs are printed")
    p.set_defaults(func=cmd_run)

    p = command("demo", "end to end on embedded services with the real Airflow DAGs")
    p.add_argument("--period", type=_period, metavar="YYYY-MM", help="the period (default: last month)")
    p.add_argument("--agencies", type=_positive, default=6, metavar="N", help="how many agencies (default: 6)")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="random seed of the sample data (default: 0)")
    p.add_argument("--workdir", metavar="DIR",
                   help="working folder, created when missing in an existing folder (default: a new temporary folder)")
    p.set_defaults(func=cmd_demo)

    p = command("reprocess", "judge ledgered uploads again and republish their feedback (needs the pipeline's "
                             "object store: OBJECT_STORE_ENDPOINT)")
    p.add_argument("submission_ids", nargs="+", type=_submission_id, metavar="SUBMISSION_ID",
                   help="mart.v_submissions.submission_id of an upload")
    warehouse_url.add_options(p, embedded_warehouse)
    p.set_defaults(func=cmd_reprocess)

    p = command("report", "write the monthly report from the warehouse: the annex workbook and the drafted "
                          "document next to it")
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM", help="the reporting period")
    p.add_argument("--out", type=_xlsx_out, required=True, metavar="FILE.xlsx",
                   help="the annex workbook, in an existing folder; the .docx goes next to it")
    warehouse_url.add_options(p, embedded_warehouse)
    p.set_defaults(func=cmd_report)

    review = command("review", "the human review loop for uncertain NQ57/NQ71 pairs")
    review_sub = review.add_subparsers(dest="review_command", required=True, metavar="ACTION")

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        made = review_sub.add_parser(name, help=help_text, description=help_text, parents=[common])
        made.set_defaults(command_prog=made.prog)
        return made

    p = action("export", "write the open review queue of a period to Excel")
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM", help="the reporting period")
    p.add_argument("--out", type=_xlsx_out, required=True, metavar="FILE.xlsx",
                   help="the review workbook to write, in an existing folder")
    warehouse_url.add_options(p, embedded_warehouse)
    p.set_defaults(func=cmd_review_export)
    p = action("import", "apply a filled review file to the crosswalk")
    p.add_argument("file", metavar="FILE.xlsx", help="a review workbook written by `nq57 review export`, filled")
    p.add_argument("--reviewer", metavar="NAME", help="who decided, when the file's 'Người duyệt' column is empty")
    warehouse_url.add_options(p, embedded_warehouse)
    p.set_defaults(func=cmd_review_import)

    p = command("bi-login", "create, re-password or drop a read-only warehouse login for BI tools (whole mart, "
                            "or one agency's rows)")
    bi_logins.add_arguments(p)
    p.set_defaults(func=cmd_bi_login)

    p = command("policies", "write (or --check) the per-agency object-store policies and the manifest "
                            "minio-init.sh reads")
    store_policies.add_arguments(p)
    p.set_defaults(func=cmd_policies)
    return parser


# ---------------------------------------------------------------- entry point


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    verbose, argv = _verbosity(argv)
    _configure_logging(verbose)
    as_json = "--json" in argv and argv[:1] == ["validate"]
    prog = "nq57"
    try:
        parser = build_parser()
        _options_before_the_command(parser, argv)
        args, extra = parser.parse_known_args(argv)
        prog = getattr(args, "command_prog", prog)
        if extra:  # argparse would blame the top-level parser and point to `nq57 --help`
            raise UsageError(f"unrecognized arguments: {' '.join(extra)}", prog)
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
            print(f"{getattr(exc, 'prog', prog)}: {message}", file=sys.stderr)
        return EXIT_MISTAKE


def _options_before_the_command(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """Only -v / --verbose (and --help) may come before the command: say where another option goes.

    Raises:
        UsageError: an option other than those before the command word.
    """
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    at = next((i for i, a in enumerate(argv) if a in commands), len(argv))
    early = [a for a in argv[:at] if a.startswith("-") and a not in ("-h", "--help")]
    if early:
        name = argv[at] if at < len(argv) else "COMMAND"
        raise UsageError(f"{early[0]} goes after the command: nq57 {name} ... {early[0]} (only -v is accepted "
                         "anywhere)", "nq57" if at == len(argv) else f"nq57 {name}")


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
