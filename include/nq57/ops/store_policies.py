"""Object-store access control: one user and IAM policy per agency, plus the pipeline's user.

DESIGN §3: an agency may write only under its own `<agency_code>/` prefix of the submissions bucket
and read its own feedback. This module is the one home of that rule and of every name it implies
(bucket list, user names, policy names, policy files, secret variables). It writes, under `deploy/minio/`:

- `policies/agency-<CODE>.json`, `policies/pipeline.json`: the IAM policy documents;
- `manifest.txt`: one line per bucket and per user, which the static, hand-written `minio-init.sh`
  reads (the script holds no name of its own, so the naming cannot drift from here).

Regenerate after changing this module or the agency list with `nq57 policies deploy/minio`;
`nq57 policies deploy/minio --check` (and tests/deploy) exits 1 while the committed files are stale.

Who provisions what: buckets, versioning, users and policies are created by the store administrator
(`minio-init.sh`, run with the MinIO root credentials). The pipeline's policy lets it *check* that the
buckets exist with versioning on (HeadBucket, GetBucketVersioning) but not create buckets or change
versioning: PutBucketVersioning could also suspend versioning, which would let later writes replace the
evidence kept in the feedback bucket. So `nq57 init` run with the pipeline's credentials succeeds
against a store the administrator provisioned and is refused (AccessDenied) against one that is not.

The policies are proven against a policy-enforcing S3 server in tests/integration/test_store_policies.py
(SeaweedFS, which evaluates IAM policy documents including the `s3:prefix` condition; moto's server
ignores S3 conditions, see that module's docstring).

Stdlib only, like the rest of the package's configuration code.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from nq57.reference import agencies
from nq57.settings import Buckets

POLICY_VERSION = "2012-10-17"
PIPELINE_POLICY_NAME = "nq57-pipeline"
POLICY_FILE_PIPELINE = "pipeline.json"
MANIFEST_NAME = "manifest.txt"
POLICIES_SUBDIR = "policies"

# MinIO rejects policy documents over 2048 characters (mc admin policy create, POLICYPATH).
MAX_POLICY_CHARS = 2048

# Agency codes end up in shell words, user names, ARNs and file names: keep them boring.
_CODE = re.compile(r"^[A-Z0-9]{2,16}$")

# Not data access: S3 clients (minio-py without an explicit region, S3 Browser, Cyberduck, …) ask for
# the bucket's region before anything else and give up on AccessDenied. Granting it on the two
# buckets an agency uses reveals only the region name.
_CLIENT_COMPAT_ACTIONS = ["s3:GetBucketLocation"]


def agency_user(code: str) -> str:
    """The store user (access key) of an agency: `agency-<CODE>`; minio-init keeps its secret in `<user>.secret`."""
    return f"agency-{_checked_code(code)}"


def agency_policy_name(code: str) -> str:
    """The name under which the agency's policy is installed: `nq57-agency-<CODE>`."""
    return f"nq57-agency-{_checked_code(code)}"


def agency_policy_file(code: str) -> str:
    return f"agency-{_checked_code(code)}.json"


def agency_secret_env(code: str) -> str:
    """Environment variable that, when set for minio-init, fixes (or rotates) the agency's secret."""
    return f"NQ57_AGENCY_SECRET_{_checked_code(code)}"


def agency_policy(code: str, buckets: Buckets) -> dict:
    """IAM policy for agency `code`: upload and read back its own submissions, read its own feedback.

    No delete, no access outside `<code>/`: with versioning on, every upload an agency makes stays
    as evidence, and one agency can neither see nor overwrite another's files. Listing is limited by
    the `s3:prefix` condition to `<code>/` and below (a listing without a prefix is refused).
    """
    code = _checked_code(code)
    own_prefix = [f"{code}/", f"{code}/*"]
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "ListOwnSubmissions",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [_bucket_arn(buckets.submissions)],
                "Condition": {"StringLike": {"s3:prefix": own_prefix}},
            },
            {
                "Sid": "UploadAndReadOwnSubmissions",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject"],
                "Resource": [_objects_arn(buckets.submissions, f"{code}/*")],
            },
            {
                "Sid": "ListOwnFeedback",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [_bucket_arn(buckets.feedback)],
                "Condition": {"StringLike": {"s3:prefix": own_prefix}},
            },
            {
                "Sid": "ReadOwnFeedback",
                "Effect": "Allow",
                "Action": ["s3:GetObject"],
                "Resource": [_objects_arn(buckets.feedback, f"{code}/*")],
            },
            {
                "Sid": "LocateBuckets",
                "Effect": "Allow",
                "Action": list(_CLIENT_COMPAT_ACTIONS),
                "Resource": [_bucket_arn(buckets.submissions), _bucket_arn(buckets.feedback)],
            },
        ],
    }


