"""An independent labelled set for NQ57 <-> NQ71 linking, built from the seed documents' own task wording.

Why a second set. `dedupe_synthetic` was written together with the linker: its rewordings are the ones
the linker was taught (its abbreviation list, its boilerplate list), so the linker scores well on it.
This module shares nothing with the matching code — it imports nothing from `nq57.dedupe`, and its
abbreviations, qualifiers and typing slips are listed here from how agencies retype tasks, not from
what `normalize.py` happens to expand. It is what `make eval-dedupe` reports.

What it holds (`labelled_month(seed, split)`):

- **NQ57 side**: tasks as worded in the assigning documents of the seed folder — Notice 04-TB/BCĐTW
  (30/5/2025), letters 10467/VPCP-KGVX, 3598/VPCP-KGVX and 562/BKHCN-VCL, and the provincial guidance
  that restates Resolution 57 — one row per task and lead agency. Compound items are split into the
  tasks they list (II.2.b's two decrees, II.5.d's five systems). Party bodies that are not in the
  agency list lead through the government agency that mirrors them (Văn phòng Trung ương Đảng ->
  VPCP, Ban Cơ yếu Chính phủ -> BQP, Ủy ban Kiểm tra Trung ương -> TTCP): blocking needs a code, not
  the exact body.
- **NQ71 side**: the same task retyped, carrying two or three of the kinds agencies produce
  (`POSITIVE_KINDS`): a one-sided qualifier (a parenthesised note citing the resolution or the
  programme, or a tail such as `, trình Quốc hội` / `, báo cáo Thủ tướng Chính phủ`); typing slips
  (doubled or swapped letters, a tone mark on the wrong letter, a dropped letter); no diacritics;
  abbreviations (`KH&CN`, `CĐS`, `ĐMST`, `CSDL`, `NQ 57`, ...); and, for recurring reports, the period
  written another way (`T6/2025`, `tháng 06 năm 2025`, `quý II/2025` -> `Quý 2/2025`). Some kinds go to
  the NQ57 side instead (a qualifier or an abbreviation typed there, an OCR'd text without marks).
  Around every pair, the ordinary noise of retyping: the `Chủ trì, phối hợp với ...` lead-in dropped,
  the document cited another way or through the Government programme, the item without its section,
  a deadline as a day instead of a month, the product left out.
- **Hard negatives** (`NEGATIVE_KINDS`), always the same lead agency and most words shared: two
  documents of one item (the two decrees of II.2.b, two laws, a decree and a circular for one law),
  two databases or systems, the plan for one year versus the next, the recurring report of another
  period, and identical names under another lead agency (tasks every ministry or province got). Each
  family member is present in both systems, one only, or neither, so a member's partner is often
  missing while its sibling sits in the other file — the situation that produces false links.

Truth: `truth` is the set of (nq57_task_code, nq71_task_code) pairs of the same real task;
`positive_kinds[pair]` the kinds that pair carries; `traps[pair]` the hard-negative kind of a
(NQ57 task, NQ71 task) pair that must not link. No `link_code` is written: every pair here must be
found from its wording and metadata alone.

Splits: `split="tune"` and `split="test"` use disjoint task families (a stratified half of each
family type, fixed by `SPLIT_SEED`) and disjoint seeds by convention (`TUNE_SEEDS`, `TEST_SEEDS`).
Thresholds are chosen on "tune" and reported on "test".
"""

from __future__ import annotations

import calendar
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

COLUMNS: tuple[str, ...] = (
    "task_code",
    "task_name",
    "lead_agency_code",
    "assigning_doc",
    "doc_item",
    "deadline_date",
    "deadline_type",
    "product",
    "link_code",
)

POSITIVE_KINDS: tuple[str, ...] = ("qualifier", "typo", "no_diacritics", "abbreviation", "period")
NEGATIVE_KINDS: tuple[str, ...] = ("two_documents", "two_databases", "plan_year", "other_period", "other_agency")

TUNE_SEEDS: tuple[int, ...] = tuple(range(100, 120))
TEST_SEEDS: tuple[int, ...] = tuple(range(0, 20))
SPLIT_SEED = 57

YEAR = 2025
MINISTRIES: tuple[str, ...] = (
    "BKHCN", "BTC", "BGDDT", "BCA", "BNV", "BNNMT", "BXD", "BNG", "BTP", "BCT", "BYT", "BVHTTDL", "VPCP",
)
PROVINCES: tuple[str, ...] = ("T01", "T22", "T31", "T46", "T79", "T92", "T20", "T38")
MODEL_3_NHA = ("BTC", "BKHCN", "BGDDT", "BCA", "BNV", "BNNMT", "BXD")  # 04-TB/BCĐTW II.2.a, third indent


# --------------------------------------------------------------------------------------------------
# The seed tasks
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedTask:
    """One task as its assigning document words it.

    `leads`: agency codes, or `*M` (every ministry in the month), `*P` (every province), `*A` (both).
    `deadline`: as written in the document: `06/2025`, `20/06/2025`, `Quý III/2025`, `Thường xuyên`.
    `family`: tasks of one family are different real tasks that look alike (hard negatives of
    `kind`); `{M}` / `{Q}` in a recurring task's name is its month / quarter.
    """

    key: str
    leads: tuple[str, ...]
    name: str
    doc: str
    item: str | None
    deadline: str
    product: str | None = None
    family: str | None = None
    kind: str | None = None
    recurring: str | None = None  # "month" or "quarter"
    lead_in: str | None = None  # the `Chủ trì, phối hợp ...` clause the document puts in front


TB04 = "04-TB/BCĐTW"
VPCP10467 = "10467/VPCP-KGVX"
VPCP3598 = "3598/VPCP-KGVX"
NQ57 = "57-NQ/TW"
NQ71 = "71/NQ-CP"

