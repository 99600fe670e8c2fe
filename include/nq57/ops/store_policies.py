"""Object-store access control: one MinIO user and IAM policy per agency, plus the pipeline's user.

DESIGN §3: an agency may write only under its own `<agency_code>/` prefix of the submissions bucket
and read its own feedback. The policy documents and the `mc` script that installs them are
generated from the agency reference list and committed under `deploy/minio/`; the `minio-init`
service of docker-compose.yml runs that script. Regenerate after changing this module or the
agency list with `nq57 policies deploy/minio` (tests/deploy fails while the files are stale).

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
MC_SCRIPT_NAME = "minio-init.sh"
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
    """The MinIO access key (user name) of an agency."""
    return f"agency-{_checked_code(code)}"


def agency_policy_name(code: str) -> str:
    return f"nq57-agency-{_checked_code(code)}"


def agency_policy_file(code: str) -> str:
    return f"agency-{_checked_code(code)}.json"


def agency_secret_env(code: str) -> str:
    """Environment variable that, when set for minio-init, fixes (or rotates) the agency's secret."""
    return f"NQ57_AGENCY_SECRET_{_checked_code(code)}"


def agency_policy(code: str, buckets: Buckets) -> dict:
    """IAM policy for agency `code`: upload and read back its own submissions, read its own feedback.

    No delete, no access outside `<code>/`: with versioning on, every upload an agency makes stays
    as evidence, and one agency can neither see nor overwrite another's files.
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
    """IAM policy for the pipeline's service user.

    Reads every submission version (the ledger is keyed by version id) but cannot write or delete
    there, so a pipeline bug cannot alter what agencies sent. Writes feedback and reports.
    """
    outputs = (buckets.feedback, buckets.reports)
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "ListSubmissionsAndVersions",
                "Effect": "Allow",
                "Action": [
                    "s3:ListBucket",
                    "s3:ListBucketVersions",
                    "s3:GetBucketLocation",
                    "s3:GetBucketVersioning",
                ],
                "Resource": [_bucket_arn(buckets.submissions)],
            },
            {
                "Sid": "ReadSubmissionVersions",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                "Resource": [_objects_arn(buckets.submissions, "*")],
            },
            {
                "Sid": "ListOutputs",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": [_bucket_arn(b) for b in outputs],
            },
            {
                "Sid": "WriteOutputs",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject"],
                "Resource": [_objects_arn(b, "*") for b in outputs],
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


# The mc reference is cited in the generated script itself, where an operator reading it needs it.
# `policy create` overwrites and `user add` updates, and since minio/mc PR #5058 (Oct 2024)
# re-attaching an attached policy exits 0 (older clients failed with "policy change is already in
# effect", minio/mc#4670), so the script can be re-run at any time. The `mc admin policy add/set`
# forms of older tutorials were replaced by create/attach (minio/mc PR #4278).
_MC_REFERENCE = """\
# mc syntax used, from the MinIO client reference (checked for mc RELEASE.2025-08-13T08-35-41Z):
#   mc alias set ALIAS URL ACCESSKEY SECRETKEY
#     https://min.io/docs/minio/linux/reference/minio-mc/mc-alias-set.html
#   mc mb --ignore-existing ALIAS/BUCKET
#     https://min.io/docs/minio/linux/reference/minio-mc/mc-mb.html
#   mc version enable ALIAS/BUCKET
#     https://min.io/docs/minio/linux/reference/minio-mc/mc-version-enable.html
#   mc admin policy create ALIAS POLICYNAME POLICYPATH  (overwrites a policy of that name)
#     https://min.io/docs/minio/linux/reference/minio-mc-admin/mc-admin-policy-create.html
#   mc admin user add ALIAS ACCESSKEY SECRETKEY  (updates the secret of an existing user)
#     https://min.io/docs/minio/linux/reference/minio-mc-admin/mc-admin-user-add.html
#   mc admin policy attach ALIAS POLICY --user USER  (exits 0 if already attached: minio/mc PR #5058)
#     https://min.io/docs/minio/linux/reference/minio-mc-admin/mc-admin-policy-attach.html"""

