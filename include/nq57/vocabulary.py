"""The product's vocabulary (docs/design.md §4, §7): sheet names, source systems, statuses, and the Vietnamese
label of every code the mart views show.

Everything agency-facing is Vietnamese; codes are stable ASCII identifiers used everywhere else. The
template's columns are declared in `nq57.columns`. `LABELS` is loaded into `core.label` on every migrate,
so BI views show the same words as the template, the feedback and the report (`core.label_of(kind, code)`).
"""

from __future__ import annotations

TEMPLATE_VERSION = "2026.1"
SYSTEMS = ("NQ57", "NQ71")

SHEET_INFO = "ThongTin"
SHEET_TASKS = "NhiemVu"
SHEET_INDICATORS = "ChiTieu"
SHEET_AGENCY_LIST = "DM_DonVi"
SHEET_STATUS_LIST = "DM_TrangThai"
SHEET_INDICATOR_LIST = "DM_ChiTieu"
SHEET_CHOICES = "DM_LuaChon"


# code -> Vietnamese label (DESIGN §4)
STATUSES: dict[str, str] = {
    "HT_DUNG_HAN": "Hoàn thành đúng hạn",
    "HT_QUA_HAN": "Hoàn thành quá hạn",
    "DANG_TRONG_HAN": "Đang thực hiện trong hạn",
    "DANG_QUA_HAN": "Đang thực hiện quá hạn",
    "CHUA_DEN_HAN": "Chưa thực hiện (chưa đến hạn)",
    "CHUA_QUA_HAN": "Chưa thực hiện, quá hạn",
    "THUONG_XUYEN": "Nhiệm vụ thường xuyên",
}
COMPLETED_STATUSES = frozenset({"HT_DUNG_HAN", "HT_QUA_HAN"})
OVERDUE_STATUSES = frozenset({"HT_QUA_HAN", "DANG_QUA_HAN", "CHUA_QUA_HAN"})
YES_NO = ("Có", "Không")


# How a deadline was written (`intake.values.parse_deadline`).
DEADLINE_TYPES: dict[str, str] = {
    "NGAY": "Ngày cụ thể",
    "THANG": "Tháng",
    "QUY": "Quý",
    "NAM": "Năm",
    "THUONG_XUYEN": "Thường xuyên",
    "HANG_NAM": "Hằng năm",
}
# An upload's verdict (raw.submission.status) and its state against the deadline (mart.v_submissions).
UPLOAD_STATUS_LABELS: dict[str, str] = {
    "accepted": "Được tiếp nhận",
    "rejected": "Không được tiếp nhận",
    "received": "Đang chờ kiểm tra",
}
UPLOAD_STATE_LABELS: dict[str, str] = {
    "accepted_on_time": "Được tiếp nhận, nộp đúng hạn",
    "accepted_late": "Được tiếp nhận, nộp muộn",
    "rejected": "Không được tiếp nhận",
    "received": "Đang chờ kiểm tra",
}
# An agency's report for a period (mart.v_compliance.submission_state), and each system's report in it.
SUBMISSION_LABELS: dict[str, str] = {
    "on_time": "Gửi đủ, đúng hạn",
    "late": "Gửi đủ, có báo cáo gửi muộn",
    "rejected": "Có báo cáo bị từ chối, chưa có bản hợp lệ",
    "partial": "Gửi thiếu (một hệ thống chưa gửi)",
    "not_submitted": "Chưa gửi báo cáo",
}
SYSTEM_STATE_LABELS: dict[str, str] = {
    "on_time": "Đã gửi, đúng hạn",
    "late": "Đã gửi, muộn hạn",
    "rejected": "Đã gửi nhưng bị từ chối",
    "not_submitted": "Chưa gửi",
}
# How an NQ57 task and an NQ71 task were linked (core.task_link.method).
LINK_METHOD_LABELS: dict[str, str] = {
    "code": "Mã tương ứng ghi trong báo cáo",
    "crosswalk": "Bảng đối chiếu đã được xác nhận",
    "score": "Đối chiếu tự động theo điểm tương đồng",
    "review": "Người rà soát xác nhận",
}
#: kind -> code -> Vietnamese label: what `core.label` holds.
LABELS: dict[str, dict[str, str]] = {
    "task_status": STATUSES,
    "deadline_type": DEADLINE_TYPES,
    "upload_status": UPLOAD_STATUS_LABELS,
    "upload_state": UPLOAD_STATE_LABELS,
    "agency_state": SUBMISSION_LABELS,
    "system_state": SYSTEM_STATE_LABELS,
    "link_method": LINK_METHOD_LABELS,
}