SEED_TASKS: tuple[SeedTask, ...] = (
    # ---- 04-TB/BCĐTW II.1.b: every Party body, central and local (the same five tasks everywhere)
    SeedTask("1b1", ("*A",), "Phát huy vai trò người đứng đầu tại cơ quan, đơn vị, lãnh đạo, chỉ đạo, kiểm tra việc "
             "cụ thể hoá Nghị quyết số 57-NQ/TW phù hợp với chức năng, nhiệm vụ và điều kiện thực tiễn tại cơ quan, "
             "đơn vị, địa phương", TB04, "II.1.b", "Thường xuyên", None, "ALL-1b1", "other_agency"),
    SeedTask("1b2", ("*A",), "Bố trí đầy đủ, kịp thời và hiệu quả nguồn lực cho phát triển khoa học, công nghệ, đổi "
             "mới sáng tạo và chuyển đổi số", TB04, "II.1.b", "Thường xuyên", None, "ALL-1b2", "other_agency"),
    SeedTask("1b3", ("*A",), "Tăng cường tổ chức đào tạo, bồi dưỡng kiến thức, kỹ năng về khoa học, công nghệ, đổi mới "
             "sáng tạo và công nghệ số cho đội ngũ cán bộ, công chức, viên chức nhằm thúc đẩy chuyển đổi số trong toàn "
             "hệ thống chính trị", TB04, "II.1.b", "Thường xuyên", "Kế hoạch đào tạo", "ALL-1b3", "other_agency"),
    SeedTask("1b5", ("*P",), "Bố trí phù hợp số lượng cán bộ có trình độ chuyên môn khoa học công nghệ trong cấp uỷ "
             "các cấp", TB04, "II.1.b", "Thường xuyên", None, "ALL-1b5", "other_agency"),
    SeedTask("1c", ("VPCP",), "Đẩy mạnh công tác thông tin, tuyên truyền về kết quả triển khai thực hiện Nghị quyết số "
             "57-NQ/TW; kịp thời biểu dương các điển hình tiên tiến, mô hình hiệu quả trong quá trình tổ chức thực "
             "hiện", TB04, "II.1.c", "Thường xuyên", None, lead_in="Chủ trì, phối hợp với các cơ quan liên quan"),
    SeedTask("1d", ("TTCP",), "Tăng cường công tác kiểm tra, giám sát việc thực hiện Nghị quyết số 57-NQ/TW tại các tổ "
             "chức đảng và cơ quan liên quan, kịp thời phát hiện, chấn chỉnh những hạn chế, thiếu sót", TB04, "II.1.d",
             "Thường xuyên"),
    # ---- II.2: institutions
    SeedTask("2a-khcn", ("BKHCN",), "Tiếp thu, hoàn thiện dự án Luật Khoa học, công nghệ và đổi mới sáng tạo trình "
             "Quốc hội xem xét, thông qua tại Kỳ họp thứ 9, Quốc hội khoá XV", TB04, "II.2.a", "06/2025", "Luật",
             "LAW-BKHCN", "two_documents"),
    SeedTask("2a-cncns", ("BKHCN",), "Tiếp thu, hoàn thiện dự án Luật Công nghiệp công nghệ số trình Quốc hội xem xét, "
             "thông qua tại Kỳ họp thứ 9, Quốc hội khoá XV", TB04, "II.2.a", "06/2025", "Luật", "LAW-BKHCN",
             "two_documents"),
    SeedTask("2a-cds", ("BKHCN",), "Đề xuất xây dựng dự án Luật Chuyển đổi số, trình Quốc hội thông qua tại Kỳ họp thứ "
             "10, Quốc hội khoá XV để thúc đẩy phát triển Chính phủ số, kinh tế số, xã hội số", TB04, "II.2.a",
             "06/2025", "Hồ sơ dự án Luật", "LAW-BKHCN", "two_documents"),
    SeedTask("2a-nsnn", ("BTC",), "Tiếp thu, hoàn thiện dự án Luật Ngân sách nhà nước trình Quốc hội xem xét, thông qua "
             "tại Kỳ họp thứ 9, Quốc hội khoá XV", TB04, "II.2.a", "06/2025", "Luật", "LAW-BTC", "two_documents"),
    SeedTask("2a-dt", ("BTC",), "Tiếp thu, hoàn thiện dự án Luật Đầu tư trình Quốc hội xem xét, thông qua tại Kỳ họp "
             "thứ 9, Quốc hội khoá XV", TB04, "II.2.a", "06/2025", "Luật", "LAW-BTC", "two_documents"),
    SeedTask("2a-ng", ("BGDDT",), "Tiếp thu, hoàn thiện dự án Luật Nhà giáo trình Quốc hội xem xét, thông qua tại Kỳ "
             "họp thứ 9, Quốc hội khoá XV", TB04, "II.2.a", "06/2025", "Luật"),
    SeedTask("2a-3nha", MODEL_3_NHA, "Tháo gỡ khó khăn, vướng mắc trong việc thực hiện Mô hình hợp tác \"3 Nhà\", phát "
             "triển thành phố thông minh và phát triển các khu công nghệ cao", TB04, "II.2.a", "Thường xuyên"),
    SeedTask("2b-quy", ("BKHCN",), "Xây dựng Nghị định quy định về việc thành lập, tổ chức hoạt động của các quỹ đầu tư "
             "mạo hiểm cho khởi nghiệp sáng tạo, ươm tạo công nghệ và chuyển đổi số", TB04, "II.2.b", "06/2025",
             "Nghị định", "DECREE-2b", "two_documents", lead_in="Chủ trì, phối hợp với Bộ Tài chính"),
    SeedTask("2b-taichinh", ("BKHCN",), "Xây dựng Nghị định quy định về đầu tư và cơ chế tài chính cho hoạt động khoa "
             "học, công nghệ, đổi mới sáng tạo", TB04, "II.2.b", "06/2025", "Nghị định", "DECREE-2b", "two_documents",
             lead_in="Chủ trì, phối hợp với Bộ Tài chính"),
    SeedTask("2b-dulieu", ("BKHCN",), "Xây dựng, ban hành quy định về thu thập, cập nhật, chia sẻ và khai thác dữ liệu "
             "của quốc gia về khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số", TB04, "II.2.b", "06/2025",
             "Quy định", lead_in="Chủ trì, phối hợp với Văn phòng Trung ương Đảng và các cơ quan liên quan"),
    SeedTask("2c", ("BTC",), "Hoàn thiện, trình Chính phủ ban hành Nghị định quy định về chính sách hợp tác công tư để "
             "phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia", TB04, "II.2.c", "06/2025",
             "Nghị định"),
    # ---- II.3: infrastructure and technology
    SeedTask("3a", ("BKHCN",), "Bảo đảm kết nối tương thích giữa hệ thống mạng thông tin diện rộng của Đảng với mạng "
             "truyền số liệu chuyên dùng của Chính phủ (CPNet) phục vụ gửi, nhận văn bản và hồ sơ công việc có giải "
             "pháp bảo mật của Ban Cơ yếu Chính phủ", TB04, "II.3.a", "06/2025", None,
             lead_in="Chủ trì, phối hợp các cơ quan liên quan"),
    SeedTask("3b", ("BQP",), "Hoàn thành triển khai các giải pháp bảo mật, mã hoá phục vụ gửi, nhận văn bản có cấp độ "
             "Mật từ Trung ương đến cấp xã", TB04, "II.3.b", "20/06/2025", None,
             lead_in="Chủ trì, phối hợp với Văn phòng Trung ương Đảng, Bộ Khoa học và Công nghệ"),
    SeedTask("3c", ("*P",), "Bảo đảm 100% xã kết nối đường truyền thông suốt; xử lý hồ sơ công việc đến cấp độ tối mật "
             "(cơ quan Trung ương, tỉnh uỷ, thành uỷ), cấp độ mật (cấp xã)", TB04, "II.3.c", "06/2025", "Báo cáo",
             "ALL-3c", "other_agency"),
    SeedTask("3d", ("*A",), "Rà soát nền tảng, hạ tầng số dùng chung, điều chỉnh đầu tư để tránh trùng lặp, phù hợp "
             "với mô hình chính quyền 3 cấp", TB04, "II.3.d", "06/2025", "Báo cáo", "ALL-3d", "other_agency"),
    SeedTask("3dd-ptn", ("BKHCN", "BGDDT", "VHLKHCN"), "Phát triển hệ thống các trung tâm nghiên cứu, thử nghiệm, các "
             "phòng thí nghiệm trọng điểm quốc gia, tập trung cho công nghệ chiến lược", TB04, "II.3.đ", "Thường xuyên"),
    SeedTask("3dd-rasoat", ("BKHCN", "BGDDT", "VHLKHCN"), "Rà soát, đánh giá hiện trạng và hiệu quả sử dụng của các "
             "phòng thí nghiệm đã được đầu tư để có phương án tối ưu hoá nguồn lực, tránh lãng phí", TB04, "II.3.đ",
             "30/06/2025", "Báo cáo"),
    SeedTask("3e-chienluoc", ("BKHCN",), "Cập nhật Chiến lược quốc gia về nghiên cứu, phát triển và ứng dụng trí tuệ nhân "
             "tạo đến năm 2030", TB04, "II.3.e", "06/2025", "Quyết định của Thủ tướng Chính phủ"),
    SeedTask("3e-chuongtrinh", ("BKHCN",), "Ban hành chương trình hoặc kế hoạch triển khai trí tuệ nhân tạo trong hành "
             "chính công, nghiên cứu và phát triển, chuyển đổi số", TB04, "II.3.e", "06/2025", "Chương trình"),
    SeedTask("3g", ("VPCP",), "Phối hợp bảo đảm việc tương thích các máy tính bảng, phần mềm để sử dụng hiệu quả, tránh "
             "lãng phí", TB04, "II.3.g", "06/2025"),
    SeedTask("3h-danhmuc", ("BKHCN",), "Hoàn thiện Danh mục công nghệ chiến lược trình Thủ tướng Chính phủ phê duyệt",
             TB04, "II.3.h", "15/06/2025", "Quyết định"),
    SeedTask("3h-luachon", ("BKHCN",), "Lựa chọn ngay từ một đến ba nhiệm vụ hoặc sản phẩm công nghệ chiến lược trọng "
             "điểm, có tính cấp thiết, khả năng thành công nhanh để triển khai tiên phong", TB04, "II.3.h", "08/2025"),
    SeedTask("3h-kehoach", ("BKHCN",), "Xây dựng kế hoạch thực thi chi tiết cho từng nhiệm vụ, sản phẩm công nghệ chiến "
             "lược tiên phong", TB04, "II.3.h", "08/2025", "Kế hoạch"),
    # ---- II.4: human resources
    SeedTask("4b-bandan", ("BGDDT",), "Triển khai các chương trình đào tạo nhân lực trình độ từ đại học trở lên phục vụ "
             "phát triển ngành công nghiệp bán dẫn và các lĩnh vực công nghệ ưu tiên", TB04, "II.4.b", "Thường xuyên",
             lead_in="Chủ trì, phối hợp với Bộ Tài chính, Bộ Khoa học và Công nghệ và các cơ quan liên quan"),
    SeedTask("4b-50000", ("BGDDT",), "Hoàn thành mục tiêu đào tạo ít nhất 50.000 nhân lực chất lượng cao phục vụ ngành "
             "công nghiệp bán dẫn", TB04, "II.4.b", "2030"),
    SeedTask("4b-lotrinh", ("BGDDT",), "Xây dựng lộ trình tổng thể phát triển nguồn nhân lực cho các ngành công nghệ "
             "trọng điểm khác, làm rõ chỉ tiêu theo từng ngành, trình độ đào tạo, địa điểm đào tạo", TB04, "II.4.b",
             "12/2025", "Đề án"),
    # ---- II.5: digital transformation of the political system
    SeedTask("5a", ("BCA",), "Triển khai các giải pháp để Cổng Dịch vụ công quốc gia trở thành điểm một cửa số duy nhất "
             "phục vụ người dân, doanh nghiệp từ ngày 01/7/2025", TB04, "II.5.a", "01/07/2025",
             lead_in="Chủ trì, phối hợp với Văn phòng Chính phủ và các bộ, ngành, địa phương"),
    SeedTask("5b-kiemtra", ("BKHCN",), "Tổ chức kiểm tra thực địa việc cung cấp, giải quyết thủ tục hành chính, dịch vụ "
             "công trực tuyến tại các cơ quan, đơn vị giải quyết thủ tục hành chính", TB04, "II.5.b", "06/2025",
             "Báo cáo", lead_in="Chủ trì, phối hợp với Bộ Công an, Văn phòng Chính phủ"),
    SeedTask("5b-quydinh", ("BKHCN",), "Nghiên cứu bổ sung quy định coi việc cung cấp dịch vụ công trực tuyến hiệu quả là "
             "mục tiêu khi xây dựng các cơ sở dữ liệu", TB04, "II.5.b", "06/2025"),
    SeedTask("5c-congbo", ("VPCP",), "Công bố Danh mục dịch vụ công trực tuyến toàn trình", TB04, "II.5.c",
             "20/06/2025", "Quyết định"),
    SeedTask("5c-giamsat", ("VPCP",), "Giám sát, đôn đốc việc cung cấp và sử dụng dịch vụ công trên Cổng Dịch vụ công "
             "quốc gia", TB04, "II.5.c", "Thường xuyên"),
    SeedTask("5d-dieuhanh", ("VPCP",), "Triển khai Hệ thống thông tin điều hành tác nghiệp các cơ quan đảng xuyên suốt "
             "từ Trung ương đến đảng uỷ cấp xã", TB04, "II.5.d", "01/07/2025", None, "SYSTEMS-5d", "two_databases"),
    SeedTask("5d-giamsat", ("VPCP",), "Triển khai Hệ thống giám sát, đánh giá việc triển khai thực hiện Nghị quyết số "
             "57-NQ/TW", TB04, "II.5.d", "06/2025", None, "SYSTEMS-5d", "two_databases"),
    SeedTask("5d-phananh", ("VPCP",), "Triển khai Hệ thống tiếp nhận, xử lý phản ánh, kiến nghị, sáng kiến, giải pháp "
             "liên quan đến khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số", TB04, "II.5.d", "06/2025", None,
             "SYSTEMS-5d", "two_databases"),
    SeedTask("5d-thutuc", ("VPCP",), "Triển khai ngay 4 thủ tục trực tuyến trong Đảng trên phạm vi toàn quốc", TB04,
             "II.5.d", "06/2025"),
    SeedTask("5d-phonghop", ("VPCP",), "Triển khai Phòng họp không giấy", TB04, "II.5.d", "06/2025"),
    SeedTask("5d-ketnoi", ("BKHCN",), "Nghiên cứu, thống nhất phương án kết nối, tích hợp, chia sẻ dữ liệu giữa hai hệ "
             "thống giám sát, đánh giá việc triển khai Nghị quyết số 57-NQ/TW của Bộ Chính trị và Nghị quyết số "
             "71/NQ-CP của Chính phủ", TB04, "II.5.d", "06/2025", "Phương án"),
    # ---- II.6: enterprises
    SeedTask("6a", ("BKHCN",), "Đề xuất cấp có thẩm quyền ban hành chính sách giao cho doanh nghiệp trong nước nghiên "
             "cứu, ứng dụng khoa học, công nghệ đối với những dự án trọng điểm quốc gia", TB04, "II.6.a", "06/2025",
             "Tờ trình"),
    SeedTask("6b", ("BKHCN",), "Triển khai xây dựng, hình thành Sàn giao dịch khoa học và công nghệ", TB04, "II.6.b",
             "12/2025", "Sàn giao dịch"),
    SeedTask("6c", ("BKHCN",), "Nghiên cứu, ban hành theo thẩm quyền hoặc trình cấp có thẩm quyền ban hành giải pháp "
             "tăng tỉ lệ nội địa hoá đối với sản phẩm, hàng hoá trong nước thông qua khoa học, công nghệ, đổi mới sáng "
             "tạo, chuyển đổi số", TB04, "II.6.c", "06/2025"),
    # ---- II.7: international cooperation
    SeedTask("7a-camket", ("BNG",), "Tăng cường triển khai hiệu quả các cam kết quốc tế về khoa học, công nghệ, đổi mới "
             "sáng tạo, chuyển đổi số; lồng ghép nội dung hợp tác vào các hoạt động đối ngoại cấp cao", TB04, "II.7.a",
             "Thường xuyên", lead_in="Phối hợp với Bộ Khoa học và Công nghệ"),
    SeedTask("7a-thithuc", ("BNG",), "Báo cáo Chính phủ chính sách thị thực ưu đãi cho các nhà khoa học, doanh nhân, "
             "những người hoạt động trong lĩnh vực văn hoá có nhiều đóng góp cho hợp tác với Việt Nam", TB04, "II.7.a",
             "11/2025", "Báo cáo"),
    SeedTask("7b", ("BKHCN",), "Đánh giá tổng thể tình hình hợp tác quốc tế trong các lĩnh vực phát triển khoa học, công "
             "nghệ, đổi mới sáng tạo, chuyển đổi số ở các cấp Trung ương và địa phương", TB04, "II.7.b", "08/2025",
             "Báo cáo"),
    # ---- 10467/VPCP-KGVX, 562/BKHCN-VCL, 3598/VPCP-KGVX
    SeedTask("10467-chithi", ("BKHCN",), "Xây dựng Chỉ thị về đẩy mạnh thực hiện đúng tiến độ, hiệu quả các nhiệm vụ "
             "được giao, xử lý trách nhiệm các bộ, ngành, địa phương chậm tiến độ thực hiện các nhiệm vụ", VPCP10467,
             "2", "10/2025", "Chỉ thị"),
    SeedTask("10467-nd-khcn", ("BKHCN",), "Xây dựng, ban hành Nghị định hướng dẫn Luật Khoa học, công nghệ và đổi mới "
             "sáng tạo", VPCP10467, "2", "31/03/2026", "Nghị định", "GUIDE-10467", "two_documents"),
    SeedTask("10467-tt-khcn", ("BKHCN",), "Xây dựng, ban hành Thông tư hướng dẫn Luật Khoa học, công nghệ và đổi mới "
             "sáng tạo", VPCP10467, "2", "31/03/2026", "Thông tư", "GUIDE-10467", "two_documents"),
    SeedTask("10467-nd-cncns", ("BKHCN",), "Xây dựng, ban hành Nghị định hướng dẫn Luật Công nghiệp công nghệ số",
             VPCP10467, "2", "31/03/2026", "Nghị định", "GUIDE-10467", "two_documents"),
    SeedTask("10467-cong", ("VPCP",), "Triển khai các nhiệm vụ liên quan đến phát triển Cổng Dịch vụ công quốc gia",
             VPCP10467, "3", "Thường xuyên", lead_in="Chủ trì, phối hợp với Bộ Công an và các cơ quan liên quan"),
    SeedTask("10467-dean", ("*M",), "Triển khai hiệu quả Đề án Chuyển đổi số trong các cơ quan đảng theo đúng lộ trình, "
             "nhiệm vụ được giao", VPCP10467, "5", "Thường xuyên", None, "ALL-10467-5", "other_agency"),
    SeedTask("562", ("BKHCN",), "Xây dựng, ban hành văn bản làm rõ định nghĩa, nội hàm, lượng hoá các khái niệm mới "
             "trong Nghị quyết số 57-NQ/TW để thống nhất nhận thức và tổ chức triển khai, thực hiện", NQ71, "1",
             "03/2025", "Văn bản hướng dẫn"),
    SeedTask("3598-capnhat", ("*M",), "Thường xuyên cập nhật thông tin, dữ liệu lên Hệ thống theo dõi giám sát, đánh giá "
             "việc triển khai thực hiện Nghị quyết số 57-NQ/TW", VPCP3598, "2", "Thường xuyên", None, "ALL-3598-2",
             "other_agency"),
    # ---- the provincial guidance restating Resolution 57 (OCR'd in the seed folder; marks restored)
    SeedTask("qy-quantriet", ("*P",), "Tổ chức quán triệt, tuyên truyền, triển khai thực hiện Nghị quyết số 57-NQ/TW "
             "đến cán bộ, đảng viên và Nhân dân", NQ57, None, "Quý I/2025", "Kế hoạch", "ALL-qy-1", "other_agency"),
    SeedTask("qy-muctieu", ("*P",), "Đưa các mục tiêu, chỉ tiêu, nhiệm vụ và giải pháp về phát triển khoa học, công nghệ, "
             "đổi mới sáng tạo và chuyển đổi số vào chương trình, kế hoạch phát triển kinh tế - xã hội của địa phương",
             NQ57, None, "12/2025"),
    SeedTask("qy-kiemtra", ("*P",), "Kiểm tra, giám sát, đánh giá việc thực hiện Nghị quyết số 57-NQ/TW theo lĩnh vực, "
             "địa bàn được phân công", NQ57, None, "Thường xuyên"),
    # ---- two databases: the national data of II.2.b and II.5.b, one database per subject
    SeedTask("csdl-khcn", ("BKHCN",), "Xây dựng cơ sở dữ liệu quốc gia về khoa học, công nghệ, đổi mới sáng tạo và "
             "chuyển đổi số", NQ71, "III.2", "12/2025", "Cơ sở dữ liệu", "DB-BKHCN", "two_databases"),
    SeedTask("csdl-nhanluc", ("BKHCN",), "Xây dựng cơ sở dữ liệu quốc gia về nhân lực khoa học, công nghệ và đổi mới "
             "sáng tạo", NQ71, "III.2", "12/2025", "Cơ sở dữ liệu", "DB-BKHCN", "two_databases"),
    SeedTask("csdl-chuyengia", ("BKHCN",), "Xây dựng cơ sở dữ liệu về chuyên gia, nhà khoa học người Việt Nam ở trong và "
             "ngoài nước", NQ71, "III.2", "12/2025", "Cơ sở dữ liệu", "DB-BKHCN", "two_databases"),
    SeedTask("csdl-dancu", ("*P",), "Xây dựng cơ sở dữ liệu về dân cư của địa phương, kết nối với Cổng Dịch vụ công "
             "quốc gia", NQ71, "IV.5", "12/2025", "Cơ sở dữ liệu", "DB-P", "two_databases"),
    SeedTask("csdl-datdai", ("*P",), "Xây dựng cơ sở dữ liệu về đất đai của địa phương, kết nối với Cổng Dịch vụ công "
             "quốc gia", NQ71, "IV.5", "12/2025", "Cơ sở dữ liệu", "DB-P", "two_databases"),
    SeedTask("csdl-doanhnghiep", ("*P",), "Xây dựng cơ sở dữ liệu về doanh nghiệp của địa phương, kết nối với Cổng Dịch "
             "vụ công quốc gia", NQ71, "IV.5", "12/2025", "Cơ sở dữ liệu", "DB-P", "two_databases"),
    # ---- plans of one year and the next
    SeedTask("kh-2026", ("*A",), "Ban hành kế hoạch triển khai thực hiện Nghị quyết số 57-NQ/TW năm 2026", NQ57, None,
             "12/2025", "Kế hoạch", "PLAN", "plan_year"),
    SeedTask("kh-2027", ("*A",), "Ban hành kế hoạch triển khai thực hiện Nghị quyết số 57-NQ/TW năm 2027", NQ57, None,
             "12/2026", "Kế hoạch", "PLAN", "plan_year"),
    SeedTask("cds-2026", ("*M",), "Xây dựng kế hoạch chuyển đổi số năm 2026 của bộ, ngành", NQ71, "IV.1", "12/2025",
             "Kế hoạch", "PLAN-CDS", "plan_year"),
    SeedTask("cds-2027", ("*M",), "Xây dựng kế hoạch chuyển đổi số năm 2027 của bộ, ngành", NQ71, "IV.1", "12/2026",
             "Kế hoạch", "PLAN-CDS", "plan_year"),
    # ---- recurring reports: "Hàng tháng có báo cáo kết quả thực hiện, gửi Cơ quan Thường trực Ban Chỉ đạo"
    SeedTask("r-3nha", MODEL_3_NHA, "Báo cáo kết quả tháo gỡ khó khăn, vướng mắc trong thực hiện Mô hình hợp tác \"3 "
             "Nhà\", phát triển thành phố thông minh và các khu công nghệ cao tháng {M}/2025", TB04, "II.2.a",
             "{M}/2025", "Báo cáo", "REPORT-3nha", "other_period", "month"),
    SeedTask("r-chuyengia", ("BKHCN",), "Báo cáo kết quả thu hút và sử dụng hiệu quả các chuyên gia giỏi quốc tế, người "
             "Việt Nam ở trong và ngoài nước cho các chương trình phát triển công nghệ chiến lược tháng {M}/2025", TB04,
             "II.4.a", "{M}/2025", "Báo cáo", "REPORT-4a", "other_period", "month"),
    SeedTask("r-daotao", ("BGDDT",), "Báo cáo kết quả triển khai các chương trình đào tạo đại học, sau đại học đối với các "
             "ngành khoa học cơ bản và công nghệ then chốt tháng {M}/2025", TB04, "II.4.b", "{M}/2025", "Báo cáo",
             "REPORT-4b", "other_period", "month"),
    SeedTask("r-san", ("BKHCN",), "Báo cáo kết quả xây dựng, hình thành Sàn giao dịch khoa học và công nghệ tháng "
             "{M}/2025", TB04, "II.6.b", "{M}/2025", "Báo cáo", "REPORT-6b", "other_period", "month"),
    SeedTask("r-mohinh", ("BNG",), "Báo cáo kết quả thúc đẩy, chia sẻ các mô hình và kinh nghiệm quốc tế về phát triển "
             "khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số tháng {M}/2025", TB04, "II.7.a", "{M}/2025",
             "Báo cáo", "REPORT-7a", "other_period", "month"),
    SeedTask("r-ctrhd", ("*M",), "Báo cáo tình hình triển khai Chương trình hành động của Chính phủ thực hiện Nghị quyết "
             "số 57-NQ/TW tháng {M}/2025", VPCP3598, "1", "{M}/2025", "Báo cáo", "REPORT-3598", "other_period",
             "month"),
    SeedTask("r-soket", ("*P",), "Báo cáo sơ kết tình hình triển khai thực hiện Nghị quyết số 57-NQ/TW quý {Q}/2025",
             VPCP10467, "1", "{Q}/2025", "Báo cáo", "REPORT-Q", "other_period", "quarter"),
)