_SCRIPT_HEAD = """\
#!/bin/sh
# GENERATED by nq57.ops.store_policies (`nq57 policies deploy/minio`). Do not edit: change the
# generator and regenerate; tests/deploy fails while this file differs from a fresh generation.
#
# Provisions MinIO for the nq57 pipeline (run by the `minio-init` service of docker-compose.yml):
# buckets, versioning, the pipeline's service user, and one user + policy per agency.
#
# Environment:
#   MINIO_ROOT_USER, MINIO_ROOT_PASSWORD              administrator (required)
#   OBJECT_STORE_ACCESS_KEY, OBJECT_STORE_SECRET_KEY  the pipeline's service user (required)
#   MINIO_URL              server URL, default http://minio:9000
#   NQ57_POLICY_DIR        policy documents, default: policies/ beside this script
#   NQ57_CREDENTIALS_DIR   where agency secrets are kept, default /credentials
#   NQ57_AGENCY_SECRET_<CODE>  optional: the secret to give agency <CODE> (set it to rotate one)
#
# Agency users are named agency-<CODE>. No secret is written in this file. An agency's secret is
# NQ57_AGENCY_SECRET_<CODE> when set; otherwise the one an earlier run kept in
# $NQ57_CREDENTIALS_DIR/agency-<CODE>.secret; otherwise a new random one, saved there (mode 600)
# for the operator to hand to the agency. Deleting that file and re-running rotates the secret.
#
{mc_reference}
set -eu
umask 077

: "${{MINIO_ROOT_USER:?MINIO_ROOT_USER is required}}"
: "${{MINIO_ROOT_PASSWORD:?MINIO_ROOT_PASSWORD is required}}"
: "${{OBJECT_STORE_ACCESS_KEY:?OBJECT_STORE_ACCESS_KEY is required}}"
: "${{OBJECT_STORE_SECRET_KEY:?OBJECT_STORE_SECRET_KEY is required}}"
MINIO_URL="${{MINIO_URL:-http://minio:9000}}"
script_dir=$(dirname "$0")
POLICY_DIR="${{NQ57_POLICY_DIR:-$script_dir/{policies_subdir}}}"
CREDENTIALS_DIR="${{NQ57_CREDENTIALS_DIR:-/credentials}}"
ALIAS=nq57

fail() {{
  echo "minio-init: $*" >&2
  exit 1
}}

# MinIO accepts secret keys of 8 to 40 characters.
check_secret() {{
  if [ "${{#2}}" -lt 8 ] || [ "${{#2}}" -gt 40 ]; then
    fail "the secret for $1 must be 8 to 40 characters long"
  fi
}}

# 40 alphanumeric characters: MinIO's maximum length, and safe in any client's configuration format.
new_secret() {{
  LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 40
}}

provision_agency() {{
  code=$1
  supplied=$2
  user="agency-$code"
  policy="nq57-agency-$code"
  secret_file="$CREDENTIALS_DIR/agency-$code.secret"
  if [ -n "$supplied" ]; then
    secret=$supplied
  elif [ -s "$secret_file" ]; then
    secret=$(cat "$secret_file")
  else
    secret=$(new_secret)
  fi
  check_secret "$user" "$secret"
  printf '%s\\n' "$secret" >"$secret_file"
  mc admin policy create "$ALIAS" "$policy" "$POLICY_DIR/agency-$code.json"
  mc admin user add "$ALIAS" "$user" "$secret"
  mc admin policy attach "$ALIAS" "$policy" --user "$user"
}}

# The pipeline must not run with administrator rights.
if [ "$OBJECT_STORE_ACCESS_KEY" = "$MINIO_ROOT_USER" ]; then
  fail "OBJECT_STORE_ACCESS_KEY must differ from MINIO_ROOT_USER"
fi
check_secret "$OBJECT_STORE_ACCESS_KEY" "$OBJECT_STORE_SECRET_KEY"
mkdir -p "$CREDENTIALS_DIR"

# A healthy container can still refuse admin calls for a moment after start: retry the first contact.
attempt=0
until mc alias set "$ALIAS" "$MINIO_URL" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null; do
  attempt=$((attempt + 1))
  [ "$attempt" -lt 30 ] || fail "cannot reach MinIO at $MINIO_URL"
  sleep 2
done
"""


