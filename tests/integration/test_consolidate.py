"""Cross-system consolidation on the real warehouse: links, identities, conflicts, the review loop."""

from __future__ import annotations

import io

import openpyxl
import pytest

from nq57 import pipeline
from nq57.dedupe import consolidate
from nq57.dedupe.match import Thresholds
from nq57.outputs import review
from nq57.settings import get_settings
from nq57.storage import objectstore, warehouse

from workbooks import filled_bytes, task

pytestmark = pytest.mark.integration
BUCKET = get_settings().buckets.submissions

NQ57_TASKS = [
    task(ma_nhiem_vu="NQ57-BKHCN-0001", ma_lien_ket="NQ71-BKHCN-0101",
         ten_nhiem_vu="Xây dựng cơ sở dữ liệu quốc gia về khoa học, công nghệ và đổi mới sáng tạo"),
    task(ma_nhiem_vu="NQ57-BKHCN-0002", ten_nhiem_vu="Hoàn thiện Nghị định về quỹ đổi mới sáng tạo của doanh nghiệp",
         van_ban_giao="71/NQ-CP", muc="III.1", thoi_han="30/09/2026", san_pham="Nghị định",
         tinh_trang="Đang thực hiện trong hạn", tien_do=50),
    task(ma_nhiem_vu="NQ57-BKHCN-0003", ten_nhiem_vu="Báo cáo kết quả thực hiện chuyển đổi số tháng 6",
         van_ban_giao="10467/VPCP-KGVX", muc="2", thoi_han="30/06/2026", san_pham="Báo cáo",
         tinh_trang="Hoàn thành đúng hạn", tien_do=100, ngay_hoan_thanh="25/06/2026"),
]
NQ71_TASKS = [
    task(ma_nhiem_vu="NQ71-BKHCN-0101", ten_nhiem_vu="Xây dựng CSDL quốc gia về KH,CN&ĐMST",
         tinh_trang="Đang thực hiện quá hạn", tien_do=40),
    task(ma_nhiem_vu="NQ71-BKHCN-0102", ten_nhiem_vu="Hoàn thiện dự thảo Nghị định về Quỹ ĐMST của doanh nghiệp nhỏ và vừa",
         van_ban_giao="71/NQ-CP", muc="III.1", thoi_han="09/2026", san_pham="Nghị định",
         tinh_trang="Đang thực hiện trong hạn", tien_do=50),
    task(ma_nhiem_vu="NQ71-BKHCN-0103", ten_nhiem_vu="Báo cáo kết quả thực hiện chuyển đổi số tháng 7",
         van_ban_giao="10467/VPCP-KGVX", muc="2", thoi_han="31/07/2026", san_pham="Báo cáo",
         tinh_trang="Đang thực hiện trong hạn", tien_do=60),
]


def stage(services, period: str = "2026-10", nq57=None, nq71=None) -> None:
    client = objectstore.connect(services.store)
    for system, rows in (("NQ57", nq57 or NQ57_TASKS), ("NQ71", nq71 or NQ71_TASKS)):
        objectstore.put_bytes(client, BUCKET, f"BKHCN/{period}/{system}.xlsx",
                              filled_bytes(rows, system=system, period=period))
    for batch in pipeline.discover(services):
        for outcome in pipeline.ingest_batch(services, batch):
            assert outcome["accepted"], warehouse.submission_issues(services.warehouse_url, outcome["submission_id"])


def links(url: str, period: str = "2026-10") -> dict[tuple[str, str], str]:
    frame = warehouse.query(url, "SELECT * FROM mart.v_task_links WHERE period = :p", p=period)
    return {(r.nq57_task_code, r.nq71_task_code): r.method for r in frame.itertuples()}


def test_task_in_both_systems_appears_once_with_both_codes(pipeline_env):
    stage(pipeline_env)
    summary = consolidate.consolidate_period(pipeline_env.warehouse_url, "2026-10")

    found = links(pipeline_env.warehouse_url)
    assert found[("NQ57-BKHCN-0001", "NQ71-BKHCN-0101")] == "code"
    assert found[("NQ57-BKHCN-0002", "NQ71-BKHCN-0102")] == "score"
    assert ("NQ57-BKHCN-0003", "NQ71-BKHCN-0103") not in found  # recurring report, another month: a hard negative
    assert summary["links"] == 2

    tasks = warehouse.query(pipeline_env.warehouse_url, "SELECT * FROM mart.v_tasks WHERE period = '2026-10'")
    assert len(tasks) == 4  # 6 entries, 2 real tasks in both systems
    both = tasks[tasks.in_both_systems].set_index("nq57_task_code")
    assert both.loc["NQ57-BKHCN-0001", "nq71_task_code"] == "NQ71-BKHCN-0101"
    assert tasks.unified_task_id.is_unique
    evidence = warehouse.query(pipeline_env.warehouse_url,
                               "SELECT evidence FROM mart.v_task_links WHERE method = 'score'").evidence[0]
    assert set(evidence["features"]) >= {"name", "doc", "deadline"}


