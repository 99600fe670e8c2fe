"""The BI contract as a BI tool shows it: every mart view and every column documented (COMMENT ON, with its
grain and meaning), Vietnamese labels and agency names beside the codes, and the agencies' own words
(results, difficulties, recommendations) in mart.v_tasks."""

from __future__ import annotations

import pytest

from nq57 import pipeline, reference
from nq57.settings import get_settings
from nq57.storage import objectstore, warehouse
from nq57.vocabulary import LABELS, STATUSES, SUBMISSION_LABELS, SYSTEM_STATE_LABELS, UPLOAD_STATE_LABELS

from workbooks import filled_bytes, task

pytestmark = pytest.mark.usefixtures("gx")

UNDOCUMENTED = """
SELECT n.nspname AS schema, c.relname AS view, a.attname AS column_name,
       pg_catalog.obj_description(c.oid, 'pg_class') AS view_comment,
       pg_catalog.col_description(c.oid, a.attnum) AS column_comment
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind = 'v' AND n.nspname IN ('mart', 'agency')
ORDER BY 1, 2, a.attnum
"""


def test_every_mart_view_and_column_is_documented(warehouse_url):
    rows = warehouse.rows(warehouse_url, UNDOCUMENTED)
    views = {(r.schema, r.view) for r in rows}
    assert {v for s, v in views if s == "mart"} >= {"v_submissions", "v_latest_submissions", "v_tasks", "v_task_links",
                                                    "v_indicators", "v_compliance", "v_review_queue"}
    assert {v for s, v in views if s == "agency"} == {v for s, v in views if s == "mart"}
    missing_views = sorted({f"{r.schema}.{r.view}" for r in rows if not (r.view_comment or "").strip()})
    missing_columns = [f"{r.schema}.{r.view}.{r.column_name}" for r in rows if not (r.column_comment or "").strip()]
    assert missing_views == [] and missing_columns == []
    grains = {r.view: r.view_comment for r in rows if r.schema == "mart"}
    assert all(comment.startswith("One row per") for comment in grains.values()), grains


def test_labels_are_the_package_vocabulary(warehouse_url):
    rows = warehouse.rows(warehouse_url, "SELECT kind, code, label FROM core.label")
    assert {(r.kind, r.code): r.label for r in rows} == {
        (kind, code): label for kind, codes in LABELS.items() for code, label in codes.items()}
    assert warehouse.rows(warehouse_url, "SELECT core.label_of('task_status', 'HT_DUNG_HAN') AS l")[0].l == (
        "Hoàn thành đúng hạn")
    assert warehouse.rows(warehouse_url, "SELECT core.label_of('task_status', NULL) AS l")[0].l is None


def test_bi_views_carry_vietnamese_labels_agency_names_and_the_agencies_words(pipeline_env, store):
    bucket = get_settings().buckets.submissions
    objectstore.put_bytes(store, bucket, "BKHCN/2026-10/a.xlsx", filled_bytes([task(
        thoi_han="31/12/2026", ket_qua="Đã trình dự thảo Nghị định", kho_khan="Thiếu kinh phí",
        kien_nghi="Bổ sung dự toán năm 2027")]))
    objectstore.put_bytes(store, bucket, "T01/2026-10/b.xlsx", filled_bytes([task(tinh_trang="Đang làm")], agency="T01"))
    for batch in pipeline.discover(pipeline_env):
        pipeline.ingest_batch(pipeline_env, batch)
    url = pipeline_env.warehouse_url

    [row] = warehouse.rows(url, "SELECT * FROM mart.v_tasks")
    assert (row.lead_agency_code, row.lead_agency_name) == ("BKHCN", "Bộ Khoa học và Công nghệ")
    assert (row.status_code, row.status_label) == ("DANG_TRONG_HAN", STATUSES["DANG_TRONG_HAN"])
    assert (row.nq57_status_label, row.nq71_status_label) == (STATUSES["DANG_TRONG_HAN"], None)
    assert (row.deadline_type, row.deadline_type_label) == ("NGAY", "Ngày cụ thể")
    assert (row.results, row.difficulties, row.recommendations) == (
        "Đã trình dự thảo Nghị định", "Thiếu kinh phí", "Bổ sung dự toán năm 2027")

    subs = {r.agency_code: r for r in warehouse.rows(url, "SELECT * FROM mart.v_submissions")}
    assert subs["T01"].agency_name == reference.agencies()["T01"].name
    assert (subs["T01"].status_label, subs["T01"].submission_state_label) == ("Không được tiếp nhận",
                                                                             UPLOAD_STATE_LABELS["rejected"])
    assert subs["BKHCN"].status_label == "Được tiếp nhận"

    compliance = {r.agency_code: r for r in warehouse.rows(url, "SELECT * FROM mart.v_compliance")}
    assert compliance["BKHCN"].submission_state_label == SUBMISSION_LABELS["partial"]
    assert compliance["BKHCN"].nq57_state_label == SYSTEM_STATE_LABELS[compliance["BKHCN"].nq57_state]
    assert compliance["T01"].nq57_state_label == SYSTEM_STATE_LABELS["rejected"]
    assert compliance["T04"].submission_state_label == SUBMISSION_LABELS["not_submitted"]
