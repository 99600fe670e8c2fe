"""Per-agency store policies, the manifest, and the static minio-init.sh that reads it (nq57.ops.store_policies).

Here the policies are checked as documents (what each one grants, to which prefixes); a policy-enforcing
server proves them in tests/integration/test_store_policies.py. The provisioning script is run for real
under `sh`, with a stub `mc` that records its arguments and what it reads on standard input.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from nq57.ops import store_policies as ap
from nq57.reference import agencies
from nq57.settings import Buckets

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_MINIO = ROOT / "deploy" / "minio"
BUCKETS = Buckets()
CODES = list(agencies())

AGENCY_ACTIONS = {"s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"}


def _statements(policy: dict) -> list[dict]:
    assert policy["Version"] == "2012-10-17"
    return policy["Statement"]


def _actions(policy: dict) -> set[str]:
    return {a for s in _statements(policy) for a in s["Action"]}


def _grants(policy: dict, action: str) -> set[str]:
    """Resources on which `action` is allowed."""
    return {
        r
        for s in _statements(policy)
        if s["Effect"] == "Allow" and action in s["Action"]
        for r in s["Resource"]
    }


def _listable_prefixes(policy: dict, bucket: str) -> set[str] | None:
    """Prefixes a ListBucket on `bucket` is limited to; None when it is not limited at all."""
    prefixes: set[str] = set()
    for s in _statements(policy):
        if "s3:ListBucket" in s["Action"] and f"arn:aws:s3:::{bucket}" in s["Resource"]:
            condition = s.get("Condition")
            if not condition:
                return None
            prefixes |= set(condition["StringLike"]["s3:prefix"])
    return prefixes


def test_reference_list_has_the_agencies():
    assert len(CODES) == 58
    assert {"T01", "T79", "BKHCN", "VPCP"} <= set(CODES)


@pytest.mark.parametrize("code", CODES)
def test_agency_policy_grants_only_its_own_prefix(code):
    policy = ap.agency_policy(code, BUCKETS)
    assert _actions(policy) <= AGENCY_ACTIONS
    assert _grants(policy, "s3:PutObject") == {f"arn:aws:s3:::nq57-submissions/{code}/*"}
    assert _grants(policy, "s3:GetObject") == {
        f"arn:aws:s3:::nq57-submissions/{code}/*",
        f"arn:aws:s3:::nq57-feedback/{code}/*",
    }
    assert _grants(policy, "s3:ListBucket") == {
        "arn:aws:s3:::nq57-submissions",
        "arn:aws:s3:::nq57-feedback",
    }
    for bucket in ("nq57-submissions", "nq57-feedback"):
        assert _listable_prefixes(policy, bucket) == {f"{code}/", f"{code}/*"}
    # Nothing at all on the pipeline's own buckets.
    text = json.dumps(policy)
    assert "nq57-reports" not in text
    assert all(s["Effect"] == "Allow" for s in _statements(policy))


def test_t01_policy_has_nothing_of_t79():
    policy = ap.agency_policy("T01", BUCKETS)
    resources = {r for s in _statements(policy) for r in s["Resource"]}
    prefixes = _listable_prefixes(policy, "nq57-submissions") | _listable_prefixes(policy, "nq57-feedback")
    assert not any("T79" in r for r in resources)
    assert not any("T79" in p for p in prefixes)
    # Object resources all sit under T01/ (bucket ARNs carry the prefix condition instead).
    assert {r.split(":::", 1)[1].split("/", 1)[1] for r in resources if "/" in r} == {"T01/*"}


def test_no_policy_can_delete():
    policies = [ap.agency_policy(c, BUCKETS) for c in CODES] + [ap.pipeline_policy(BUCKETS)]
    for policy in policies:
        for action in _actions(policy):
            assert "Delete" not in action, action
            assert action != "s3:*" and not action.endswith(":*"), action
        for s in _statements(policy):
            assert "NotAction" not in s and "NotResource" not in s


def test_pipeline_reads_every_submission_version_and_writes_outputs_only():
    policy = ap.pipeline_policy(BUCKETS)
    assert _grants(policy, "s3:GetObjectVersion") == {"arn:aws:s3:::nq57-submissions/*"}
    assert "arn:aws:s3:::nq57-submissions" in _grants(policy, "s3:ListBucketVersions")
    assert _listable_prefixes(policy, "nq57-submissions") is None  # every agency's prefix
    assert _grants(policy, "s3:PutObject") == {"arn:aws:s3:::nq57-feedback/*", "arn:aws:s3:::nq57-reports/*"}
    # It checks what the administrator provisioned; it never creates buckets or changes versioning.
    assert _grants(policy, "s3:GetBucketVersioning") == {"arn:aws:s3:::nq57-submissions", "arn:aws:s3:::nq57-feedback"}
    assert not {"s3:CreateBucket", "s3:PutBucketVersioning", "s3:PutBucketPolicy"} & _actions(policy)


def test_custom_bucket_names_are_used():
    buckets = Buckets(submissions="in", feedback="fb", reports="rp")
    text = json.dumps(ap.agency_policy("T01", buckets)) + json.dumps(ap.pipeline_policy(buckets))
    text += ap.manifest(buckets, ["T01"])
    assert "nq57-" not in text.replace("nq57-agency-", "").replace("nq57-pipeline", "")
    assert "arn:aws:s3:::in/T01/*" in text and "arn:aws:s3:::rp/*" in text
    assert "bucket rp unversioned" in text and "bucket fb versioned" in text


@pytest.mark.parametrize("bad", ["", "t01", "T01/../T79", "T 01", "T01*", "$(id)", "X"])
def test_unusable_agency_codes_are_refused(bad):
    with pytest.raises(ValueError):
        ap.agency_policy(bad, BUCKETS)


def test_policy_documents_fit_minio_size_limit():
    for policy in [ap.agency_policy(c, BUCKETS) for c in CODES] + [ap.pipeline_policy(BUCKETS)]:
        assert len(ap.policy_json(policy)) <= ap.MAX_POLICY_CHARS


def test_write_policies_writes_one_file_per_agency_and_drops_stale_ones(tmp_path):
    (tmp_path / "agency-GONE.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("kept")
    written = ap.write_policies(tmp_path, BUCKETS)
    assert [p.name for p in written] == [f"agency-{c}.json" for c in CODES] + ["pipeline.json"]
    assert not (tmp_path / "agency-GONE.json").exists()
    assert (tmp_path / "notes.txt").exists()
    assert json.loads((tmp_path / "agency-T79.json").read_text()) == ap.agency_policy("T79", BUCKETS)


def test_committed_deploy_minio_matches_a_fresh_generation(tmp_path):
    ap.generate(tmp_path)
    fresh = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(DEPLOY_MINIO).as_posix() for p in DEPLOY_MINIO.rglob("*")
        if p.is_file() and p.name != "minio-init.sh"  # the one hand-written file there
    )
    assert committed == fresh, "run: nq57 policies deploy/minio"
    for rel in fresh:
        assert (DEPLOY_MINIO / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel
    assert ap.stale_files(DEPLOY_MINIO) == []


def test_manifest_names_every_agency_once_with_its_policy_file():
    lines = [ln.split() for ln in (DEPLOY_MINIO / "manifest.txt").read_text().splitlines()
             if ln and not ln.startswith("#")]
    assert [ln[1] for ln in lines if ln[0] == "bucket"] == list(BUCKETS.all())
    assert [ln for ln in lines if ln[0] == "pipeline"] == [["pipeline", "nq57-pipeline", "pipeline.json"]]
    agency_lines = [ln for ln in lines if ln[0] == "agency"]
    assert [ln[1] for ln in agency_lines] == [ap.agency_user(c) for c in CODES]
    for _, user, policy, policy_file, variable in agency_lines:
        code = user.removeprefix("agency-")
        assert (policy, policy_file, variable) == (ap.agency_policy_name(code), ap.agency_policy_file(code),
                                                   ap.agency_secret_env(code))
        assert (DEPLOY_MINIO / "policies" / policy_file).is_file()


def test_main_policies_writes_and_checks(tmp_path, capsys):
    out = tmp_path / "minio"
    assert ap.main_policies([str(out)]) == 0
    assert (out / "manifest.txt").is_file()
    assert len(list((out / "policies").glob("agency-*.json"))) == len(CODES)
    assert ap.main_policies([str(out), "--check"]) == 0

    (out / "policies" / "agency-T01.json").write_text("{}")
    assert ap.main_policies([str(out), "--check"]) == 1
    assert "agency-T01.json" in capsys.readouterr().err


@pytest.mark.parametrize("damage", ["edit", "remove", "extra"])
def test_cli_policies_check_exits_1_when_the_committed_files_are_stale(tmp_path, damage, capsys):
    """`nq57 policies DIR --check`, as advertised (it used to fail with "unrecognized arguments")."""
    from nq57.ops.cli import main

    out = tmp_path / "minio"
    shutil.copytree(DEPLOY_MINIO, out)
    assert main(["policies", str(out), "--check"]) == 0
    if damage == "edit":
        (out / "manifest.txt").write_text((out / "manifest.txt").read_text().replace("agency-T79", "agency-T97"))
    elif damage == "remove":
        (out / "policies" / "agency-T79.json").unlink()
    else:
        (out / "policies" / "agency-GONE.json").write_text("{}")
    assert main(["policies", str(out), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["policies", str(out)]) == 0
    assert main(["policies", str(out), "--check"]) == 0


def test_cli_policies_check_on_the_repository(capsys):
    result = subprocess.run([str(Path(os.sys.executable).with_name("nq57")), "policies", str(DEPLOY_MINIO), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


# --- minio-init.sh --------------------------------------------------------------------------------

SCRIPT = DEPLOY_MINIO / "minio-init.sh"


def _script_text() -> str:
    return SCRIPT.read_text(encoding="utf-8")


def _env_example_values() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_script_is_static_and_holds_no_name_or_secret_of_its_own():
    """One home for the naming: every bucket, user, policy and file name comes from the manifest."""
    text = _script_text()
    code = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    for bucket in BUCKETS.all():
        assert bucket not in code
    for name in ("nq57-pipeline", "nq57-agency", "agency-", "pipeline.json", "T01", "BKHCN"):
        assert name not in code, name
    for name, value in _env_example_values().items():
        if any(word in name for word in ("PASSWORD", "SECRET", "FERNET")) and value:
            assert value not in text, name
    assert not re.search(r"(?<![A-Za-z0-9_$/.-])[A-Za-z0-9+/=]{24,}(?![A-Za-z0-9_/.-])", text)
    assert text.startswith("#!/bin/sh\n") and "set -eu" in text
    # Commands removed from mc in 2023; old tutorials still show them.
    assert not re.search(r"mc admin policy (add|set)\b", text)
    assert "mc admin user policy" not in text
    assert "https://min.io/docs/minio/linux/reference/minio-mc-admin/mc-admin-policy-attach.html" in text


def test_mc_script_is_valid_posix_sh():
    sh = shutil.which("dash") or shutil.which("sh")
    if sh is None:
        pytest.skip("no POSIX shell")
    subprocess.run([sh, "-n", str(SCRIPT)], check=True)


# The stub records each call's arguments, and what it reads on standard input for the two commands
# that take keys there (`alias set` and `admin user add`); `mc alias set` succeeds at once.
_STUB_MC = """#!/bin/sh
printf 'ARGS %s\\n' "$*" >>"$MC_LOG"
case "$1 $2" in
  "alias set"|"admin user")
    while IFS= read -r line; do printf 'STDIN %s\\n' "$line" >>"$MC_LOG"; done ;;
