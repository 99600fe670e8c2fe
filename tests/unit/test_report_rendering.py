"""The report as its readers see it: both files rendered by LibreOffice (PDF, then PNG), page count, page
setup, text size, and no text cut off (tests/rendering.py). Page counts are for the hand-checked month of
tests/report_data.py with the fonts `make test` installs (Liberation Serif for Times New Roman)."""

from __future__ import annotations

import pytest

from nq57.outputs import report

from rendering import (
    assert_no_clipped_text,
    assert_pages,
    assert_readable,
    cell_words,
    document_words,
    render_bytes,
)
from report_data import GENERATED, compliance_frame, indicators_frame, sample, tasks_frame

pytestmark = pytest.mark.rendering

WORKBOOK_PAGES = 15  # TongHop 2, BieuDo 5 (one chart a page), then one page for each of the 8 other sheets
DOCUMENT_PAGES = 6


@pytest.fixture(scope="module")
def built() -> report.Report:
    return report.build(sample(), generated_at=GENERATED)


@pytest.fixture(scope="module")
def workbook_pdf(built, tmp_path_factory):
    return render_bytes(built.workbook, "bao_cao_tong_hop_2026-10.xlsx", tmp_path_factory.mktemp("xlsx"))


@pytest.fixture(scope="module")
def document_pdf(built, tmp_path_factory):
    return render_bytes(built.document, "bao_cao_tong_hop_2026-10.docx", tmp_path_factory.mktemp("docx"))


def test_workbook_prints_landscape_a4_readable_and_nothing_cut_off(built, workbook_pdf):
    assert_pages(workbook_pdf, WORKBOOK_PAGES, landscape=True)
    assert_readable(workbook_pdf, min_pt=9)
    assert_no_clipped_text(workbook_pdf, cell_words(built.workbook))


def test_document_prints_portrait_a4_readable_and_nothing_cut_off(built, document_pdf):
    assert_pages(document_pdf, DOCUMENT_PAGES, landscape=False)
    assert_readable(document_pdf, min_pt=11)
    assert_no_clipped_text(document_pdf, document_words(built.document))
    first_page = {w.text for w in document_pdf.words if w.page == 1}
    assert {"CỘNG", "HÒA", "Kính", "gửi:", "BÁO", "CÁO"} <= first_page
    last_page = {w.text for w in document_pdf.words if w.page == document_pdf.page_count}
    assert {"Nơi", "nhận:", "KT.", "THỨ", "TRƯỞNG"} <= last_page


def test_header_rows_repeat_on_every_printed_page(tmp_path):
    tasks = tasks_frame([("BKHCN", f"Nhiệm vụ quá hạn số {n} về chuyển đổi số", "2026-01-31", "DANG_QUA_HAN", 50,
                          f"NQ57-BKHCN-{n:04d}", None, None, None) for n in range(1, 121)])
    data = report.ReportData("2026-10", tasks, compliance_frame(), indicators_frame())
    body = report.build(data, generated_at=GENERATED).workbook
    rendered = render_bytes(body, "quahan.xlsx", tmp_path)
    pages_with_list_header = {w.page for w in rendered.words if w.text == "NQ57"} & {
        w.page for w in rendered.words if w.text == "Tên"}
    overdue_pages = {w.page for w in rendered.words if w.text.startswith("NQ57-BKHCN-")}
    assert len(overdue_pages) >= 3 and overdue_pages <= pages_with_list_header


def test_formula_like_agency_text_prints_as_written_without_an_apostrophe(tmp_path):
    payload = '=HYPERLINK("http://example.invalid/x","Bấm vào đây")'
    tasks = tasks_frame([("BKHCN", payload, "2026-01-31", "DANG_QUA_HAN", 10, "-1+2", None, None, None)])
    body = report.build(report.ReportData("2026-10", tasks, compliance_frame(), indicators_frame()),
                        generated_at=GENERATED).workbook
    rendered = render_bytes(body, "payload.xlsx", tmp_path)
    printed = [w.text for w in rendered.words]
    assert '=HYPERLINK("http://example.invalid/x","Bấm' in printed and "-1+2" in printed
    assert not [w for w in printed if w.startswith(("'=", "'-"))]  # no visible escape character