def test_status_conflict_is_kept_with_both_values(pipeline_env):
    stage(pipeline_env)
    consolidate.consolidate_period(pipeline_env.warehouse_url, "2026-10")
    row = warehouse.query(pipeline_env.warehouse_url,
                          "SELECT * FROM mart.v_tasks WHERE nq57_task_code = 'NQ57-BKHCN-0001'").iloc[0]
    assert row.status_conflict
    assert (row.nq57_status_code, row.nq71_status_code) == ("DANG_TRONG_HAN", "DANG_QUA_HAN")


def test_consolidating_twice_changes_nothing(pipeline_env):
    stage(pipeline_env)
    url = pipeline_env.warehouse_url
    consolidate.consolidate_period(url, "2026-10")
    before = warehouse.query(url, "SELECT * FROM mart.v_tasks ORDER BY unified_task_id").astype(str).values.tolist()
    consolidate.consolidate_period(url, "2026-10")
    after = warehouse.query(url, "SELECT * FROM mart.v_tasks ORDER BY unified_task_id").astype(str).values.tolist()
    assert before == after


def test_review_decisions_feed_the_crosswalk_and_are_audited(pipeline_env, tmp_path):
    url = pipeline_env.warehouse_url
    stage(pipeline_env)
    # strict bands so the paraphrased pair lands in the review queue
    consolidate.consolidate_period(url, "2026-10", Thresholds(auto=0.999, review=0.3))
    assert ("NQ57-BKHCN-0002", "NQ71-BKHCN-0102") not in links(url)

    data, count = review.export_review(url, "2026-10")
    assert count >= 1
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook[review.SHEET]
    header = [c.value for c in sheet[review.HEADER_ROW]]
    assert "Quyết định (Đúng/Sai)" in header and "Tên nhiệm vụ (NQ57)" in header
    for row in sheet.iter_rows(min_row=review.FIRST_ROW):
        pair = (row[2].value, row[6].value)
        row[12].value = "Đúng" if pair == ("NQ57-BKHCN-0002", "NQ71-BKHCN-0102") else "Sai"
        row[13].value = "Nguyễn Văn An"
    filled = tmp_path / "review.xlsx"
    workbook.save(filled)

    result = review.import_review(url, filled.read_bytes(), filled.name)
    assert result.confirmed == 1 and result.rejected == count - 1

    consolidate.consolidate_period(url, "2026-10", Thresholds(auto=0.999, review=0.3))
    assert links(url)[("NQ57-BKHCN-0002", "NQ71-BKHCN-0102")] == "crosswalk"
    queue = warehouse.query(url, "SELECT * FROM mart.v_review_queue")
    assert queue.empty  # rejected pairs are not proposed again, the confirmed one is linked
    audit = warehouse.query(url, "SELECT * FROM core.review_audit ORDER BY audit_id")
    assert set(audit.decided_by) == {"Nguyễn Văn An"} and set(audit.source_file) == {"review.xlsx"}


def test_an_empty_review_export_says_so_and_imports_as_nothing(warehouse_url):
    data, count = review.export_review(warehouse_url, "2026-10")
    assert count == 0
    note = openpyxl.load_workbook(io.BytesIO(data))[review.SHEET].cell(review.FIRST_ROW, 1).value
    assert note.startswith("Không có cặp nhiệm vụ nào cần xem xét trong kỳ báo cáo tháng 10/2026")
    result = review.import_review(warehouse_url, data, "rong.xlsx")
    assert (result.confirmed, result.rejected, result.skipped) == (0, 0, 0)  # the note is not a pair


def test_crosswalk_and_identity_carry_over_to_the_next_month(pipeline_env):
    url = pipeline_env.warehouse_url
    stage(pipeline_env, "2026-10")
    consolidate.consolidate_period(url, "2026-10", Thresholds(auto=0.999, review=0.3))
    data, _ = review.export_review(url, "2026-10")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for row in workbook[review.SHEET].iter_rows(min_row=review.FIRST_ROW):
        if (row[2].value, row[6].value) == ("NQ57-BKHCN-0002", "NQ71-BKHCN-0102"):
            row[12].value, row[13].value = "Đúng", "Trần Thị Bình"
    out = io.BytesIO()
    workbook.save(out)
    review.import_review(url, out.getvalue(), "review-10.xlsx")
    consolidate.consolidate_period(url, "2026-10", Thresholds(auto=0.999, review=0.3))
    october = warehouse.query(url, "SELECT unified_task_id FROM mart.v_tasks WHERE nq57_task_code = 'NQ57-BKHCN-0002'")

    stage(pipeline_env, "2026-11")
    consolidate.consolidate_period(url, "2026-11", Thresholds(auto=0.999, review=0.3))
    assert links(url, "2026-11")[("NQ57-BKHCN-0002", "NQ71-BKHCN-0102")] == "crosswalk"
    november = warehouse.query(url, "SELECT unified_task_id, in_both_systems FROM mart.v_tasks "
                                    "WHERE period = '2026-11' AND nq57_task_code = 'NQ57-BKHCN-0002'")
    assert november.unified_task_id[0] == october.unified_task_id[0] and november.in_both_systems[0]