esac
"""


@pytest.fixture
def run_script(tmp_path):
    sh = shutil.which("dash") or shutil.which("sh")
    if sh is None or not all(shutil.which(t) for t in ("tr", "head", "cat", "dirname")):
        pytest.skip("needs a POSIX shell and coreutils")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "mc"
    stub.write_text(_STUB_MC)
    stub.chmod(0o755)
    credentials = tmp_path / "credentials"
    log = tmp_path / "mc.log"

    def run(extra_env: dict[str, str] | None = None, check: bool = True):
        log.write_text("")
        env = {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "MC_LOG": str(log),
            "MINIO_ROOT_USER": "root-user",
            "MINIO_ROOT_PASSWORD": "root-password-123",
            "OBJECT_STORE_ACCESS_KEY": "pipeline-user",
            "OBJECT_STORE_SECRET_KEY": "pipeline-secret-123",
            "NQ57_CREDENTIALS_DIR": str(credentials),
            **(extra_env or {}),
        }
        result = subprocess.run([sh, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120,
                                stdin=subprocess.DEVNULL)
        if check:
            assert result.returncode == 0, result.stderr
        return result, log.read_text().splitlines()

    return run, credentials


def _calls(log: list[str]) -> list[tuple[str, list[str]]]:
    """(arguments, lines read on stdin) per mc call."""
    calls: list[tuple[str, list[str]]] = []
    for line in log:
        kind, _, rest = line.partition(" ")
        if kind == "ARGS":
            calls.append((rest, []))
        else:
            calls[-1][1].append(rest)
    return calls


def test_script_provisions_everything_from_the_manifest_and_keeps_secrets_across_runs(run_script):
    run, credentials = run_script
    result, log = run()
    calls = _calls(log)
    args = [a for a, _ in calls]
    policy_dir = DEPLOY_MINIO / "policies"
    assert calls[0] == ("alias set nq57 http://minio:9000", ["root-user", "root-password-123"])
    for bucket in BUCKETS.all():
        assert f"mb --ignore-existing nq57/{bucket}" in args
    assert [a for a in args if a.startswith("version enable")] == [f"version enable nq57/{b}"
                                                                   for b in BUCKETS.versioned()]
    assert f"admin policy create nq57 nq57-pipeline {policy_dir}/pipeline.json" in args
    assert ("admin user add nq57 pipeline-user", ["pipeline-secret-123"]) in calls
    assert "admin policy attach nq57 nq57-pipeline --user pipeline-user" in args
    first = {}
    for code in CODES:
        secret_file = credentials / f"agency-{code}.secret"
        secret = secret_file.read_text().strip()
        assert re.fullmatch(r"[A-Za-z0-9]{40}", secret)
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        assert f"admin policy create nq57 nq57-agency-{code} {policy_dir}/agency-{code}.json" in args
        assert (f"admin user add nq57 agency-{code}", [secret]) in calls
        assert f"admin policy attach nq57 nq57-agency-{code} --user agency-{code}" in args
        first[code] = secret
    assert len(set(first.values())) == len(CODES)
    assert f"{len(CODES)} agency users" in result.stdout

    # A re-run reuses the kept secrets; NQ57_AGENCY_SECRET_<CODE> replaces one.
    _, log = run({"NQ57_AGENCY_SECRET_T01": "rotated-secret-for-t01"})
    calls = _calls(log)
    assert ("admin user add nq57 agency-T01", ["rotated-secret-for-t01"]) in calls
    assert (credentials / "agency-T01.secret").read_text().strip() == "rotated-secret-for-t01"
    assert ("admin user add nq57 agency-T79", [first["T79"]]) in calls


def test_no_secret_is_ever_a_command_argument(run_script):
    """Arguments are visible to every local user (ps, /proc/*/cmdline); keys go to mc on stdin only."""
    run, credentials = run_script
    _, log = run({"NQ57_AGENCY_SECRET_T01": "rotated-secret-for-t01"})
    secrets = {"root-password-123", "pipeline-secret-123", "rotated-secret-for-t01"}
    secrets |= {p.read_text().strip() for p in credentials.glob("*.secret")}
    assert len(secrets) == len(CODES) + 2
    arguments = [a for a, _ in _calls(log)]
    assert arguments
    assert not [a for a in arguments if any(s in a for s in secrets)]


def test_script_refuses_to_run_the_pipeline_as_administrator(run_script):
    run, _ = run_script
    result, calls = run({"OBJECT_STORE_ACCESS_KEY": "root-user"}, check=False)
    assert result.returncode != 0
    assert "must differ" in result.stderr
    assert calls == []


def test_script_refuses_bad_secret_lengths(run_script):
    run, _ = run_script
    result, _ = run({"NQ57_AGENCY_SECRET_T01": "short"}, check=False)
    assert result.returncode != 0
    assert "agency-T01" in result.stderr


def test_script_requires_admin_credentials(run_script):
    run, _ = run_script
    result, calls = run({"MINIO_ROOT_PASSWORD": ""}, check=False)
    assert result.returncode != 0
    assert calls == []


def test_script_refuses_a_manifest_that_names_an_odd_secret_variable(run_script, tmp_path):
    """The manifest names the variable the script expands: anything but NQ57_AGENCY_SECRET_* is refused."""
    run, _ = run_script
    manifest = tmp_path / "manifest.txt"
    manifest.write_text("agency agency-T01 nq57-agency-T01 agency-T01.json PATH\n")
    result, calls = run({"NQ57_MANIFEST": str(manifest)}, check=False)
    assert result.returncode != 0 and "unexpected secret variable" in result.stderr
    manifest.write_text("agency agency-T01 nq57-agency-T01 agency-T01.json NQ57_AGENCY_SECRET_X;id\n")
    result, calls = run({"NQ57_MANIFEST": str(manifest)}, check=False)
    assert result.returncode != 0 and "unexpected secret variable" in result.stderr
