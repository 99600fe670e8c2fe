"""`nq57` as an operator calls it (docs/design.md §6): template, sample-data, validate, and every ordinary mistake
answered with one English line and exit status 2, never a traceback (unless -v)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from nq57.ops import cli, warehouse_url
from nq57.ops.cli import main

from workbooks import filled_bytes, task

NQ57 = str(Path(sys.executable).with_name("nq57"))


def one_line(capsys, status: int) -> str:
    """The command failed with exit 2 and said so in exactly one line on stderr, without a traceback."""
    captured = capsys.readouterr()
    assert status == 2, captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    assert captured.out == ""
    return lines[0]


@pytest.mark.usefixtures("gx")
def test_validate_json_reports_each_file_and_exits_1_when_one_is_rejected(tmp_path, capsys):
    good = tmp_path / "good.xlsx"
    bad = tmp_path / "bad.xlsx"
    good.write_bytes(filled_bytes())
    bad.write_bytes(filled_bytes([task(tinh_trang="Đang làm")]))

    status = main(["validate", str(good), str(bad), "--json", "--agency", "BKHCN", "--period", "2026-10"])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 1
    assert [(r["file"], r["accepted"]) for r in lines] == [(str(good), True), (str(bad), False)]
    assert lines[0]["counts"] == {"tasks": 1, "indicators": 0}
    assert (lines[0]["agency_code"], lines[0]["period"], lines[0]["system"]) == ("BKHCN", "2026-10", "NQ57")
    issue = next(i for i in lines[1]["issues"] if i["rule"] == "task.status_invalid")
    assert {k: issue[k] for k in ("severity", "sheet", "row", "column")} == {
        "severity": "error", "sheet": "NhiemVu", "row": 5, "column": "K"}
    assert "không thuộc danh mục" in issue["message"]


@pytest.mark.usefixtures("gx")
def test_validate_exit_0_when_all_accepted(tmp_path, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(filled_bytes())
    assert main(["validate", str(good)]) == 0
    assert "accepted" in capsys.readouterr().out


def test_validate_refuses_a_non_spreadsheet_without_a_traceback(tmp_path, capsys):
    fake = tmp_path / "report.xlsx"
    fake.write_bytes(b"%PDF-1.7 not a workbook")
    assert main(["validate", str(fake), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["accepted"] is False and result["issues"][0]["rule"] == "file.not_spreadsheet"


@pytest.mark.usefixtures("gx")
def test_validate_writes_the_feedback_workbook_a_clerk_can_open(tmp_path, capsys):
    bad = tmp_path / "bao_cao.xlsx"
    bad.write_bytes(filled_bytes([task(tinh_trang="Đang làm")]))
    (tmp_path / "phan_hoi").mkdir()
    out = tmp_path / "phan_hoi" / "bao_cao_phan_hoi.xlsx"
    assert main(["validate", str(bad), "--feedback", str(out), "--agency", "BKHCN", "--period", "2026-10"]) == 1
    assert f"feedback workbook: {out}" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:2] == ["PhanHoi", "HuongDan"]
    text = " ".join(str(c.value) for row in book["PhanHoi"].iter_rows() for c in row if c.value)
    assert "KHÔNG ĐẠT YÊU CẦU" in text and "Đang làm" in text and "Kiểm tra thử trước khi nộp" in text
    assert book["NhiemVu"]["K5"].comment is not None


@pytest.mark.usefixtures("gx")
def test_validate_several_files_writes_one_feedback_each_into_a_directory(tmp_path, capsys):
    for name in ("a.xlsx", "a.xls"):
        (tmp_path / name).write_bytes(filled_bytes())
    out = tmp_path / "feedback"
    status = main(["validate", str(tmp_path / "a.xlsx"), str(tmp_path / "a.xls"), "--feedback", str(out), "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 0
    assert sorted(p.name for p in out.iterdir()) == ["a.xls.feedback.xlsx", "a.xlsx.feedback.xlsx"]
    assert [Path(r["feedback"]).name for r in lines] == ["a.xlsx.feedback.xlsx", "a.xls.feedback.xlsx"]


def test_template_command_writes_a_prefilled_template(tmp_path, capsys):
    out = tmp_path / "mau.xlsx"
    assert main(["template", str(out), "--system", "NQ71", "--agency", "t01", "--period", "2026-10"]) == 0
    assert main(["validate", str(out), "--json"]) == 1  # blank template: no tasks and no nil report
    capsys.readouterr()
    assert openpyxl.load_workbook(out)["ThongTin"]["C4"].value == "T01"


@pytest.mark.usefixtures("gx")
def test_sample_data_has_accepted_files_and_files_with_deliberate_errors(tmp_path, capsys):
    assert main(["sample-data", str(tmp_path), "--period", "2026-10", "--agencies", "6"]) == 0
    files = sorted(tmp_path.glob("*/2026-10/*.xlsx"))
    assert len(files) == 12
    truth = (tmp_path / ".truth_2026-10.csv").read_text().splitlines()
    assert truth[0] == "nq57_task_code,nq71_task_code" and len(truth) > 20
    from nq57.storage.objectstore import scan_inbox

    assert scan_inbox(tmp_path).refused == []  # the folder is an inbox `nq57 run` takes without a word
    capsys.readouterr()
    main(["validate", *map(str, files), "--json", "--period", "2026-10"])
    results = {json.loads(line)["file"].split("/")[-1]: json.loads(line) for line in capsys.readouterr().out.splitlines()}
    rejected = sorted(name for name, r in results.items() if not r["accepted"])
    assert rejected == ["BYT_NQ71_2026-10.xlsx", "T79_NQ71_2026-10.xlsx"]
    errors = {name: {i["rule"] for i in results[name]["issues"] if i["severity"] == "error"} for name in rejected}
    assert errors == {"BYT_NQ71_2026-10.xlsx": {"task.status_invalid"},
                      "T79_NQ71_2026-10.xlsx": {"task.completion_date_missing"}}
    # blank cells are written as nothing, not as empty numbers the reader would call damaged
    assert [i for r in results.values() for i in r["issues"] if i["rule"] == "cell.damaged"] == []


# ---------------------------------------------------------------- operator mistakes: one line, exit 2


def test_unknown_agency(tmp_path, capsys):
    line = one_line(capsys, main(["template", str(tmp_path / "mau.xlsx"), "--agency", "ZZZ"]))
    assert line.startswith("nq57 template: argument --agency: unknown agency code 'ZZZ'")
    assert not (tmp_path / "mau.xlsx").exists()


def test_unknown_agency_when_validating(tmp_path, capsys):
    line = one_line(capsys, main(["validate", str(tmp_path / "x.xlsx"), "--agency", "BKHCNN"]))
    assert "unknown agency code 'BKHCNN'" in line


@pytest.mark.parametrize("argv", [["template", "{dir}"], ["report", "--period", "2026-10", "--out", "{dir}"],
                                  ["review", "export", "--period", "2026-10", "--out", "{dir}"]],
                         ids=["template", "report", "review export"])
def test_output_path_is_a_directory(tmp_path, capsys, argv):
    target = tmp_path / "ra.xlsx"  # a directory whose name looks like a workbook
    target.mkdir()
    line = one_line(capsys, main([a.format(dir=target) for a in argv]))
    assert f"{target} is a directory: name the file to write" in line


def test_output_path_without_the_xlsx_extension(tmp_path, capsys):
    line = one_line(capsys, main(["template", str(tmp_path / "mau.docx")]))
    assert "the file name must end in .xlsx" in line


@pytest.mark.parametrize("period", ["2026-13", "10/2026", "2026-1", "abc"])
def test_bad_period(tmp_path, capsys, period):
    line = one_line(capsys, main(["sample-data", str(tmp_path), "--period", period]))
    assert f"period must be YYYY-MM (e.g. 2026-10), got {period!r}" in line


def test_bad_number(tmp_path, capsys):
    line = one_line(capsys, main(["sample-data", str(tmp_path), "--period", "2026-10", "--agencies", "0"]))
    assert "0 must be at least 1" in line
    line = one_line(capsys, main(["sample-data", str(tmp_path), "--period", "2026-10", "--agencies", "500"]))
    assert "the reference list has 58 agencies" in line


def test_bad_submission_id(capsys):
    line = one_line(capsys, main(["reprocess", "12a"]))
    assert "'12a' is not a submission id" in line


def test_missing_file_to_validate(tmp_path, capsys):
    line = one_line(capsys, main(["validate", str(tmp_path / "khong_co.xlsx")]))
    assert line == f"nq57 validate: {tmp_path / 'khong_co.xlsx'}: no such file or directory"


def test_a_directory_to_validate(tmp_path, capsys):
    line = one_line(capsys, main(["validate", str(tmp_path)]))
    assert line == f"nq57 validate: {tmp_path}: is a directory, not a file"


def test_json_is_always_json_even_for_an_unreadable_file(tmp_path, capsys):
    status = main(["validate", str(tmp_path / "khong_co.xlsx"), "--json"])
    captured = capsys.readouterr()
    assert status == 2 and captured.err == ""
    assert json.loads(captured.out) == {"file": str(tmp_path / "khong_co.xlsx"), "accepted": False,
                                        "error": f"{tmp_path / 'khong_co.xlsx'}: no such file or directory"}
    assert main(["validate", "x.xlsx", "--json", "--period", "2026-13"]) == 2
    assert "period must be YYYY-MM" in json.loads(capsys.readouterr().out)["error"]


def test_feedback_file_for_several_files(tmp_path, capsys):
    line = one_line(capsys, main(["validate", "a.xlsx", "b.xlsx", "--feedback", str(tmp_path / "f.xlsx")]))
    assert "names one file but 2 files are validated: give a directory instead" in line


def test_missing_review_file(tmp_path, capsys):
    line = one_line(capsys, main(["review", "import", str(tmp_path / "ra_soat.xlsx")]))
    assert line == f"nq57 review import: {tmp_path / 'ra_soat.xlsx'}: no such file or directory"


@pytest.mark.parametrize("content", ["not a workbook", "a workbook without RaSoat", "RaSoat without codes"])
def test_malformed_review_file(tmp_path, capsys, content):
    path = tmp_path / "ra_soat.xlsx"
    if content == "not a workbook":
        path.write_text("Quyết định;Đúng\n")
    else:
        book = openpyxl.Workbook()
        book.active.title = "RaSoat" if "without codes" in content else "Sheet1"
        book.save(path)
    line = one_line(capsys, main(["review", "import", str(path)]))
    assert line.startswith("nq57 review import: ") and ("ra_soat.xlsx" in line or "column codes" in line)


def test_malformed_warehouse_url(tmp_path, capsys):
    line = one_line(capsys, main(["report", "--period", "2026-10", "--out", str(tmp_path / "r.xlsx"),
                                  "--warehouse", "localhost:5432/nq57"]))
    assert line.startswith("nq57 report: the warehouse URL (--warehouse) is not a PostgreSQL URL") and "localhost" not in line


def test_unreachable_warehouse(tmp_path, capsys, closed_port, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", f"postgres://nq57:secret@127.0.0.1:{closed_port}/nq57")
    line = one_line(capsys, main(["report", "--period", "2026-10", "--out", str(tmp_path / "r.xlsx")]))
    assert line.startswith(f"nq57 report: cannot reach the warehouse at 127.0.0.1:{closed_port}/nq57")
    assert "secret" not in line


def test_unreachable_store(tmp_path, capsys, closed_port, monkeypatch):
    monkeypatch.setenv("OBJECT_STORE_ENDPOINT", f"127.0.0.1:{closed_port}")
    monkeypatch.setenv("OBJECT_STORE_ACCESS_KEY", "nq57")
    monkeypatch.setenv("OBJECT_STORE_SECRET_KEY", "nq57-secret")
    monkeypatch.setenv("WAREHOUSE_URL", f"postgresql://nq57@127.0.0.1:{closed_port}/nq57")
    line = one_line(capsys, main(["run", "--period", "2026-10"]))
    assert line.startswith(f"nq57 run: the object store at 127.0.0.1:{closed_port} did not answer")


def test_missing_inbox(tmp_path, capsys):
    line = one_line(capsys, main(["run", "--period", "2026-10", "--inbox", str(tmp_path / "hop_thu")]))
    assert line == f"nq57 run: --inbox {tmp_path / 'hop_thu'}: no such directory"


def test_unknown_command_and_option(capsys):
    assert "invalid choice: 'validat'" in one_line(capsys, main(["validat", "x.xlsx"]))
    assert "unrecognized arguments: --jsn" in one_line(capsys, main(["validate", "x.xlsx", "--jsn"]))


@pytest.mark.parametrize("argv", [["-v", "template", "{out}", "--agency", "ZZZ"],
                                  ["template", "-v", "{out}", "--agency", "ZZZ"],
                                  ["template", "{out}", "--agency", "ZZZ", "-v"],
                                  ["template", "{out}", "--verbose", "--agency", "ZZZ"]])
def test_verbose_is_accepted_anywhere(tmp_path, capsys, argv):
    line = one_line(capsys, main([a.format(out=tmp_path / "m.xlsx") for a in argv]))
    assert "unknown agency code 'ZZZ'" in line  # a usage mistake: no traceback even with -v


def test_verbose_shows_the_traceback_of_a_failure(tmp_path, capsys):
    assert main(["-v", "validate", str(tmp_path / "khong_co.xlsx")]) == 2
    # a file that cannot be read is reported per file, the other files are still judged: no traceback
    assert "Traceback" not in capsys.readouterr().err
    assert main(["review", "import", str(tmp_path / "khong_co.xlsx"), "-v"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.strip().splitlines()[-1].endswith("khong_co.xlsx: no such file or directory")


# ---------------------------------------------------------------- outputs: never an input, checked before any work


def test_feedback_is_never_the_file_being_validated(tmp_path, capsys, monkeypatch):
    """The agency's file must survive `--feedback` naming it, however it is spelled."""
    original = filled_bytes()
    (tmp_path / "X.xlsx").write_bytes(original)
    (tmp_path / "link.xlsx").symlink_to(tmp_path / "X.xlsx")
    (tmp_path / "hard.xlsx").hardlink_to(tmp_path / "X.xlsx")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    for feedback in ("X.xlsx", "./X.xlsx", "sub/../X.xlsx", str(tmp_path / "X.xlsx"), "link.xlsx", "hard.xlsx"):
        line = one_line(capsys, main(["validate", "X.xlsx", "--feedback", feedback]))
        assert "is the file being validated" in line and line.endswith("; give another path"), line
    assert one_line(capsys, main(["validate", "X.xlsx", "--feedback", "X.xlsx"])) == (
        "nq57 validate: --feedback X.xlsx is the file being validated; give another path")
    # a directory whose <name>.feedback.xlsx is one of the files
    (tmp_path / "X.xlsx.feedback.xlsx").write_bytes(original)
    line = one_line(capsys, main(["validate", "X.xlsx", "X.xlsx.feedback.xlsx", "--feedback", "."]))
    assert "X.xlsx.feedback.xlsx is the file being validated" in line
    assert (tmp_path / "X.xlsx").read_bytes() == original == (tmp_path / "X.xlsx.feedback.xlsx").read_bytes()