# --------------------------------------------------------------------------------------------------
# How agencies retype (the generator's own lists; deliberately not the linker's)
# --------------------------------------------------------------------------------------------------

# (phrase, ways it is abbreviated). Longer phrases first: they are tried in this order.
ABBREVIATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số", ("KH,CN, ĐMST và CĐS", "KHCN, ĐMST và CĐS",
                                                                 "KH, CN, ĐMST & CĐS")),
    ("khoa học, công nghệ và đổi mới sáng tạo", ("KH,CN&ĐMST", "KHCN và ĐMST", "KH, CN và ĐMST")),
    ("khoa học, công nghệ, đổi mới sáng tạo", ("KH, CN, ĐMST", "KHCN, ĐMST")),
    ("Nghị quyết số 57-NQ/TW", ("NQ 57", "NQ57", "Nghị quyết 57", "NQ số 57-NQ/TW", "NQ 57-NQ/TW")),
    ("Nghị quyết số 71/NQ-CP", ("NQ 71", "NQ71/NQ-CP", "Nghị quyết 71")),
    ("khoa học và công nghệ", ("KH&CN", "KHCN", "KH và CN")),
    ("Khoa học và Công nghệ", ("KH&CN", "KHCN")),
    ("chuyển đổi số", ("CĐS",)),
    ("Chuyển đổi số", ("CĐS",)),
    ("đổi mới sáng tạo", ("ĐMST",)),
    ("cơ sở dữ liệu", ("CSDL",)),
    ("Cổng Dịch vụ công quốc gia", ("Cổng DVC quốc gia", "Cổng DVCQG")),
    ("dịch vụ công trực tuyến", ("DVCTT", "DVC trực tuyến")),
    ("dịch vụ công", ("DVC",)),
    ("thủ tục hành chính", ("TTHC",)),
    ("Thủ tướng Chính phủ", ("TTg", "Thủ tướng CP", "TTgCP")),
    ("trí tuệ nhân tạo", ("AI", "TTNT")),
    ("nghiên cứu và phát triển", ("NC&PT", "R&D")),
    ("phòng thí nghiệm", ("PTN",)),
    ("hệ thống chính trị", ("HTCT",)),
    ("cán bộ, công chức, viên chức", ("CBCCVC", "CB, CC, VC")),
    ("kinh tế - xã hội", ("KT-XH",)),
    ("Ban Chỉ đạo", ("BCĐ",)),
    ("Trung ương", ("TW",)),
    ("Quốc hội", ("QH",)),
    ("Chính phủ", ("CP",)),
)

