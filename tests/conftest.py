"""Shared fixtures: embedded PostgreSQL and S3 (or WAREHOUSE_URL), a throwaway Airflow home, one warmed
Great Expectations context; and the test tiers.

Tiers (markers, set here from what a test uses, so nobody has to remember them):
- `integration`: the test uses a server or Airflow fixture (`services`, `warehouse_url`, `store`,
  `pipeline_env`, `airflow_db`, `dag_bag`);
- `gx`: the test runs the Great Expectations suites; it asks for the session's warmed context with the
  `gx` fixture (`pytestmark = pytest.mark.usefixtures("gx")`). A test of neither tier that reaches GX
  fails, so the fast tier stays fast.
- `slow`: marked by hand where a test spends seconds of CPU by design (the dedupe evaluation).
`make test-fast` runs everything else (`-m "not integration and not gx and not slow"`); `make test` runs all.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

# Airflow reads its home at import: point it at a throwaway one before anything imports Airflow.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="nq57-airflow-"))
os.environ.setdefault("AIRFLOW_HOME", str(_AIRFLOW_HOME))
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

TODAY = dt.date(2026, 11, 15)

# Property tests are bounded by their example count, never by wall-clock deadlines (a shared machine is
# slow at random moments). Tests that need fewer or more examples say so with their own @settings.
hypothesis_settings.register_profile("nq57", max_examples=100, deadline=None, print_blob=True,
                                     suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("nq57")

SERVER_FIXTURES = frozenset({"services", "warehouse_url", "store", "pipeline_env", "airflow_db", "dag_bag"})
FAST_TIER = "not integration and not gx and not slow"


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & SERVER_FIXTURES:
            item.add_marker(pytest.mark.integration)
        if "gx" in names:
            item.add_marker(pytest.mark.gx)


def pytest_sessionfinish(session, exitstatus):
    """The fast tier promises no Airflow and no Great Expectations: check nothing imported them."""
    if session.config.option.markexpr != FAST_TIER or exitstatus != 0:
        return
    heavy = sorted(m for m in ("airflow", "great_expectations") if m in sys.modules)
    if heavy:
        session.config.get_terminal_writer().line(f"fast tier imported {', '.join(heavy)}", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def gx():
    """One Great Expectations context, warmed once and shared by every test that validates rows."""
    from nq57.intake import validation

    validation.warm_up()
    return validation


@pytest.fixture(autouse=True)
def _gx_only_where_declared(request, monkeypatch):
    if request.node.get_closest_marker("gx") or request.node.get_closest_marker("integration"):
        return
    from nq57.intake import validation

    def undeclared():
        raise AssertionError(f"{request.node.nodeid} runs Great Expectations: add pytest.mark.usefixtures('gx')")

    monkeypatch.setattr(validation, "_context", undeclared)


@pytest.fixture(scope="session")
def services():
    """The embedded S3 server, and PostgreSQL from WAREHOUSE_URL or the embedded server."""
    import shutil

    from nq57.devtools import embedded
    from nq57.settings import Settings

    # Not under pytest's basetemp: a concurrent pytest run prunes old basetemps, data directory included.
    state = Path(tempfile.mkdtemp(prefix="nq57-test-services-"))
    found = embedded.start(Settings(object_store_endpoint=None), state_dir=state)
    yield found
    found.stop()
    shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def warehouse_url(services):
    """A fresh, migrated database on the session's PostgreSQL server, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from nq57.storage import warehouse

    name = f"nq57_test_{uuid.uuid4().hex[:10]}"
    admin = make_url(warehouse.engine(services.warehouse_url).url)
    admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    warehouse.migrate(url)
    yield url
    warehouse.engine(url).dispose()
    warehouse.engine.cache_clear()
    with admin_engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


@pytest.fixture
def store(services):
    """The embedded S3 server, emptied before each test."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"http://{services.store.endpoint}/moto-api/reset", method="POST"))
    from nq57.settings import get_settings
    from nq57.storage import objectstore

    client = objectstore.connect(services.store)
    objectstore.ensure_buckets(client, get_settings().buckets)
    return client


@pytest.fixture
def pipeline_env(services, warehouse_url, store, monkeypatch):
    """The Airflow connections the DAG tasks resolve (and the CLI's variables) for this test's services."""
    from nq57.services import Services

    found = Services(warehouse_url=warehouse_url, store=services.store)
    for name, value in {**found.env(), **found.airflow_connections()}.items():
        monkeypatch.setenv(name, value)
    return found


@pytest.fixture(scope="session")
def airflow_db():
    """Airflow's metadata database (SQLite in the throwaway home) and the pools `nq57 init` creates."""
    import subprocess

    from nq57.ops import provision

    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], check=True, capture_output=True)
    provision.provision_pools(provision.pools())


@pytest.fixture(scope="session")
def dag_bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))