def test_an_output_is_never_a_file_the_command_reads(tmp_path, capsys):
    secret = tmp_path / "warehouse.xlsx"  # an odd name for a URL file, but it must survive --out naming it
    secret.write_text("postgresql://nq57@127.0.0.1:1/nq57\n")
    line = one_line(capsys, main(["report", "--period", "2026-10", "--out", str(secret), "--warehouse-file",
                                  str(secret)]))
    assert line == f"nq57 report: --out {secret} is the --warehouse-file; give another path"
    line = one_line(capsys, main(["review", "export", "--period", "2026-10", "--out", str(secret),
                                  "--warehouse-file", str(secret)]))
    assert "is the --warehouse-file" in line
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    line = one_line(capsys, main(["run", "--period", "2026-10", "--inbox", str(inbox), "--out", str(inbox / "out")]))
    assert line == f"nq57 run: --out {inbox / 'out'} is inside {inbox}, which this command reads; give another folder"
    assert secret.read_text() == "postgresql://nq57@127.0.0.1:1/nq57\n" and list(inbox.iterdir()) == []


@pytest.mark.parametrize("argv", [["validate", "{x}", "--feedback", "{missing}/out.xlsx"],
                                  ["validate", "{x}", "{x}", "--feedback", "{missing}/out"],
                                  ["template", "{missing}/t.xlsx"],
                                  ["report", "--period", "2026-10", "--out", "{missing}/r.xlsx"],
                                  ["review", "export", "--period", "2026-10", "--out", "{missing}/r.xlsx"],
                                  ["run", "--period", "2026-10", "--out", "{missing}/out"],
                                  ["sample-data", "{missing}/out", "--period", "2026-10"],
                                  ["demo", "--workdir", "{missing}/work"],
                                  ["policies", "{missing}/minio"]],
                         ids=["validate", "validate dir", "template", "report", "review export", "run", "sample-data",
                              "demo", "policies"])