PARENTHESISED_NOTES: tuple[str, ...] = (
    "(theo Nghị quyết số 57-NQ/TW)",
    "(nhiệm vụ tại Chương trình hành động của Chính phủ ban hành kèm theo Nghị quyết số 71/NQ-CP)",
    "(theo Thông báo số 04-TB/BCĐTW)",
    "(Nghị quyết 71/NQ-CP, Phụ lục II)",
    "(thực hiện Kết luận của Tổng Bí thư tại Phiên họp Thường trực Ban Chỉ đạo)",
    "(nhiệm vụ giao tại Công văn số 10467/VPCP-KGVX)",
    "(theo chỉ đạo của Thủ tướng Chính phủ)",
    "(Chương trình hành động thực hiện NQ 57)",
)
TAIL_QUALIFIERS: tuple[str, ...] = (
    ", trình Quốc hội",
    ", báo cáo Thủ tướng Chính phủ",
    ", báo cáo Ban Chỉ đạo Trung ương",
    ", gửi Bộ Khoa học và Công nghệ tổng hợp",
    ", trình Chính phủ xem xét, quyết định",
    "; báo cáo kết quả về Cơ quan Thường trực Ban Chỉ đạo",
    ", báo cáo Thường trực Ban Chỉ đạo cho ý kiến",
    ", báo cáo cấp có thẩm quyền",
)

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
ROMAN = ("I", "II", "III", "IV")


def strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def _wrong_tone(word: str, rng: random.Random) -> str | None:
    """Move the tone mark to another letter of the syllable: `hoạch` -> `họach`, `quyết` -> `quyêt́`."""
    parts = [unicodedata.normalize("NFD", c) for c in word]
    toned = [k for k, p in enumerate(parts) if any(t in p for t in _TONES)]
    if not toned:
        return None
    k = toned[0]
    tone = next(t for t in _TONES if t in parts[k])
    vowels = [j for j, c in enumerate(word) if j != k and strip_marks(c).lower() in "aeiouy"]
    if not vowels:
        return None
    target = rng.choice(vowels)
    parts[k] = parts[k].replace(tone, "")
    parts[target] = parts[target] + tone
    return unicodedata.normalize("NFC", "".join(parts))


def typing_slip(word: str, rng: random.Random, how: str) -> str | None:
    """One slip inside `word`: `double`, `swap`, `tone` or `drop`; None when the word cannot take it."""
    if how == "double":
        k = rng.randrange(len(word))
        return word[: k + 1] + word[k] + word[k + 1 :]
    if how == "swap":
        spots = [k for k in range(len(word) - 1) if word[k] != word[k + 1]]
        if not spots:
            return None
        k = rng.choice(spots)
        return word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    if how == "tone":
        return _wrong_tone(word, rng)
    if how == "drop":
        if len(word) < 4:
            return None
        k = rng.randrange(1, len(word))
        return word[:k] + word[k + 1 :]
    raise ValueError(how)


