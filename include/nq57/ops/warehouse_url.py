"""Where command-line tools get the warehouse URL without putting a password in the process list.

Anything on a command line is readable by every local user (`ps`, /proc/<pid>/cmdline) for as long as
the command runs. So, in order of preference:

1. `WAREHOUSE_URL` in the environment (what the DAGs use), or `--warehouse-file FILE` (a file holding
   the URL, e.g. a mounted secret; only its first line is read);
2. `--warehouse URL` without a password, the password coming from libpq's own sources: the `PGPASSWORD`
   environment variable or the password file (`~/.pgpass`, or `PGPASSFILE`), or typed at a prompt with
   `--ask-password`;
3. `--warehouse URL` with a password still works, with a warning on stderr.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from sqlalchemy.engine import make_url


class WarehouseUrlError(ValueError):
    """The warehouse URL could not be had from the options given."""


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
        url = args.warehouse
        if _password(url):
            print("warning: the password in --warehouse is visible to every local user in the process list; "
                  "use PGPASSWORD, ~/.pgpass, --ask-password, --warehouse-file or WAREHOUSE_URL instead",
                  file=sys.stderr)
    else:
        url = os.getenv("WAREHOUSE_URL") or None
    if url and getattr(args, "ask_password", False):
        password = getpass.getpass("warehouse password: ")
        url = make_url(url).set(password=password).render_as_string(hide_password=False)
    return url


def _password(url: str) -> str | None:
    try:
        return make_url(url).password
    except Exception as exc:  # sqlalchemy raises ArgumentError with the URL in it: do not echo it
        raise WarehouseUrlError("the warehouse URL is not a valid database URL") from exc
