"""Realistic Vietnamese sample submissions for both systems, laid out like the bucket.

`DIR/<agency>/<YYYY-MM>/<agency>_<system>_<YYYY-MM>.xlsx`. Task wording follows the seed documents
(04-TB/BCĐTW, 71/NQ-CP, 10467/VPCP-KGVX). The same real task appears in both systems under different codes
and wording; a few files carry deliberate errors so the feedback path is exercised.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from openpyxl.workbook import Workbook

from nq57 import reference
from nq57.template import FIRST_DATA_ROW, build_template
from nq57.values import period_end
from nq57.vocabulary import SHEET_INDICATORS, SHEET_INFO, SHEET_TASKS, STATUSES

SUBJECTS = (
    "cơ sở dữ liệu quốc gia về khoa học, công nghệ và đổi mới sáng tạo",
    "nền tảng số dùng chung của ngành",
    "hệ thống thông tin giải quyết thủ tục hành chính",
    "trung tâm dữ liệu của bộ, ngành",
    "chương trình đào tạo nhân lực công nghệ số",
    "quỹ đổi mới sáng tạo của doanh nghiệp",
    "hạ tầng mạng 5G tại khu công nghiệp",
    "mô hình hợp tác Nhà nước - Nhà trường - Nhà doanh nghiệp",
    "dịch vụ công trực tuyến toàn trình",
    "chữ ký số cho người dân",
    "hồ sơ sức khỏe điện tử",
    "sàn giao dịch dữ liệu",
    "phòng thí nghiệm trọng điểm",
    "khu công nghệ cao",
    "trung tâm đổi mới sáng tạo quốc gia",
)
ACTIONS = (
    ("Xây dựng", "Đề án"),
    ("Hoàn thiện", "Nghị định"),
    ("Triển khai", "Kế hoạch"),
    ("Ban hành quy chế vận hành", "Quyết định"),
    ("Sửa đổi, bổ sung quy định về", "Thông tư"),
    ("Đánh giá kết quả thực hiện", "Báo cáo"),
)
DOCUMENTS = (("57-NQ/TW", "II.3"), ("71/NQ-CP", "III.1"), ("04-TB/BCĐTW", "II.5.d"), ("10467/VPCP-KGVX", "2"))
ABBREVIATIONS = (
    ("khoa học, công nghệ và đổi mới sáng tạo", "KH,CN&ĐMST"),
    ("khoa học và công nghệ", "KH&CN"),
    ("chuyển đổi số", "CĐS"),
    ("đổi mới sáng tạo", "ĐMST"),
    ("công nghệ thông tin", "CNTT"),
)
GROUPS = ("I. Về hoàn thiện thể chế, chính sách", "II. Về hạ tầng và chuyển đổi số", "III. Về nhân lực và đổi mới sáng tạo")


@dataclass(frozen=True)
class SampleTask:
    """A real task and how each system words it."""

    key: str
    lead: str
    name: str
    name_nq71: str
    document: str
    item: str
    deadline: dt.date
    product: str
    group: str


def _paraphrase(name: str, rng: random.Random) -> str:
    """How the other system tends to write the same task: abbreviations, reordered or trimmed clauses."""
    out = name
    for long, short in ABBREVIATIONS:
        if long in out and rng.random() < 0.8:
            out = out.replace(long, short)
    if rng.random() < 0.3:
        out = out.replace("Xây dựng", "Xây dựng và triển khai")
    if rng.random() < 0.2:
        out = out + " theo chỉ đạo"
    return out


def tasks_for(agency: str, period: str, count: int, rng: random.Random) -> list[SampleTask]:
    year = int(period[:4])
    tasks = []
    for index in range(count):
        subject = rng.choice(SUBJECTS)
        action, product = rng.choice(ACTIONS)
        document, item = rng.choice(DOCUMENTS)
        name = f"{action} {subject}"
        if index % 7 == 3:
            name += f" giai đoạn {year}-{year + 5}"
        deadline = dt.date(year + rng.choice((-1, 0, 0, 1)), rng.choice((3, 6, 9, 12)), 1)
        deadline = period_end(f"{deadline.year:04d}-{deadline.month:02d}")
        tasks.append(SampleTask(
            key=f"{agency}-{index:04d}", lead=agency, name=f"{name} (nhiệm vụ {index + 1})", name_nq71="",
            document=document, item=f"{item}.{index % 9 + 1}", deadline=deadline, product=product,
            group=GROUPS[index % len(GROUPS)],
        ))
    return [
        SampleTask(**{**t.__dict__, "name_nq71": _paraphrase(t.name, rng)}) for t in tasks
    ]


def _status(task: SampleTask, period: str, rng: random.Random) -> tuple[str, float | None, dt.date | None]:
    end = period_end(period)
    if rng.random() < 0.1:
        return "THUONG_XUYEN", None, None
    if rng.random() < 0.4:
        done = min(end, task.deadline + dt.timedelta(days=rng.choice((-40, -10, 5, 20))))
        return ("HT_DUNG_HAN" if done <= task.deadline else "HT_QUA_HAN"), 100.0, done
    progress = float(rng.choice((0, 20, 50, 80)))
    overdue = end > task.deadline
    if progress == 0:
        return ("CHUA_QUA_HAN" if overdue else "CHUA_DEN_HAN"), 0.0, None
    return ("DANG_QUA_HAN" if overdue else "DANG_TRONG_HAN"), progress, None


def write_submission(path: Path, agency: str, period: str, system: str, tasks: list[SampleTask],
                     rng: random.Random, defect: str | None = None) -> Path:
    workbook: Workbook = build_template(system, agency, period)
    info = workbook[SHEET_INFO]
    report_day = period_end(period) + dt.timedelta(days=rng.randint(5, 18))
    for row in info.iter_rows(min_row=4):
        code = row[1].value
        if code == "ngay_bao_cao":
            row[2].value = report_day.strftime("%d/%m/%Y")
        elif code == "nguoi_lap":
            row[2].value = rng.choice(("Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Thu Hà"))
        elif code == "dien_thoai":
            row[2].value = "0243" + str(rng.randint(1000000, 9999999))
        elif code == "email":
            row[2].value = f"baocao.{agency.lower()}@example.gov.vn"
    sheet = workbook[SHEET_TASKS]
    row_no = FIRST_DATA_ROW
    group = None
    task_rows: list[int] = []
    tasks = sorted(tasks, key=lambda t: t.group)
    prefix = "NQ57" if system == "NQ57" else "NQ71"
    for number, task in enumerate(tasks, start=1):
        if task.group != group:
            group = task.group
            sheet.cell(row_no, 1, group.split(".")[0])
            sheet.cell(row_no, 4, group)
            row_no += 1
        status, progress, done = _status(task, period, random.Random(task.key + period))
        number_in_agency = task.key.rsplit("-", 1)[-1]
        own_code = f"{prefix}-{agency}-{number_in_agency}"
        other_code = f"{'NQ71' if prefix == 'NQ57' else 'NQ57'}-{agency}-{number_in_agency}"
        deadline_text = (
            task.deadline.strftime("%d/%m/%Y") if system == "NQ57" else f"{task.deadline.month:02d}/{task.deadline.year}"
        )
        values = {
            1: str(number),
            2: own_code,
            3: other_code if number % 5 == 0 else None,
            4: task.name if system == "NQ57" else task.name_nq71,
            5: task.document,
            6: task.item,
            7: reference.agencies()[task.lead].name if number % 4 == 0 else task.lead,
            8: "BTC; BKHCN" if number % 6 == 0 else None,
            9: "Thường xuyên" if status == "THUONG_XUYEN" else deadline_text,
            10: task.product,
            11: STATUSES[status],
            12: progress,
            13: done.strftime("%d/%m/%Y") if done else None,
            14: f"Đã trình {task.product} lên cấp có thẩm quyền" if done else None,
            15: "Chờ ý kiến thẩm định của các bộ, ngành" if status in {"DANG_QUA_HAN", "CHUA_QUA_HAN"} else None,
            16: None,
        }
        for column, value in values.items():
            sheet.cell(row_no, column, value)
        task_rows.append(row_no)
        row_no += 1
    if defect == "invalid_status":
        sheet.cell(task_rows[1], 11, "Đang làm")
    elif defect == "missing_completion_date":
        sheet.cell(task_rows[0], 9, "30/06/2026")
        sheet.cell(task_rows[0], 11, STATUSES["HT_DUNG_HAN"])
        sheet.cell(task_rows[0], 12, 100)
        sheet.cell(task_rows[0], 13, None)
    elif defect == "duplicate_code":
        sheet.cell(task_rows[3], 2, sheet.cell(task_rows[2], 2).value)
    indicators = workbook[SHEET_INDICATORS]
    monitored = [i for i in reference.indicators().values() if i.monitoring_agency == agency and i.target_op != "qualitative"]
    for offset, indicator in enumerate(monitored):
        target = indicator.target_low or 1
        value = round(target * rng.uniform(0.6, 1.1), 1)
        indicators.cell(FIRST_DATA_ROW + offset, 1, offset + 1)
        indicators.cell(FIRST_DATA_ROW + offset, 2, indicator.code)
        indicators.cell(FIRST_DATA_ROW + offset, 3, indicator.name)
        indicators.cell(FIRST_DATA_ROW + offset, 4, indicator.unit)
        indicators.cell(FIRST_DATA_ROW + offset, 5, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


DEFECTS = ("invalid_status", "missing_completion_date", "duplicate_code")


def generate(out_dir: Path, period: str, agencies: int = 6, seed: int = 0, tasks_per_agency: int = 12) -> list[Path]:
    """Write both systems' submissions for the first `agencies` agencies; every fifth file has a defect."""
    rng = random.Random(seed)
    codes = _pick_agencies(agencies)
    written = []
    for index, agency in enumerate(codes):
        tasks = tasks_for(agency, period, tasks_per_agency, rng)
        shared = tasks[: int(len(tasks) * 0.7)]
        nq57_only = tasks
        nq71 = shared
        for system, subset in (("NQ57", nq57_only), ("NQ71", nq71)):
            defect = DEFECTS[(index // 3) % len(DEFECTS)] if system == "NQ71" and index % 3 == 2 else None
            path = out_dir / agency / period / f"{agency}_{system}_{period}.xlsx"
            written.append(write_submission(path, agency, period, system, subset, rng, defect))
    return written


def _pick_agencies(count: int) -> list[str]:
    preferred = ["BKHCN", "BTC", "T01", "T79", "BGDDT", "BYT", "BCA", "NHNN", "VPCP", "T48", "T31", "T92"]
    rest = [c for c in reference.agencies() if c not in preferred]
    return (preferred + rest)[:count]


