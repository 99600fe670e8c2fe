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

from nq57.ops import cli
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
    truth = (tmp_path / "truth_2026-10.csv").read_text().splitlines()
    assert truth[0] == "nq57_task_code,nq71_task_code" and len(truth) > 20
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
    assert line == f"nq57 review: {tmp_path / 'ra_soat.xlsx'}: no such file or directory"


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
    assert line.startswith("nq57 review: ") and ("ra_soat.xlsx" in line or "column codes" in line)


def test_malformed_warehouse_url(tmp_path, capsys):
    line = one_line(capsys, main(["report", "--period", "2026-10", "--out", str(tmp_path / "r.xlsx"),
                                  "--warehouse", "localhost:5432/nq57"]))
    assert line.startswith("nq57 report: the warehouse URL is not a ") and "localhost" not in line


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
        assert done.stdout.splitlines()[0].endswith("accepted (1 tasks, 0 indicators, 0 errors, 1 warnings)")
        assert all(line.startswith("INFO nq57") for line in done.stderr.splitlines()), done.stderr  # no library line
