"""The column registry: every column of the submission template, declared once (DESIGN §4).

Each `Column` is one column an agency fills: its stable code (the template's hidden code row), the
Vietnamese header, the header synonyms the parser recognises (folded keys, see `textnorm.fold_key`),
whether it is required, the kind of value it holds (which reader in `intake.parse` turns the cell into
typed values) and the `Field`s those values land in: a column of the parsed frame, its column in the
`staging` table and the type Great Expectations compares it as. A `Table` is one sheet's columns in
template order, plus the fields the parser adds per row (`source_row`, `task_group`).

Everything else derives from here: the template's header and code rows (`outputs.template`), the
parser's header matching, readers and frame columns (`intake.parse`), the GX type conversion and the
report column of each expectation (`intake.validation`), and the staging load (`storage.warehouse`).
Adding a column is one `Column(...)` below, a migration adding its staging column, and the views that
should show it; `tests/unit/test_columns.py` checks that the derived views agree.

ThongTin (`INFO`) is a key/value block, not a table: the typed value of a field of another kind than
`text` lands on the `ParsedSubmission` attribute its `Field` names; nothing of it is staged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from nq57.vocabulary import SHEET_INDICATORS, SHEET_INFO, SHEET_TASKS

#: How a cell is read (one reader per kind in `intake.parse`).
Kind = Literal[
    "text",  # cleaned text
    "doc_item",  # text; a number (11.1) is warned about, it may have lost a trailing zero
    "lead_agency",  # one agency, as code, name or former name; extra agencies in the cell become partners
    "partner_agencies",  # agencies separated by ; , or line breaks, as codes where known
    "deadline",  # dd/mm/yyyy, mm/yyyy, Quý IV/2025, 2025, Thường xuyên, Hằng năm -> (raw, date, type)
    "status",  # one of the seven statuses or an alias -> (raw, code, status derived from the dates)
    "progress",  # percent 0-100; a fraction in a percent-formatted cell is scaled
    "date",  # a day, dd/mm/yyyy or an Excel date
    "indicator_code",  # CT_11_1 typed in any usual way
    "number",  # Vietnamese or plain notation -> (value, raw text)
    "agency",  # ThongTin: the reporting agency's code
    "period",  # ThongTin: MM/YYYY -> YYYY-MM
    "system",  # ThongTin: NQ57 or NQ71
    "yes_no",  # ThongTin: Có / Không
]
#: How Great Expectations compares a field: dates as datetimes, numbers as floats, rows as integers.
GxType = Literal["text", "number", "date", "integer"]


@dataclass(frozen=True)
class Field:
    """One typed value read from a column: its parsed-frame column, staging column and GX type."""

    name: str
    staging: str | None = None
    gx_type: GxType = "text"


@dataclass(frozen=True)
class Column:
    """One template column (or ThongTin field). `fields` default to one text field named like the code."""

    code: str
    label: str
    synonyms: tuple[str, ...]
    required: bool = False
    kind: Kind = "text"
    fields: tuple[Field, ...] = ()
    width: int = 18
    #: The template's input prompt for the column (Excel shows it when a cell is selected; at most 255
    #: characters), and its title when the header is longer than Excel's 32 characters for a title.
    prompt: str = ""
    prompt_title: str | None = None
    #: The value of the template's worked example (sheet HuongDan); the examples together are one valid row.
    #: `OWN_TASK_CODE` and `LINKED_TASK_CODE` stand for the system-dependent codes (`example_for`).
    example: str = ""
    #: The template formats the column as Text (@): `11.10` stays `11.10`, dates stay as typed.
    as_text: bool = False
    #: The catalogue rule (`intake.rules`) reported when the cell cannot be read as its kind.
    rule: str | None = None

    def __post_init__(self) -> None:
        if not self.fields:
            object.__setattr__(self, "fields", (Field(self.code),))

    def example_for(self, system: str) -> str:
        """The worked example in the template of `system` (NQ57 or NQ71): the task's own code is its code on
        that system, the linked code its code on the other one (`EXAMPLE_TASK_CODES`).

        Raises:
            KeyError: `system` is not NQ57 or NQ71.
        """
        own = EXAMPLE_TASK_CODES[system]
        linked = next(code for other, code in EXAMPLE_TASK_CODES.items() if other != system)
        return self.example.replace(OWN_TASK_CODE, own).replace(LINKED_TASK_CODE, linked)


@dataclass(frozen=True)
class Table:
    """One sheet of the template: its columns in template order and the GX suite that checks its rows."""

    sheet: str
    columns: tuple[Column, ...]
    row_fields: tuple[Field, ...] = ()
    staging_table: str | None = None
    suite: str | None = None
    _by_code: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {c.code: c for c in self.columns})

    def column(self, code: str) -> Column:
        return self._by_code[code]

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.columns]

    @cached_property
    def synonyms(self) -> dict[str, tuple[str, ...]]:
        """Column code -> folded header labels the parser recognises."""
        return {c.code: c.synonyms for c in self.columns}

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        """Every field in frame order: the per-row fields, then each column's fields."""
        return self.row_fields + tuple(f for c in self.columns for f in c.fields)

    @cached_property
    def frame_columns(self) -> list[str]:
        """The columns of the parsed frame, in order."""
        return [f.name for f in self.fields]

    @cached_property
    def staging_columns(self) -> dict[str, str]:
        """Staging column -> parsed-frame column, for every field that is staged."""
        return {f.staging: f.name for f in self.fields if f.staging}

    def gx_fields(self, gx_type: GxType) -> list[str]:
        return [f.name for f in self.fields if f.gx_type == gx_type]

    def column_of(self, field_name: str) -> Column | None:
        """The template column a frame field is read from (None for per-row fields like `source_row`)."""
        return next((c for c in self.columns if any(f.name == field_name for f in c.fields)), None)