def test_an_output_in_a_folder_that_does_not_exist_is_refused_up_front(tmp_path, capsys, argv):
    """One rule for every command: nq57 creates no folder the operator did not ask for (a typo in a path
    would otherwise scatter folders), and says so before any work (no service started, nothing written)."""
    missing = tmp_path / "khong_co" / "thu_muc"
    line = one_line(capsys, main([a.format(x=tmp_path / "x.xlsx", missing=missing) for a in argv]))
    assert line.endswith(f"folder {missing} does not exist: create it first, or name another"), line
    assert not (tmp_path / "khong_co").exists()


def test_run_out_that_is_a_file_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    existing = tmp_path / "ket_qua"
    existing.write_text("not a folder")
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    monkeypatch.setenv("NQ57_STATE_DIR", str(tmp_path / "state"))
    line = one_line(capsys, main(["run", "--period", "2026-10", "--out", str(existing)]))
    assert line == f"nq57 run: --out {existing} is a file, not a folder: name a folder (created when missing)"
    assert not (tmp_path / "state").exists()  # no embedded server was started


# ---------------------------------------------------------------- services and settings: one line naming the fix


@pytest.mark.parametrize("url", ["mysql://nobody@127.0.0.1:1/x", "sqlite:///x.db", "postgresql+asyncpg://u@127.0.0.1:1/x",
                                 "postgresql+pg8000://u@127.0.0.1:1/x", "not a url"])
