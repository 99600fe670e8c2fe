"""One English line for every ordinary mistake or failure an operator meets on the command line.

`explain(exc)` turns an exception into that line, or None when it is not an ordinary one (a bug, which
keeps its traceback). It knows:

- `OperatorError`: raised by the CLI itself for a mistake it found (unknown submission, bad review file,
  an output path that is a directory, …), `WarehouseUrlError` (`--warehouse-file` unreadable, a URL that is
  not PostgreSQL's, no terminal for `--ask-password`, …) and `SettingError` (an environment variable with a
  bad value; the message names it);
- files: a path that does not exist, is a directory, or may not be read or written;
- the warehouse: a URL that is not a database URL, a server that cannot be reached or refuses the login,
  a database without the nq57 schema, a lock or statement timeout;
- the object store: a server that does not answer (within the limits of `settings.Timeouts`), refuses the
  credentials, or lacks a bucket.

The CLI (`nq57.ops.cli.main`) prints the line as `nq57 <command>: <line>` and exits with status 2; with `-v`
the traceback is printed too. Messages never repeat a URL (it may hold a password).
"""

from __future__ import annotations

#: Exit status of every operator mistake (the status argparse uses for usage errors).
EXIT_MISTAKE = 2
#: What to run on a warehouse without the nq57 schema, or a store without the buckets.
INIT_HINT = "run `nq57 init` first (it creates the buckets, applies the migrations and loads the reference data)"


class OperatorError(Exception):
    """A mistake the operator can fix, said in one English line (the exception's message)."""


def explain(exc: BaseException) -> str | None:
    """The one-line explanation of `exc`, or None when it is not an ordinary mistake or failure. Looks
    through wrappers (`raise ... from`, pandas re-raising driver errors as its own DatabaseError)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        message = _explain_one(current)
        if message is not None:
            return message
        current = current.__cause__ or current.__context__
    return None


def _explain_one(exc: BaseException) -> str | None:
    from nq57.ops.warehouse_url import WarehouseUrlError
    from nq57.settings import SettingError

    if isinstance(exc, OperatorError | WarehouseUrlError | SettingError):
        return str(exc)
    if isinstance(exc, OSError) and exc.filename is not None and not _network(exc):
        return _file_error(exc)
    return _warehouse_error(exc) or _store_error(exc)


def _network(exc: OSError) -> bool:
    return isinstance(exc, (ConnectionError, TimeoutError))


def _file_error(exc: OSError) -> str:
    import errno

    reason = {
        errno.ENOENT: "no such file or directory",
        errno.EISDIR: "is a directory, not a file",
        errno.ENOTDIR: "a part of the path is not a directory",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "read-only file system",
        errno.ENOSPC: "no space left on the device",
    }.get(exc.errno, (exc.strerror or type(exc).__name__).lower())
    return f"{exc.filename}: {reason}"


def _warehouse_error(exc: BaseException) -> str | None:
    try:
        from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
    except ImportError:  # pragma: no cover - sqlalchemy is a core dependency
        return None
    if isinstance(exc, NoSuchModuleError | ArgumentError):
        return ("the warehouse URL is not a PostgreSQL URL: expected postgresql://USER@HOST:PORT/DATABASE "
                "(WAREHOUSE_URL or --warehouse)")
    if not isinstance(exc, DBAPIError):
        return None
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    detail = _first_line(exc.orig if exc.orig is not None else exc)
    where = _database(exc)
    if sqlstate in ("42P01", "3F000"):  # undefined table or schema
        return f"the warehouse{where} is not initialised ({detail}): {INIT_HINT}"
    if sqlstate == "55P03":
        return (f"the warehouse gave up waiting for a lock ({detail}): another session holds it; "
                "limit: WAREHOUSE_LOCK_TIMEOUT")
    if sqlstate == "57014":
        return f"a warehouse statement ran too long ({detail}); limit: WAREHOUSE_STATEMENT_TIMEOUT"
    if sqlstate == "3D000":
        return f"the warehouse database does not exist ({detail}); create it, then {INIT_HINT}"
    if sqlstate == "42501":
        return (f"the warehouse refused: {detail}; connect as a role allowed to do this (the warehouse owner "
                "runs nq57 init and nq57 bi-login)")
    if sqlstate.startswith("28"):
        return f"the warehouse refused the login ({detail}); check the user and password"
    if isinstance(exc, OperationalError):
        return f"cannot reach the warehouse{where}: {detail}"
    return None


def _database(exc: BaseException) -> str:
    """` at HOST:PORT/DB` from the driver's connection, when it is known (never the password)."""
    info = getattr(getattr(exc, "orig", None), "pgconn", None)
    try:
        host, port, name = info.host.decode(), info.port.decode(), info.db.decode()
    except Exception:
        return ""
    return f" at {host}:{port}/{name}" if host and name else ""


def _store_error(exc: BaseException) -> str | None:
    try:
        import urllib3
        from minio.error import InvalidResponseError, S3Error
    except ImportError:  # pragma: no cover - minio is a core dependency
        return None
    if isinstance(exc, urllib3.exceptions.MaxRetryError):
        reason = _first_line(exc.reason or exc)
        return (f"the object store at {exc.pool.host}:{exc.pool.port} did not answer ({reason}); "
                "check OBJECT_STORE_ENDPOINT; limits: OBJECT_STORE_CONNECT_TIMEOUT, OBJECT_STORE_READ_TIMEOUT, "
                "OBJECT_STORE_RETRIES")
    if isinstance(exc, S3Error):
        place = "/".join(p for p in (exc.bucket_name, exc.object_name) if p)
        if exc.code == "NoSuchBucket":
            return f"the object store has no bucket {exc.bucket_name}: {INIT_HINT}"
        if exc.code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied"):
            return (f"the object store refused {place or 'the request'}: {exc.code}; check OBJECT_STORE_ACCESS_KEY "
                    "and OBJECT_STORE_SECRET_KEY")
        return f"the object store refused {place or 'the request'}: {exc.code} ({exc.message})"
    if isinstance(exc, InvalidResponseError):
        return "the object store endpoint answered, but not as an S3 server: check OBJECT_STORE_ENDPOINT"
    return None


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__