def pipeline_policy(buckets: Buckets) -> dict:
    """IAM policy for the pipeline's service user: exactly what the DAGs, `nq57 run` and `nq57 init` call.

    - submissions: list every version (discovery), read any version (ingest, feedback, reprocess),
      check versioning (init); never write or delete, so a pipeline bug cannot alter what agencies sent;
    - feedback: write and read back feedback workbooks, check versioning (init);
    - reports: write and read the monthly report;
    - every bucket: HeadBucket (`s3:ListBucket`) and GetBucketLocation, which init and clients call.

    Not granted: CreateBucket, PutBucketVersioning, any Delete*, bucket policy or ACL changes (the
    administrator's `minio-init.sh` provisions buckets and versioning).
    """
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "CheckBuckets",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": [_bucket_arn(b) for b in buckets.all()],
            },
            {
                "Sid": "CheckVersioningAndListVersions",
                "Effect": "Allow",
                "Action": ["s3:GetBucketVersioning", "s3:ListBucketVersions"],
                "Resource": [_bucket_arn(b) for b in buckets.versioned()],
            },
            {
                "Sid": "ReadSubmissionVersions",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": [_objects_arn(buckets.submissions, "*")],
            },
            {
                "Sid": "WriteFeedbackAndReports",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject"],
                "Resource": [_objects_arn(b, "*") for b in (buckets.feedback, buckets.reports)],
            },
        ],
    }


def policy_json(policy: dict) -> str:
    """The exact text written to disk (stable, so regenerating never produces a diff by itself)."""
    text = json.dumps(policy, indent=2, ensure_ascii=True) + "\n"
    if len(text) > MAX_POLICY_CHARS:
        raise ValueError(f"policy is {len(text)} characters; MinIO accepts at most {MAX_POLICY_CHARS}")
    return text


def write_policies(out_dir: Path, buckets: Buckets, codes: Iterable[str] | None = None) -> list[Path]:
    """Write `agency-<code>.json` for every agency (default: the reference list) and `pipeline.json`.

    Policy files of agencies no longer in the list are removed, so the folder always mirrors the list
    and minio-init never installs a policy for an agency that was dropped.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    codes = _agency_codes(codes)
    written: list[Path] = []
    for code in codes:
        path = out_dir / agency_policy_file(code)
        path.write_text(policy_json(agency_policy(code, buckets)), encoding="utf-8")
        written.append(path)
    pipeline = out_dir / POLICY_FILE_PIPELINE
    pipeline.write_text(policy_json(pipeline_policy(buckets)), encoding="utf-8")
    written.append(pipeline)

    keep = {p.name for p in written}
    for stale in out_dir.glob("agency-*.json"):
        if stale.name not in keep:
            stale.unlink()
    return written


_MANIFEST_HEAD = """\
# GENERATED by `nq57 policies deploy/minio` (nq57.ops.store_policies) from the agency reference list.
# Do not edit: change the generator and regenerate. minio-init.sh reads this file; every name it uses
# (buckets, users, policies, policy files, secret variables) comes from here. Fields are separated by
# single spaces; lines starting with # are comments.
#
#   bucket   NAME versioned|unversioned
#   pipeline POLICY_NAME POLICY_FILE          (the user is $OBJECT_STORE_ACCESS_KEY)
#   agency   USER POLICY_NAME POLICY_FILE SECRET_VARIABLE
"""


def manifest(buckets: Buckets, codes: Iterable[str] | None = None) -> str:
    """The text of `manifest.txt`: buckets, the pipeline's policy, one line per agency (reference order)."""
    lines = [_MANIFEST_HEAD]
    versioned = set(buckets.versioned())
    for bucket in buckets.all():
        lines.append(f"bucket {bucket} {'versioned' if bucket in versioned else 'unversioned'}\n")
    lines.append(f"pipeline {PIPELINE_POLICY_NAME} {POLICY_FILE_PIPELINE}\n")
    for code in _agency_codes(codes):
        lines.append(f"agency {agency_user(code)} {agency_policy_name(code)} {agency_policy_file(code)} "
                     f"{agency_secret_env(code)}\n")
    return "".join(lines)


