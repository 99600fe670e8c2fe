"""Where command-line tools get the warehouse URL without putting a password in the process list.

Anything on a command line is readable by every local user (`ps`, /proc/<pid>/cmdline) for as long as
the command runs. So, in order of preference:

1. `WAREHOUSE_URL` in the environment (what the DAGs use), or `--warehouse-file FILE` (a file holding
   the URL, e.g. a mounted secret; only its first line is read);
2. `--warehouse URL` without a password, the password coming from libpq's own sources: the `PGPASSWORD`
   environment variable or the password file (`~/.pgpass`, or `PGPASSFILE`), or typed at a prompt with
   `--ask-password`;
3. `--warehouse URL` with a password still works, with a warning on stderr.

Whatever the source, the URL must be PostgreSQL's (`check`): `postgresql://`, `postgres://` or
`postgresql+psycopg://`; `postgresql+psycopg2://` names the same libpq connection string and is read as
`postgresql+psycopg://` (psycopg 3 is the only driver installed); any other driver or database is refused
before anything connects.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import warnings
from pathlib import Path

from sqlalchemy.engine import make_url


class WarehouseUrlError(ValueError):
    """The warehouse URL could not be had from the options given, or is not a PostgreSQL URL."""


#: Schemes read as they are (nq57.storage.warehouse.engine reads the first two as postgresql+psycopg).
POSTGRESQL_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
#: Schemes of the same libpq connection string through another driver: rewritten to psycopg 3.
LIBPQ_SCHEMES = ("postgresql+psycopg2",)
EXAMPLE = "postgresql://USER@HOST:PORT/DATABASE"


def add_options(parser: argparse.ArgumentParser, help_default: str = "$WAREHOUSE_URL") -> None:
    """`--warehouse URL`, `--warehouse-file FILE`, `--ask-password` on `parser`."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--warehouse", metavar="URL",
                       help=f"PostgreSQL URL without a password (default: {help_default}); the password comes "
                            "from PGPASSWORD, ~/.pgpass or --ask-password")
    group.add_argument("--warehouse-file", metavar="FILE", type=Path,
                       help="read the warehouse URL (password included) from the first line of FILE")
    parser.add_argument("--ask-password", action="store_true",
                        help="prompt for the warehouse password (not echoed)")


def resolve(args: argparse.Namespace) -> str | None:
    """The URL the options and the environment name, or None when none does.

    Raises:
        WarehouseUrlError: an unreadable or empty --warehouse-file, or an unparsable URL.
    """
    url: str | None
    if getattr(args, "warehouse_file", None):
        try:
            lines = args.warehouse_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise WarehouseUrlError(f"cannot read --warehouse-file {args.warehouse_file}: {exc.strerror}") from None
        url = lines[0].strip() if lines else ""
        if not url:
            raise WarehouseUrlError(f"--warehouse-file {args.warehouse_file} is empty")
    elif getattr(args, "warehouse", None):
        url = check(args.warehouse, _source(args))
        if make_url(url).password:
            print("warning: the password in --warehouse is visible to every local user in the process list; "
                  "use PGPASSWORD, ~/.pgpass, --ask-password, --warehouse-file or WAREHOUSE_URL instead",
                  file=sys.stderr)
    else:
        url = os.getenv("WAREHOUSE_URL") or None
    if url is None:
        return None
    url = check(url, _source(args))  # the file's or the environment's (--warehouse's is checked above)
    if getattr(args, "ask_password", False):
        url = make_url(url).set(password=_ask_password()).render_as_string(hide_password=False)
    return url


def check(url: str, source: str = "the warehouse URL") -> str:
    """`url` if it is a PostgreSQL URL nq57 can connect with (psycopg2's scheme rewritten to psycopg's).

    Raises:
        WarehouseUrlError: not a database URL, another database, or a driver other than libpq's. The
            message names `source` (e.g. "the warehouse URL (--warehouse)"), never the URL (it may hold a password).
    """
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    try:
        make_url(url)
    except Exception:  # sqlalchemy's ArgumentError repeats the URL: do not echo it
        scheme = ""
    if scheme in POSTGRESQL_SCHEMES:
        return url
    if scheme in LIBPQ_SCHEMES:
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if scheme.startswith("postgresql+"):
        raise WarehouseUrlError(f"{source} names the driver {scheme.split('+', 1)[1]}: nq57 connects through "
                                f"psycopg (libpq); write it as {EXAMPLE}")
    kind = f" ({scheme.split('+', 1)[0]})" if scheme else ""
    raise WarehouseUrlError(f"{source} is not a PostgreSQL URL{kind}: expected {EXAMPLE}")


def _source(args: argparse.Namespace) -> str:
    if getattr(args, "warehouse_file", None):
        return f"the warehouse URL (--warehouse-file {args.warehouse_file})"
    if getattr(args, "warehouse", None):
        return "the warehouse URL (--warehouse)"
    return "the warehouse URL (WAREHOUSE_URL)"


def _ask_password() -> str:
    """The password typed at the terminal (not echoed).

    Raises:
        WarehouseUrlError: there is no terminal (getpass would read stdin, echoing, after a warning).
    """
    no_terminal = WarehouseUrlError("no terminal to ask the password on; use --warehouse-file or PGPASSFILE")
    with warnings.catch_warnings():
        warnings.simplefilter("error", getpass.GetPassWarning)
        try:
            return getpass.getpass("warehouse password: ")
        except (getpass.GetPassWarning, EOFError):
            raise no_terminal from None
