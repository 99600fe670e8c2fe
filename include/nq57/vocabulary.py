"""The submission template's contract (DESIGN §4): sheets, column codes, Vietnamese labels, statuses.

Everything agency-facing is Vietnamese; codes are stable ASCII identifiers used everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATE_VERSION = "2026.1"
SYSTEMS = ("NQ57", "NQ71")

SHEET_INFO = "ThongTin"
SHEET_TASKS = "NhiemVu"
SHEET_INDICATORS = "ChiTieu"
SHEET_AGENCY_LIST = "DM_DonVi"
SHEET_STATUS_LIST = "DM_TrangThai"
SHEET_INDICATOR_LIST = "DM_ChiTieu"
SHEET_CHOICES = "DM_LuaChon"


@dataclass(frozen=True)
class ColumnSpec:
    code: str
    label: str
    required: bool = False
    width: int = 18
    note: str = ""


TASK_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("stt", "STT", width=6),
    ColumnSpec("ma_nhiem_vu", "Mã nhiệm vụ", True, 16, "Mã của nhiệm vụ trên hệ thống của tệp này; không trùng lặp"),
    ColumnSpec("ma_lien_ket", "Mã nhiệm vụ bên hệ thống kia", False, 16, "Mã của cùng nhiệm vụ trên hệ thống còn lại, nếu biết"),
    ColumnSpec("ten_nhiem_vu", "Tên nhiệm vụ", True, 60, "Tối đa 2.000 ký tự"),
    ColumnSpec("van_ban_giao", "Văn bản giao nhiệm vụ", True, 18, "Ví dụ: 57-NQ/TW, 71/NQ-CP, 04-TB/BCĐTW"),
    ColumnSpec("muc", "Mục trong văn bản", False, 10, "Ví dụ: II.3.h"),
    ColumnSpec("co_quan_chu_tri", "Cơ quan chủ trì", True, 22, "Mã hoặc tên cơ quan (danh mục DM_DonVi)"),
    ColumnSpec("co_quan_phoi_hop", "Cơ quan phối hợp", False, 22, "Nhiều cơ quan cách nhau bằng dấu ;"),
    ColumnSpec("thoi_han", "Thời hạn", True, 14, "dd/mm/yyyy, mm/yyyy, Quý IV/2025, 2025, Thường xuyên, Hằng năm"),
    ColumnSpec("san_pham", "Sản phẩm", False, 20, "Ví dụ: Nghị định"),
    ColumnSpec("tinh_trang", "Tình trạng", True, 30, "Chọn từ danh sách"),
    ColumnSpec("tien_do", "Tiến độ (%)", False, 10, "Từ 0 đến 100; 100 khi đã hoàn thành"),
    ColumnSpec("ngay_hoan_thanh", "Ngày hoàn thành", False, 14, "Bắt buộc khi đã hoàn thành; dd/mm/yyyy"),
    ColumnSpec("ket_qua", "Kết quả, sản phẩm đã ban hành", False, 40),
    ColumnSpec("kho_khan", "Khó khăn, vướng mắc", False, 30),
    ColumnSpec("kien_nghi", "Kiến nghị, đề xuất", False, 30),
)

INDICATOR_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("stt", "STT", width=6),
    ColumnSpec("ma_chi_tieu", "Mã chỉ tiêu", True, 14, "Mã trong danh mục DM_ChiTieu, ví dụ CT_11_1"),
    ColumnSpec("ten_chi_tieu", "Tên chỉ tiêu", False, 60),
    ColumnSpec("don_vi_tinh", "Đơn vị tính", False, 14),
    ColumnSpec("gia_tri", "Giá trị", False, 12, "Số; bắt buộc trừ khi ghi chú giải thích"),
    ColumnSpec("ghi_chu", "Ghi chú", False, 40),
)

INFO_FIELDS: tuple[ColumnSpec, ...] = (
    ColumnSpec("ma_don_vi", "Mã đơn vị", True),
    ColumnSpec("ten_don_vi", "Tên đơn vị"),
    ColumnSpec("ky_bao_cao", "Kỳ báo cáo (MM/YYYY)", True),
    ColumnSpec("he_thong", "Hệ thống nguồn (NQ57/NQ71)", True),
    ColumnSpec("ngay_bao_cao", "Ngày báo cáo"),
    ColumnSpec("nguoi_lap", "Người lập"),
    ColumnSpec("dien_thoai", "Điện thoại"),
    ColumnSpec("email", "Email"),
    ColumnSpec("khong_phat_sinh", "Không phát sinh nhiệm vụ trong kỳ (Có/Không)"),
    ColumnSpec("phien_ban_mau", "Phiên bản mẫu"),
)

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

DEADLINE_TYPES = ("NGAY", "THANG", "QUY", "NAM", "THUONG_XUYEN", "HANG_NAM")
