"""Runtime settings from the environment. Stdlib only, so DAG files may import it at parse time.

Every variable is read by one of the readers below (`integer`, `number`, `flag`, `duration`), so a bad
value always ends in a `SettingError` that names the variable, its value and what it accepts (the CLI
prints it as its one line, `nq57.ops.errors`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(os.getenv("NQ57_PROJECT_ROOT", Path(__file__).resolve().parents[2]))
SQL_DIR = PROJECT_ROOT / "sql"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"


class SettingError(ValueError):
    """An environment variable holds a value its reader does not accept (the message names the variable)."""


def integer(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number from the environment, at least `minimum`.

    Raises:
        SettingError: not a whole number, or below `minimum`.
    """
    value = os.getenv(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingError(f"{name}={value!r}: expected a whole number, e.g. {default}") from None
    if number < minimum:
        raise SettingError(f"{name}={value!r}: must be at least {minimum}")
    return number


def number(name: str, default: float) -> float:
    """A number of seconds above 0 from the environment.

    Raises:
        SettingError: not a number, or not above 0.
    """
    value = os.getenv(name, "").strip()
    if not value:
        return default
    try:
        result = float(value)
    except ValueError:
        raise SettingError(f"{name}={value!r}: expected a number of seconds, e.g. {default:g}") from None
    if not result > 0 or result == float("inf"):
        raise SettingError(f"{name}={value!r}: must be a number of seconds above 0")
    return result


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def flag(name: str, default: bool) -> bool:
    """A yes/no switch from the environment: true, yes, on, 1 or false, no, off, 0 (any case).

    Raises:
        SettingError: any other value (a typo must not silently mean `false`).
    """
    value = os.getenv(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise SettingError(f"{name}={os.getenv(name)!r}: expected one of {', '.join(_TRUE)} or {', '.join(_FALSE)}")


@dataclass(frozen=True)
class Buckets:
    """The object-store buckets (DESIGN §3). There is no Data Docs bucket: a file's validation results are
    its feedback workbook and `raw.submission_issue`, the rules are `intake/rules.py`."""

    submissions: str = "nq57-submissions"
    feedback: str = "nq57-feedback"
    reports: str = "nq57-reports"

    def all(self) -> tuple[str, ...]:
        return (self.submissions, self.feedback, self.reports)

    def versioned(self) -> tuple[str, ...]:
        """Buckets that keep every version (DESIGN §3): each upload and each feedback file is evidence."""
        return (self.submissions, self.feedback)


@dataclass(frozen=True)
class Limits:
    """Refusal thresholds for uploaded workbooks (DESIGN §4)."""

    max_file_bytes: int = field(default_factory=lambda: integer("NQ57_MAX_FILE_BYTES", 20 * 1024 * 1024, minimum=1))
    max_rows: int = field(default_factory=lambda: integer("NQ57_MAX_ROWS", 100_000, minimum=1))
    max_zip_entries: int = 10_000
    max_uncompressed_bytes: int = 500 * 1024 * 1024
    max_compression_ratio: float = 200.0
    # Characters of text the cells reference once opened: each cell pointing at a shared string counts
    # that string's length again. Bounds what one file can cost in memory (a 46 KB file pointing 27,000
    # cells at one 46,000-character string expands to 1.26 GB); a real 1,500-row report references a few MB.
    max_referenced_text: int = 50_000_000


_ENDPOINT = re.compile(r"^(https?://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?/?$")


def endpoint(name: str) -> str | None:
    """An S3 endpoint from the environment: `HOST[:PORT]` or `http(s)://HOST[:PORT]`; None when unset.

    Raises:
        SettingError: anything else (a path, spaces, a user:password@ part).
    """
    value = os.getenv(name, "").strip()
    if not value:
        return None
    if not _ENDPOINT.match(value):
        raise SettingError(f"{name}={value!r}: expected HOST:PORT or http(s)://HOST:PORT, e.g. minio:9000")
    return value


_INTERVAL = re.compile(r"^\d+(ms|s|min|h)?$")


def duration(name: str, default: str) -> str:
    """A PostgreSQL duration from the environment (`30s`, `5min`, `1500ms`, `0` = no limit).

    Raises:
        SettingError: anything else (it ends up in a connection option string).
    """
    value = os.getenv(name, "").strip() or default
    if not _INTERVAL.match(value):
        raise SettingError(f"{name}={value!r}: expected a duration such as 30s, 5min or 1500ms")
    return value


@dataclass(frozen=True)
class Timeouts:
    """Bounds on every call to the services (issue 17 item 9), read from the environment when made.

    Object store (urllib3, seconds): connect and read timeouts per attempt, and retries after the first
    attempt, so one call takes at most about (retries + 1) x (connect + read) seconds, never the minio
    SDK's default of 6 attempts x 300 s. Warehouse (libpq / PostgreSQL session settings): connect timeout
    in seconds; statement, lock-wait and idle-in-transaction limits as PostgreSQL durations.
    """

    store_connect: float = field(default_factory=lambda: number("OBJECT_STORE_CONNECT_TIMEOUT", 10))
    store_read: float = field(default_factory=lambda: number("OBJECT_STORE_READ_TIMEOUT", 60))
    store_retries: int = field(default_factory=lambda: integer("OBJECT_STORE_RETRIES", 3))
    # 0: libpq waits as long as the operating system lets it.
    warehouse_connect: int = field(default_factory=lambda: integer("WAREHOUSE_CONNECT_TIMEOUT", 10))
    warehouse_statement: str = field(default_factory=lambda: duration("WAREHOUSE_STATEMENT_TIMEOUT", "15min"))
    warehouse_lock: str = field(default_factory=lambda: duration("WAREHOUSE_LOCK_TIMEOUT", "1min"))
    warehouse_idle_in_transaction: str = field(
        default_factory=lambda: duration("WAREHOUSE_IDLE_IN_TRANSACTION_TIMEOUT", "30min"))


@dataclass(frozen=True)
class Settings:
    warehouse_url: str | None = field(default_factory=lambda: os.getenv("WAREHOUSE_URL") or None)
    object_store_endpoint: str | None = field(default_factory=lambda: endpoint("OBJECT_STORE_ENDPOINT"))
    object_store_access_key: str | None = field(
        default_factory=lambda: os.getenv("OBJECT_STORE_ACCESS_KEY") or None
    )
    object_store_secret_key: str | None = field(
        default_factory=lambda: os.getenv("OBJECT_STORE_SECRET_KEY") or None
    )
    object_store_secure: bool = field(default_factory=lambda: flag("OBJECT_STORE_SECURE", False))
    object_store_region: str = field(default_factory=lambda: os.getenv("OBJECT_STORE_REGION", "us-east-1"))
    buckets: Buckets = field(default_factory=Buckets)
    limits: Limits = field(default_factory=Limits)
    # One ingest run takes at most this many uploads (round-robin across agencies, oldest first) in
    # mapped batches of `batch_size`: bounded well under Airflow's 1,024 mapped-task limit, and one warm
    # Great Expectations context per batch instead of a process start-up per file.
    uploads_per_run: int = field(default_factory=lambda: integer("NQ57_UPLOADS_PER_RUN", 400, minimum=1))
    batch_size: int = field(default_factory=lambda: integer("NQ57_BATCH_SIZE", 10, minimum=1))
    state_dir: Path = field(
        default_factory=lambda: Path(os.getenv("NQ57_STATE_DIR", PROJECT_ROOT / ".nq57"))
    )


def get_settings() -> Settings:
    """Settings read from the environment at call time (tests change the environment)."""
    return Settings()
