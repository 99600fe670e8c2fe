"""Uploads outside `<agency>/<YYYY-MM>/` are answered once and never reach the ledger (issue 17, item 4).

Discovery writes each such object version one feedback workbook under the agency's own prefix
(`<agency>/sai-thu-muc/`), with the finding `upload.misplaced` saying where the file was put, why and where
it belongs; the answer is recorded in `raw.misplaced_upload`, so the next run writes nothing, and a new
version of the key is answered again. Keys outside every agency prefix are only logged.
"""

from __future__ import annotations

import io

import openpyxl
import pytest

from nq57 import pipeline
from nq57.outputs import feedback
from nq57.settings import get_settings
from nq57.storage import objectstore, warehouse

from workbooks import filled_bytes, task

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("gx")]
BUCKETS = get_settings().buckets
SUB, FB = BUCKETS.submissions, BUCKETS.feedback
MISPLACED = {
    "T01/2026-13/a.xlsx": "T01/sai-thu-muc/2026-13__a.xlsx.feedback.xlsx",
    "T01/a.xlsx": "T01/sai-thu-muc/a.xlsx.feedback.xlsx",
    "T01/2026-10/sub/a.xlsx": "T01/sai-thu-muc/2026-10__sub__a.xlsx.feedback.xlsx",
    "T01/10-2026/a.xlsx": "T01/sai-thu-muc/10-2026__a.xlsx.feedback.xlsx",
}
NOBODY_TO_ANSWER = ("a.xlsx", "t01/2026-10/a.xlsx")
GOOD_KEY = "T01/2026-10/bao_cao.xlsx"


def feedback_versions(store) -> list[tuple[str, str]]:
    return sorted((o.object_name, o.version_id)
                  for o in store.list_objects(bucket_name=FB, recursive=True, include_version=True))


def finding_rows(body: bytes) -> list[list[object]]:
    """Section III of PhanHoi: one row per finding (STT, severity, sheet, cell, message, hint, rule)."""
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(body))[feedback.SHEET].iter_rows()]
    start = next(i for i, row in enumerate(rows) if row[0] == "III. DANH SÁCH LỖI VÀ CẢNH BÁO")
    return [row[:7] for row in rows[start + 2:] if isinstance(row[0], int)]


def work_keys(batches: list[list[dict]]) -> list[str]:
    return [u["key"] for batch in batches for u in batch]


def test_each_misplaced_upload_is_answered_once_under_its_agency_and_never_ledgered(pipeline_env, store, caplog):
    url = pipeline_env.warehouse_url
    good = filled_bytes([task(ma_nhiem_vu="NQ57-T01-0001", co_quan_chu_tri="T01")], agency="T01", period="2026-10")
    for key in (*MISPLACED, *NOBODY_TO_ANSWER):
        objectstore.put_bytes(store, SUB, key, good)  # a fine report, in the wrong place
    objectstore.put_bytes(store, SUB, GOOD_KEY, good)
    store.put_object(bucket_name=SUB, object_name="T01/2026-11/", data=io.BytesIO(b""), length=0)  # folder marker

    batches = pipeline.discover(pipeline_env)

    assert work_keys(batches) == [GOOD_KEY]  # only the real submission is work
    assert {name for name, _ in feedback_versions(store)} == set(MISPLACED.values())
    for key, answer in MISPLACED.items():
        (row,) = finding_rows(objectstore.fetch(store, FB, answer))
        assert row[1:4] == ["Lỗi", None, None] and row[6] == "upload.misplaced", (key, row)
        assert f"“{SUB}/{key}”" in row[4] and "không được tiếp nhận" in row[4]
        assert "<mã cơ quan>/<năm-tháng>/" in row[5] and "BKHCN/2026-10/" in row[5]
    body = objectstore.fetch(store, FB, MISPLACED["T01/2026-13/a.xlsx"])
    (row,) = finding_rows(body)
    assert row[4] == (f"Tệp được tải lên tại “{SUB}/T01/2026-13/a.xlsx”, không đúng thư mục quy định: thư mục "
                      "“2026-13” không phải là tháng báo cáo hợp lệ (tháng phải từ 01 đến 12); vì vậy tệp không được "
                      "tiếp nhận và nội dung tệp chưa được kiểm tra.")
    sheet = openpyxl.load_workbook(io.BytesIO(body))[feedback.SHEET]
    assert any(c.value == "Vị trí tải lên" for row in sheet.iter_rows() for c in row)
    (row,) = finding_rows(objectstore.fetch(store, FB, MISPLACED["T01/2026-10/sub/a.xlsx"]))
    assert row[5].endswith(f"“{SUB}/T01/2026-10/a.xlsx” (báo cáo tháng 10/2026).")
    (row,) = finding_rows(objectstore.fetch(store, FB, MISPLACED["T01/10-2026/a.xlsx"]))
    assert row[5].endswith(f"“{SUB}/T01/2026-10/a.xlsx” (báo cáo tháng 10/2026).")
    for key in NOBODY_TO_ANSWER:
        assert any(key in r.getMessage() and "nobody is answered" in r.getMessage() for r in caplog.records), key

    answered = warehouse.rows(url, "SELECT object_key, agency_code, feedback_key, rule, sha256 FROM raw.misplaced_upload")
    assert {(r.object_key, r.feedback_key) for r in answered} == set(MISPLACED.items())
    assert {(r.agency_code, r.rule) for r in answered} == {("T01", "upload.misplaced")}
    for batch in batches:
        pipeline.ingest_batch(pipeline_env, batch)
    ledgered = warehouse.rows(url, "SELECT object_key FROM raw.submission")
    assert [r.object_key for r in ledgered] == [GOOD_KEY]
    assert [r.object_key for r in warehouse.rows(url, "SELECT object_key FROM mart.v_submissions")] == [GOOD_KEY]
    assert warehouse.rows(url, "SELECT count(*) AS n FROM mart.v_tasks")[0].n >= 1

    # The next run answers nothing again and has no work; a new version of a misplaced key is answered.
    before = feedback_versions(store)
    assert pipeline.discover(pipeline_env) == []
    assert feedback_versions(store) == before
    objectstore.put_bytes(store, SUB, "T01/a.xlsx", b"a second try, still misplaced")
    assert pipeline.discover(pipeline_env) == []
    new = set(feedback_versions(store)) - set(before)
    assert [name for name, _ in new] == [MISPLACED["T01/a.xlsx"]]
    assert len(warehouse.rows(url, "SELECT 1 FROM raw.misplaced_upload WHERE object_key = 'T01/a.xlsx'")) == 2
    assert pipeline.discover(pipeline_env) == [] and len(feedback_versions(store)) == len(before) + 1


