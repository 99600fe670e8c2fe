"""Where the pipeline's two services are: the warehouse (a SQLAlchemy URL) and the object store.

Plain settings, no Airflow: the DAGs resolve their Airflow Connections into this type
(`nq57.pipeline.services`), the CLI builds it from its environment variables or `--warehouse` URL
(`from_environment`), and the embedded demo/test servers (`nq57.devtools.embedded`) hand out the same type.
"""

from __future__ import annotations

from dataclasses import dataclass

from nq57.settings import Settings, get_settings
from nq57.storage.objectstore import StoreConfig


@dataclass(frozen=True)
class Services:
    """`warehouse_url`: SQLAlchemy URL of the PostgreSQL warehouse; `store`: the S3 endpoint and keys."""

    warehouse_url: str
    store: StoreConfig

    def env(self) -> dict[str, str]:
        """The same services as the CLI's environment variables (for a child process)."""
        return {
            "WAREHOUSE_URL": self.warehouse_url,
            "OBJECT_STORE_ENDPOINT": self.store.endpoint,
            "OBJECT_STORE_ACCESS_KEY": self.store.access_key,
            "OBJECT_STORE_SECRET_KEY": self.store.secret_key,
            "OBJECT_STORE_SECURE": "true" if self.store.secure else "false",
            "OBJECT_STORE_REGION": self.store.region,
        }

    def airflow_connections(self) -> dict[str, str]:
        """The same services as Airflow Connections in `AIRFLOW_CONN_<ID>` JSON form (`warehouse`,
        `object_store`): what the DAGs resolve with `nq57.pipeline.services()`."""
        import json

        from sqlalchemy.engine import make_url

        url = make_url(self.warehouse_url)
        query = dict(url.query)
        host = query.pop("host", None) or url.host
        endpoint = self.store.endpoint
        if "://" not in endpoint:
            endpoint = ("https://" if self.store.secure else "http://") + endpoint
        warehouse = {"conn_type": "postgres", "host": host, "port": url.port, "schema": url.database,
                     "login": url.username, "password": url.password, "extra": query}
        store = {"conn_type": "aws", "login": self.store.access_key, "password": self.store.secret_key,
                 "extra": {"endpoint_url": endpoint, "region_name": self.store.region}}
        return {
            "AIRFLOW_CONN_WAREHOUSE": json.dumps({k: v for k, v in warehouse.items() if v not in (None, {}, "")}),
            "AIRFLOW_CONN_OBJECT_STORE": json.dumps(store),
        }


def store_from_settings(settings: Settings) -> StoreConfig | None:
    if not settings.object_store_endpoint:
        return None
    return StoreConfig(
        endpoint=settings.object_store_endpoint,
        access_key=settings.object_store_access_key or "",
        secret_key=settings.object_store_secret_key or "",
        secure=settings.object_store_secure,
        region=settings.object_store_region,
    )


def from_environment(settings: Settings | None = None) -> Services:
    """`WAREHOUSE_URL` and `OBJECT_STORE_*` (the CLI's configuration).

    Raises:
        ValueError: one of them is not set (the message names which).
        SettingError: one of them has a bad value (from `Settings`).
    """
    settings = settings or get_settings()
    store = store_from_settings(settings)
    missing = [name for name, value in (("WAREHOUSE_URL", settings.warehouse_url), ("OBJECT_STORE_ENDPOINT", store))
               if not value]
    if missing:
        raise ValueError(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set")
    return Services(warehouse_url=settings.warehouse_url, store=store)


def warehouse_url(*, host: str | None, port: int | None, database: str | None, login: str | None,
                  password: str | None, extra: dict | None = None) -> str:
    """SQLAlchemy URL (psycopg 3) from the fields of a `postgres` connection.

    A `host` that is a directory is a Unix socket (passed as the `host` query parameter, as libpq reads
    it); `extra` entries (e.g. `sslmode`) become query parameters.

    Raises:
        ValueError: no database name.
    """
    from sqlalchemy.engine import URL

    if not database:
        raise ValueError("the warehouse connection names no database (its `schema` field)")
    query = {str(k): str(v) for k, v in (extra or {}).items()}
    if host and host.startswith("/"):
        query["host"] = host
        host = None
    url = URL.create("postgresql+psycopg", username=login or None, password=password or None, host=host or None,
                     port=port or None, database=database, query=query)
    return url.render_as_string(hide_password=False)


def store_config(*, login: str | None, password: str | None, extra: dict | None) -> StoreConfig:
    """The object store from the fields of an `aws` connection: `extra.endpoint_url` (`http://host:port` or
    `https://…`) and `extra.region_name`; the keys are the connection's login and password.

    Raises:
        ValueError: no endpoint_url.
    """
    extra = extra or {}
    endpoint = extra.get("endpoint_url") or extra.get("host")
    if not endpoint:
        raise ValueError("the object store connection has no extra.endpoint_url")
    return StoreConfig(endpoint=endpoint, access_key=login or "", secret_key=password or "",
                       secure=str(endpoint).startswith("https://"), region=extra.get("region_name") or "us-east-1")