#: The worked example's task as each system codes it. A report for one system writes that system's code as the
#: task's own (Mã nhiệm vụ) and the other system's as the linked code, so the two templates' examples swap them.
EXAMPLE_TASK_CODES = {"NQ57": "NQ57-BKHCN-0001", "NQ71": "NQ71-BKHCN-0012"}
OWN_TASK_CODE = "<own task code>"  # placeholders in `Column.example`, filled by `Column.example_for`
LINKED_TASK_CODE = "<linked task code>"

_SOURCE_ROW = Field("source_row", "source_row", "integer")
_AGENCY_LIST = "danh mục tại sheet DM_DonVi"

TASKS = Table(
    sheet=SHEET_TASKS,
    staging_table="staging.task",
    suite="nhiem_vu",
    row_fields=(_SOURCE_ROW, Field("task_group", "task_group")),
    columns=(
        Column("stt", "STT", ("stt", "so thu tu", "tt", "so tt"), fields=(Field("stt", "stt"),), width=5,
               as_text=True, example="1",
               prompt="Số thứ tự của nhiệm vụ (1, 2, 3…). Dòng tên nhóm nhiệm vụ (ví dụ “I. Về hoàn thiện thể "
                      "chế”) ghi ở cột này và để trống cột Mã nhiệm vụ."),
        Column("ma_nhiem_vu", "Mã nhiệm vụ", ("ma nhiem vu", "ma nv", "ma so nhiem vu", "ma so"), required=True,
               fields=(Field("ma_nhiem_vu", "task_code"),), width=12, as_text=True, example=OWN_TASK_CODE,
               prompt="Bắt buộc. Mã của nhiệm vụ trên hệ thống của báo cáo này (NQ57 hoặc NQ71). Mỗi nhiệm vụ "
                      "một mã, không trùng lặp trong tệp."),
        Column("ma_lien_ket", "Mã nhiệm vụ tương ứng trên hệ thống còn lại (NQ57/NQ71)",
               ("ma nhiem vu tuong ung tren he thong con lai", "ma nhiem vu tuong ung",
                "ma nhiem vu ben he thong kia", "ma nhiem vu tren he thong kia", "ma lien ket", "ma tuong ung"),
               fields=(Field("ma_lien_ket", "link_code"),), width=12, as_text=True, example=LINKED_TASK_CODE,
               prompt_title="Mã nhiệm vụ tương ứng",
               prompt="Không bắt buộc. Mã của cùng nhiệm vụ trên hệ thống còn lại, nếu biết: báo cáo theo hệ "
                      "thống NQ57 ghi mã NQ71 và ngược lại. Mã này giúp ghép đúng hai bản ghi của một nhiệm vụ."),
        Column("ten_nhiem_vu", "Tên nhiệm vụ",
               ("ten nhiem vu", "noi dung nhiem vu", "nhiem vu", "noi dung cong viec", "ten nhiem vu noi dung"),
               required=True, fields=(Field("ten_nhiem_vu", "task_name"),), width=26,
               example="Xây dựng cơ sở dữ liệu quốc gia về khoa học, công nghệ và đổi mới sáng tạo",
               prompt="Bắt buộc. Tên nhiệm vụ như trong văn bản giao, tối đa 2.000 ký tự."),
        Column("van_ban_giao", "Văn bản giao nhiệm vụ",
               ("van ban giao nhiem vu", "van ban giao", "can cu giao nhiem vu", "nguon giao", "so hieu van ban giao"),
               required=True, fields=(Field("van_ban_giao", "assigning_doc"),), width=11, example="04-TB/BCĐTW",
               prompt="Bắt buộc. Số, ký hiệu văn bản giao nhiệm vụ, ví dụ 57-NQ/TW, 71/NQ-CP, 04-TB/BCĐTW."),
        Column("muc", "Mục trong văn bản", ("muc trong van ban", "muc"), kind="doc_item",
               fields=(Field("muc", "doc_item"),), width=7, as_text=True, example="II.5.d",
               prompt="Mục, điểm giao nhiệm vụ trong văn bản, ví dụ II.3.h hoặc 11.10 (cột định dạng Văn bản nên "
                      "11.10 không bị đổi thành 11.1)."),
        Column("co_quan_chu_tri", "Cơ quan chủ trì",
               ("co quan chu tri", "don vi chu tri", "chu tri", "co quan don vi chu tri", "co quan thuc hien",
                "don vi thuc hien"),
               required=True, kind="lead_agency", rule="task.unknown_agency",
               fields=(Field("co_quan_chu_tri", "lead_agency_code"), Field("co_quan_chu_tri_raw", "lead_agency_raw")),
               width=12, example="BKHCN",
               prompt=f"Bắt buộc. Chọn trong danh sách hoặc ghi mã, tên cơ quan ({_AGENCY_LIST}). Mỗi nhiệm vụ "
                      "ghi một cơ quan chủ trì."),
        Column("co_quan_phoi_hop", "Cơ quan phối hợp",
               ("co quan phoi hop", "don vi phoi hop", "phoi hop", "co quan don vi phoi hop"),
               kind="partner_agencies", fields=(Field("co_quan_phoi_hop", "partner_agencies"),), width=11,
               example="BTC; BCA",
               prompt=f"Các cơ quan phối hợp, cách nhau bằng dấu chấm phẩy (;), ghi mã hoặc tên ({_AGENCY_LIST})."),
        Column("thoi_han", "Thời hạn", ("thoi han", "thoi han hoan thanh", "han hoan thanh"), required=True,
               kind="deadline", rule="task.deadline_unreadable",
               fields=(Field("thoi_han_raw", "deadline_raw"), Field("deadline_date", "deadline_date", "date"),
                       Field("deadline_type", "deadline_type")),
               width=10, as_text=True, example="31/12/2026",
               prompt="Bắt buộc. Ghi theo một trong các dạng: dd/mm/yyyy, mm/yyyy, Quý IV/2025, 2025, Thường xuyên, "
                      "Hằng năm."),
        Column("san_pham", "Sản phẩm", ("san pham", "san pham du kien"), fields=(Field("san_pham", "product"),),
               width=10, example="Quyết định",
               prompt="Sản phẩm dự kiến của nhiệm vụ, ví dụ Nghị định, Đề án, Cơ sở dữ liệu."),
        Column("tinh_trang", "Tình trạng", ("tinh trang", "tinh trang thuc hien", "trang thai"), required=True,
               kind="status",
               fields=(Field("tinh_trang_raw", "status_raw"), Field("status_code", "status_code"),
                       Field("status_derived", "status_derived")),
               width=13, example="Đang thực hiện trong hạn",
               prompt="Bắt buộc. Chọn một trong 7 tình trạng trong danh sách (danh mục tại sheet DM_TrangThai)."),
        Column("tien_do", "Tiến độ (%)", ("tien do", "tien do thuc hien", "ty le hoan thanh", "ti le hoan thanh"),
               kind="progress", rule="task.progress_unreadable", fields=(Field("tien_do", "progress_pct", "number"),),
               width=7, example="60",
               prompt="Tỷ lệ hoàn thành: số từ 0 đến 100 (ví dụ 60 hoặc 60%). Nhiệm vụ đã hoàn thành ghi 100."),
        Column("ngay_hoan_thanh", "Ngày hoàn thành", ("ngay hoan thanh", "ngay hoan thanh thuc te"), kind="date",
               rule="task.completion_date_unreadable",
               fields=(Field("ngay_hoan_thanh", "completed_on", "date"),), width=10, as_text=True,
               prompt="Bắt buộc khi tình trạng là Hoàn thành đúng hạn hoặc Hoàn thành quá hạn. Ghi dd/mm/yyyy, "
                      "không sau ngày báo cáo."),
        Column("ket_qua", "Kết quả, sản phẩm đã ban hành",
               ("ket qua san pham da ban hanh", "ket qua", "ket qua thuc hien"),
               fields=(Field("ket_qua", "result_text"),), width=14,
               example="Đã hoàn thành dự thảo, đang lấy ý kiến các bộ, ngành",
               prompt="Kết quả đạt được trong kỳ; sản phẩm đã ban hành ghi số, ký hiệu và ngày ban hành văn bản."),
        Column("kho_khan", "Khó khăn, vướng mắc", ("kho khan vuong mac", "kho khan"),
               fields=(Field("kho_khan", "difficulties"),), width=12,
               example="Chưa có hướng dẫn về chuẩn dữ liệu dùng chung",
               prompt="Khó khăn, vướng mắc trong quá trình thực hiện (nếu có)."),
        Column("kien_nghi", "Kiến nghị, đề xuất", ("kien nghi de xuat", "kien nghi"),
               fields=(Field("kien_nghi", "recommendations"),), width=12,
               example="Đề nghị Bộ Tài chính bố trí kinh phí năm 2026",
               prompt="Kiến nghị, đề xuất với cơ quan có thẩm quyền để tháo gỡ khó khăn (nếu có)."),
    ),
)

