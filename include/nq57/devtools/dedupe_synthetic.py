"""Deterministic synthetic NQ57 / NQ71 task lists with known links, in the style of the seed documents.

Used by the sample-data command and the benchmark, and kept as a regression set in `make eval-dedupe`.
It was written together with the linker, so its figures flatter it: the evaluation that counts is on
`dedupe_labelled`, built independently. Every agency gets exactly
`tasks_per_agency` tasks in each system. About 70 % of them are the same real task reported in both
systems (the ground truth), written differently on the NQ71 side:

- abbreviations <-> expansions (`KH&CN`, `CĐS`, `ĐMST`, `CSDL`, `AI`, `TTg`, ...),
  `khoa học, công nghệ` vs `khoa học và công nghệ`;
- a qualifier moved to the front (`Đến năm 2030, xây dựng ...`) or dropped, filler words added
  (`Khẩn trương`, `Chủ trì, phối hợp với các cơ quan liên quan`, `bảo đảm chất lượng, tiến độ`);
- missing diacritics, lower case, decomposed Unicode, zero-width and non-breaking spaces, a typo;
- the deadline as month vs exact day vs quarter (`06/2025`, `30/06/2025`, `20/06/2025`, `Quý II/2025`),
  occasionally extended by a month in one system; regular tasks typed as a date in one system;
- the document written differently (`Thông báo số 04-TB/BCĐTW`, `04/TB-BCĐTW`), the item missing or
  without its section, or the NQ71 file citing the Government programme `71/NQ-CP` instead;
- products as `Nghị định` vs `Dự thảo Nghị định của Chính phủ`, or missing;
- `link_code` written for some pairs (and a few codes that name no task).

Hard negatives, which must stay unlinked:

- one template with different subjects in one agency (`Xây dựng cơ sở dữ liệu về đất đai` / `... về
  dân cư`), some in one system only;
- recurring monthly reports (`Báo cáo kết quả thực hiện ... tháng 6/2025` vs `tháng 7/2025`), with
  months present in one system only;
- a different action on the same object (`Xây dựng Nghị định ...` vs `Tổ chức triển khai Nghị định ...`);
- the same wording under another lead agency (the tasks every ministry or province got from
  04-TB/BCĐTW, and single-system tasks whose exact twin sits with another agency);
- tasks present in one system only.
"""

from __future__ import annotations

import calendar
import random
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from nq57.dedupe.match import TASK_COLUMNS
from nq57.reference import agencies as reference_agencies

# --------------------------------------------------------------------------------------------------
# Vocabulary (wording follows 04-TB/BCĐTW, 10467/VPCP-KGVX and the NQ03/NQ71 annex)
# --------------------------------------------------------------------------------------------------

