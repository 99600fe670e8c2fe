"""`nq57 template`, `sample-data` and `validate` as an operator calls them (DESIGN §6)."""

from __future__ import annotations

import json

import pytest

from nq57.ops.cli import main

from workbooks import filled_bytes, task


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


def test_template_command_writes_a_prefilled_template(tmp_path, capsys):
    out = tmp_path / "mau.xlsx"
    assert main(["template", str(out), "--system", "NQ71", "--agency", "T01", "--period", "2026-10"]) == 0
    assert main(["validate", str(out), "--json"]) == 1  # blank template: no tasks and no nil report
    capsys.readouterr()


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