def generate(out_dir: Path, buckets: Buckets | None = None) -> list[Path]:
    """Everything minio-init reads: `<out_dir>/manifest.txt` and `<out_dir>/policies/*.json`."""
    buckets = buckets or Buckets()
    out_dir = Path(out_dir)
    written = write_policies(out_dir / POLICIES_SUBDIR, buckets)
    path = out_dir / MANIFEST_NAME
    path.write_text(manifest(buckets), encoding="utf-8")
    written.append(path)
    return written


def stale_files(out_dir: Path, buckets: Buckets | None = None) -> list[str]:
    """Relative paths under `out_dir` that differ from (or are missing in, or extra to) a fresh generation."""
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory() as tmp:
        fresh_root = Path(tmp)
        generate(fresh_root, buckets)
        fresh = {p.relative_to(fresh_root).as_posix() for p in fresh_root.rglob("*") if p.is_file()}
        existing = set()
        if out_dir.is_dir():
            existing = {
                p.relative_to(out_dir).as_posix()
                for pattern in (MANIFEST_NAME, f"{POLICIES_SUBDIR}/*.json")
                for p in out_dir.glob(pattern)
                if p.is_file()
            }
        differing = {
            rel
            for rel in fresh & existing
            if not filecmp.cmp(fresh_root / rel, out_dir / rel, shallow=False)
        }
        return sorted(differing | (fresh ^ existing))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `nq57 policies` (the parser itself, its -v and its errors are `nq57.ops.cli`'s)."""
    parser.add_argument("out_dir", metavar="OUT_DIR", type=Path,
                        help="where to write policies/*.json and manifest.txt, e.g. deploy/minio (created when "
                             "missing; its parent folder must exist)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if OUT_DIR differs from a fresh generation")


def command(args: argparse.Namespace) -> int:
    """`nq57 policies OUT_DIR [--check]`: write (or check) the policy documents and the manifest. Exit 1
    when `--check` finds files out of date; a missing OUT_DIR is an `OperatorError` (exit 2)."""
    from nq57.ops.errors import OperatorError

    if args.check:
        if not args.out_dir.is_dir():
            raise OperatorError(f"{args.out_dir}: no such directory (nothing to check; "
                                f"write it with nq57 policies {args.out_dir})")
        stale = stale_files(args.out_dir)
        for rel in stale:
            print(f"out of date: {args.out_dir / rel}", file=sys.stderr)
        if stale:
            print(f"run: nq57 policies {args.out_dir}", file=sys.stderr)
        return 1 if stale else 0

    written = generate(args.out_dir)
    policies = sum(1 for p in written if p.suffix == ".json")
    print(f"wrote {policies} policies and {args.out_dir / MANIFEST_NAME}")
    return 0


def main_policies(argv: Sequence[str] | None = None) -> int:
    """`nq57 policies ARGS`: the same command, errors and exit statuses as through `nq57`."""
    from nq57.ops.cli import main

    return main(["policies", *(sys.argv[1:] if argv is None else argv)])


def _agency_codes(codes: Iterable[str] | None) -> list[str]:
    result = [_checked_code(c) for c in (agencies().keys() if codes is None else codes)]
    if len(set(result)) != len(result):
        raise ValueError("duplicate agency codes")
    return result


def _checked_code(code: str) -> str:
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValueError(f"not a usable agency code: {code!r}")
    return code


def _bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def _objects_arn(bucket: str, pattern: str) -> str:
    return f"arn:aws:s3:::{bucket}/{pattern}"


if __name__ == "__main__":
    raise SystemExit(main_policies())