INDICATORS = Table(
    sheet=SHEET_INDICATORS,
    staging_table="staging.indicator",
    suite="chi_tieu",
    row_fields=(_SOURCE_ROW,),
    columns=(
        Column("stt", "STT", ("stt", "tt", "so tt"), width=5, as_text=True, example="1",
               prompt="Số thứ tự của chỉ tiêu (1, 2, 3…)."),
        Column("ma_chi_tieu", "Mã chỉ tiêu", ("ma chi tieu", "ma ct"), required=True, kind="indicator_code",
               fields=(Field("ma_chi_tieu", "indicator_code"),), width=12, example="CT_11_1",
               prompt="Bắt buộc. Chọn mã chỉ tiêu trong danh sách; tên và đơn vị tính của từng mã xem tại sheet "
                      "DM_ChiTieu."),
        Column("ten_chi_tieu", "Tên chỉ tiêu", ("ten chi tieu", "chi tieu"),
               fields=(Field("ten_chi_tieu", "indicator_name"),), width=50,
               example="Tỷ lệ sử dụng dịch vụ công trực tuyến của người dân và doanh nghiệp",
               prompt="Tên chỉ tiêu như tại sheet DM_ChiTieu, để đối chiếu (hệ thống đọc theo mã chỉ tiêu)."),
        Column("don_vi_tinh", "Đơn vị tính", ("don vi tinh", "don vi", "dvt"), fields=(Field("don_vi_tinh", "unit"),),
               width=12, example="%", prompt="Đơn vị tính như tại sheet DM_ChiTieu, ví dụ %, người."),
        Column("gia_tri", "Giá trị", ("gia tri", "gia tri ky bao cao", "ket qua", "so lieu"), kind="number",
               rule="indicator.value_unreadable",
               fields=(Field("gia_tri", "value", "number"), Field("gia_tri_raw", "value_raw")), width=12,
               example="80,3",
               prompt="Giá trị của kỳ báo cáo, là số (ví dụ 80,5 hoặc 1.287). Chưa có số liệu thì để trống và ghi "
                      "lý do ở cột Ghi chú."),
        Column("ghi_chu", "Ghi chú", ("ghi chu",), fields=(Field("ghi_chu", "note"),), width=32,
               example="Số liệu ước tính đến ngày 31/10/2026",
               prompt="Nguồn số liệu, giải thích, hoặc lý do chưa có số liệu."),
    ),
)