def add_typos(text: str, rng: random.Random, count: int) -> str:
    words = text.split(" ")
    candidates = [k for k, w in enumerate(words) if len(w) >= 3 and w.isalpha()]
    rng.shuffle(candidates)
    done = 0
    for k in candidates:
        if done >= count:
            break
        slip = typing_slip(words[k], rng, rng.choice(("double", "swap", "tone", "drop")))
        if slip and slip != words[k]:
            words[k] = slip
            done += 1
    return " ".join(words)


def abbreviate(text: str, rng: random.Random, most: int) -> tuple[str, int]:
    done = 0
    for phrase, shorts in ABBREVIATIONS:
        if done >= most:
            break
        if phrase in text:
            text = text.replace(phrase, rng.choice(shorts), 1)
            done += 1
    return text, done


def can_abbreviate(text: str) -> bool:
    return any(phrase in text for phrase, _ in ABBREVIATIONS)


def add_qualifier(text: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        note = rng.choice(PARENTHESISED_NOTES)
        head, comma, rest = text.partition(", ")
        if comma and "(" not in head and rng.random() < 0.3:
            return f"{head} {note}, {rest}"
        return f"{text} {note}"
    return text + rng.choice(TAIL_QUALIFIERS)


# --------------------------------------------------------------------------------------------------
# Periods and deadlines
# --------------------------------------------------------------------------------------------------


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(text: str) -> tuple[date | None, str]:
    """`06/2025` -> (30/06/2025, THANG); `20/06/2025` -> NGAY; `Quý I/2025` -> QUY; `2030` -> NAM."""
    text = text.strip()
    if text == "Thường xuyên":
        return None, "THUONG_XUYEN"
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
        return date(int(m[3]), int(m[2]), int(m[1])), "NGAY"
    if m := re.fullmatch(r"(\d{1,2})/(\d{4})", text):
        return month_end(int(m[2]), int(m[1])), "THANG"
    if m := re.fullmatch(r"(?:Quý )?(I{1,3}|IV)/(\d{4})", text):
        quarter = ROMAN.index(m[1]) + 1
        return month_end(int(m[2]), 3 * quarter), "QUY"
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 12, 31), "NAM"
    raise ValueError(f"deadline {text!r}")


