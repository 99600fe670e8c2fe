"""A small, fully hand-checked month for the report tests: 20 tasks, 8 agencies, indicators, difficulties.

Every expected figure in the report tests is computed by hand from these rows (see the comments); nothing
here imports the code under test's definitions, except the `ReportData` container.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from nq57.outputs.report import ReportData

PERIOD = "2026-10"
PREVIOUS = "2026-09"
GENERATED = dt.datetime(2026, 11, 21, 8, 30)
UTC = dt.UTC

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
    ("T01", "Thành lập Trung tâm đổi mới sáng tạo thành phố Hà Nội", "2026-05-31", "DANG_QUA_HAN", 55,
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
# By hand, in the Government framing (rows numbered 1..20):
#   done on time  HT_DUNG_HAN                 rows 1, 6, 16                 = 3
#   done late     HT_QUA_HAN                  rows 2, 11, 17                = 3
#   open in term  DANG_TRONG_HAN, CHUA_DEN_HAN rows 8, 12, 14, 19           = 4
#   open overdue  DANG_QUA_HAN, CHUA_QUA_HAN  rows 3, 4, 7, 9, 13, 15, 18, 20 = 8
#   recurring     THUONG_XUYEN                rows 5, 10                    = 2      total 20
# with a deadline 18; completed 6 (6/18 = 33,3%); open 12 (66,7%); on-time among completed 3/6 = 50,0%.
# The old headline counted HT_QUA_HAN as "quá hạn": 3 + 8 = 11 "overdue", of which 8 are still open.
# Status conflicts: rows 3, 7, 14 (in both systems: rows 1, 3, 5, 7, 9, 11, 14, 17 = 8).
EXPECTED = {"done_on_time": 3, "done_late": 3, "open_in_term": 4, "open_overdue": 8, "recurring": 2}

# Assigning documents: rows 1-8 "57-NQ/TW", 9-12 "Nghị quyết số 57-NQ/TW" (the same document), 13-20
# alternately "71/NQ-CP" and "71-NQ/CP" (the same document).
#   57-NQ/TW (rows 1-12):  on time 1, 6 = 2; late 2, 11 = 2; in term 8, 12 = 2; overdue 3, 4, 7, 9 = 4;
#                          recurring 5, 10 = 2                                      total 12
#   71-NQ/CP (rows 13-20): on time 16 = 1; late 17 = 1; in term 14, 19 = 2; overdue 13, 15, 18, 20 = 4
#                                                                                   total 8
DOCUMENTS = ["57-NQ/TW"] * 8 + ["Nghị quyết số 57-NQ/TW"] * 4 + ["71/NQ-CP", "71-NQ/CP"] * 4


def tasks_frame(rows=TASK_ROWS, period: str = PERIOD) -> pd.DataFrame:
    records = []
    for number, (agency, name, deadline, status, progress, c57, c71, s57, s71) in enumerate(rows, start=1):
        both = c57 is not None and c71 is not None
        records.append({
            "unified_task_id": f"t{number:04d}", "period": period, "lead_agency_code": agency, "task_name": name,
            "deadline": dt.date.fromisoformat(deadline) if deadline else None, "status_code": status,
            "progress_pct": progress, "nq57_task_code": c57, "nq71_task_code": c71, "in_both_systems": both,
            "status_conflict": both and s57 != s71, "nq57_status_code": s57, "nq71_status_code": s71,
            "nq57_progress_pct": progress if c57 else None, "nq71_progress_pct": progress if c71 else None,
            "assigning_doc": DOCUMENTS[(number - 1) % len(DOCUMENTS)],
        })
    return pd.DataFrame(records)


# The previous month: on time 2, late 1, in term 5, overdue 9, recurring 2 (total 19). Differences this
# month: +1, +2, −1, −1, 0; total +1; completed 3 -> 6 (+3).
PREVIOUS_STATUSES = ["HT_DUNG_HAN"] * 2 + ["HT_QUA_HAN"] + ["DANG_TRONG_HAN"] * 5 + ["DANG_QUA_HAN"] * 9 + [
    "THUONG_XUYEN"] * 2


def previous_tasks_frame() -> pd.DataFrame:
    rows = [("BKHCN", f"Nhiệm vụ {n}", "2026-06-30", status, 50, f"NQ57-BKHCN-{n:04d}", None, None, None)
            for n, status in enumerate(PREVIOUS_STATUSES, start=1)]
    return tasks_frame(rows, PREVIOUS)


def vn(y, m, d, hh, mm) -> dt.datetime:
    """A Vietnam wall-clock time as the warehouse returns it (timestamptz, in UTC)."""
    return (dt.datetime(y, m, d, hh, mm) - dt.timedelta(hours=7)).replace(tzinfo=UTC)


# (agency, name, NQ57 state, NQ71 state, overall state) as mart.v_compliance gives them.
# By hand: overall on_time 2 (BKHCN, T79), late 2 (BTC, T20), rejected 1 (T01), partial 2 (BCA, NHNN),
# not_submitted 1 (BYT) = 8. NQ57: on time 4 (BKHCN, BTC, BCA, T79), late 1 (T20), rejected 1 (T01),
# not submitted 2 (BYT, NHNN) = 8. NQ71: on time 3 (BKHCN, T01, T79), late 3 (BTC, NHNN, T20), rejected 0,
# not submitted 2 (BCA, BYT) = 8. T79's NQ71 correction was rejected after its accepted report: 1 correction.
COMPLIANCE_ROWS = [
    ("BKHCN", "Bộ Khoa học và Công nghệ", "on_time", "on_time", "on_time"),
    ("BTC", "Bộ Tài chính", "on_time", "late", "late"),
    ("BCA", "Bộ Công an", "on_time", "not_submitted", "partial"),
    ("BYT", "Bộ Y tế", "not_submitted", "not_submitted", "not_submitted"),
    ("NHNN", "Ngân hàng Nhà nước Việt Nam", "not_submitted", "late", "partial"),
    ("T01", "Ủy ban nhân dân thành phố Hà Nội", "rejected", "on_time", "rejected"),
    ("T20", "Ủy ban nhân dân tỉnh Lạng Sơn", "late", "late", "late"),
    ("T79", "Ủy ban nhân dân Thành phố Hồ Chí Minh", "on_time", "on_time", "on_time"),
]
EXPECTED_STATES = {"on_time": 2, "late": 2, "rejected": 1, "partial": 2, "not_submitted": 1}
EXPECTED_SYSTEM_STATES = {"NQ57": {"on_time": 4, "late": 1, "rejected": 1, "not_submitted": 2},
                          "NQ71": {"on_time": 3, "late": 3, "rejected": 0, "not_submitted": 2}}
T01_REASON = "Tình trạng 'Đang làm' không thuộc danh mục 7 tình trạng."


def compliance_frame(rows=COMPLIANCE_ROWS, period: str = PERIOD) -> pd.DataFrame:
    records = []
    for agency, name, s57, s71, overall in rows:
        record = {"agency_code": agency, "agency_name": name, "period": period, "submission_state": overall,
                  "nil_report": agency == "T20"}
        for system, state in (("nq57", s57), ("nq71", s71)):
            accepted = state in {"on_time", "late"}
            record |= {
                f"{system}_state": state, f"{system}_submitted": accepted, f"{system}_on_time": state == "on_time",
                f"{system}_received_at": vn(2026, 11, 18 if state == "on_time" else 23, 9, 15) if accepted else None,
                f"{system}_counting_received_at": None, f"{system}_rejected_at": None,
                f"{system}_rejected_errors": None, f"{system}_rejection_reason": None,
                f"{system}_rejected_feedback_key": None,
            }
        records.append(record)
    frame = pd.DataFrame(records)
    t01 = frame["agency_code"] == "T01"
    frame.loc[t01, ["nq57_rejected_at", "nq57_rejected_errors", "nq57_rejection_reason",
                    "nq57_rejected_feedback_key"]] = [vn(2026, 11, 19, 14, 5), 3, T01_REASON,
                                                      "T01/2026-10/bao_cao.feedback.xlsx"]
    t79 = frame["agency_code"] == "T79"
    frame.loc[t79, ["nq71_rejected_at", "nq71_rejected_errors", "nq71_rejection_reason",
                    "nq71_counting_received_at"]] = [vn(2026, 11, 20, 10, 0), 1, "Mã nhiệm vụ bị trùng.",
                                                     vn(2026, 11, 18, 9, 15)]
    return frame


# mart.v_indicators rows: (agency, code, name, value, unit, op, low, high, meets, conflict, v57, v71, m57, m71)
INDICATOR_ROWS = [
    ("BKHCN", "CT_1", "Tiềm lực khoa học, công nghệ và đổi mới sáng tạo", None, "thứ bậc", "qualitative", None,
     None, None, False, None, None, None, None),
    ("BKHCN", "CT_4", "Xếp hạng năng lực cạnh tranh số", 5, "thứ bậc", "<=", 3, None, False, False, 5, None, False,
     None),
    ("BKHCN", "CT_11_1", "Tỷ lệ sử dụng dịch vụ công trực tuyến của người dân và doanh nghiệp", 82.5, "%", ">=",
     80, None, True, False, 82.5, 82.5, True, True),
    ("BKHCN", "CT_20", "Tốc độ tăng số công bố quốc tế", 10.9, "%/năm", "=", 10, None, True, False, 10.9, None,
     True, None),
    ("BTC", "CT_8", "Tỷ lệ đóng góp của năng suất các nhân tố tổng hợp (TFP) vào tăng trưởng", None, "%", ">=", 55,
     None, False, True, 7.8, 12.4, False, False),
    ("NHNN", "CT_12", "Tỷ lệ giao dịch không dùng tiền mặt", None, "%", ">=", 80, None, None, True, 82.0, 74.5,
     True, False),
    ("BKHCN", "CT_21", "Tốc độ tăng số đơn đăng ký sáng chế", 17, "%/năm", "between", 16, 18, True, False, 17,
     None, True, None),
]
# By hand: numeric rows 6; met: CT_11_1, CT_20, CT_21 = 3; not met: CT_4, CT_8 (both values below 55) = 2;
# conflicts: CT_8, CT_12 = 2 (CT_12's two verdicts differ: no verdict); qualitative 1.


def indicators_frame(rows=INDICATOR_ROWS) -> pd.DataFrame:
    return pd.DataFrame([
        {"period": PERIOD, "agency_code": a, "indicator_code": c, "indicator_name": n, "value": v, "unit": u,
         "target_op": op, "target_low": lo, "target_high": hi, "meets_target": m, "value_conflict": k,
         "nq57_value": v57, "nq71_value": v71, "nq57_meets_target": m57, "nq71_meets_target": m71,
         "system": "NQ57+NQ71" if v57 is not None and v71 is not None else "NQ57"}
        for a, c, n, v, u, op, lo, hi, m, k, v57, v71, m57, m71 in rows
    ])


# (reporting agency, system, row, task code, task name, difficulty, recommendation)
DIFFICULTY_ROWS = [
    ("BTC", "NQ57", 7, "NQ57-BTC-0002", "Hướng dẫn cơ chế khoán chi", "Chưa được bố trí kinh phí thực hiện", None),
    ("BTC", "NQ71", 9, "NQ71-BTC-009", "Hướng dẫn cơ chế khoán chi", "Chưa được bố trí kinh phí thực hiện",
     "Đề nghị Bộ Tài chính bổ sung kinh phí"),
    ("BKHCN", "NQ57", 8, "NQ57-BKHCN-0003", "Xây dựng cơ sở dữ liệu quốc gia",
     "Hạ tầng dữ liệu chưa kết nối với cơ sở dữ liệu quốc gia", None),
    ("T20", "NQ57", 5, "NQ57-T20-0001", "Số hóa hồ sơ", "Thiếu nhân lực chuyên môn về chuyển đổi số", None),
    ("BYT", "NQ57", 6, "NQ57-BYT-0001", "Hồ sơ sức khỏe điện tử", "Chờ ý kiến thẩm định của các bộ, ngành", None),
    ("T01", "NQ57", 6, "NQ57-T01-0001", "Trung tâm đổi mới sáng tạo",
     "Chưa có hướng dẫn của bộ quản lý chuyên ngành để triển khai nghị định", None),
]
# By hand: themes by keyword — finance: BTC "kinh phí" (one text, two sources, NQ57 row 7 and NQ71 row 9)
# and BTC's recommendation "kinh phí"; people: T20 "nhân lực"; infrastructure: BKHCN "hạ tầng", "dữ liệu";
# coordination: BYT "chờ", "ý kiến"; institutions: T01 "hướng dẫn", "nghị định". 6 concerns in 5 themes.


def difficulties_frame(rows=DIFFICULTY_ROWS) -> pd.DataFrame:
    return pd.DataFrame([
        {"reporting_agency_code": a, "system": s, "object_key": f"{a}/{PERIOD}/{a}_{s}_{PERIOD}.xlsx",
         "source_sheet": "NhiemVu", "source_row": r, "task_code": code, "task_name": name, "lead_agency_code": a,
         "task_group": None, "difficulties": d, "recommendations": k}
        for a, s, r, code, name, d, k in rows
    ])


def status_trend_frame() -> pd.DataFrame:
    """Two months of the trend: September (PREVIOUS_STATUSES) and October (TASK_ROWS)."""
    rows = []
    for period, statuses in ((PREVIOUS, PREVIOUS_STATUSES), (PERIOD, [r[3] for r in TASK_ROWS])):
        for status in sorted(set(statuses)):
            rows.append({"period": period, "status_code": status, "tasks": statuses.count(status)})
    return pd.DataFrame(rows)


def compliance_trend_frame() -> pd.DataFrame:
    rows = [{"period": PREVIOUS, "submission_state": "not_submitted", "agencies": 8}]
    rows += [{"period": PERIOD, "submission_state": s, "agencies": n} for s, n in EXPECTED_STATES.items()]
    return pd.DataFrame(rows)


def sample() -> ReportData:
    return ReportData(
        period=PERIOD, tasks=tasks_frame(), compliance=compliance_frame(), indicators=indicators_frame(),
        previous_tasks=previous_tasks_frame(), previous_compliance=compliance_frame(
            [(a, n, "not_submitted", "not_submitted", "not_submitted") for a, n, *_ in COMPLIANCE_ROWS], PREVIOUS),
        status_trend=status_trend_frame(), compliance_trend=compliance_trend_frame(),
        trend_periods=(PREVIOUS, PERIOD), difficulties=difficulties_frame(),
    )
