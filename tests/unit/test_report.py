"""The monthly report's figures, workbook and drafted document, against hand-computed values
(tests/report_data.py explains each expected number)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import docx
import openpyxl
import pytest

from nq57 import reference
from nq57.outputs import report
from nq57.outputs.report import figures as fig
from nq57.outputs.report import vntext

from report_data import (
    COMPLIANCE_ROWS,
    EXPECTED,
    EXPECTED_STATES,
    EXPECTED_SYSTEM_STATES,
    GENERATED,
    PERIOD,
    T01_REASON,
    TASK_ROWS,
    compliance_frame,
    indicators_frame,
    sample,
    tasks_frame,
)


@pytest.fixture(scope="module")
def built() -> report.Report:
    return report.build(sample(), generated_at=GENERATED)


@pytest.fixture(scope="module")
def workbook(built) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(built.workbook))


@pytest.fixture(scope="module")
def document_text(built) -> str:
    document = docx.Document(io.BytesIO(built.document))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def rows_by_label(ws, column: int = 1) -> dict:
    return {row[column - 1].value: [c.value for c in row] for row in ws.iter_rows() if row[column - 1].value}


# ---------------------------------------------------------------- figures


def test_government_framing_counts_add_up_to_the_total():
    f = fig.task_figures(tasks_frame())
    assert {k: f[k] for k in EXPECTED} == EXPECTED and f["unknown"] == 0
    assert (f.total, f.with_deadline, f.completed, f.open) == (20, 18, 6, 12)
    assert sum(f.by_category.values()) == f.total == len(TASK_ROWS)
    assert f.completion_rate == pytest.approx(6 / 18) and f.on_time_completion_rate == pytest.approx(0.5)
    assert (f.in_both_systems, f.conflicts) == (8, 3)


def test_completed_late_tasks_are_completed_never_overdue(built):
    f = built.figures
    assert f.tasks["open_overdue"] == 8  # the old headline said 11: it added the 3 completed late
    assert len(f.overdue) == 8 and all(t.status_code in {"DANG_QUA_HAN", "CHUA_QUA_HAN"} for t in f.overdue)
    # reference order of lead agencies (BCA, BTC, BKHCN, BYT, T01, T20, T79), then deadline
    assert [(t.lead_agency_code, t.deadline.isoformat()) for t in f.overdue] == [
        ("BCA", "2026-09-30"), ("BTC", "2026-08-31"), ("BKHCN", "2026-06-30"), ("BKHCN", "2026-09-30"),
        ("BYT", "2026-07-31"), ("T01", "2026-05-31"), ("T20", "2026-04-30"), ("T79", "2026-06-30")]
    bkhcn = f.overdue[2]
    assert bkhcn.days_overdue == 31 + 31 + 30 + 31 and bkhcn.progress == pytest.approx(0.7)
    assert [(a.code, a.open_overdue) for a in f.overdue_agencies] == [
        ("BKHCN", 2), ("BCA", 1), ("BTC", 1), ("BYT", 1), ("T01", 1), ("T20", 1), ("T79", 1)]


def test_previous_month_comparison(built):
    changes = built.figures.task_changes
    assert {k: (changes[k].current, changes[k].previous, changes[k].delta) for k in EXPECTED} == {
        "done_on_time": (3, 2, 1), "done_late": (3, 1, 2), "open_in_term": (4, 5, -1), "open_overdue": (8, 9, -1),
        "recurring": (2, 2, 0)}
    assert (changes["total"].delta, changes["completed"].delta) == (1, 3)


def test_without_a_previous_month_the_difference_is_unknown():
    data = sample()
    data.previous_tasks = data.previous_compliance = None
    figures = fig.compute(data)
    assert figures.task_changes["total"].delta is None and figures.compliance_changes["on_time"].delta is None
    assert vntext.signed(None) == "—" and vntext.change(None) == "—"


def test_submission_categories_are_exclusive_and_add_up(built):
    c = built.figures.compliance
    assert dict(c.by_state) == EXPECTED_STATES and sum(c.by_state.values()) == c.agencies == len(COMPLIANCE_ROWS)
    assert {s: dict(v) for s, v in c.by_system.items()} == EXPECTED_SYSTEM_STATES
    assert (c.complete, c.incomplete, c.nil_reports, c.rejected_corrections) == (4, 4, 1, 1)


def test_a_month_without_uploads_reads_every_agency_as_not_submitted():
    rows = [(code, name, "not_submitted", "not_submitted", "not_submitted") for code, name, *_ in COMPLIANCE_ROWS]
    c = fig.compliance_figures(compliance_frame(rows))
    assert c.by_state["not_submitted"] == c.agencies == 8 and c.complete == 0


def test_scorecard_has_every_agency_once(built):
    card = {r.code: r for r in built.figures.scorecard}
    assert set(card) >= {code for code, *_ in COMPLIANCE_ROWS} | {r[0] for r in TASK_ROWS}
    bkhcn = card["BKHCN"]  # rows 1-5: on time 1, late 1, overdue 2 (rows 3, 4), recurring 1
    assert (bkhcn.figures.total, bkhcn.figures.completed, bkhcn.figures.on_time_completion_rate,
            bkhcn.figures["open_overdue"], bkhcn.figures["recurring"]) == (5, 2, 0.5, 2, 1)
    assert (bkhcn.nq57_state, bkhcn.nq71_state, bkhcn.submission_state) == ("on_time", "on_time", "on_time")
    btc = card["BTC"]  # rows 6-8: on time 1, overdue 1, in term 1
    assert (btc.figures.total, btc.figures.completed, btc.figures.on_time_completion_rate) == (3, 1, 1.0)
    assert card["BGDDT"].submission_state is None  # leads a task, not in this compliance list


def test_breakdown_by_assigning_document_merges_spellings(built):
    rows = {d.document: d.figures for d in built.figures.documents}
    assert list(rows) == ["57-NQ/TW", "71-NQ/CP"]
    assert {k: rows["57-NQ/TW"][k] for k in EXPECTED} == {"done_on_time": 2, "done_late": 2, "open_in_term": 2,
                                                          "open_overdue": 4, "recurring": 2}
    assert {k: rows["71-NQ/CP"][k] for k in EXPECTED} == {"done_on_time": 1, "done_late": 1, "open_in_term": 2,
                                                          "open_overdue": 4, "recurring": 0}


def test_indicator_summary_keeps_conflicts_apart(built):
    s = built.figures.indicator_summary
    assert (s.reported, s.met, s.not_met, s.conflicts, s.without_value, s.qualitative) == (6, 3, 2, 2, 0, 1)
    by_code = {r.code: r for r in built.figures.indicators}
    assert by_code["CT_8"].value is None and (by_code["CT_8"].nq57_value, by_code["CT_8"].nq71_value) == (7.8, 12.4)
    assert by_code["CT_12"].meets_target is None
    assert [r.code for r in built.figures.indicators][-1] == "CT_1"  # qualitative last


def test_difficulties_grouped_by_theme_and_agency_with_sources(built):
    concerns = built.figures.concerns
    assert [(c.theme, c.agency_code, c.kind) for c in concerns] == [
        ("finance", "BTC", "difficulty"), ("finance", "BTC", "recommendation"),
        ("people", "T20", "difficulty"), ("infrastructure", "BKHCN", "difficulty"),
        ("coordination", "BYT", "difficulty"), ("institutions", "T01", "difficulty")]
    merged = concerns[0]
    assert [(s.system, s.row) for s in merged.sources] == [("NQ57", 7), ("NQ71", 9)]
    assert merged.sources[0].describe() == "BTC_NQ57_2026-10.xlsx: NhiemVu, dòng 7"


@pytest.mark.parametrize(("value", "text"), [(1287, "1.287"), (80.3, "80,3"), (0.7, "0,7"), (2.0, "2")])
def test_vietnamese_numbers(value, text):
    assert vntext.number(value) == text


@pytest.mark.parametrize(("op", "low", "high", "text"), [
    (">=", 80, None, "≥ 80"), (">", 0.7, None, "> 0,7"), ("<=", 3, None, "≤ 3"), ("=", 2, None, "= 2"),
    ("between", 16, 18, "16–18"), ("qualitative", None, None, "định tính"), (">=", 1287.5, None, "≥ 1.287,5"),
])
def test_target_text(op, low, high, text):
    assert vntext.target(op, low, high) == text


def test_percent_change_and_dates_in_vietnamese():
    assert vntext.percent(1 / 3) == "33,3%" and vntext.percent(None) == "—"
    assert (vntext.change(3), vntext.change(-2), vntext.change(0)) == ("tăng 3", "giảm 2", "không đổi")
    assert vntext.long_date(dt.date(2026, 11, 1)) == "ngày 01 tháng 11 năm 2026"
    assert vntext.enumerate_names(["A", "B", "C"]) == "A, B và C"
    assert vntext.enumerate_names(["A", "B", "C", "D"], limit=2) == "A, B và 2 đơn vị khác"


# ---------------------------------------------------------------- the workbook


def test_workbook_sheets_and_keys(workbook):
    assert workbook.sheetnames == ["TongHop", "BieuDo", "XuHuong", "BangDiem", "GuiBaoCao", "NhiemVuQuaHan",
                                   "TheoVanBan", "KhoKhanKienNghi", "ChiTieu", "XungDot"]
    assert report.report_key("2026-10") == "2026-10/bao_cao_tong_hop_2026-10.xlsx"
    assert report.document_key("2026-10") == "2026-10/bao_cao_tong_hop_2026-10.docx"
    with pytest.raises(ValueError):
        report.report_key("../2026-10")


def test_summary_sheet_government_framing_with_previous_month(workbook):
    rows = rows_by_label(workbook["TongHop"])
    assert rows["Tổng số nhiệm vụ"][1:5] == [20, None, 19, "+1"]
    assert rows["1.1. Đã hoàn thành"][1:5] == [6, pytest.approx(6 / 18), 3, "+3"]
    assert rows["   - Hoàn thành quá hạn"][1] == 3
    assert rows["   - Đã quá hạn"][1:5] == [8, pytest.approx(8 / 18), 9, "−1"]
    assert rows["2. Nhiệm vụ thường xuyên (không có thời hạn)"][1:5] == [2, None, 2, "0"]
    states = {label: rows[label][1] for label in fig.SUBMISSION_LABELS.values()}
    assert states == {fig.SUBMISSION_LABELS[k]: v for k, v in EXPECTED_STATES.items()}
    total = rows["Tổng số đơn vị"]
    assert (total[1], total[5], total[6]) == (8, 8, 8)  # each column adds up to every agency


def test_submission_sheet_says_why_and_which_version_counts(workbook):
    ws = workbook["GuiBaoCao"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True) if r[1]}
    assert list(rows) == ["BYT", "T01", "BCA", "NHNN", "BTC", "T20", "T79"]  # BKHCN is on time, nothing to say
    assert rows["T01"][3] == "Có báo cáo bị từ chối, chưa có bản hợp lệ"
    assert rows["T01"][4] == "Đã gửi nhưng bị từ chối (nhận 14:05 19/11/2026; 3 lỗi)"
    assert T01_REASON in rows["T01"][6] and "T01/2026-10/bao_cao.feedback.xlsx" in rows["T01"][6]
    assert "bản cập nhật nhận 10:00 20/11/2026 bị từ chối" in rows["T79"][6]
    assert "bản nhận 09:15 18/11/2026 vẫn được sử dụng" in rows["T79"][6]
    assert rows["BYT"][4] == rows["BYT"][5] == "Chưa gửi"


def test_indicator_sheet_verdicts(workbook):
    ws = workbook["ChiTieu"]
    rows = {(r[1], r[3]): r for r in ws.iter_rows(min_row=5, values_only=True) if r[1]}
    assert rows[("CT_20", "BKHCN")][5] == "= 10" and rows[("CT_20", "BKHCN")][9] == "Đạt"  # 10,9 against "= 10"
    assert rows[("CT_8", "BTC")][6:10] == ("—", 7.8, 12.4, "Chưa đạt (số liệu khác nhau)")
    assert rows[("CT_12", "NHNN")][9] == "Số liệu khác nhau, cần thống nhất"
    assert rows[("CT_4", "BKHCN")][9] == "Chưa đạt" and rows[("CT_1", "BKHCN")][9] == "Định tính"


def test_every_sheet_prints_landscape_a4_one_page_wide_with_repeated_headers(workbook):
    for ws in workbook.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert int(ws.page_setup.fitToHeight) == 0, ws.title
        if ws.title not in {"TongHop", "BieuDo"}:
            assert ws.print_title_rows == "$4:$4", ws.title
        fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
        assert fonts == {"Times New Roman"}, ws.title
        sizes = {c.font.sz for row in ws.iter_rows() for c in row if c.value is not None}
        assert min(sizes) >= 11, ws.title


# ---------------------------------------------------------------- the drafted document


def test_document_layout_follows_decree_30(built):
    document = docx.Document(io.BytesIO(built.document))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(section.left_margin.cm, 1), round(section.right_margin.cm, 1)) == (3.0, 1.5)
    assert section.different_first_page_header_footer  # page numbers from page 2
    heading = document.tables[0]
    left, right = (c.text for c in heading.rows[0].cells)
    assert left.startswith("BỘ KHOA HỌC VÀ CÔNG NGHỆ") and "/BC-BKHCN" in left
    assert right.startswith("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    assert "Hà Nội, ngày" in right and "tháng 11 năm 2026" in right
    signature = document.tables[-1]
    assert signature.rows[0].cells[0].text.startswith("Nơi nhận:")
    assert signature.rows[0].cells[1].text.startswith("KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG")
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert len(document.inline_shapes) == 5  # submissions, categories, on time by agency, two trend charts


def test_document_is_written_from_the_figures(document_text):
    text = document_text
    assert "Kính gửi: Thủ tướng Chính phủ." in text
    assert "BÁO CÁO\n" in text and "tháng 10 năm 2026" in text
    assert "có 20 nhiệm vụ, trong đó 18 nhiệm vụ có thời hạn và 2 nhiệm vụ thường xuyên" in text
    assert ("Đã hoàn thành 6 nhiệm vụ (33,3%), gồm 3 nhiệm vụ hoàn thành đúng hạn và 3 nhiệm vụ hoàn thành quá hạn; "
            "tỷ lệ hoàn thành đúng hạn trên số nhiệm vụ đã hoàn thành đạt 50,0%") in text
    assert "Chưa hoàn thành 12 nhiệm vụ (66,7%), gồm 4 nhiệm vụ còn trong hạn và 8 nhiệm vụ đã quá hạn." in text
    assert ("So với tháng 09/2026: số nhiệm vụ đã hoàn thành tăng 3, số nhiệm vụ chưa hoàn thành đã quá hạn giảm 1, "
            "tổng số nhiệm vụ tăng 1.") in text
    assert "Trong tổng số 8 bộ, ngành, địa phương:" in text
    assert "4 đơn vị (50,0%) đã gửi đủ báo cáo hợp lệ trên cả hai hệ thống, trong đó 2 đơn vị gửi đúng hạn, 2 đơn " \
           "vị gửi muộn (so với tháng 09/2026: tăng 4 đơn vị);" in text
    assert ("1 đơn vị đã gửi nhưng báo cáo bị từ chối do không đúng mẫu hoặc sai quy định và chưa gửi lại bản hợp lệ; "
            "2 đơn vị mới gửi báo cáo trên một hệ thống; 1 đơn vị chưa gửi báo cáo.") in text
    assert ("Đơn vị gửi báo cáo muộn: Bộ Tài chính (Hệ thống NQ71) và Ủy ban nhân dân tỉnh Lạng Sơn (cả hai hệ thống)."
            in text)
    assert "Ủy ban nhân dân thành phố Hà Nội (báo cáo trên Hệ thống NQ57 có 3 lỗi, lỗi đầu tiên: Tình trạng" in text
    assert "Ủy ban nhân dân Thành phố Hồ Chí Minh đã gửi bản cập nhật nhưng bản cập nhật không được chấp nhận" in text
    assert "Có 8 nhiệm vụ chưa hoàn thành đã quá hạn, thuộc 7 cơ quan chủ trì: Bộ Khoa học và Công nghệ (2 nhiệm vụ)" \
           in text
    assert "CT_8 của Bộ Tài chính (NQ57: 7,8, NQ71: 12,4)" in text
    assert ("Có 6 lượt chỉ tiêu có mục tiêu định lượng được báo cáo: 3 lượt đạt mục tiêu năm 2030, 2 lượt chưa đạt "
            "và 2 lượt có số liệu khác nhau giữa hai hệ thống.") in text
    assert "1. Về kinh phí, tài chính, đầu tư" in text
    assert "Bộ Tài chính: Khó khăn: Chưa được bố trí kinh phí thực hiện. Kiến nghị: Đề nghị Bộ Tài chính bổ sung " \
           "kinh phí." in text
    assert "Bộ Khoa học và Công nghệ kính báo cáo Thủ tướng Chính phủ./." in text
    assert "tệp bao_cao_tong_hop_2026-10.xlsx" in text  # the annex
    assert "Tổng số nhiệm vụ | 20 |  | 19 | +1" in text  # the framing table


# ---------------------------------------------------------------- charts: numbers, places, the annex's name


def first_month():
    """The sample month as the first month with data: no previous month, a trend of one point."""
    data = sample()
    data.previous_tasks = data.previous_compliance = None
    data.trend_periods = (PERIOD,)
    return data


def captions_by_heading(document: bytes) -> list[tuple[str, str]]:
    """(the heading a chart sits under, its caption) for every chart caption, in document order."""
    found, heading = [], None
    for paragraph in docx.Document(io.BytesIO(document)).paragraphs:
        text = paragraph.text
        if re.match(r"([IVX]+|\d+)\. ", text) and paragraph.runs and all(r.bold for r in paragraph.runs):
            heading = text
        elif text.startswith("Biểu đồ "):
            found.append((heading, text))
    return found


def workbook_chart_titles(workbook: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(workbook))["BieuDo"]
    return [c.value for c in sheet["A"] if isinstance(c.value, str) and c.value.startswith("Biểu đồ ")]


SUBMISSIONS = "I. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC BỘ, NGÀNH, ĐỊA PHƯƠNG"
GENERAL = "1. Tình hình chung"


@pytest.mark.parametrize("month", ["second month", "first month", "no task reported"])
def test_charts_are_numbered_in_order_under_the_section_they_illustrate_and_alike_in_the_annex(month):
    if month == "second month":
        data = sample()
    elif month == "first month":
        data = first_month()
    else:
        data = report.ReportData(PERIOD, tasks_frame([]), compliance_frame(), indicators_frame([]))
    built = report.build(data, generated_at=GENERATED)
    placed = captions_by_heading(built.document)
    expected = {
        "second month": [
            (SUBMISSIONS, "Tình hình gửi báo cáo tháng 10/2026 theo hệ thống"),
            (GENERAL, "Nhiệm vụ theo tình trạng thực hiện, tháng 10/2026 so với tháng 09/2026"),
            (GENERAL, "Nhiệm vụ đã hoàn thành đúng hạn, quá hạn theo cơ quan chủ trì"),
            (GENERAL, "Diễn biến số nhiệm vụ theo tháng"),
            (GENERAL, "Diễn biến tỷ lệ hoàn thành và gửi báo cáo đúng hạn")],
        "first month": [  # no trend charts in a first month: the numbers close up, 1, 2, 3
            (SUBMISSIONS, "Tình hình gửi báo cáo tháng 10/2026 theo hệ thống"),
            (GENERAL, "Nhiệm vụ theo tình trạng thực hiện, tháng 10/2026"),
            (GENERAL, "Nhiệm vụ đã hoàn thành đúng hạn, quá hạn theo cơ quan chủ trì")],
        "no task reported": [(SUBMISSIONS, "Tình hình gửi báo cáo tháng 10/2026 theo hệ thống")],
    }[month]
    assert placed == [(heading, f"Biểu đồ {n}. {caption}") for n, (heading, caption) in enumerate(expected, start=1)]
    # the annex's BieuDo sheet shows the same charts under the same numbers and captions
    assert workbook_chart_titles(built.workbook) == [caption for _, caption in placed]
    assert len(docx.Document(io.BytesIO(built.document)).inline_shapes) == len(expected)


def test_the_document_names_the_annex_file_written_with_it():
    built = report.build(sample(), generated_at=GENERATED, annex_name="r.xlsx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(built.document)).paragraphs)
    assert "chi tiết tại Phụ lục kèm theo, tệp r.xlsx):" in text  # the introduction
    assert "Phụ lục kèm theo: Số liệu tổng hợp tháng 10/2026 (tệp r.xlsx)." in text  # the closing line
    assert "bao_cao_tong_hop" not in text
    assert report.build(sample(), generated_at=GENERATED).document != built.document


def test_agency_names_are_written_as_decree_30_capitalises_them():
    """Nghị định 30/2020/NĐ-CP, Phụ lục II, I.3.a: an administrative unit is the common noun in lower case and
    the proper name capitalised (tỉnh Lạng Sơn, thành phố Hà Nội); special case: Thành phố Hồ Chí Minh."""
    special = {"Thành phố Hồ Chí Minh"}
    for agency in reference.agencies().values():
        if agency.kind != "province":
            continue
        match = re.fullmatch(r"Ủy ban nhân dân (tỉnh|thành phố|Thành phố) (.+)", agency.name)
        assert match, agency.name
        unit, place = match.groups()
        assert unit != "Thành phố" or f"{unit} {place}" in special, agency.name
        assert all(word[0].isupper() for word in place.replace(" - ", " ").split()), agency.name
    names = {a.code: a.name for a in reference.agencies().values()}
    assert (names["T01"], names["T79"]) == ("Ủy ban nhân dân thành phố Hà Nội", "Ủy ban nhân dân Thành phố Hồ Chí Minh")
    assert names["DHQGHCM"] == "Đại học Quốc gia Thành phố Hồ Chí Minh"


def test_a_month_without_uploads_says_every_agency_has_not_reported():
    rows = [(code, name, "not_submitted", "not_submitted", "not_submitted") for code, name, *_ in COMPLIANCE_ROWS]
    data = report.ReportData(PERIOD, tasks_frame([]), compliance_frame(rows), indicators_frame([]))
    built = report.build(data, generated_at=GENERATED)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(built.document)).paragraphs)
    assert "8 đơn vị (100,0%) chưa gửi đủ báo cáo hợp lệ, gồm: 8 đơn vị chưa gửi báo cáo." in text
    assert "Chưa đơn vị nào gửi báo cáo trong kỳ." in text
    assert "chưa có nhiệm vụ nào được báo cáo" in text
    ws = openpyxl.load_workbook(io.BytesIO(built.workbook))["TongHop"]
    assert rows_by_label(ws)["Chưa gửi báo cáo"][1] == 8


# ---------------------------------------------------------------- determinism and safety


def test_two_builds_of_the_same_data_are_byte_identical(built):
    again = report.build(sample(), generated_at=GENERATED)
    assert again.workbook == built.workbook and again.document == built.document
    for body in (built.workbook, built.document):
        with zipfile.ZipFile(io.BytesIO(body)) as package:
            assert {i.date_time for i in package.infolist()} == {(2026, 11, 21, 8, 30, 0)}


def test_aware_generated_at_is_vietnam_time():
    built = report.build(sample(), generated_at=dt.datetime(2026, 11, 21, 1, 30, tzinfo=dt.UTC))
    assert built.generated == GENERATED
    ws = openpyxl.load_workbook(io.BytesIO(built.workbook))["TongHop"]
    assert ws["A4"].value == GENERATED


PAYLOADS = ['=HYPERLINK("http://example.invalid/x","Bấm vào đây")', "+cmd|'/c calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-1+2"]


def test_agency_text_never_becomes_a_formula_and_shows_no_apostrophe():
    tasks = tasks_frame([("BKHCN", PAYLOADS[0], "2026-01-31", "DANG_QUA_HAN", 10, PAYLOADS[3], "NQ71-X-1",
                          "DANG_QUA_HAN", "HT_QUA_HAN"),
                         ("T20", PAYLOADS[1], "2026-02-28", "CHUA_QUA_HAN", 0, "NQ57-T20-9", PAYLOADS[2],
                          "CHUA_QUA_HAN", "DANG_QUA_HAN")])
    compliance = compliance_frame()
    compliance.loc[compliance["agency_code"] == "BYT", "agency_name"] = PAYLOADS[2]
    data = report.ReportData(PERIOD, tasks, compliance, indicators_frame())
    wb = openpyxl.load_workbook(io.BytesIO(report.build(data, generated_at=GENERATED).workbook))
    found: set[str] = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} = {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith("'"), f"{ws.title}!{cell.coordinate} shows an apostrophe"
                    if cell.value in PAYLOADS:
                        assert cell.quotePrefix, f"{ws.title}!{cell.coordinate}"
                        found.add(cell.value)
    assert found == set(PAYLOADS)
