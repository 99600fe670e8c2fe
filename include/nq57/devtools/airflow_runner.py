"""Run the project's DAGs with the real Airflow CLI (`airflow dags test`) in a local, throwaway home.

This module only prepares environment variables and runs subprocesses; it does not import Airflow.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from nq57.settings import PROJECT_ROOT


def airflow_env(home: Path, services_env: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(services_env)
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": env.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING"),
        "GX_ANALYTICS_ENABLED": "false",
        # The demo's output is for people: no deprecation notices of Airflow's own dependencies, and no
        # hint to install graphviz (only `airflow dags show` renders graphs).
        "PYTHONWARNINGS": ",".join(["ignore::DeprecationWarning", "ignore:Could not import graphviz",
                                    "ignore:Using `httpx` with `starlette.testclient` is deprecated"]),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT / "include"), env.get("PYTHONPATH")])),
    })
    return env


def _airflow(*args: str, env: dict[str, str], quiet: bool = False) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("airflow")), *args]
    return subprocess.run(command, env=env, check=True, text=True,
                          stdout=subprocess.DEVNULL if quiet else None, stderr=subprocess.STDOUT if quiet else None)


INIT_COMMAND = ("-m", "nq57.ops.cli", "init", "--airflow")  # what compose's airflow-init runs (after python)


def prepare_home(env: dict[str, str]) -> None:
    """Metadata database (SQLite), then the deployment's own provisioning: `nq57 init --airflow`."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    _airflow("db", "migrate", env=env, quiet=True)
    subprocess.run([sys.executable, *INIT_COMMAND], env=env, check=True, stdout=subprocess.DEVNULL)


def dags_test(dag_id: str, env: dict[str, str], conf: str | None = None) -> None:
    args = ["dags", "test", dag_id]
    if conf:
        args += ["--conf", conf]
    _airflow(*args, env=env)
