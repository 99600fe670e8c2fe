"""What clerks print: the feedback workbook's PhanHoi sheet and the template, rendered by LibreOffice (PDF, then
PNG) and checked as a reader would: A4 pages in the right orientation, one page wide, header rows repeated,
text large enough and nothing cut off (tests/rendering.py). Page counts are for the fonts `make test` installs."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import openpyxl
import pytest

from nq57 import periods
from nq57.columns import INFO, TASKS
from nq57.intake import submission
from nq57.outputs import feedback
from nq57.outputs.feedback import Counting, Receipt
from nq57.outputs.template import build_template

from rendering import assert_no_clipped_text, assert_pages, assert_readable, cell_words, render_bytes
from workbooks import filled_bytes, task, to_bytes

pytestmark = [pytest.mark.rendering, pytest.mark.usefixtures("gx")]
VN = periods.VN
RECEIVED = dt.datetime(2026, 11, 21, 9, 15, tzinfo=VN)
FEEDBACK_PAGES = 4  # receipt, summary by rule; then the list of the 70 issues, its header on every page
TEMPLATE_PAGES = 10  # HuongDan 2, ThongTin 1, NhiemVu 1, ChiTieu 1, DM_DonVi 2, DM_TrangThai 1, DM_ChiTieu 2


def phan_hoi_only(body: bytes) -> bytes:
    """The feedback workbook with its first sheet only: the page the clerk prints."""
    book = openpyxl.load_workbook(io.BytesIO(body))
    for name in book.sheetnames[1:]:
        del book[name]
    return to_bytes(book)


def rejected_feedback() -> bytes:
    rows = [task(ma_nhiem_vu=f"NQ57-BKHCN-{n:04d}", tinh_trang="Hoàn thành đúng hạn", tien_do=100,
                 ten_nhiem_vu=f"Nhiệm vụ số {n} về chuyển đổi số quốc gia") for n in range(30)]
    rows += [task(ma_nhiem_vu="A", tinh_trang="Đang làm"), task(ma_nhiem_vu="B", tien_do=140),
             task(ma_nhiem_vu="C", co_quan_chu_tri="Bộ Không Tồn Tại", thoi_han="cuối năm")]
    data = filled_bytes(rows, [{"ma_chi_tieu": "CT_99", "gia_tri": "khoảng tám mươi"}])
    result = submission.evaluate(data, "bao_cao_thang_10_nam_2026_cua_bo_khoa_hoc_va_cong_nghe.xlsx",
                                 expected_agency="BKHCN", expected_period="2026-10", today=dt.date(2026, 11, 21))
    receipt = Receipt(file_name="bao_cao_thang_10_nam_2026_cua_bo_khoa_hoc_va_cong_nghe.xlsx",
                      sha256="9f" * 32, received_at=RECEIVED, agency="BKHCN", period="2026-10", system="NQ57",
                      accepted=False, submission_id=8,
                      counting=(Counting("NQ57", 5, "bao_cao.xlsx", dt.datetime(2026, 11, 18, 16, 2, tzinfo=VN)),))
    assert len(result.issues) > 40
    return feedback.build_feedback(original=data, receipt=receipt, counts=result.counts, issues=result.issues)


def test_feedback_prints_landscape_one_page_wide_readable_with_the_list_header_on_every_page(tmp_path):
    body = phan_hoi_only(rejected_feedback())
    rendered = render_bytes(body, "phan_hoi.xlsx", tmp_path)
    assert_pages(rendered, FEEDBACK_PAGES, landscape=True)
    assert_readable(rendered, min_pt=9)
    assert_no_clipped_text(rendered, cell_words(body))
    first = {w.text for w in rendered.words if w.page == 1}
    assert {"PHẢN", "HỒI", "09:15:00", "KHÔNG", "TIẾP", "NHẬN"} <= first
    for page in range(2, rendered.page_count + 1):  # the issue list's header repeated
        assert {"Nội", "dung", "lỗi", "Cách", "khắc", "phục"} <= {w.text for w in rendered.words if w.page == page}


def test_accepted_feedback_is_one_page(tmp_path):
    data = filled_bytes([task(thoi_han="31/12/2026")])
    result = submission.evaluate(data, "ok.xlsx", expected_agency="BKHCN", expected_period="2026-10",
                                 today=dt.date(2026, 11, 15))
    receipt = Receipt(file_name="ok.xlsx", sha256="0a" * 32, received_at=RECEIVED, agency="BKHCN", period="2026-10",
                      system="NQ57", accepted=True, submission_id=3,
                      counting=(Counting("NQ57", 3, "ok.xlsx", RECEIVED),))
    body = phan_hoi_only(feedback.build_feedback(original=data, receipt=receipt, counts=result.counts,
                                                 issues=result.issues))
    rendered = render_bytes(body, "ok.xlsx", tmp_path)
    assert_pages(rendered, 1, landscape=True)
    assert_no_clipped_text(rendered, cell_words(body))


def test_template_prints_every_sheet_on_a4_without_blank_pages_or_cut_text(tmp_path):
    workbook = build_template("NQ57", "T01", "2026-10")
    body = to_bytes(workbook)
    rendered = render_bytes(body, "mau_bao_cao.xlsx", tmp_path)
    assert rendered.page_count == TEMPLATE_PAGES
    orientation = ["P", "P", "P"] + ["L"] * (TEMPLATE_PAGES - 3)  # HuongDan, ThongTin portrait; tables landscape
    assert ["L" if p.landscape else "P" for p in rendered.pages] == orientation
    assert all(p.a4 for p in rendered.pages)
    assert all({w.page for w in rendered.words} >= set(range(1, TEMPLATE_PAGES + 1)) for _ in [0])  # no blank page
    assert_readable(rendered, min_pt=8.5)
    hidden = Counter({code: 99 for code in (*TASKS.codes, *INFO.codes, "ma_chi_tieu", "ten_chi_tieu", "don_vi_tinh",
                                            "gia_tri", "ghi_chu")})
    expected = cell_words(body, skip_sheets={"DM_LuaChon"}) - hidden  # the code row and column are hidden
    assert_no_clipped_text(rendered, expected)
    task_page = next(w.page for w in rendered.words if w.text == "NHIỆM" and w.page > 2)
    assert {"Mã", "tương", "ứng", "(NQ57/NQ71)", "Tình", "trạng"} <= {w.text for w in rendered.words if w.page == task_page}


def test_the_answer_to_a_misplaced_upload_is_one_readable_page(tmp_path):
    from nq57.placement import misplaced_issue, misplacement

    key = "BKHCN/2026-10/ban-nhap/bao_cao_thang_10_nam_2026_cua_bo_khoa_hoc_va_cong_nghe.xlsx"
    finding = misplaced_issue(misplacement(key), bucket="nq57-submissions", example_period="2026-10")
    receipt = feedback.misplaced_receipt(bucket="nq57-submissions", key=key, sha256="9f" * 32, received_at=RECEIVED,
                                         agency="BKHCN")
    body = feedback.build_feedback(original=None, receipt=receipt, counts={}, issues=[finding])
    rendered = render_bytes(body, "sai_thu_muc.xlsx", tmp_path)
    assert_pages(rendered, 1, landscape=True)
    assert_readable(rendered, min_pt=9)
    assert_no_clipped_text(rendered, cell_words(body))
    assert {"Vị", "trí", "tải", "lên", "upload.misplaced"} <= {w.text for w in rendered.words}