TOPICS: tuple[str, ...] = (
    "quỹ đầu tư mạo hiểm cho khởi nghiệp sáng tạo",
    "cơ chế tài chính cho hoạt động khoa học và công nghệ",
    "hợp tác công tư trong khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
    "ứng dụng trí tuệ nhân tạo trong hành chính công",
    "chuyển đổi số trong doanh nghiệp nhỏ và vừa",
    "nguồn nhân lực công nghệ số chất lượng cao",
    "thu hút chuyên gia, nhà khoa học người Việt Nam ở nước ngoài",
    "cung cấp dịch vụ công trực tuyến toàn trình",
    "kết nối, chia sẻ dữ liệu giữa các hệ thống thông tin",
    "bảo đảm an toàn thông tin và an ninh mạng",
    "hạ tầng số dùng chung",
    "Sàn giao dịch khoa học và công nghệ",
    "các khu công nghệ cao",
    "đô thị thông minh",
    "công nghiệp bán dẫn",
    "kinh tế số và xã hội số",
    "Chính phủ số",
    "thanh toán không dùng tiền mặt",
    "hồ sơ sức khỏe điện tử",
    "chữ ký số cho người dân",
    "trung tâm dữ liệu quốc gia",
    "phòng thí nghiệm trọng điểm quốc gia",
    "Danh mục công nghệ chiến lược",
    "đổi mới sáng tạo trong doanh nghiệp",
    "sở hữu trí tuệ và chuyển giao công nghệ",
    "đào tạo kỹ năng số cho cán bộ, công chức, viên chức",
    "tiêu chuẩn, quy chuẩn kỹ thuật về chuyển đổi số",
    "thương mại điện tử xuyên biên giới",
    "nông nghiệp ứng dụng công nghệ cao",
    "đào tạo đại học, sau đại học các ngành khoa học cơ bản",
    "nền tảng học tập trực tuyến mở",
    "giao thông thông minh",
    "quản lý đất đai trên môi trường số",
    "ngân sách nhà nước cho khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
    "quyền tự chủ của tổ chức khoa học và công nghệ công lập",
    "thử nghiệm có kiểm soát đối với công nghệ mới",
    "hệ sinh thái khởi nghiệp đổi mới sáng tạo",
    "thiết kế, chế tạo chip bán dẫn",
    "mạng di động 5G và hạ tầng viễn thông",
    "tỉ lệ nội địa hóa sản phẩm công nghệ số",
    "xử lý hồ sơ công việc trên môi trường mạng",
    "giải pháp bảo mật, mã hóa văn bản điện tử",
    "phòng họp không giấy",
    "hợp tác quốc tế về khoa học, công nghệ và đổi mới sáng tạo",
    "công nghiệp văn hóa số",
    "y tế số và khám chữa bệnh từ xa",
    "du lịch thông minh",
    "ứng dụng công nghệ thông tin trong cơ quan nhà nước",
    "chuyển đổi số trong hệ thống chính trị",
    "phát triển kinh tế - xã hội dựa trên dữ liệu",
)

# (action, object template, product, alternative product wording on the other side)
TEMPLATES: tuple[tuple[str, str, str, str], ...] = (
    (
        "Xây dựng, trình Chính phủ ban hành",
        "Nghị định quy định về {topic}",
        "Nghị định",
        "Dự thảo Nghị định của Chính phủ",
    ),
    ("Xây dựng", "Đề án phát triển {topic}", "Đề án", "Đề án trình Thủ tướng Chính phủ"),
    ("Ban hành", "Kế hoạch triển khai {topic}", "Kế hoạch", "Kế hoạch của Bộ"),
    (
        "Trình Thủ tướng Chính phủ phê duyệt",
        "Chương trình quốc gia về {topic}",
        "Quyết định",
        "Quyết định của Thủ tướng Chính phủ",
    ),
    ("Ban hành", "Thông tư hướng dẫn về {topic}", "Thông tư", "Thông tư"),
    ("Tổ chức sơ kết, đánh giá", "tình hình thực hiện {topic}", "Báo cáo", "Báo cáo sơ kết"),
    ("Rà soát, sửa đổi, bổ sung", "các quy định pháp luật về {topic}", "Báo cáo rà soát", "Văn bản sửa đổi"),
    ("Nghiên cứu, đề xuất", "cơ chế, chính sách đặc thù về {topic}", "Báo cáo đề xuất", "Tờ trình"),
    ("Xây dựng", "bộ tiêu chí đánh giá mức độ {topic}", "Bộ tiêu chí", "Quyết định ban hành bộ tiêu chí"),
)

# Another action on the same object: a different task a careless scorer would merge.
SIBLING_ACTIONS: tuple[str, ...] = (
    "Tổ chức triển khai thi hành",
    "Tổng kết, đánh giá kết quả thực hiện",
    "Tuyên truyền, phổ biến",
)

QUALIFIERS: tuple[str, ...] = (
    "đến năm 2030",
    "giai đoạn 2026 - 2030",
    "phù hợp với mô hình chính quyền địa phương 2 cấp",
    "đáp ứng yêu cầu của Nghị quyết số 57-NQ/TW",
    "trên phạm vi toàn quốc",
)

