"""Operator commands that cannot be turned against the machine they run on (issue 17 item 10, lesser):
`nq57 run --inbox` never follows a symbolic link out of the inbox, and the warehouse URL can be given
without a password on the command line (where every local user can read it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from nq57.ops import cli, warehouse_url
from nq57.settings import get_settings
from nq57.storage import objectstore

pytestmark = pytest.mark.integration
BUCKET = get_settings().buckets.submissions


def stored_keys(client) -> list[str]:
    return sorted(o.object_name for o in client.list_objects(bucket_name=BUCKET, recursive=True))


def test_inbox_upload_never_follows_symbolic_links(store, tmp_path):
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    (inbox / "T01" / "2026-10").mkdir(parents=True)
    (inbox / "T04").mkdir()
    (outside / "2026-10").mkdir(parents=True)
    (outside / "2026-10" / "other.xlsx").write_bytes(b"not the inbox's")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0\n")
    (inbox / "T01" / "2026-10" / "real.xlsx").write_bytes(b"the real upload")
    (inbox / "T01" / "2026-10" / "passwd.xlsx").symlink_to("/etc/passwd")
    (inbox / "T01" / "2026-10" / "secret.xlsx").symlink_to(secret)
    (inbox / "T01" / "2026-10" / "twin.xlsx").symlink_to(inbox / "T01" / "2026-10" / "real.xlsx")
    (inbox / "T79").symlink_to(outside)  # a whole agency folder elsewhere
    (inbox / "T04" / "2026-10").symlink_to(outside / "2026-10")  # a period folder elsewhere

    assert objectstore.upload_inbox(store, BUCKET, inbox) == [("T01/2026-10/real.xlsx", True)]
    assert stored_keys(store) == ["T01/2026-10/real.xlsx"]
    refused = {p.relative_to(inbox).as_posix(): reason for p, reason in objectstore.scan_inbox(inbox).refused}
    # A linked folder is refused as a whole: what it points at is never even listed.
    assert set(refused) == {"T01/2026-10/passwd.xlsx", "T01/2026-10/secret.xlsx", "T01/2026-10/twin.xlsx",
                            "T79", "T04/2026-10"}
    assert all("symbolic link" in reason for reason in refused.values())


def test_inbox_refuses_names_outside_the_bucket_layout(store, tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "t01" / "october").mkdir(parents=True)
    (inbox / "t01" / "october" / "a.xlsx").write_bytes(b"x")
    (inbox / "T01" / "2026-10").mkdir(parents=True)
    (inbox / "T01" / "2026-10" / "~$lock.xlsx").write_bytes(b"excel lock file")
    for misplaced in ("T01/a.xlsx", "T01/2026-13/a.xlsx", "T01/2026-10/sub/a.xlsx", "T01/10-2026/a.xlsx",
                      "a.xlsx"):
        (inbox / misplaced).parent.mkdir(parents=True, exist_ok=True)
        (inbox / misplaced).write_bytes(b"x")
    (inbox / "T01" / "2026-10" / ".hidden").mkdir()
    (inbox / "T01" / "2026-10" / ".hidden" / "a.xlsx").write_bytes(b"skipped silently")
    assert objectstore.upload_inbox(store, BUCKET, inbox) == []
    assert stored_keys(store) == []
    refused = {p.relative_to(inbox).as_posix(): reason for p, reason in objectstore.scan_inbox(inbox).refused}
    assert set(refused) == {"t01/october/a.xlsx", "T01/a.xlsx", "T01/2026-13/a.xlsx", "T01/2026-10/sub/a.xlsx",
                            "T01/10-2026/a.xlsx", "a.xlsx"}  # at any depth, each saying what is wrong
    assert all(reason.startswith("not laid out as <agency>/<YYYY-MM>/<file>: ") for reason in refused.values())
    assert refused["T01/2026-13/a.xlsx"].endswith("folder '2026-13' is not a month (01-12)")
    assert refused["T01/2026-10/sub/a.xlsx"].endswith("in subfolder 'sub' of the month folder; "
                                                      "it belongs at T01/2026-10/a.xlsx")
    assert refused["T01/10-2026/a.xlsx"].endswith("it belongs at T01/2026-10/a.xlsx")


def test_cli_run_prints_what_the_inbox_refused(pipeline_env, tmp_path, capsys, caplog):
    inbox = tmp_path / "inbox"
    (inbox / "T01" / "2026-10").mkdir(parents=True)
    (inbox / "T01" / "2026-10" / "passwd.xlsx").symlink_to("/etc/passwd")
    assert cli.main(["run", "--period", "2026-10", "--inbox", str(inbox)]) == 0
    captured = capsys.readouterr()
    assert "inbox: refused" in captured.err and "passwd.xlsx: symbolic link" in captured.err
    assert captured.err.count("passwd.xlsx") == 1  # said once, not again as a log line
    assert not [r for r in caplog.records if "inbox: refused" in r.getMessage()]
    (inbox / "T01" / "2026-10" / "sub").mkdir()
    (inbox / "T01" / "2026-10" / "sub" / "a.xlsx").write_bytes(b"x")
    assert cli.main(["run", "--period", "2026-10", "--inbox", str(inbox)]) == 0
    assert ("sub/a.xlsx: not laid out as <agency>/<YYYY-MM>/<file>: in subfolder 'sub' of the month folder; "
            "it belongs at T01/2026-10/a.xlsx") in capsys.readouterr().err
    assert "inbox: 0 uploaded, 0 unchanged" in captured.out


# ---------------------------------------------------------------- the warehouse URL


def test_report_reads_the_warehouse_url_from_a_file(warehouse_url, tmp_path, monkeypatch):
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    secret = tmp_path / "warehouse.url"
    secret.write_text(warehouse_url + "\n")
    secret.chmod(0o600)
    out = tmp_path / "report.xlsx"
    assert cli.main(["report", "--period", "2026-10", "--out", str(out), "--warehouse-file", str(secret)]) == 0
    assert out.stat().st_size > 0


def test_a_password_in_the_process_list_is_warned_about(capsys):
    args = cli.build_parser().parse_args(["report", "--period", "2026-10", "--out", "x.xlsx",
                                          "--warehouse", "postgresql://nq57:hunter2@db.example/nq57"])
    assert make_url(warehouse_url.resolve(args)).password == "hunter2"  # still works
    assert "visible to every local user" in capsys.readouterr().err
    args = cli.build_parser().parse_args(["report", "--period", "2026-10", "--out", "x.xlsx",
                                          "--warehouse", "postgresql://nq57@db.example/nq57"])
    assert warehouse_url.resolve(args) == "postgresql://nq57@db.example/nq57"  # libpq: PGPASSWORD, ~/.pgpass
    assert capsys.readouterr().err == ""


def test_ask_password_prompts_and_keeps_it_off_the_command_line(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "typed p@ss:word")
    args = cli.build_parser().parse_args(["report", "--period", "2026-10", "--out", "x.xlsx",
                                          "--warehouse", "postgresql://nq57@db.example/nq57", "--ask-password"])
    assert make_url(warehouse_url.resolve(args)).password == "typed p@ss:word"


def test_the_password_file_of_libpq_is_used_for_a_url_without_password(warehouse_url, tmp_path):
    """`--warehouse URL` without a password, the password in PGPASSFILE (libpq's ~/.pgpass), in a separate
    process whose command line holds no secret. (The test servers trust local connections, so this proves
    the documented invocation works, not that libpq sent the password: that part is libpq's own.)"""
    url = make_url(warehouse_url)
    pgpass = tmp_path / "pgpass"
    pgpass.write_text("*:*:*:*:right-password\n")
    pgpass.chmod(0o600)
    command = [str(Path(sys.executable).with_name("nq57")), "report", "--period", "2026-10",
               "--out", str(tmp_path / "r.xlsx"), "--warehouse", url.set(password=None).render_as_string()]
    env = {**os.environ, "PGPASSFILE": str(pgpass)}
    env.pop("WAREHOUSE_URL", None)
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "right-password" not in " ".join(command)


def test_bi_login_reads_the_warehouse_url_from_a_file(warehouse_url, tmp_path, monkeypatch):
    from nq57.ops import bi_logins

    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    monkeypatch.setenv("BI_PASSWORD", "a-good-password")
    secret = tmp_path / "warehouse.url"
    secret.write_text(warehouse_url)
    assert cli.main(["bi-login", "--agency", "T01", "--login", "bi_t01_file", "--password-env", "BI_PASSWORD",
                     "--warehouse-file", str(secret)]) == 0
    assert bi_logins.drop_login(warehouse_url, "bi_t01_file") is True