def period_phrase(recurring: str, number: int, rng: random.Random, retyped: bool) -> tuple[str, str]:
    """(name placeholder value, deadline text) of month/quarter `number` in 2025, as one system writes it."""
    if recurring == "month":
        if not retyped:
            return f"{number}", f"{number:02d}/{YEAR}"
        return rng.choice((f"{number:02d}", f"{number}", f"{number}")), f"{number:02d}/{YEAR}"
    roman = ROMAN[number - 1]
    if not retyped:
        return roman, f"Quý {roman}/{YEAR}"
    return rng.choice((roman, str(number))), f"Quý {roman}/{YEAR}"


def retype_period_words(name: str, recurring: str, number: int, rng: random.Random) -> str:
    """Agencies write the period of a recurring report in several ways."""
    if recurring == "month":
        style = rng.randrange(4)
        old = f"tháng {number}/{YEAR}"
        new = (f"tháng {number:02d}/{YEAR}", f"T{number}/{YEAR}", f"tháng {number} năm {YEAR}",
               f"kỳ tháng {number}/{YEAR}")[style]
        return name.replace(old, new)
    old = f"quý {ROMAN[number - 1]}/{YEAR}"
    new = rng.choice((f"Quý {number}/{YEAR}", f"quý {ROMAN[number - 1]} năm {YEAR}", f"Q{number}/{YEAR}"))
    return name.replace(old, new)


# --------------------------------------------------------------------------------------------------
# One month
# --------------------------------------------------------------------------------------------------


@dataclass
class LabelledMonth:
    nq57: pd.DataFrame
    nq71: pd.DataFrame
    truth: set[tuple[str, str]]
    positive_kinds: dict[tuple[str, str], tuple[str, ...]]
    traps: dict[tuple[str, str], str]
    split: str
    seed: int
    families: list[str] = field(default_factory=list)


def _family_of(task: SeedTask) -> str:
    return task.family or task.key