# ThongTin: each field's value lands on the `ParsedSubmission` attribute its Field names.
INFO = Table(
    sheet=SHEET_INFO,
    columns=(
        Column("ma_don_vi", "Mã đơn vị", ("ma don vi", "ma co quan"), required=True, kind="agency",
               rule="info.unknown_agency", fields=(Field("agency_code"),),
               prompt=f"Bắt buộc. Mã đơn vị báo cáo ({_AGENCY_LIST}), ví dụ BKHCN hoặc T01; có thể chọn trong "
                      "danh sách."),
        Column("ten_don_vi", "Tên đơn vị", ("ten don vi", "ten co quan", "don vi bao cao"),
               prompt="Tên đầy đủ của đơn vị báo cáo."),
        Column("ky_bao_cao", "Kỳ báo cáo (MM/YYYY)", ("ky bao cao", "thang bao cao"), required=True, kind="period",
               rule="info.period_invalid", fields=(Field("period"),),
               prompt="Bắt buộc. Tháng báo cáo theo dạng MM/YYYY, ví dụ 10/2026 (báo cáo tháng 10 năm 2026)."),
        Column("he_thong", "Hệ thống nguồn (NQ57/NQ71)", ("he thong nguon", "he thong"), required=True,
               kind="system", rule="info.system_invalid", fields=(Field("system"),),
               prompt="Bắt buộc. Chọn NQ57 (Hệ thống theo dõi thực hiện Nghị quyết số 57-NQ/TW) hoặc NQ71 (Hệ thống "
                      "theo dõi Chương trình hành động theo Nghị quyết số 71/NQ-CP)."),
        Column("ngay_bao_cao", "Ngày báo cáo", ("ngay bao cao", "ngay lap"), kind="date",
               rule="info.report_date_invalid", fields=(Field("report_date"),),
               prompt="Ngày lập báo cáo, ghi dd/mm/yyyy."),
        Column("nguoi_lap", "Người lập", ("nguoi lap",), prompt="Họ và tên người lập báo cáo."),
        Column("dien_thoai", "Điện thoại", ("dien thoai", "so dien thoai"),
               prompt="Số điện thoại liên hệ của người lập báo cáo."),
        Column("email", "Email", ("email", "thu dien tu"),
               prompt="Địa chỉ thư điện tử nhận phản hồi và nhắc nhở về báo cáo."),
        Column("khong_phat_sinh", "Không phát sinh nhiệm vụ trong kỳ (Có/Không)", ("khong phat sinh",),
               kind="yes_no", rule="info.yes_no_invalid", fields=(Field("nil_report"),),
               prompt_title="Không phát sinh nhiệm vụ",
               prompt="Chọn Có nếu trong kỳ đơn vị không có nhiệm vụ nào phải báo cáo (để trống sheet NhiemVu); "
                      "ngược lại chọn Không."),
        Column("phien_ban_mau", "Phiên bản mẫu", ("phien ban mau",), prompt="Phiên bản của mẫu báo cáo; không sửa."),
    ),
)

TABLES: tuple[Table, ...] = (TASKS, INDICATORS)
