"""`sql/queries/` holds the statements the package runs: every file is used, every name used has a file."""

from __future__ import annotations

import ast
from pathlib import Path

from nq57.settings import SQL_DIR
from nq57.storage import warehouse

PACKAGE = Path(warehouse.__file__).resolve().parents[1]
QUERIES = {path.stem for path in (SQL_DIR / "queries").glob("*.sql")}


def string_constants() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return found


def named_query_calls() -> set[str]:
    """Names passed as a literal to `named_query(...)` anywhere in the package."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "named_query"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    return found


def test_every_named_query_has_its_file():
    assert named_query_calls() - QUERIES == set()


def test_every_query_file_is_used_and_says_what_it_holds():
    assert QUERIES - string_constants() == set(), "query files nothing runs"
    for name in QUERIES:
        text = warehouse.named_query(name)
        assert text.startswith("-- "), f"{name}.sql: start with a comment saying what it holds"