DATABASE_SUBJECTS: tuple[str, ...] = (
    "đất đai",
    "dân cư",
    "doanh nghiệp",
    "hộ tịch",
    "bảo hiểm xã hội",
    "cán bộ, công chức, viên chức",
    "giáo dục và đào tạo",
    "y tế",
    "văn hóa",
    "giao thông vận tải",
    "tài chính công",
    "khoa học và công nghệ",
    "nông nghiệp",
    "tài nguyên nước",
    "nhà ở và thị trường bất động sản",
    "an sinh xã hội",
    "việc làm",
    "du lịch",
    "thống kê",
    "xuất nhập khẩu",
)

REPORT_SUBJECTS: tuple[str, ...] = (
    'Mô hình hợp tác "3 Nhà"',
    "Nghị quyết số 57-NQ/TW",
    "các chương trình phát triển công nghệ chiến lược",
    "việc thu hút chuyên gia giỏi quốc tế",
    "chuyển đổi số của cơ quan",
)

# (full phrase, abbreviations an agency may write instead)
ABBREVIATION_PAIRS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("khoa học và công nghệ", ("KH&CN", "KHCN")),
    ("Khoa học và Công nghệ", ("KH&CN",)),
    ("chuyển đổi số", ("CĐS",)),
    ("đổi mới sáng tạo", ("ĐMST",)),
    ("cơ sở dữ liệu", ("CSDL",)),
    ("trí tuệ nhân tạo", ("AI", "TTNT")),
    ("Thủ tướng Chính phủ", ("TTg",)),
    ("dịch vụ công", ("DVC",)),
    ("công nghệ thông tin", ("CNTT",)),
    ("kinh tế - xã hội", ("KT-XH",)),
    ("hệ thống chính trị", ("HTCT",)),
    ("Nghị quyết", ("NQ",)),
    ("doanh nghiệp nhỏ và vừa", ("DNNVV",)),
    ("ngân sách nhà nước", ("NSNN",)),
    ("Chính phủ", ("CP",)),
)

# Some of these are in the linker's boilerplate list (`normalize.BOILERPLATE`), some deliberately
# not, so the evaluation also sees filler the linker has never been told about.
PREFIX_FILLERS: tuple[str, ...] = (
    "Khẩn trương",
    "Tiếp tục",
    "Tập trung",
    "Chủ trì, phối hợp với các cơ quan liên quan",
    "Chủ động",
    "Quyết liệt",
    "Nghiêm túc triển khai việc",
    "Phối hợp chặt chẽ để",
)
SUFFIX_FILLERS: tuple[str, ...] = (
    "theo quy định",
    "bảo đảm chất lượng, tiến độ",
    "và các nhiệm vụ liên quan",
    "theo chỉ đạo của Ban Chỉ đạo",
    "theo chức năng, nhiệm vụ được giao",
    "đúng tiến độ đề ra",
)

YEAR = 2025


@dataclass(frozen=True)
class _Doc:
    canonical: str  # as the NQ57 file writes it
    variants: tuple[str, ...]  # other ways of writing the same number
    items: tuple[str, ...]


DOCS: tuple[_Doc, ...] = (
    _Doc(
        "57-NQ/TW",
        ("Nghị quyết số 57-NQ/TW", "57-NQ/TW", "NQ 57"),
        ("III.1", "III.2", "III.3", "III.4", "III.5", "III.6", "III.7"),
    ),
    _Doc("71/NQ-CP", ("Nghị quyết 71/NQ-CP", "71/NQ-CP", "71-NQ/CP"), tuple(str(n) for n in range(10, 140))),
    _Doc(
        "04-TB/BCĐTW",
        ("Thông báo số 04-TB/BCĐTW", "04/TB-BCĐTW", "04-TB/BCĐTW", "TB 04-TB/BCĐTW"),
        (
            "II.2.a",
            "II.2.b",
            "II.2.c",
            "II.3.a",
            "II.3.b",
            "II.3.đ",
            "II.3.e",
            "II.3.h",
            "II.4.a",
            "II.5.b",
            "II.6.c",
            "II.7.b",
        ),
    ),
    _Doc("10467/VPCP-KGVX", ("Công văn số 10467/VPCP-KGVX", "10467/VPCP-KGVX"), ("1", "2", "3", "4", "5")),
)
_PROGRAMME = DOCS[1]