def test_an_upload_that_cannot_be_answered_holds_back_nobody_and_is_answered_next_run(pipeline_env, store,
                                                                                       monkeypatch, caplog):
    good = filled_bytes([task(co_quan_chu_tri="T79")], agency="T79", period="2026-10")
    objectstore.put_bytes(store, SUB, "T79/2026-10/bao_cao.xlsx", good)
    for key in ("T01/a.xlsx", "T79/a.xlsx"):
        objectstore.put_bytes(store, SUB, key, b"x")
    read = objectstore.sha256_of

    def unreadable_t01(client, bucket, key, version_id=None, **kwargs):
        if key.startswith("T01/"):
            raise ConnectionError("connection reset while reading T01/a.xlsx")
        return read(client, bucket, key, version_id, **kwargs)

    monkeypatch.setattr(objectstore, "sha256_of", unreadable_t01)
    assert work_keys(pipeline.discover(pipeline_env)) == ["T79/2026-10/bao_cao.xlsx"]
    assert {name for name, _ in feedback_versions(store)} == {"T79/sai-thu-muc/a.xlsx.feedback.xlsx"}
    assert any("T01/a.xlsx" in r.getMessage() and "not answered" in r.getMessage() and r.levelname == "WARNING"
               for r in caplog.records)

    monkeypatch.setattr(objectstore, "sha256_of", read)
    pipeline.discover(pipeline_env)
    assert {name for name, _ in feedback_versions(store)} == {"T79/sai-thu-muc/a.xlsx.feedback.xlsx",
                                                              "T01/sai-thu-muc/a.xlsx.feedback.xlsx"}


def test_answers_are_shared_across_agencies_and_capped_per_run(pipeline_env, store):
    for n in range(5):
        objectstore.put_bytes(store, SUB, f"T01/rac_{n}.xlsx", b"x")
    objectstore.put_bytes(store, SUB, "BKHCN/a.xlsx", b"x")
    versions, misplaced = objectstore.list_submissions(store, SUB)
    assert versions == [] and len(misplaced) == 6
    written = pipeline.answer_misplaced(pipeline_env, misplaced, limit=3)
    assert len(written) == 3 and "BKHCN/sai-thu-muc/a.xlsx.feedback.xlsx" in written
    assert len(pipeline.answer_misplaced(pipeline_env, misplaced, limit=3)) == 3
    assert pipeline.answer_misplaced(pipeline_env, misplaced, limit=3) == []