@pytest.mark.parametrize("command", [["report", "--period", "2026-10", "--out", "r.xlsx"], ["reprocess", "1"],
                                     ["review", "export", "--period", "2026-10", "--out", "r.xlsx"],
                                     ["run", "--period", "2026-10"], ["init"],
                                     ["bi-login", "--reader", "bi_x", "--password-env", "HOME"]])
def test_only_postgresql_urls_are_accepted(tmp_path, capsys, monkeypatch, url, command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OBJECT_STORE_ENDPOINT", "127.0.0.1:1")
    line = one_line(capsys, main([*command, "--warehouse", url]))
    assert "the warehouse URL (--warehouse)" in line and "postgresql://USER@HOST:PORT/DATABASE" in line, line
    assert "nobody" not in line and "x.db" not in line


def test_libpq_urls_of_other_spellings_are_read_with_psycopg():
    assert warehouse_url.check("postgresql+psycopg2://u:p@h:5/d?sslmode=require") == \
        "postgresql+psycopg://u:p@h:5/d?sslmode=require"
    for url in ("postgresql://u@h/d", "postgres://u@h/d", "postgresql+psycopg://u@h/d"):
        assert warehouse_url.check(url) == url


def test_ask_password_without_a_terminal(tmp_path):
    """No controlling terminal (a new session) and stdin at end of file: getpass would warn and fail with
    EOFError; nq57 says what to use instead."""
    env = {**os.environ, "PYTHONPATH": str(Path(cli.__file__).resolve().parents[2])}
    done = subprocess.run([NQ57, "report", "--period", "2026-10", "--out", str(tmp_path / "r.xlsx"), "--warehouse",
                           "postgresql://nq57@127.0.0.1:1/nq57", "--ask-password"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=env, timeout=600, check=False, start_new_session=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == ("nq57 report: no terminal to ask the password on; use --warehouse-file or "
                                   "PGPASSFILE"), done.stderr


BAD_SETTINGS = {"WAREHOUSE_STATEMENT_TIMEOUT": "bogus", "WAREHOUSE_LOCK_TIMEOUT": "1 minute",
                "WAREHOUSE_IDLE_IN_TRANSACTION_TIMEOUT": "-5s", "WAREHOUSE_CONNECT_TIMEOUT": "abc",
                "OBJECT_STORE_CONNECT_TIMEOUT": "ten", "OBJECT_STORE_READ_TIMEOUT": "0", "OBJECT_STORE_RETRIES": "abc",
                "OBJECT_STORE_SECURE": "maybe", "OBJECT_STORE_ENDPOINT": "not a host", "NQ57_MAX_FILE_BYTES": "20MB",
                "NQ57_MAX_ROWS": "-1", "NQ57_UPLOADS_PER_RUN": "0", "NQ57_BATCH_SIZE": "ten",
                "NQ57_CONSOLIDATION_LOCK_WAIT": "forever"}


def test_every_parsed_setting_is_listed_here():
    import re

    from nq57 import settings

    source = "".join(Path(m.__file__).read_text() for m in (settings, __import__("nq57.dedupe.consolidate").dedupe.consolidate))
    parsed = set(re.findall(r'\b(?:integer|number|flag|duration|endpoint)\("([A-Z0-9_]+)"', source))
    assert parsed == set(BAD_SETTINGS)
    assert "os.getenv" not in Path(settings.__file__).read_text().split("class Settings", 1)[1].split(
        "warehouse_url", 1)[0]


@pytest.mark.parametrize("name", sorted(BAD_SETTINGS))
def test_a_bad_setting_names_itself(monkeypatch, name):
    from nq57 import settings
    from nq57.dedupe import consolidate  # noqa: F401 (reads NQ57_CONSOLIDATION_LOCK_WAIT)

    monkeypatch.setenv(name, BAD_SETTINGS[name])
    with pytest.raises(settings.SettingError, match=f"^{name}=") as raised:
        settings.Settings(), settings.Timeouts(), settings.duration("NQ57_CONSOLIDATION_LOCK_WAIT", "15min")
    assert BAD_SETTINGS[name] in str(raised.value)


@pytest.mark.parametrize("name", ["WAREHOUSE_STATEMENT_TIMEOUT", "WAREHOUSE_CONNECT_TIMEOUT", "OBJECT_STORE_RETRIES",
                                  "OBJECT_STORE_SECURE", "OBJECT_STORE_ENDPOINT", "OBJECT_STORE_READ_TIMEOUT"])
@pytest.mark.parametrize("command", [["run", "--period", "2026-10"], ["init"]])
def test_cli_says_which_setting_is_bad_in_one_line(tmp_path, capsys, monkeypatch, closed_port, name, command):
    monkeypatch.setenv("WAREHOUSE_URL", f"postgresql://nq57@127.0.0.1:{closed_port}/nq57")
    monkeypatch.setenv("OBJECT_STORE_ENDPOINT", f"127.0.0.1:{closed_port}")
    monkeypatch.setenv(name, BAD_SETTINGS[name])
    monkeypatch.chdir(tmp_path)
    line = one_line(capsys, main(command))
    assert line.startswith(f"nq57 {command[0]}: {name}='{BAD_SETTINGS[name]}': "), line


def test_object_store_secure_takes_the_usual_yes_and_no(monkeypatch):
    from nq57.settings import Settings

    for value, expected in (("TRUE", True), ("yes", True), ("1", True), ("off", False), ("0", False), ("", False)):
        monkeypatch.setenv("OBJECT_STORE_SECURE", value)
        assert Settings().object_store_secure is expected


def test_reprocess_without_a_store_names_the_variable(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("OBJECT_STORE_ENDPOINT", raising=False)
    monkeypatch.setenv("NQ57_STATE_DIR", str(tmp_path / "state"))
    line = one_line(capsys, main(["reprocess", "1"]))
    assert line.startswith("nq57 reprocess: needs the pipeline's object store") and "set OBJECT_STORE_ENDPOINT" in line
    assert not (tmp_path / "state").exists()


@pytest.mark.parametrize(("unset", "named"), [(["OBJECT_STORE_ENDPOINT"], "no object store (set OBJECT_STORE_ENDPOINT"),
                                              (["WAREHOUSE_URL"], "no warehouse (set WAREHOUSE_URL"),
                                              (["WAREHOUSE_URL", "OBJECT_STORE_ENDPOINT"], "no warehouse (set WAREHOUSE_URL")])
def test_init_says_which_service_is_missing(capsys, monkeypatch, closed_port, unset, named):
    monkeypatch.setenv("WAREHOUSE_URL", f"postgresql://nq57@127.0.0.1:{closed_port}/nq57")
    monkeypatch.setenv("OBJECT_STORE_ENDPOINT", f"127.0.0.1:{closed_port}")
    for name in unset:
        monkeypatch.delenv(name)
    line = one_line(capsys, main(["init"]))
    assert line.startswith(f"nq57 init: {named}") and ("and no object store" in line) == (len(unset) == 2), line


def test_help_of_commands_that_use_the_embedded_warehouse_says_which_one():
    text = cli.build_parser()._subparsers._group_actions[0].choices["report"].format_help()
    assert "embedded PostgreSQL kept in .nq57/" in " ".join(text.split())
    assert "else an embedded server" not in cli.build_parser().format_help()


# ---------------------------------------------------------------- bi-login and policies: the same contract


@pytest.mark.parametrize(("argv", "expected"), [
    (["--agency", "T01"], "--password-env VAR is required"),
    (["--agency", "T01", "--password-env", "NQ57_UNSET_VARIABLE"],
     "environment variable NQ57_UNSET_VARIABLE (--password-env) is not set or empty"),
    (["--agency", "T01", "--password-env", "HOME"], "no warehouse: set WAREHOUSE_URL"),
    (["--reader", "Bad-Name", "--password-env", "HOME", "--warehouse", "postgresql://u@127.0.0.1:1/x"],
     "not a usable login name: 'Bad-Name'"),
    (["--reader", "x", "--agency", "T01"], "argument --agency: not allowed with argument --reader"),
    (["--reader", "bi_x", "--login", "bi_y"], "--login goes with --agency"),
])
def test_bi_login_mistakes_are_one_line(capsys, monkeypatch, argv, expected):
    from nq57.ops import bi_logins

    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    for run in (main, None):
        status = main(["bi-login", *argv]) if run else bi_logins.main_bi(argv)
        line = one_line(capsys, status)
        assert line.startswith("nq57 bi-login: ") and expected in line, line


def test_bi_login_and_policies_list_verbose_like_the_others():
    choices = cli.build_parser()._subparsers._group_actions[0].choices
    for name in ("bi-login", "policies", "report"):
        assert "-v, --verbose" in choices[name].format_help(), name


def test_policies_check_of_a_missing_directory(tmp_path, capsys):
    line = one_line(capsys, main(["policies", str(tmp_path / "khong_co"), "--check"]))
    assert line.startswith(f"nq57 policies: {tmp_path / 'khong_co'}: no such directory")


# ---------------------------------------------------------------- messages name the command and its help


def test_errors_name_the_review_action_and_its_help(capsys):
    line = one_line(capsys, main(["review", "export", "--period", "2026-10", "--out", "r.xlsx", "--bogus"]))
    assert line == "nq57 review export: unrecognized arguments: --bogus (see nq57 review export --help)"
    line = one_line(capsys, main(["validate", "x.xlsx", "--jsn"]))
    assert line == "nq57 validate: unrecognized arguments: --jsn (see nq57 validate --help)"
    line = one_line(capsys, main(["review", "import"]))
    assert line.startswith("nq57 review import: the following arguments are required: FILE.xlsx")


@pytest.mark.parametrize("argv", [["--json", "validate", "x.xlsx"], ["--period", "2026-10", "report", "--out", "r.xlsx"]])
def test_an_option_before_the_command_is_told_where_it_goes(capsys, argv):
    line = one_line(capsys, main(argv))
    assert line.startswith(f"nq57 {argv[-2] if argv[0] == '--json' else 'report'}: {argv[0]} goes after the command")


def test_validate_help_matches_its_exit_statuses():
    text = " ".join(cli.build_parser()._subparsers._group_actions[0].choices["validate"].format_help().split())
    assert "2 if a FILE does not exist or is not a file" in text and "damaged workbook is rejected" in text


@pytest.mark.usefixtures("gx")
def test_a_truncated_workbook_is_a_rejected_submission(tmp_path, capsys):
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(filled_bytes()[:3000])
    assert main(["validate", str(cut), "--feedback", str(tmp_path / "phan_hoi.xlsx")]) == 1
    assert "REJECTED" in capsys.readouterr().out and (tmp_path / "phan_hoi.xlsx").stat().st_size > 0


def test_counts_are_pluralised():
    from nq57.ops.summary import counted

    assert [counted(n, "error") for n in (0, 1, 2)] == ["0 errors", "1 error", "2 errors"]


def _actions(parser: argparse.ArgumentParser, prog: str = "nq57"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _actions(child, f"{prog} {name}")
        elif not isinstance(action, argparse._HelpAction):
            yield prog, action


def test_every_option_and_argument_has_help_text():
    missing = [(prog, action.dest) for prog, action in _actions(cli.build_parser()) if not (action.help or "").strip()]
    assert missing == []
    subcommands = [a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)][0]
    assert all(choice.help for choice in subcommands._choices_actions)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.usefixtures("gx")  # the child process runs the Great Expectations suites
def test_validate_prints_nothing_but_its_verdict(tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(filled_bytes())
    env = {**os.environ, "PYTHONPATH": str(Path(cli.__file__).resolve().parents[2])}
    for argv in ([NQ57, "validate", str(good)], [NQ57, "validate", str(good), "-v"]):
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[0].endswith("accepted (1 task, 0 indicators, 0 errors, 1 warning)")
        assert all(line.startswith("INFO nq57") for line in done.stderr.splitlines()), done.stderr  # no library line