@dataclass(frozen=True)
class _Task:
    """One real task, as the assigning document words it."""

    action: str  # the name without its qualifier
    qualifier: str | None
    doc: _Doc
    item: str | None
    deadline: date | None
    deadline_type: str
    product: str | None
    product_alt: str | None
    paraphrase: bool = True  # recurring reports and templated tasks keep their structure
    obj: str | None = None  # the object of the action (`Nghị định quy định về ...`), for siblings

    @property
    def name(self) -> str:
        return f"{self.action} {self.qualifier}" if self.qualifier else self.action


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def format_deadline(day: date | None, deadline_type: str) -> str:
    """The deadline as an agency types it in `Thời hạn`: `30/06/2025`, `06/2025`, `Quý II/2025`, ..."""
    if deadline_type == "THUONG_XUYEN":
        return "Thường xuyên"
    if deadline_type == "HANG_NAM":
        return "Hằng năm"
    if day is None:
        return ""
    if deadline_type == "THANG":
        return f"{day.month:02d}/{day.year}"
    if deadline_type == "QUY":
        return f"Quý {('I', 'II', 'III', 'IV')[(day.month - 1) // 3]}/{day.year}"
    if deadline_type == "NAM":
        return str(day.year)
    return day.strftime("%d/%m/%Y")


# --------------------------------------------------------------------------------------------------
# Rendering one task in one system
# --------------------------------------------------------------------------------------------------


