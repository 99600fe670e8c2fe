"""The CLI against real services: mistakes that need a warehouse or a store to be found (one line, exit 2),
`postgres://` URLs, where `nq57 run` puts its outputs, and the feedback workbook the pipeline sends: the same
as `nq57 validate --feedback`, with a receipt that says which version counts."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from nq57 import pipeline
from nq57.ops.cli import main
from nq57.outputs import feedback
from nq57.settings import get_settings
from nq57.storage import objectstore, warehouse

from workbooks import filled_bytes, task

pytestmark = pytest.mark.usefixtures("gx")
BUCKETS = get_settings().buckets


def one_line(capsys, status: int) -> str:
    captured = capsys.readouterr()
    assert status == 2, captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    return lines[0]


def ingest_all(services) -> list[dict]:
    """Judge and answer every new upload, as one ingest run does; the outcomes as dicts."""
    return [outcome for batch in pipeline.discover(services) for outcome in pipeline.ingest_batch(services, batch)]


def phan_hoi(body: bytes) -> list[list[object]]:
    return [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(body))[feedback.SHEET].iter_rows()]


def receipt_line(body: bytes, label: str) -> str:
    return next(row[4] for row in phan_hoi(body) if row[0] == label)


def test_unknown_submission_id(pipeline_env, capsys):
    line = one_line(capsys, main(["reprocess", "999999", "--warehouse", pipeline_env.warehouse_url]))
    assert line.startswith("nq57 reprocess: unknown submission id 999999")


def test_a_warehouse_that_is_not_initialised(services, tmp_path, capsys):
    admin = make_url(warehouse.engine(services.warehouse_url).url)
    name = f"nq57_empty_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin.set(database=name).render_as_string(hide_password=False)
        line = one_line(capsys, main(["report", "--period", "2026-10", "--out", str(tmp_path / "r.xlsx"),
                                      "--warehouse", url]))
        assert "the warehouse" in line and "is not initialised" in line
        assert "run `nq57 init` first" in line
    finally:
        warehouse.engine.cache_clear()
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def test_a_postgres_url_is_accepted(warehouse_url, tmp_path, capsys):
    url = make_url(warehouse_url).set(drivername="postgres").render_as_string(hide_password=False)
    assert url.startswith("postgres://")
    out = tmp_path / "bao_cao.xlsx"
    assert main(["report", "--period", "2026-10", "--out", str(out), "--warehouse", url]) == 0
    assert out.stat().st_size > 0 and out.with_suffix(".docx").stat().st_size > 0
    capsys.readouterr()


def test_run_copies_report_document_and_feedback_next_to_each_other(pipeline_env, store, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    (inbox / "BKHCN" / "2026-10").mkdir(parents=True)
    (inbox / "T01" / "2026-10").mkdir(parents=True)
    (inbox / "BKHCN" / "2026-10" / "bao_cao.xlsx").write_bytes(filled_bytes())
    (inbox / "T01" / "2026-10" / "bao_cao.xlsx").write_bytes(
        filled_bytes([task(tinh_trang="Đang làm", co_quan_chu_tri="T01")], agency="T01"))
    out = tmp_path / "ket_qua"
    assert main(["run", "--period", "2026-10", "--inbox", str(inbox), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    expected = [out / "bao_cao_tong_hop_2026-10.xlsx", out / "bao_cao_tong_hop_2026-10.docx",
                out / "feedback" / "T01" / "bao_cao.xlsx.feedback.xlsx",
                out / "feedback" / "BKHCN" / "bao_cao.xlsx.feedback.xlsx"]
    for path in expected:
        assert path.stat().st_size > 0 and str(path) in printed, path
    assert f"  rejected: {expected[2]}" in printed and f"  accepted: {expected[3]}" in printed


def test_run_against_a_configured_store_prints_urls_that_resolve(pipeline_env, store, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    (inbox / "BKHCN" / "2026-10").mkdir(parents=True)
    (inbox / "BKHCN" / "2026-10" / "bao_cao.xlsx").write_bytes(filled_bytes())
    assert main(["run", "--period", "2026-10", "--inbox", str(inbox)]) == 0
    urls = [word for line in capsys.readouterr().out.splitlines() for word in line.split()
            if word.startswith("s3://") and not word.endswith("/")]
    assert len(urls) == 3  # report, document, one feedback workbook
    for url in urls:
        bucket, key = url.removeprefix("s3://").split("/", 1)
        assert objectstore.fetch(store, bucket, key)


def test_run_copies_what_the_store_holds_and_names_what_it_does_not(pipeline_env, store, services, tmp_path,
                                                                    capsys):
    """The warehouse keeps every upload of the period, the store may not (the embedded one is new on every
    command): the copy-out says which outputs are not in this store and the run still succeeds."""
    import urllib.request

    inbox = tmp_path / "inbox"
    (inbox / "BKHCN" / "2026-10").mkdir(parents=True)
    (inbox / "BKHCN" / "2026-10" / "bao_cao.xlsx").write_bytes(filled_bytes())
    assert main(["run", "--period", "2026-10", "--inbox", str(inbox), "--out", str(tmp_path / "first")]) == 0
    capsys.readouterr()
    urllib.request.urlopen(urllib.request.Request(f"http://{services.store.endpoint}/moto-api/reset", method="POST"))
    objectstore.ensure_buckets(store, BUCKETS)  # a fresh store, as a second command on the embedded one sees

    out = tmp_path / "second"
    assert main(["run", "--period", "2026-10", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "  accepted: BKHCN/2026-10/bao_cao.xlsx.feedback.xlsx: not in this store" in printed
    assert "1 output of 2026-10 could not be had from the store" in printed
    assert (out / "bao_cao_tong_hop_2026-10.xlsx").stat().st_size > 0  # this run's report is copied
    assert not (out / "feedback").exists()
    assert main(["run", "--period", "2026-10"]) == 0  # URLs of a configured store: checked the same way
    assert "BKHCN/2026-10/bao_cao.xlsx.feedback.xlsx: not in this store" in capsys.readouterr().out


def test_run_summary_lines_read_as_english(pipeline_env, store, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    (inbox / "T01" / "2026-10").mkdir(parents=True)
    (inbox / "BKHCN" / "2026-10").mkdir(parents=True)
    (inbox / "T01" / "2026-10" / "t71.xlsx").write_bytes(b"%PDF-1.7 not a workbook")
    (inbox / "BKHCN" / "2026-10" / "bao_cao.xlsx").write_bytes(filled_bytes())
    assert main(["run", "--period", "2026-10", "--inbox", str(inbox), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    rejected = next(line for line in printed.splitlines() if line.startswith("  REJ T01"))
    accepted = next(line for line in printed.splitlines() if line.startswith("  OK  BKHCN"))
    assert "nothing loaded" in rejected and " 1 error " in rejected and "0 warnings" in rejected, rejected
    assert "1 task loaded" in accepted and "0 errors" in accepted, accepted
    why = next(line for line in printed.splitlines() if line.startswith("  T01/2026-10/t71.xlsx"))
    assert ": :" not in why and why.startswith("  T01/2026-10/t71.xlsx: ") and len(why.split(": ")[1]) > 5, why


def test_commands_on_an_empty_embedded_warehouse_say_how_to_fill_it(tmp_path, capsys, monkeypatch):
    """Without WAREHOUSE_URL, report and review read the embedded PostgreSQL that `nq57 run` fills (kept in
    NQ57_STATE_DIR); empty, they say so, not "run nq57 init" (which provisions configured services only)."""
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)
    monkeypatch.delenv("OBJECT_STORE_ENDPOINT", raising=False)
    monkeypatch.setenv("NQ57_STATE_DIR", str(tmp_path / "state"))
    for argv in (["report", "--period", "2026-10", "--out", str(tmp_path / "r.xlsx")],
                 ["review", "export", "--period", "2026-10", "--out", str(tmp_path / "q.xlsx")]):
        line = one_line(capsys, main(argv))
        assert f"the embedded warehouse ({tmp_path / 'state' / 'pgdata'}) holds no nq57 data yet" in line
        assert "nq57 run --period" in line and "WAREHOUSE_URL" in line and "nq57 init" not in line
    assert not (tmp_path / "r.xlsx").exists()


def test_bi_login_mistakes_that_need_the_warehouse_are_one_line(warehouse_url, capsys, monkeypatch):
    monkeypatch.setenv("BI_PW", "a-good-password")
    base = ["--password-env", "BI_PW", "--warehouse", warehouse_url]
    line = one_line(capsys, main(["bi-login", "--agency", "ZZZ", *base]))
    assert line == "nq57 bi-login: unknown agency code 'ZZZ' (not in core.agency)"
    line = one_line(capsys, main(["bi-login", "--reader", "bi_nobody_here", "--rotate", *base]))
    assert line == "nq57 bi-login: no login 'bi_nobody_here'"


def test_validate_writes_the_same_feedback_the_pipeline_sends(pipeline_env, store, tmp_path, capsys):
    data = filled_bytes([task(tinh_trang="Đang làm"), task(ma_nhiem_vu="B", tien_do=140),
                         task(ma_nhiem_vu="C", co_quan_chu_tri="Bộ Không Có")])
    objectstore.put_bytes(store, BUCKETS.submissions, "BKHCN/2026-10/bao_cao.xlsx", data)
    [outcome] = ingest_all(pipeline_env)
    sent = objectstore.fetch(store, BUCKETS.feedback, "BKHCN/2026-10/bao_cao.xlsx.feedback.xlsx")
    local = tmp_path / "bao_cao.xlsx"
    local.write_bytes(data)
    assert main(["validate", str(local), "--agency", "BKHCN", "--period", "2026-10",
                 "--feedback", str(tmp_path / "phan_hoi.xlsx")]) == 1
    capsys.readouterr()
    checked = (tmp_path / "phan_hoi.xlsx").read_bytes()

    def findings(body: bytes) -> list[list[object]]:
        rows = phan_hoi(body)
        start = next(i for i, row in enumerate(rows) if row[0] == "II. TÓM TẮT KẾT QUẢ KIỂM TRA")
        return [row for row in rows[start:] if row[0] not in ("Số dòng được đưa vào tổng hợp",)]

    assert findings(sent) == findings(checked)  # summary, findings by rule and the issue list
    assert openpyxl.load_workbook(io.BytesIO(sent)).sheetnames == openpyxl.load_workbook(io.BytesIO(checked)).sheetnames
    assert receipt_line(sent, "Mã kiểm tra tệp (SHA-256)") == receipt_line(checked, "Mã kiểm tra tệp (SHA-256)")
    assert not outcome["accepted"]


def test_a_rejected_correction_says_the_accepted_report_still_counts(pipeline_env, store):
    key = "BKHCN/2026-10/bao_cao.xlsx"
    objectstore.put_bytes(store, BUCKETS.submissions, key, filled_bytes())
    [first] = ingest_all(pipeline_env)
    objectstore.put_bytes(store, BUCKETS.submissions, key, filled_bytes([task(tinh_trang="Đang làm")]))
    [second] = ingest_all(pipeline_env)
    assert first["accepted"] and not second["accepted"]

    receipt = feedback.load_receipt(pipeline_env.warehouse_url, second["submission_id"])
    first_received = warehouse.rows(pipeline_env.warehouse_url, "SELECT received_at FROM raw.submission "
                                    "WHERE submission_id = :id", id=first["submission_id"])[0].received_at
    assert [c.submission_id for c in receipt.counting] == [first["submission_id"]]
    versions = objectstore.connect(pipeline_env.store).list_objects(
        bucket_name=BUCKETS.feedback, prefix="BKHCN/2026-10/", include_version=True)
    assert len([v for v in versions if not v.is_delete_marker]) == 2  # both feedback versions are kept
    body = objectstore.fetch(store, BUCKETS.feedback, feedback.feedback_key("BKHCN", "2026-10", key))
    local = first_received.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert receipt_line(body, "Bản báo cáo dùng để tổng hợp") == (
        f"Tệp này không được tiếp nhận; bản nộp lúc {local:%H:%M:%S} ngày {local:%d/%m/%Y} (tệp bao_cao.xlsx) vẫn được "
        "dùng để tổng hợp số liệu hệ thống NQ57 tháng 10/2026.")
    assert receipt_line(body, "Kết quả kiểm tra").startswith("KHÔNG ĐƯỢC TIẾP NHẬN (1 lỗi")
    accepted_receipt = feedback.load_receipt(pipeline_env.warehouse_url, first["submission_id"])
    assert accepted_receipt.accepted and accepted_receipt.sha256 != receipt.sha256
    assert Path(key).name == receipt.file_name
