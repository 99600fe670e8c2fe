"""Shared fixtures: embedded PostgreSQL and S3 (or WAREHOUSE_URL), a throwaway Airflow home."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

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
    """Environment variables the DAG tasks read to find the warehouse and the store."""
    from nq57.devtools.embedded import Services

    monkeypatch.setenv("WAREHOUSE_URL", warehouse_url)
    monkeypatch.setenv("OBJECT_STORE_ENDPOINT", services.store.endpoint)
    monkeypatch.setenv("OBJECT_STORE_ACCESS_KEY", services.store.access_key)
    monkeypatch.setenv("OBJECT_STORE_SECRET_KEY", services.store.secret_key)
    return Services(warehouse_url=warehouse_url, store=services.store)


@pytest.fixture(scope="session")
def airflow_db():
    """Airflow's metadata database (SQLite in the throwaway home) and the `warehouse` pool."""
    import subprocess

    from nq57.devtools.airflow_runner import WAREHOUSE_POOL

    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], check=True, capture_output=True)
    subprocess.run([airflow, "pools", "set", *WAREHOUSE_POOL], check=True, capture_output=True)


@pytest.fixture(scope="session")
def dag_bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))
