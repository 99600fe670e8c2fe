"""`nq57 init`: the one owner of provisioning. Idempotent: run it on every deployment, as often as you like.

1. object store: the buckets exist, submissions and feedback keep every version;
2. warehouse: pending migrations applied, views changed since last time re-created, reference data
   (agencies, aliases, indicator catalogue) reloaded;
3. Airflow (with `--airflow`): the pools the DAGs use exist with their configured slots.

DAG runs provision nothing. Compose's `airflow-init` service and the native stack (`make airflow`) run
this same command with `--airflow`, which reads the services from the Airflow Connections `warehouse`
and `object_store`; without it the CLI's own `WAREHOUSE_URL` / `OBJECT_STORE_*` (or `--warehouse`) apply.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nq57.services import Services
from nq57.settings import get_settings, integer
from nq57.storage import objectstore, warehouse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pool:
    name: str
    slots: int
    description: str


def pools() -> list[Pool]:
    """The Airflow pools the DAGs use. `warehouse` bounds concurrent warehouse writers (ingest batches and
    consolidation): 2 by default, one per core of the small reference machine (`NQ57_WAREHOUSE_POOL_SLOTS`)."""
    return [Pool("warehouse", integer("NQ57_WAREHOUSE_POOL_SLOTS", 2, minimum=1),
                 "Warehouse writers: ingest batches and consolidation")]


def provision_store(services: Services) -> None:
    objectstore.ensure_buckets(objectstore.connect(services.store), get_settings().buckets)


def provision_warehouse(services: Services) -> list[str]:
    """Migrations applied now (empty when the schema was current)."""
    return warehouse.migrate(services.warehouse_url)


def provision_pools(wanted: list[Pool]) -> None:
    """Create or update the pools through the Airflow CLI (`airflow pools import`), so this package never
    imports Airflow's internals.

    Raises:
        RuntimeError: the Airflow CLI is not installed or failed.
    """
    airflow = shutil.which("airflow") or str(Path(sys.executable).with_name("airflow"))
    if not Path(airflow).exists():
        raise RuntimeError("the Airflow CLI is not installed here; run nq57 init --airflow where Airflow runs")
    spec = {p.name: {"slots": p.slots, "description": p.description, "include_deferred": False} for p in wanted}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(spec, fh)
    try:
        done = subprocess.run([airflow, "pools", "import", fh.name], capture_output=True, text=True)
    finally:
        os.unlink(fh.name)
    if done.returncode != 0:
        raise RuntimeError(f"airflow pools import failed: {done.stderr.strip() or done.stdout.strip()}")


def init(services: Services, *, airflow_pools: bool = False) -> list[str]:
    """Provision everything (see the module docstring); returns one line per step for the operator."""
    report = []
    provision_store(services)
    report.append(f"object store {services.store.endpoint}: buckets {', '.join(get_settings().buckets.all())} "
                  "ready (versioned: submissions, feedback)")
    applied = provision_warehouse(services)
    report.append(f"warehouse: {len(applied)} migration(s) applied{': ' + ', '.join(applied) if applied else ''}; "
                  "views and reference data current")
    if airflow_pools:
        wanted = pools()
        provision_pools(wanted)
        report.append("Airflow pools: " + ", ".join(f"{p.name} ({p.slots} slots)" for p in wanted))
    return report