def _strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _typo(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    candidates = [k for k, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not candidates:
        return text
    k = rng.choice(candidates)
    word = words[k]
    pos = rng.randrange(1, len(word) - 1)
    words[k] = word[:pos] + word[pos + 1 :]  # a dropped letter
    return " ".join(words)


def _abbreviate(rng: random.Random, text: str, probability: float) -> str:
    for full, shorts in ABBREVIATION_PAIRS:
        if full in text and rng.random() < probability:
            text = text.replace(full, rng.choice(shorts))
    return text


def _render_name(rng: random.Random, task: _Task, heavy: bool) -> str:
    """The task's name as one system shows it; `heavy` for the side that paraphrases."""
    action, qualifier = task.action, task.qualifier
    if not task.paraphrase:
        name = task.name
        if heavy and rng.random() < 0.3:
            name = _abbreviate(rng, name, 0.8)
        if heavy and rng.random() < 0.15:
            name = _strip_diacritics(name)
        return name
    if heavy:
        if qualifier and rng.random() < 0.3:
            name = f"{_upper_first(qualifier)}, {_lower_first(action)}"  # clause moved to the front
        elif qualifier and rng.random() < 0.15:
            name = action  # qualifier left out
        else:
            name = task.name
        if rng.random() < 0.3:
            name = name.replace("khoa học, công nghệ", "khoa học và công nghệ")
        if rng.random() < 0.35:
            name = f"{rng.choice(PREFIX_FILLERS)} {_lower_first(name)}"
        if rng.random() < 0.25:
            name = f"{name} {rng.choice(SUFFIX_FILLERS)}"
        name = _abbreviate(rng, name, 0.5)
        if rng.random() < 0.12:
            name = _strip_diacritics(name)
        if rng.random() < 0.1:
            name = name.lower()
        if rng.random() < 0.1:
            name = _typo(rng, name)
    else:
        name = task.name
        name = _abbreviate(rng, name, 0.1)
    # Noise of copy-paste from other tools: decomposed Unicode, invisible characters, odd spacing.
    roll = rng.random()
    if roll < 0.08:
        name = unicodedata.normalize("NFD", name)
    elif roll < 0.13:
        name = name.replace(" ", "\u00a0", 1)
    elif roll < 0.17:
        name = name.replace(" ", " \u200b", 1)
    elif roll < 0.22:
        name = name + "."
    return name


def _render_deadline(rng: random.Random, task: _Task, heavy: bool) -> tuple[date | None, str]:
    if task.deadline is None:
        if heavy and rng.random() < 0.15:
            return _month_end(YEAR, rng.choice((6, 9, 12))), "NGAY"  # "trước 30/6 và thường xuyên"
        return None, task.deadline_type
    day, kind = task.deadline, task.deadline_type
    if not heavy:
        return day, kind
    if rng.random() < 0.05:
        # Extended by a month in one system only.
        month = day.month % 12 + 1
        year = day.year + (1 if day.month == 12 else 0)
        return _month_end(year, month), "THANG"
    if kind == "THANG":
        roll = rng.random()
        if roll < 0.45:
            return day, "NGAY"  # 30/06/2025 for 06/2025
        if roll < 0.6:
            return day.replace(day=rng.choice((10, 15, 20, 25))), "NGAY"  # "trước ngày 20/6"
        if roll < 0.75 and day.month % 3 == 0:
            return day, "QUY"
    return day, kind


def _render_doc(rng: random.Random, task: _Task, heavy: bool) -> tuple[str, str | None]:
    doc, item = task.doc, task.item
    if heavy and doc.canonical == "57-NQ/TW" and rng.random() < 0.4:
        # The NQ71 file cites the Government programme that carries the task, with its numbering.
        return rng.choice(_PROGRAMME.variants), rng.choice(_PROGRAMME.items) if rng.random() < 0.5 else None
    text = rng.choice(doc.variants) if heavy or rng.random() < 0.3 else doc.canonical
    if item is None:
        return text, None
    roll = rng.random()
    if roll < (0.25 if heavy else 0.1):
        return text, None
    if heavy and roll < 0.35 and item.count(".") >= 2:
        return text, item.split(".", 1)[1]  # `3.h` without its section
    if heavy and roll < 0.4:
        return text, f"Mục {item}"
    return text, item


def _render_product(rng: random.Random, task: _Task, heavy: bool) -> str | None:
    if task.product is None or rng.random() < (0.25 if heavy else 0.1):
        return None
    if heavy and task.product_alt and rng.random() < 0.4:
        return task.product_alt
    return task.product


# --------------------------------------------------------------------------------------------------
# Building an agency's task list
# --------------------------------------------------------------------------------------------------


def _deadline(rng: random.Random) -> tuple[date | None, str]:
    roll = rng.random()
    if roll < 0.12:
        return None, "THUONG_XUYEN"
    if roll < 0.17:
        return None, "HANG_NAM"
    if roll < 0.25:
        return date(YEAR, 12, 31), "NAM"
    if roll < 0.35:
        quarter_end = rng.choice((3, 6, 9, 12))
        return _month_end(YEAR, quarter_end), "QUY"
    if roll < 0.5:
        return date(YEAR, rng.choice((6, 7, 8, 9, 10, 11)), rng.choice((15, 20, 30))), "NGAY"
    return _month_end(YEAR, rng.randint(6, 12)), "THANG"


def _doc_and_item(rng: random.Random) -> tuple[_Doc, str | None]:
    doc = rng.choices(DOCS, weights=(3, 4, 3, 1))[0]
    return doc, rng.choice(doc.items) if rng.random() < 0.75 else None


def _grammar_task(rng: random.Random, used: set[str], is_province: bool) -> _Task:
    for _ in range(1000):
        verb, obj_template, product, product_alt = rng.choice(TEMPLATES)
        obj = obj_template.format(topic=rng.choice(TOPICS))
        action = f"{verb} {obj}"
        qualifier = None
        if rng.random() < 0.5:
            qualifier = "trên địa bàn tỉnh" if is_province and rng.random() < 0.4 else rng.choice(QUALIFIERS)
        task_name = f"{action} {qualifier}" if qualifier else action
        if action not in used and task_name not in used:
            used.update((action, task_name))
            doc, item = _doc_and_item(rng)
            day, kind = _deadline(rng)
            return _Task(action, qualifier, doc, item, day, kind, product, product_alt, obj=obj)
    raise RuntimeError("vocabulary exhausted; lower tasks_per_agency")


def _sibling(rng: random.Random, task: _Task, used: set[str]) -> _Task | None:
    """The same document under another action: `Tổ chức triển khai thi hành Nghị định ...`."""
    if task.obj is None or not task.obj[:1].isupper():
        return None
    action = f"{rng.choice(SIBLING_ACTIONS)} {task.obj}"
    if action in used:
        return None
    used.add(action)
    later: date | None = None
    if task.deadline is not None:
        later = _month_end(task.deadline.year + (1 if task.deadline.month == 12 else 0), task.deadline.month % 12 + 1)
    return replace(
        task,
        action=action,
        deadline=later,
        deadline_type="THANG" if later else task.deadline_type,
        product="Báo cáo",
        product_alt=None,
    )


@dataclass
class _Agency:
    code: str
    shared: list[_Task]
    only57: list[_Task]
    only71: list[_Task]
    used: set[str]


def _agency_tasks(rng: random.Random, code: str, tasks: int, is_province: bool) -> _Agency:
    used: set[str] = set()
    shared_budget = round(tasks * 0.7)
    only_budget = tasks - shared_budget
    result = _Agency(code, [], [], [], used)

    def room(shared: int, only57: int, only71: int) -> bool:
        return (
            len(result.shared) + shared <= shared_budget
            and len(result.only57) + only57 <= only_budget
            and len(result.only71) + only71 <= only_budget
        )

    # Tasks every agency got from 04-TB/BCĐTW: identical wording across agencies.
    if room(1, 0, 0):
        if is_province:
            common = _Task(
                "Bảo đảm 100% xã kết nối đường truyền thông suốt; xử lý hồ sơ công việc đến cấp độ mật trên môi trường mạng",
                None,
                DOCS[2],
                "II.3.c",
                _month_end(YEAR, 6),
                "THANG",
                "Báo cáo",
                "Báo cáo kết quả",
            )
        else:
            common = _Task(
                "Rà soát nền tảng, hạ tầng số dùng chung, điều chỉnh đầu tư để tránh trùng lặp",
                "phù hợp với mô hình chính quyền 3 cấp",
                DOCS[2],
                "II.3.d",
                _month_end(YEAR, 6),
                "THANG",
                "Báo cáo",
                None,
            )
        used.add(common.action)
        result.shared.append(common)

    # One template, several subjects: two in both systems, one more in each system only.
    if room(2, 1, 1) and tasks >= 8:
        subjects = rng.sample(DATABASE_SUBJECTS, 4)
        day = _month_end(YEAR, rng.choice((9, 12)))
        items = rng.sample(_PROGRAMME.items, 4)
        family = [
            _Task(
                f"Xây dựng cơ sở dữ liệu về {s}",
                None,
                _PROGRAMME,
                it,
                day,
                "THANG",
                "Cơ sở dữ liệu",
                "Hệ thống CSDL",
                paraphrase=False,
            )
            for s, it in zip(subjects, items, strict=True)
        ]
        result.shared.extend(family[:2])
        result.only57.append(family[2])
        result.only71.append(family[3])

    # Recurring monthly reports: June and July in both, August in NQ57 only, September in NQ71 only.
    if room(2, 1, 1) and tasks >= 8:
        subject = rng.choice(REPORT_SUBJECTS)
        reports = [
            _Task(
                f"Báo cáo kết quả thực hiện {subject} tháng {m}/{YEAR}",
                None,
                DOCS[2],
                None,
                _month_end(YEAR, m),
                "THANG",
                "Báo cáo",
                "Báo cáo tháng",
                paraphrase=False,
            )
            for m in (6, 7, 8, 9)
        ]
        result.shared.extend(reports[:2])
        result.only57.append(reports[2])
        result.only71.append(reports[3])

    # Ordinary tasks, and for some a sibling (another action on the same object) in one system.
    while len(result.shared) < shared_budget:
        task = _grammar_task(rng, used, is_province)
        result.shared.append(task)
        if rng.random() < 0.25:
            sibling = _sibling(rng, task, used)
            if sibling is not None:
                target = result.only71 if rng.random() < 0.5 else result.only57
                if len(target) < only_budget:
                    target.append(sibling)
    while len(result.only57) < only_budget:
        result.only57.append(_grammar_task(rng, used, is_province))
    while len(result.only71) < only_budget:
        result.only71.append(_grammar_task(rng, used, is_province))
    return result


# --------------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------------



def _row(rng: random.Random, code: str, agency: str, task: _Task, heavy: bool) -> dict[str, object]:
    doc, item = _render_doc(rng, task, heavy)
    day, kind = _render_deadline(rng, task, heavy)
    return {
        "task_code": code,
        "task_name": _render_name(rng, task, heavy),
        "lead_agency_code": agency,
        "assigning_doc": doc,
        "doc_item": item,
        "deadline_date": day,
        "deadline_type": kind,
        "product": _render_product(rng, task, heavy),
        "link_code": None,
    }


def labelled_pairs(
    seed: int = 0, agencies: int = 20, tasks_per_agency: int = 25, codes: list[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[str, str]]]:
    """(NQ57 tasks, NQ71 tasks, true links as {(nq57_task_code, nq71_task_code)}); same seed, same data.

    Each frame has `agencies * tasks_per_agency` rows with the linker's input columns, in shuffled
    order. Lead agencies are `codes` when given, else drawn from the shipped reference list
    (`nq57.reference.agencies()`).
    """
    catalogue = reference_agencies()
    if not 1 <= agencies <= len(catalogue):
        raise ValueError(f"agencies must be between 1 and {len(catalogue)}")
    if tasks_per_agency < 1:
        raise ValueError("tasks_per_agency must be positive")
    rng = random.Random(seed)
    chosen = sorted(codes[:agencies]) if codes else sorted(rng.sample(sorted(catalogue), agencies))
    plans = [_agency_tasks(rng, code, tasks_per_agency, catalogue[code].kind == "province") for code in chosen]

    # Single-system twins across agencies: agency k's NQ57-only task reappears word for word as an
    # NQ71-only task of agency k+1. Same name, different lead agency: not the same task.
    if agencies >= 2:
        for k, plan in enumerate(plans):
            if plan.only57 and rng.random() < 0.5:
                nxt = plans[(k + 1) % agencies]
                twin = plan.only57[-1]
                if nxt.only71 and nxt is not plan and twin.action not in nxt.used and twin.name not in nxt.used:
                    nxt.used.update((twin.action, twin.name))
                    nxt.only71[-1] = replace(twin, item=None)

    nq57_rows: list[dict[str, object]] = []
    nq71_rows: list[dict[str, object]] = []
    truth: set[tuple[str, str]] = set()
    nq71_numbers = rng.sample(range(10_000, 99_999), agencies * tasks_per_agency)
    n71 = iter(nq71_numbers)
    for plan in plans:
        order57 = list(range(tasks_per_agency))
        rng.shuffle(order57)
        codes57 = iter(f"NQ57-{plan.code}-{n + 1:03d}" for n in order57)
        for task in plan.shared:
            code57, code71 = next(codes57), f"CT71-{next(n71)}"
            row57 = _row(rng, code57, plan.code, task, heavy=False)
            row71 = _row(rng, code71, plan.code, task, heavy=True)
            roll = rng.random()
            if roll < 0.15:
                row57["link_code"] = code71
            elif roll < 0.22:
                row71["link_code"] = code57
            elif roll < 0.25:
                row57["link_code"], row71["link_code"] = code71, code57
            nq57_rows.append(row57)
            nq71_rows.append(row71)
            truth.add((code57, code71))
        for task in plan.only57:
            row = _row(rng, next(codes57), plan.code, task, heavy=False)
            if rng.random() < 0.03:
                row["link_code"] = f"CT71-{rng.randrange(100_000, 999_999)}"  # names no task: a typo
            nq57_rows.append(row)
        for task in plan.only71:
            nq71_rows.append(_row(rng, f"CT71-{next(n71)}", plan.code, task, heavy=True))

    rng.shuffle(nq57_rows)
    rng.shuffle(nq71_rows)
    return (
        pd.DataFrame(nq57_rows, columns=list(TASK_COLUMNS)),
        pd.DataFrame(nq71_rows, columns=list(TASK_COLUMNS)),
        truth,
    )
