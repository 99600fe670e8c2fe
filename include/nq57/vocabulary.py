"""The submission template's vocabulary (DESIGN §4): sheet names, source systems, statuses.

Everything agency-facing is Vietnamese; codes are stable ASCII identifiers used everywhere else. The
template's columns are declared in `nq57.columns`.
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

