"""The consolidated monthly report: figures, sheets, native charts, formula safety, empty periods."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from openpyxl.chart import BarChart

from nq57.outputs import report
from nq57.outputs.report import ReportData, build_report, load_report_data, report_key, target_text, vn_number

PERIOD = "2026-10"
GENERATED = dt.datetime(2026, 11, 22, 8, 30)
UTC = dt.UTC

STATUS_LABEL = {
    "HT_DUNG_HAN": "Hoàn thành đúng hạn",
    "HT_QUA_HAN": "Hoàn thành quá hạn",
    "DANG_TRONG_HAN": "Đang thực hiện trong hạn",
    "DANG_QUA_HAN": "Đang thực hiện quá hạn",
    "CHUA_DEN_HAN": "Chưa thực hiện (chưa đến hạn)",
    "CHUA_QUA_HAN": "Chưa thực hiện, quá hạn",
    "THUONG_XUYEN": "Nhiệm vụ thường xuyên",
}
# Spelled out here rather than imported, so the test does not share the code's definitions.
OVERDUE = {"HT_QUA_HAN", "DANG_QUA_HAN", "CHUA_QUA_HAN"}

# (lead agency, task name, deadline, status, progress, NQ57 code, NQ71 code, NQ57 status, NQ71 status)
TASK_ROWS = [
    ("BKHCN", "Trình Quốc hội Luật Khoa học, công nghệ và đổi mới sáng tạo (sửa đổi)", "2025-06-30", "HT_DUNG_HAN",
     100, "NQ57-BKHCN-0001", "NQ71-BKHCN-012", "HT_DUNG_HAN", "HT_DUNG_HAN"),
    ("BKHCN", "Ban hành Nghị định về cơ chế thử nghiệm có kiểm soát đối với công nghệ mới", "2026-03-31",
     "HT_QUA_HAN", 100, "NQ57-BKHCN-0002", None, None, None),
    ("BKHCN", "Xây dựng cơ sở dữ liệu quốc gia về khoa học, công nghệ và đổi mới sáng tạo", "2026-06-30",
     "DANG_QUA_HAN", 70, "NQ57-BKHCN-0003", "NQ71-BKHCN-031", "DANG_QUA_HAN", "HT_QUA_HAN"),
    ("BKHCN", "Triển khai Chương trình phát triển công nghệ chiến lược giai đoạn 2026–2030", "2026-09-30",
     "CHUA_QUA_HAN", 0, "NQ57-BKHCN-0004", None, None, None),
    ("BKHCN", "Tổ chức thực hiện Nghị quyết 57-NQ/TW tại các đơn vị thuộc Bộ", None, "THUONG_XUYEN", None,
     "NQ57-BKHCN-0005", "NQ71-BKHCN-001", "THUONG_XUYEN", "THUONG_XUYEN"),
    ("BTC", "Sửa đổi Luật Ngân sách nhà nước bảo đảm chi cho khoa học, công nghệ tối thiểu 3% tổng chi", "2025-12-31",
     "HT_DUNG_HAN", 100, None, "NQ71-BTC-004", None, "HT_DUNG_HAN"),
    ("BTC", "Hướng dẫn cơ chế khoán chi đến sản phẩm cuối cùng trong nhiệm vụ khoa học, công nghệ", "2026-08-31",
     "DANG_QUA_HAN", 40, "NQ57-BTC-0002", "NQ71-BTC-009", "DANG_QUA_HAN", "DANG_TRONG_HAN"),
    ("BTC", "Thành lập Quỹ đầu tư mạo hiểm quốc gia", "2027-06-30", "DANG_TRONG_HAN", 35, "NQ57-BTC-0003", None,
     None, None),
    ("BCA", "Kết nối Cơ sở dữ liệu quốc gia về dân cư với các cơ sở dữ liệu chuyên ngành", "2026-09-30",
     "DANG_QUA_HAN", 85, "NQ57-BCA-0001", "NQ71-BCA-002", "DANG_QUA_HAN", "DANG_QUA_HAN"),
    ("BCA", "Bảo đảm an ninh mạng cho hạ tầng số quốc gia", None, "THUONG_XUYEN", None, "NQ57-BCA-0002", None,
     None, None),
    ("BCA", "Xây dựng Trung tâm dữ liệu quốc gia số 1", "2025-08-31", "HT_QUA_HAN", 100, "NQ57-BCA-0003",
     "NQ71-BCA-007", "HT_QUA_HAN", "HT_QUA_HAN"),
    ("NHNN", "Thúc đẩy thanh toán không dùng tiền mặt trong dịch vụ công", "2026-12-31", "DANG_TRONG_HAN", 60,
     None, "NQ71-NHNN-003", None, "DANG_TRONG_HAN"),
    ("BYT", "Triển khai hồ sơ sức khỏe điện tử cho toàn dân", "2026-07-31", "CHUA_QUA_HAN", 0, "NQ57-BYT-0001",
     None, None, None),
    ("BGDDT", "Đề án đào tạo nhân lực công nghệ cao giai đoạn 2025–2035", "2026-12-31", "CHUA_DEN_HAN", 0,
     "NQ57-BGDDT-0001", "NQ71-BGDDT-005", "CHUA_DEN_HAN", "DANG_TRONG_HAN"),
    ("T01", "Thành lập Trung tâm đổi mới sáng tạo Thành phố Hà Nội", "2026-05-31", "DANG_QUA_HAN", 55,
     "NQ57-T01-0001", None, None, None),
    ("T01", "Chuyển đổi số toàn diện trong cung cấp dịch vụ công trực tuyến của Thành phố", "2026-10-15",
     "HT_DUNG_HAN", 100, "NQ57-T01-0002", None, None, None),
    ("T79", "Phủ sóng 5G toàn Thành phố Hồ Chí Minh", "2026-09-30", "HT_QUA_HAN", 100, "NQ57-T79-0001",
     "NQ71-T79-001", "HT_QUA_HAN", "HT_QUA_HAN"),
    ("T79", "Xây dựng Khu công nghệ cao mở rộng", "2026-06-30", "CHUA_QUA_HAN", 10, "NQ57-T79-0002", None,
     None, None),
    ("T79", "Phát triển đô thị thông minh giai đoạn 2026–2030", "2027-12-31", "DANG_TRONG_HAN", 20,
     "NQ57-T79-0003", None, None, None),
    ("T20", "Số hóa hồ sơ thủ tục hành chính cấp xã tỉnh Lạng Sơn", "2026-04-30", "DANG_QUA_HAN", 65,
     "NQ57-T20-0001", None, None, None),
]


def tasks_frame(rows=TASK_ROWS) -> pd.DataFrame:
    records = []
    for number, (agency, name, deadline, status, progress, c57, c71, s57, s71) in enumerate(rows, start=1):
        both = c57 is not None and c71 is not None
        records.append({
            "unified_task_id": f"t{number:04d}", "period": PERIOD, "lead_agency_code": agency, "task_name": name,
            "deadline": dt.date.fromisoformat(deadline) if deadline else None, "status_code": status,
            "progress_pct": progress, "nq57_task_code": c57, "nq71_task_code": c71, "in_both_systems": both,
            "status_conflict": both and s57 != s71, "nq57_status_code": s57, "nq71_status_code": s71,
        })
    return pd.DataFrame(records)


def vn(y, m, d, hh, mm) -> dt.datetime:
    """A Vietnam wall-clock time as the warehouse returns it (timestamptz, in UTC)."""
    return (dt.datetime(y, m, d, hh, mm) - dt.timedelta(hours=7)).replace(tzinfo=UTC)


# (agency, name, nq57 received (VN time) or None, nq71 received or None, nil report)
DUE = dt.datetime(2026, 11, 21)
COMPLIANCE_ROWS = [
    ("BKHCN", "Bộ Khoa học và Công nghệ", (2026, 11, 18, 9, 15), (2026, 11, 18, 9, 40), False),
    ("BTC", "Bộ Tài chính", (2026, 11, 21, 0, 30), (2026, 11, 20, 16, 0), False),  # NQ57 30 minutes late
    ("BCA", "Bộ Công an", (2026, 11, 19, 10, 0), None, False),  # NQ71 missing
    ("BYT", "Bộ Y tế", None, None, False),  # nothing
    ("NHNN", "Ngân hàng Nhà nước Việt Nam", None, (2026, 11, 23, 8, 0), False),  # NQ57 missing, NQ71 late
    ("T01", "Ủy ban nhân dân thành phố Hà Nội", (2026, 11, 20, 23, 59), (2026, 11, 20, 23, 59), False),
    ("T20", "Ủy ban nhân dân tỉnh Lạng Sơn", (2026, 11, 25, 14, 5), (2026, 11, 25, 14, 5), True),  # both late
    ("T79", "Ủy ban nhân dân Thành phố Hồ Chí Minh", (2026, 11, 10, 7, 0), (2026, 11, 10, 7, 5), False),
]


def compliance_frame(rows=COMPLIANCE_ROWS) -> pd.DataFrame:
    records = []
    for agency, name, got57, got71, nil in rows:
        t57 = vn(*got57) if got57 else None
        t71 = vn(*got71) if got71 else None
        on57 = got57 is not None and dt.datetime(*got57) < DUE
        on71 = got71 is not None and dt.datetime(*got71) < DUE
        records.append({
            "agency_code": agency, "agency_name": name, "period": PERIOD,
            "nq57_submitted": got57 is not None, "nq71_submitted": got71 is not None,
            "nq57_on_time": on57, "nq71_on_time": on71, "on_time": on57 and on71,
            "late": (got57 is not None and not on57) or (got71 is not None and not on71),
            "missing": got57 is None or got71 is None, "nil_report": nil,
            "nq57_received_at": t57, "nq71_received_at": t71,
        })
    frame = pd.DataFrame(records)
    for column in ("nq57_received_at", "nq71_received_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


# (agency, code, name, value, unit, op, low, high, meets) as mart.v_indicators gives them
INDICATOR_ROWS = [
    ("BKHCN", "CT_1", "Tiềm lực khoa học, công nghệ và đổi mới sáng tạo", None, "thứ bậc", "qualitative", None,
     None, None),
    ("BKHCN", "CT_4", "Xếp hạng năng lực cạnh tranh số", 5, "thứ bậc", "<=", 3, None, False),
    ("BKHCN", "CT_11_1", "Tỷ lệ sử dụng dịch vụ công trực tuyến của người dân và doanh nghiệp", 82.5, "%", ">=",
     80, None, True),
    ("NHNN", "CT_12", "Tỷ lệ giao dịch không dùng tiền mặt", None, "%", ">=", 80, None, None),
    ("BKHCN", "CT_14", "Chỉ số phát triển con người (HDI)", 0.73, "chỉ số", ">", 0.7, None, True),
    ("BKHCN", "CT_15", "Kinh phí chi cho nghiên cứu và phát triển (R&D)", 0.5, "% GDP", "=", 2, None, False),
    ("BKHCN", "CT_21", "Tốc độ tăng số đơn đăng ký sáng chế", 17, "%/năm", "between", 16, 18, True),
    ("BKHCN", "CT_22", "Tỷ lệ sáng chế được khai thác thương mại", 6.5, "%", "between", 8, 10, False),
]


def indicators_frame(rows=INDICATOR_ROWS) -> pd.DataFrame:
    return pd.DataFrame([
        {"period": PERIOD, "agency_code": a, "indicator_code": c, "indicator_name": n, "value": v, "unit": u,
         "target_op": op, "target_low": lo, "target_high": hi, "meets_target": m}
        for a, c, n, v, u, op, lo, hi, m in rows
    ])


def sample_data() -> ReportData:
    return ReportData(PERIOD, tasks_frame(), compliance_frame(), indicators_frame())


def load(data: ReportData) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(build_report(data, generated_at=GENERATED)))


@pytest.fixture(scope="module")
def workbook() -> openpyxl.Workbook:
    return load(sample_data())


def find_row(ws, column: int, value, start: int = 1) -> int:
    for row in range(start, ws.max_row + 1):
        if ws.cell(row, column).value == value:
            return row
    raise AssertionError(f"{value!r} not found in column {column} of {ws.title}")


def table(ws, header_row: int) -> list[dict]:
    """Rows under a header row as dicts keyed by header, until the first row with an empty first cell."""
    headers = [c.value for c in ws[header_row]]
    rows = []
    for row in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if row[0] is None:
            break
        rows.append(dict(zip(headers, row, strict=False)))
    return rows


def summary_value(ws, label: str) -> tuple:
    row = find_row(ws, 2, label)
    return ws.cell(row, 3).value, ws.cell(row, 4).value


# ---------------------------------------------------------------- structure


def test_sheets_title_and_generated_date(workbook):
    assert workbook.sheetnames == ["TongHop", "NhiemVuQuaHan", "DonViNopMuon", "ChiTieu", "XungDot"]
    ws = workbook["TongHop"]
    assert ws["A1"].value == "BÁO CÁO TỔNG HỢP TÌNH HÌNH THỰC HIỆN NGHỊ QUYẾT 57-NQ/TW — THÁNG 10/2026"
    assert ws["A3"].value == GENERATED and "dd/mm/yyyy" in ws["A3"].number_format
    assert ws.freeze_panes is not None and workbook["NhiemVuQuaHan"].freeze_panes == "A5"
    assert ws.cell(find_row(ws, 2, "Tình trạng"), 2).font.b


def test_report_key_and_period_check():
    assert report_key("2026-10") == "2026-10/bao_cao_tong_hop_2026-10.xlsx"
    with pytest.raises(ValueError):
        report_key("../2026-10")
    with pytest.raises(ValueError):
        build_report(ReportData("10/2026", tasks_frame(), compliance_frame(), indicators_frame()))


def test_aware_generated_at_is_shown_in_vietnam_time():
    data = ReportData(PERIOD, tasks_frame(), compliance_frame(), indicators_frame())
    wb = openpyxl.load_workbook(io.BytesIO(build_report(data, generated_at=dt.datetime(2026, 11, 22, 1, 0, tzinfo=UTC))))
    assert wb["TongHop"]["A3"].value == dt.datetime(2026, 11, 22, 8, 0)


# ---------------------------------------------------------------- TongHop figures


def test_tasks_by_status_counted_once_with_total(workbook):
    ws = workbook["TongHop"]
    statuses = [row[3] for row in TASK_ROWS]
    for code, label in STATUS_LABEL.items():
        count, share = summary_value(ws, label)
        assert count == statuses.count(code), label
        assert share == pytest.approx(statuses.count(code) / len(statuses))
    assert summary_value(ws, "Tổng số nhiệm vụ") == (len(TASK_ROWS), 1)


def test_key_figures(workbook):
    ws = workbook["TongHop"]
    statuses = [row[3] for row in TASK_ROWS]
    on_time, late = statuses.count("HT_DUNG_HAN"), statuses.count("HT_QUA_HAN")
    overdue = sum(s in OVERDUE for s in statuses)
    overdue_open = sum(s in {"DANG_QUA_HAN", "CHUA_QUA_HAN"} for s in statuses)
    both = sum(1 for r in TASK_ROWS if r[5] and r[6])
    conflicts = sum(1 for r in TASK_ROWS if r[5] and r[6] and r[7] != r[8])

    assert summary_value(ws, "Tổng số nhiệm vụ (đã loại trùng giữa NQ57 và NQ71)")[0] == len(TASK_ROWS)
    done, share = summary_value(ws, "Đã hoàn thành (đúng hạn và quá hạn)")
    assert done == on_time + late and share == pytest.approx((on_time + late) / len(TASK_ROWS))
    row = find_row(ws, 2, "Tỷ lệ hoàn thành đúng hạn (hoàn thành đúng hạn / đã hoàn thành)")
    assert ws.cell(row, 4).value == pytest.approx(on_time / (on_time + late))
    assert "%" in ws.cell(row, 4).number_format
    label = "Nhiệm vụ quá hạn (hoàn thành quá hạn, đang thực hiện quá hạn, chưa thực hiện quá hạn)"
    assert summary_value(ws, label)[0] == overdue
    assert summary_value(ws, "   trong đó: chưa hoàn thành, đã quá hạn")[0] == overdue_open
    assert summary_value(ws, "Nhiệm vụ có trên cả hai hệ thống NQ57 và NQ71")[0] == both
    assert summary_value(ws, "Nhiệm vụ hai hệ thống báo cáo khác nhau (xem sheet XungDot)")[0] == conflicts


def test_on_time_completion_rate_without_completed_tasks_is_a_dash():
    rows = [r for r in TASK_ROWS if r[3] not in {"HT_DUNG_HAN", "HT_QUA_HAN"}]
    figures = report.task_figures(tasks_frame(rows))
    assert figures.on_time_completion_rate is None
    wb = load(ReportData(PERIOD, tasks_frame(rows), compliance_frame(), indicators_frame()))
    ws = wb["TongHop"]
    assert ws.cell(find_row(ws, 2, "Tỷ lệ hoàn thành đúng hạn (hoàn thành đúng hạn / đã hoàn thành)"), 4).value == "—"


def test_compliance_counts(workbook):
    ws = workbook["TongHop"]
    frame = compliance_frame()
    assert summary_value(ws, "Tổng số đơn vị phải báo cáo")[0] == len(COMPLIANCE_ROWS)
    assert summary_value(ws, "Nộp đủ và đúng hạn trên cả hai hệ thống")[0] == int(frame["on_time"].sum())
    assert summary_value(ws, "Nộp muộn (ít nhất một hệ thống)")[0] == int(frame["late"].sum())
    missing = sum(1 for r in COMPLIANCE_ROWS if r[2] is None or r[3] is None)
    assert summary_value(ws, "Chưa nộp đủ (thiếu ít nhất một hệ thống)")[0] == missing
    assert summary_value(ws, "Báo cáo không phát sinh nhiệm vụ")[0] == 1


def test_overdue_by_agency_sorted_descending(workbook):
    ws = workbook["TongHop"]
    header = find_row(ws, 1, "Mã đơn vị")
    rows = table(ws, header)
    expected: dict[str, int] = {}
    for agency, _name, _deadline, status, *_ in TASK_ROWS:
        if status in OVERDUE:
            expected[agency] = expected.get(agency, 0) + 1
    got = [(r["Mã đơn vị"], r["Số nhiệm vụ quá hạn"]) for r in rows]
    assert sorted(got) == sorted(expected.items())
    counts = [n for _, n in got]
    assert counts == sorted(counts, reverse=True)
    assert got[0] == ("BKHCN", max(expected.values()))
    assert rows[0]["Cơ quan chủ trì"] == "Bộ Khoa học và Công nghệ"
    assert ws.cell(header + len(rows) + 1, 2).value == "Tổng cộng"


# ---------------------------------------------------------------- charts


def test_status_chart_points_at_the_status_table(workbook):
    ws = workbook["TongHop"]
    assert len(ws._charts) == 2
    chart = ws._charts[0]
    assert isinstance(chart, BarChart) and chart.barDir == "bar"
    first = find_row(ws, 2, STATUS_LABEL["HT_DUNG_HAN"])
    last = find_row(ws, 2, STATUS_LABEL["THUONG_XUYEN"])
    assert last - first == len(STATUS_LABEL) - 1
    series = chart.series[0]
    assert series.val.numRef.f == f"'TongHop'!$C${first}:$C${last}"
    assert series.cat.strRef.f == f"'TongHop'!$B${first}:$B${last}"


def test_agency_chart_shows_top_15():
    # 18 agencies with 1..18 overdue tasks each
    codes = ["BQP", "BCA", "BNG", "BNV", "BTP", "BTC", "BCT", "BXD", "BKHCN", "BYT", "VPCP", "NHNN", "T01", "T04",
             "T08", "T20", "T48", "T79"]
    rows = [(code, f"Nhiệm vụ số {k} của {code}", "2026-01-31", "DANG_QUA_HAN", 50, f"NQ57-{code}-{k:04d}", None,
             None, None) for n, code in enumerate(codes, start=1) for k in range(n)]
    wb = load(ReportData(PERIOD, tasks_frame(rows), compliance_frame(), indicators_frame()))
    ws = wb["TongHop"]
    chart = ws._charts[1]
    assert isinstance(chart, BarChart) and chart.barDir == "bar"
    header = find_row(ws, 1, "Mã đơn vị")
    assert chart.series[0].val.numRef.f == f"'TongHop'!$C${header + 1}:$C${header + 15}"
    assert chart.series[0].cat.strRef.f == f"'TongHop'!$E${header + 1}:$E${header + 15}"
    assert ws.cell(header, 5).value == "Tên viết tắt" and ws.cell(header + 1, 5).value == "UBND TP. Hồ Chí Minh"
    shown = [ws.cell(r, 1).value for r in range(header + 1, header + 16)]
    assert shown == list(reversed(codes))[:15]
    assert len(table(ws, header)) == len(codes)


def test_indicator_chart_covers_numeric_targets_only(workbook):
    ws = workbook["ChiTieu"]
    header = find_row(ws, 1, "STT")
    rows = table(ws, header)
    numeric = [r for r in rows if r["Mục tiêu 2030"] != "định tính"]
    assert rows[-1]["Mã chỉ tiêu"] == "CT_1"  # qualitative last
    [chart] = ws._charts
    assert isinstance(chart, BarChart) and chart.barDir == "col"
    first, last = header + 1, header + len(numeric)
    value, target = chart.series
    assert value.val.numRef.f == f"'ChiTieu'!$G${first}:$G${last}"
    assert target.val.numRef.f == f"'ChiTieu'!$H${first}:$H${last}"
    assert value.tx.strRef.f == f"'ChiTieu'!G{header}" and ws.cell(header, 7).value == "Giá trị"
    assert value.cat.strRef.f == f"'ChiTieu'!$B${first}:$B${last}"


# ---------------------------------------------------------------- detail sheets


def test_overdue_list_sorted_by_agency_then_deadline(workbook):
    ws = workbook["NhiemVuQuaHan"]
    header = find_row(ws, 1, "STT")
    rows = table(ws, header)
    expected = sorted(
        ((r[0], dt.date.fromisoformat(r[2]), r[1]) for r in TASK_ROWS if r[3] in OVERDUE),
    )
    assert [(r["Mã đơn vị"], r["Thời hạn"].date(), r["Tên nhiệm vụ"]) for r in rows] == expected
    first = ws.cell(header + 1, 5)
    assert isinstance(first.value, dt.datetime) and first.number_format == "dd/mm/yyyy"
    bkhcn_open = next(r for r in rows if r["Tên nhiệm vụ"].startswith("Xây dựng cơ sở dữ liệu quốc gia"))
    assert bkhcn_open["Tình trạng"] == "Đang thực hiện quá hạn"
    assert bkhcn_open["Tiến độ"] == pytest.approx(0.7)
    assert bkhcn_open["Mã nhiệm vụ NQ57"] == "NQ57-BKHCN-0003" and bkhcn_open["Mã nhiệm vụ NQ71"] == "NQ71-BKHCN-031"
    assert bkhcn_open["Số ngày quá hạn (đến cuối kỳ)"] == (dt.date(2026, 10, 31) - dt.date(2026, 6, 30)).days
    assert "%" in ws.cell(header + 1, 8).number_format


def test_late_and_missing_agencies_missing_first(workbook):
    ws = workbook["DonViNopMuon"]
    header = find_row(ws, 1, "STT")
    rows = table(ws, header)
    missing = sorted(r[0] for r in COMPLIANCE_ROWS if r[2] is None or r[3] is None)
    late_only = sorted(r[0] for r in COMPLIANCE_ROWS if r[2] and r[3]
                       and (dt.datetime(*r[2]) >= DUE or dt.datetime(*r[3]) >= DUE))
    assert [r["Mã đơn vị"] for r in rows] == missing + late_only
    by_code = {r["Mã đơn vị"]: r for r in rows}
    assert by_code["BYT"]["Tình trạng"] == "Chưa nộp NQ57 và NQ71"
    assert by_code["NHNN"]["Tình trạng"] == "Chưa nộp NQ57; Nộp muộn NQ71"
    btc = by_code["BTC"]
    assert btc["Tên đơn vị"] == "Bộ Tài chính" and btc["Tình trạng"] == "Nộp muộn NQ57"
    assert (btc["NQ57: đã nộp"], btc["NQ57: đúng hạn"], btc["NQ71: đúng hạn"]) == ("Có", "Không", "Có")
    assert btc["NQ57: thời điểm nhận"] == dt.datetime(2026, 11, 21, 0, 30)  # Vietnam time, not UTC
    assert by_code["BCA"]["NQ71: đã nộp"] == "Không" and by_code["BCA"]["NQ71: đúng hạn"] == "—"
    assert "T01" not in by_code and "BKHCN" not in by_code  # 23:59 on the 20th is on time
    cell = ws.cell(header + 1 + [r["Mã đơn vị"] for r in rows].index("BTC"), 7)
    assert cell.number_format == "dd/mm/yyyy hh:mm"


@pytest.mark.parametrize(("op", "low", "high", "text"), [
    (">=", 80, None, "≥ 80"),
    (">", 0.7, None, "> 0,7"),
    ("<=", 3, None, "≤ 3"),
    ("=", 2, None, "= 2"),
    ("between", 16, 18, "16–18"),
    ("qualitative", None, None, "định tính"),
    (">=", 1287.5, None, "≥ 1.287,5"),
])
def test_target_text(op, low, high, text):
    assert target_text(op, low, high) == text


def test_vietnamese_number_text():
    assert vn_number(1287) == "1.287" and vn_number(80.3) == "80,3" and vn_number(0.7) == "0,7"


def test_indicator_sheet_targets_and_verdicts(workbook):
    ws = workbook["ChiTieu"]
    rows = {r["Mã chỉ tiêu"]: r for r in table(ws, find_row(ws, 1, "STT"))}
    assert set(rows) == {r[1] for r in INDICATOR_ROWS}
    assert rows["CT_1"]["Mục tiêu 2030"] == "định tính" and rows["CT_1"]["Đánh giá"] == "—"
    assert rows["CT_4"]["Mục tiêu 2030"] == "≤ 3" and rows["CT_4"]["Đánh giá"] == "Chưa đạt"
    assert rows["CT_11_1"]["Mục tiêu 2030"] == "≥ 80" and rows["CT_11_1"]["Đánh giá"] == "Đạt"
    assert rows["CT_11_1"]["Giá trị"] == 82.5
    assert rows["CT_12"]["Giá trị"] is None and rows["CT_12"]["Đánh giá"] == "—"
    assert rows["CT_14"]["Mục tiêu 2030"] == "> 0,7" and rows["CT_14"]["Đánh giá"] == "Đạt"
    assert rows["CT_15"]["Mục tiêu 2030"] == "= 2" and rows["CT_15"]["Đánh giá"] == "Chưa đạt"
    equals = ws.cell(find_row(ws, 2, "CT_15"), 6)
    assert equals.data_type == "s" and equals.quotePrefix  # text, not a formula
    assert rows["CT_21"]["Mục tiêu 2030"] == "16–18" and rows["CT_21"]["Đánh giá"] == "Đạt"
    assert rows["CT_22"]["Ngưỡng so sánh"] == 8 and rows["CT_22"]["Đánh giá"] == "Chưa đạt"
    # catalogue order among the numeric targets: CT_4 before CT_11_1 before CT_21
    codes = list(rows)
    assert codes.index("CT_4") < codes.index("CT_11_1") < codes.index("CT_21")


def test_indicator_rows_name_the_system_when_the_view_gives_it():
    frame = indicators_frame()
    frame["system"] = "NQ71"
    ws = load(ReportData(PERIOD, tasks_frame(), compliance_frame(), frame))["ChiTieu"]
    rows = table(ws, find_row(ws, 1, "STT"))
    assert {r["Đơn vị báo cáo"] for r in rows} == {"BKHCN (NQ71)", "NHNN (NQ71)"}


def test_conflicts_show_both_statuses(workbook):
    ws = workbook["XungDot"]
    rows = table(ws, find_row(ws, 1, "STT"))
    expected = {(r[5], r[6], STATUS_LABEL[r[7]], STATUS_LABEL[r[8]]) for r in TASK_ROWS
                if r[5] and r[6] and r[7] != r[8]}
    got = {(r["Mã nhiệm vụ NQ57"], r["Mã nhiệm vụ NQ71"], r["Tình trạng theo NQ57"], r["Tình trạng theo NQ71"])
           for r in rows}
    assert got == expected and len(rows) == len(expected)


def test_conflicts_without_per_system_status_columns():
    tasks = tasks_frame().drop(columns=["nq57_status_code", "nq71_status_code"])
    wb = load(ReportData(PERIOD, tasks, compliance_frame(), indicators_frame()))
    ws = wb["XungDot"]
    rows = table(ws, find_row(ws, 1, "STT"))
    assert rows and all(r["Tình trạng theo NQ57"] == "— (không có thông tin)" for r in rows)


# ---------------------------------------------------------------- safety and empty input


PAYLOADS = ['=HYPERLINK("http://example.invalid/x","Bấm vào đây")', "+cmd|'/c calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-1+2"]


def test_formula_injection_is_neutralised():
    rows = [("BKHCN", PAYLOADS[0], "2026-01-31", "DANG_QUA_HAN", 10, PAYLOADS[3], "NQ71-X-1", "DANG_QUA_HAN",
             "HT_QUA_HAN"),
            ("T20", PAYLOADS[1], "2026-02-28", "CHUA_QUA_HAN", 0, "NQ57-T20-9", PAYLOADS[2], "CHUA_QUA_HAN",
             "DANG_QUA_HAN")]
    compliance = compliance_frame()
    compliance.loc[compliance["agency_code"] == "BYT", "agency_name"] = PAYLOADS[2]
    compliance.loc[compliance["agency_code"] == "BKHCN", "agency_name"] = PAYLOADS[1]
    indicators = indicators_frame()
    indicators.loc[0, "indicator_name"] = PAYLOADS[0]
    indicators.loc[1, "unit"] = PAYLOADS[3]
    wb = load(ReportData(PERIOD, tasks_frame(rows), compliance, indicators))
    found: set[str] = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} = {cell.value!r}"
                if isinstance(cell.value, str) and cell.value.lstrip("'") in PAYLOADS:
                    assert cell.value.startswith("'")
                    found.add(cell.value[1:])
    assert found == set(PAYLOADS)
    overdue = wb["NhiemVuQuaHan"]
    assert overdue.cell(find_row(overdue, 1, 1), 4).value == "'" + PAYLOADS[0]
    summary = wb["TongHop"]
    assert summary.cell(find_row(summary, 1, "BKHCN"), 2).value == "'" + PAYLOADS[1]


def test_empty_period_gives_a_valid_workbook_without_charts():
    empty = ReportData(PERIOD, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    wb = load(empty)
    assert wb.sheetnames == ["TongHop", "NhiemVuQuaHan", "DonViNopMuon", "ChiTieu", "XungDot"]
    assert all(not ws._charts for ws in wb.worksheets)
    ws = wb["TongHop"]
    assert summary_value(ws, "Tổng số nhiệm vụ")[0] == 0
    for sheet in wb.worksheets:
        texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        assert any("Không có dữ liệu" in t for t in texts), sheet.title


def test_no_overdue_tasks_and_no_numeric_indicators():
    rows = [r for r in TASK_ROWS if r[3] not in OVERDUE]
    indicators = indicators_frame([r for r in INDICATOR_ROWS if r[5] == "qualitative"])
    wb = load(ReportData(PERIOD, tasks_frame(rows), compliance_frame(), indicators))
    assert len(wb["TongHop"]._charts) == 1  # status chart only
    assert not wb["ChiTieu"]._charts
    assert wb["NhiemVuQuaHan"].cell(5, 1).value == "Không có nhiệm vụ quá hạn."


def test_load_report_data_tolerates_missing_optional_columns(monkeypatch):
    seen = []

    def fake_query(url, sql, **params):
        seen.append((sql, params))
        if "v_tasks" in sql:
            return tasks_frame().drop(columns=["nq57_status_code", "nq71_status_code"])
        if "v_compliance" in sql:
            return compliance_frame()
        return indicators_frame()

    monkeypatch.setattr(report.warehouse, "query", fake_query)
    data = load_report_data("postgresql://example.invalid/nq57", PERIOD)
    assert {"mart.v_tasks", "mart.v_compliance", "mart.v_indicators"} <= {
        word for sql, _ in seen for word in sql.split() if word.startswith("mart.")}
    assert all(params == {"period": PERIOD} for _, params in seen)
    assert {"nq57_status_code", "nq71_status_code"} <= set(data.tasks.columns)
    assert data.tasks["nq57_status_code"].isna().all()
    openpyxl.load_workbook(io.BytesIO(build_report(data, generated_at=GENERATED)))
