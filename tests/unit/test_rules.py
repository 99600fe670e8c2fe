"""The rule catalogue is the whole rejection contract: every rule used anywhere is in it, every rule in it
is used where its stage says, and the GX suites agree with it."""

from __future__ import annotations

import ast
import json
import re
import unicodedata
from pathlib import Path

import pytest

from nq57.intake import rules
from nq57.intake.rules import RULES
from nq57.settings import EXPECTATIONS_DIR

PACKAGE = Path(rules.__file__).resolve().parents[1]
RULE_ID = re.compile(r"^(?:file|sheet|table|column|cell|text|info|upload|task|indicator)\.[a-z0-9_]+$")
# Which module checks each stage's rules; the column registry declares the parse rules of cell readers.
STAGE_MODULES = {
    "placement": {"placement.py"},
    "preflight": {"intake/preflight.py"},
    "parse": {"intake/parse.py", "columns.py"},
    "submission": {"intake/submission.py"},
    "ledger": {"intake/submission.py"},
}


def python_rule_ids() -> dict[str, set[str]]:
    """Every string constant in the package that looks like a rule id -> the modules holding it."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        module = path.relative_to(PACKAGE).as_posix()
        if module == "intake/rules.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and RULE_ID.match(node.value):
                found.setdefault(node.value, set()).add(module)
    return found


def suite_expectations() -> list[tuple[str, dict]]:
    return [(path.stem, expectation) for path in sorted(EXPECTATIONS_DIR.glob("*.json"))
            for expectation in json.loads(path.read_text(encoding="utf-8"))["expectations"]]


def test_every_rule_id_used_is_in_the_catalogue_and_every_catalogue_rule_is_used():
    in_python = python_rule_ids()
    in_suites = {e["meta"]["rule"] for _, e in suite_expectations()}
    assert set(in_python) - set(RULES) == set(), "rule ids used in code but missing from intake/rules.py"
    assert in_suites - set(RULES) == set(), "rule ids used in expectations/*.json but missing from intake/rules.py"
    assert set(RULES) - set(in_python) - in_suites == set(), "catalogue rules nothing checks"


def test_each_rule_is_checked_by_the_stage_it_names():
    in_python = python_rule_ids()
    in_suites = {e["meta"]["rule"] for _, e in suite_expectations()}
    for rule in RULES.values():
        if rule.stage == "suite":
            assert rule.id in in_suites and rule.id not in in_python, rule.id
        else:
            assert in_python.get(rule.id, set()) & STAGE_MODULES[rule.stage], rule.id


def test_suite_severity_agrees_with_the_catalogue():
    for suite, expectation in suite_expectations():
        rule = RULES[expectation["meta"]["rule"]]
        expected = "critical" if rule.severity == "error" else "warning"
        assert expectation.get("severity", "critical") == expected, (suite, rule.id)
        assert set(expectation["meta"]) == {"rule"}, f"{suite}: the text of {rule.id} lives in intake/rules.py"


def test_ids_are_unique_and_follow_the_naming_scheme():
    assert len(RULES) == len(rules._RULES)
    assert all(RULE_ID.match(rule_id) for rule_id in RULES)


@pytest.mark.parametrize("rule", RULES.values(), ids=lambda rule: rule.id)
def test_every_message_is_one_nfc_sentence_that_renders(rule):
    for text in (rule.message, rule.hint or ""):
        assert unicodedata.is_normalized("NFC", text)
    issue = rules.issue(rule.id, **{name: "X" for name in rule.fields if name not in {"sheet", "row", "column"}})
    assert (issue.rule, issue.severity) == (rule.id, rule.severity)
    assert issue.message.endswith(".") and "{" not in issue.message, issue.message
    assert rule.severity == "warning" or rule.stage != "preflight" or issue.hint


def test_a_rule_with_a_template_field_left_out_is_a_programming_error():
    with pytest.raises(KeyError):
        rules.issue("column.missing", sheet="NhiemVu")
    with pytest.raises(KeyError):
        rules.issue("no.such_rule")