def split_families(split: str) -> set[str]:
    """The task families of `split` ("tune" or "test"): a fixed, stratified half of each family type."""
    if split not in ("tune", "test"):
        raise ValueError("split must be 'tune' or 'test'")
    by_type: dict[str, list[str]] = {}
    for task in SEED_TASKS:
        family = _family_of(task)
        group = task.kind or ("recurring" if task.recurring else "single")
        if family not in by_type.setdefault(group, []):
            by_type[group].append(family)
    rng = random.Random(SPLIT_SEED)
    chosen: set[str] = set()
    for group in sorted(by_type):
        families = sorted(by_type[group])
        rng.shuffle(families)
        half = families[: (len(families) + 1) // 2] if split == "tune" else families[(len(families) + 1) // 2 :]
        chosen.update(half)
    return chosen


def _leads(task: SeedTask, ministries: list[str], provinces: list[str]) -> list[str]:
    out: list[str] = []
    for lead in task.leads:
        if lead == "*M":
            out.extend(ministries)
        elif lead == "*P":
            out.extend(provinces)
        elif lead == "*A":
            out.extend(ministries + provinces)
        else:
            out.append(lead)
    return sorted(set(out))


def _doc_variant(doc: str, rng: random.Random) -> str:
    variants = {
        TB04: ("Thông báo số 04-TB/BCĐTW", "04/TB-BCĐTW", "TB 04-TB/BCĐTW", "Thông báo kết luận 04"),
        VPCP10467: ("Công văn số 10467/VPCP-KGVX", "CV 10467/VPCP-KGVX"),
        VPCP3598: ("Công văn 3598/VPCP-KGVX", "3598/VPCP-KGVX"),
        NQ57: ("Nghị quyết số 57-NQ/TW", "NQ 57-NQ/TW", "NQ57"),
        NQ71: ("Nghị quyết số 71/NQ-CP", "NQ 71/NQ-CP", "71/NQ-CP"),
    }
    return rng.choice(variants.get(doc, (doc,)))


def _render(
    task: SeedTask, rng: random.Random, kinds: set[str], side: str, number: int | None, kind_side: dict[str, str]
) -> dict[str, object]:
    """One system's row for `task` (no code yet). `kinds` the positive kinds of the pair, `kind_side` which
    side carries each; `number` the month/quarter of a recurring task."""
    name = task.name
    deadline_text = task.deadline
    if task.recurring and number is not None:
        value, deadline_text = period_phrase(task.recurring, number, rng, retyped=False)
        name = name.replace("{M}", value).replace("{Q}", value)
    retyped = side == "NQ71"
    if task.lead_in and (side == "NQ57" or rng.random() < 0.2):
        name = f"{task.lead_in} {name[:1].lower()}{name[1:]}"
    if task.recurring and number is not None and "period" in kinds and kind_side["period"] == side:
        name = retype_period_words(name, task.recurring, number, rng)
    if "abbreviation" in kinds and kind_side["abbreviation"] == side:
        name, _ = abbreviate(name, rng, rng.choice((1, 2, 3)))
    if "qualifier" in kinds and kind_side["qualifier"] == side:
        name = add_qualifier(name, rng)
    if "no_diacritics" in kinds and kind_side["no_diacritics"] == side:
        name = strip_marks(name)
    if "typo" in kinds and kind_side["typo"] == side:
        name = add_typos(name, rng, rng.choice((1, 1, 2)))
    if retyped and rng.random() < 0.15:
        name = name + "."

    day, kind = parse_deadline(deadline_text)
    if retyped and day is not None:
        roll = rng.random()
        if task.recurring == "month" and roll < 0.3:
            due_month = day.month % 12 + 1
            day, kind = date(day.year + (day.month == 12), due_month, 20), "NGAY"  # the report's due date
        elif kind == "THANG" and roll < 0.35:
            kind = "NGAY"
        elif kind == "THANG" and roll < 0.45 and day.month % 3 == 0:
            kind = "QUY"
    doc, item = task.doc, task.item
    if retyped:
        roll = rng.random()
        if doc in (TB04, NQ57) and roll < 0.2:
            doc, item = NQ71, str(rng.randrange(10, 140)) if rng.random() < 0.5 else None
        else:
            doc = _doc_variant(doc, rng) if rng.random() < 0.6 else doc
            if item and rng.random() < 0.25:
                item = None
            elif item and item.count(".") == 2 and rng.random() < 0.3:
                item = item.split(".", 1)[1]
    product = task.product
    if retyped and product and rng.random() < 0.3:
        product = None
    return {
        "task_name": name,
        "assigning_doc": doc,
        "doc_item": item,
        "deadline_date": day,
        "deadline_type": kind,
        "product": product,
        "link_code": None,
    }


def _pair_kinds(task: SeedTask, rng: random.Random) -> tuple[set[str], dict[str, str]]:
    """Two or three retyping kinds for a true pair, and the side that carries each."""
    available = ["qualifier", "typo", "no_diacritics"]
    if can_abbreviate(task.name) or (task.lead_in and can_abbreviate(task.lead_in)):
        available.append("abbreviation")
    kinds: set[str] = set()
    if task.recurring:
        kinds.add("period")
        kinds.update(rng.sample(available, rng.choice((1, 2))))
    else:
        kinds.update(rng.sample(available, rng.choice((2, 2, 3))))
    sides = {k: "NQ71" for k in kinds}
    for k in sorted(kinds):
        flip = {"qualifier": 0.3, "abbreviation": 0.25, "no_diacritics": 0.15, "typo": 0.3}.get(k, 0.0)
        if rng.random() < flip:
            sides[k] = "NQ57"
    return kinds, sides


def _single_kinds(task: SeedTask, rng: random.Random, side: str) -> tuple[set[str], dict[str, str]]:
    """Retyping on a task present in one system only (it must not become easier to tell apart)."""
    kinds, sides = _pair_kinds(task, rng)
    return kinds, {k: side for k in sorted(kinds)}


def labelled_month(seed: int, split: str = "test") -> LabelledMonth:
    """One month's NQ57 and NQ71 task lists with truth, from the families of `split`; same seed, same data."""
    rng = random.Random(f"labelled-{split}-{seed}")
    families = split_families(split)
    ministries = sorted({"BKHCN", *rng.sample([m for m in MINISTRIES if m != "BKHCN"], 10)})
    provinces = sorted(rng.sample(PROVINCES, 6))

    # Each (task, agency[, period]) is one real task; decide where it is present.
    rows57: list[tuple[dict[str, object], tuple]] = []
    rows71: list[tuple[dict[str, object], tuple]] = []
    truth_keys: list[tuple] = []
    kinds_of: dict[tuple, tuple[str, ...]] = {}
    for task in SEED_TASKS:
        if _family_of(task) not in families:
            continue
        numbers: list[int | None] = [None]
        if task.recurring == "month":
            start = rng.randint(5, 9)
            numbers = list(range(start, start + rng.choice((2, 3))))
        elif task.recurring == "quarter":
            numbers = [2, 3]
        for agency in _leads(task, ministries, provinces):
            for number in numbers:
                real = (task.key, agency, number)
                roll = rng.random()
                where = "both" if roll < 0.55 else "NQ57" if roll < 0.75 else "NQ71" if roll < 0.95 else "none"
                if where == "both":
                    kinds, sides = _pair_kinds(task, rng)
                    r57 = _render(task, rng, kinds, "NQ57", number, sides)
                    r71 = _render(task, rng, kinds, "NQ71", number, sides)
                    rows57.append((r57 | {"lead_agency_code": agency}, real))
                    rows71.append((r71 | {"lead_agency_code": agency}, real))
                    truth_keys.append(real)
                    kinds_of[real] = tuple(k for k in POSITIVE_KINDS if k in kinds)
                elif where in ("NQ57", "NQ71"):
                    kinds, sides = _single_kinds(task, rng, where)
                    row = _render(task, rng, kinds, where, number, sides) | {"lead_agency_code": agency}
                    (rows57 if where == "NQ57" else rows71).append((row, real))

    rng.shuffle(rows57)
    rng.shuffle(rows71)
    code57: dict[tuple, str] = {}
    code71: dict[tuple, str] = {}
    out57, out71 = [], []
    for n, (row, real) in enumerate(rows57, start=1):
        code57[real] = f"NQ57-{real[1]}-{n:04d}"
        out57.append({"task_code": code57[real], **row})
    numbers71 = rng.sample(range(10_000, 99_999), len(rows71))
    for (row, real), number in zip(rows71, numbers71, strict=True):
        code71[real] = f"CT71-{number}"
        out71.append({"task_code": code71[real], **row})

    truth = {(code57[r], code71[r]) for r in truth_keys}
    positive_kinds = {(code57[r], code71[r]): kinds_of[r] for r in truth_keys}

    # Traps: an NQ57 task and an NQ71 task that are different real tasks of one family.
    by_key = {t.key: t for t in SEED_TASKS}
    traps: dict[tuple[str, str], str] = {}
    for real57, c57 in code57.items():
        t57 = by_key[real57[0]]
        if t57.family is None or t57.kind is None:
            continue
        for real71, c71 in code71.items():
            if real71 == real57:
                continue
            t71 = by_key[real71[0]]
            if t71.family != t57.family:
                continue
            same_agency = real71[1] == real57[1]
            if t57.kind == "other_agency":
                if real71[0] == real57[0] and not same_agency:
                    traps[(c57, c71)] = "other_agency"
            elif t57.kind == "other_period":
                if same_agency and real71[0] == real57[0] and real71[2] != real57[2]:
                    traps[(c57, c71)] = "other_period"
            elif same_agency and real71[0] != real57[0]:
                traps[(c57, c71)] = t57.kind
    return LabelledMonth(
        nq57=pd.DataFrame(out57, columns=list(COLUMNS)),
        nq71=pd.DataFrame(out71, columns=list(COLUMNS)),
        truth=truth,
        positive_kinds=positive_kinds,
        traps=traps,
        split=split,
        seed=seed,
        families=sorted(families),
    )