def mc_script(buckets: Buckets, codes: Iterable[str] | None = None) -> str:
    """The provisioning script's text (see `write_mc_script`)."""
    codes = _agency_codes(codes)
    lines = [_SCRIPT_HEAD.format(mc_reference=_MC_REFERENCE, policies_subdir=POLICIES_SUBDIR)]

    lines.append("# Buckets. Versioning keeps every upload and every feedback file (DESIGN §3).")
    for bucket in buckets.all():
        lines.append(f'mc mb --ignore-existing "$ALIAS/{bucket}"')
    for bucket in (buckets.submissions, buckets.feedback):
        lines.append(f'mc version enable "$ALIAS/{bucket}"')

    lines += [
        "",
        "# The pipeline's service user (the credentials Airflow uses).",
        f'mc admin policy create "$ALIAS" {PIPELINE_POLICY_NAME} "$POLICY_DIR/{POLICY_FILE_PIPELINE}"',
        'mc admin user add "$ALIAS" "$OBJECT_STORE_ACCESS_KEY" "$OBJECT_STORE_SECRET_KEY"',
        f'mc admin policy attach "$ALIAS" {PIPELINE_POLICY_NAME} --user "$OBJECT_STORE_ACCESS_KEY"',
        "",
        f"# One user and one policy per agency ({len(codes)} agencies in the reference list).",
    ]
    for code in codes:
        lines.append(f'provision_agency {code} "${{{agency_secret_env(code)}:-}}"')
    lines += [
        "",
        'echo "minio-init: done; agency secrets are in $CREDENTIALS_DIR/agency-<CODE>.secret"',
        "",
    ]
    return "\n".join(lines)


def write_mc_script(
    out_path: Path, buckets: Buckets, codes: Iterable[str] | None = None
) -> Path:
    """Write the POSIX sh script that the `minio/mc` init container runs (idempotent, re-runnable).

    It expects the policy documents of `write_policies` in `policies/` beside it (or NQ57_POLICY_DIR).
    """
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(mc_script(buckets, codes), encoding="utf-8")
    out_path.chmod(0o755)
    return out_path


def generate(out_dir: Path, buckets: Buckets | None = None) -> list[Path]:
    """Everything `minio-init` mounts: `<out_dir>/minio-init.sh` and `<out_dir>/policies/*.json`."""
    buckets = buckets or Buckets()
    out_dir = Path(out_dir)
    written = write_policies(out_dir / POLICIES_SUBDIR, buckets)
    written.append(write_mc_script(out_dir / MC_SCRIPT_NAME, buckets))
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
                for pattern in (MC_SCRIPT_NAME, f"{POLICIES_SUBDIR}/*.json")
                for p in out_dir.glob(pattern)
                if p.is_file()
            }
        differing = {
            rel
            for rel in fresh & existing
            if not filecmp.cmp(fresh_root / rel, out_dir / rel, shallow=False)
        }
        return sorted(differing | (fresh ^ existing))


def main_policies(argv: Sequence[str] | None = None) -> int:
    """`nq57 policies OUT_DIR [--check]`: write (or check) the MinIO policies and minio-init.sh."""
    parser = argparse.ArgumentParser(
        prog="nq57 policies",
        description="Write the per-agency MinIO policies and the minio-init.sh provisioning script.",
    )
    parser.add_argument("out_dir", metavar="OUT_DIR", type=Path, help="e.g. deploy/minio")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if OUT_DIR differs from a fresh generation",
    )
    args = parser.parse_args(argv)

    if args.check:
        stale = stale_files(args.out_dir)
        for rel in stale:
            print(f"out of date: {args.out_dir / rel}", file=sys.stderr)
        return 1 if stale else 0

    written = generate(args.out_dir)
    policies = sum(1 for p in written if p.suffix == ".json")
    print(f"wrote {policies} policies and {args.out_dir / MC_SCRIPT_NAME}")
    return 0


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
