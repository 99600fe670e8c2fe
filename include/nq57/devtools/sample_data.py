"""Realistic Vietnamese sample submissions for both systems, laid out like the bucket, with labelled truth.

`DIR/<agency>/<YYYY-MM>/<agency>_<system>_<YYYY-MM>.xlsx`, plus `DIR/.truth_<YYYY-MM>.csv` listing which NQ57
and NQ71 codes are the same real task (hidden, so `nq57 run --inbox DIR` passes over it without a refusal: it is
not a submission). Task wording comes from `dedupe.synthetic` (the style of the seed
documents: paraphrases, abbreviations, link codes, and hard negatives such as recurring monthly reports
and near-identical tasks of one agency). A few NQ71 files carry deliberate errors so the rejection and
feedback path is exercised, and some linked tasks report different statuses in the two systems.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterable
from pathlib import Path

from openpyxl.workbook import Workbook

from nq57 import periods, reference
from nq57.devtools.dedupe_synthetic import format_deadline, labelled_pairs
from nq57.outputs.template import FIRST_DATA_ROW, build_template
from nq57.vocabulary import SHEET_INDICATORS, SHEET_INFO, SHEET_TASKS, STATUSES

DEFECTS = ("invalid_status", "missing_completion_date", "duplicate_code")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


def _status(deadline: dt.date | None, deadline_type: str, period: str, rng: random.Random
            ) -> tuple[str, float | None, dt.date | None]:
    end = periods.end(period)
    if deadline_type in {"THUONG_XUYEN", "HANG_NAM"} or deadline is None:
        return "THUONG_XUYEN", None, None
    if rng.random() < 0.4:
        done = min(end, deadline + dt.timedelta(days=rng.choice((-40, -10, 5, 20))))
        return ("HT_DUNG_HAN" if done <= deadline else "HT_QUA_HAN"), 100.0, done
    progress = float(rng.choice((0, 20, 50, 80)))
    overdue = end > deadline
    if progress == 0:
        return ("CHUA_QUA_HAN" if overdue else "CHUA_DEN_HAN"), 0.0, None
    return ("DANG_QUA_HAN" if overdue else "DANG_TRONG_HAN"), progress, None


def write_submission(path: Path, agency: str, period: str, system: str, tasks: Iterable[dict],
                     rng: random.Random, defect: str | None = None, status_keys: dict[str, str] | None = None) -> Path:
    """Fill the official template with `tasks` (rows with the dedupe input columns). `status_keys` maps a
    task code to the key that seeds its status, so both systems' entries of one task usually agree."""
    workbook: Workbook = build_template(system, agency, period)
    info = workbook[SHEET_INFO]
    report_day = periods.end(period) + dt.timedelta(days=rng.randint(5, 18))
    contact = rng.choice(("Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Châu", "Phạm Thu Hà"))
    for row in info.iter_rows(min_row=4):
        code = row[1].value
        if code == "ngay_bao_cao":
            row[2].value = report_day.strftime("%d/%m/%Y")
        elif code == "nguoi_lap":
            row[2].value = contact
        elif code == "dien_thoai":
            row[2].value = "0243" + str(rng.randint(1000000, 9999999))
        elif code == "email":
            row[2].value = f"baocao.{agency.lower()}@example.gov.vn"
    sheet = workbook[SHEET_TASKS]
    rows = sorted(tasks, key=lambda t: (str(t["assigning_doc"]), str(t["task_code"])))
    row_no, group, sections, task_rows = FIRST_DATA_ROW, None, 0, []
    for number, task in enumerate(rows, start=1):
        if task["assigning_doc"] != group:
            group = task["assigning_doc"]
            sheet.cell(row_no, 1, ROMAN[sections % len(ROMAN)])
            sheet.cell(row_no, 4, f"Nhiệm vụ giao tại văn bản {group}")
            sections += 1
            row_no += 1
        key = (status_keys or {}).get(task["task_code"], task["task_code"])
        status, progress, done = _status(task["deadline_date"], task["deadline_type"], period,
                                         random.Random(f"{key}{period}"))
        if system == "NQ71" and task["task_code"] in (status_keys or {}) and rng.random() < 0.15 \
                and status not in {"HT_DUNG_HAN", "HT_QUA_HAN", "THUONG_XUYEN"}:
            # One system not yet updated: the two disagree, which the pipeline keeps and shows.
            status, progress = ("CHUA_QUA_HAN", 0.0) if status == "DANG_QUA_HAN" else ("DANG_QUA_HAN", 20.0)
        deadline = task["deadline_date"]
        deadline_text = (deadline.strftime("%d/%m/%Y") if system == "NQ57" and deadline is not None
                         and task["deadline_type"] not in {"THUONG_XUYEN", "HANG_NAM"}
                         else format_deadline(deadline, task["deadline_type"]))
        values = {
            1: str(number),
            2: task["task_code"],
            3: task.get("link_code"),
            4: task["task_name"],
            5: task["assigning_doc"],
            6: task.get("doc_item"),
            7: reference.agencies()[agency].name if number % 4 == 0 else agency,
            8: "BTC; BKHCN" if number % 6 == 0 else None,
            9: deadline_text,
            10: task.get("product"),
            11: STATUSES[status],
            12: progress,
            13: done.strftime("%d/%m/%Y") if done else None,
            14: f"Đã trình {task.get('product') or 'sản phẩm'} lên cấp có thẩm quyền" if done else None,
            15: _pick(DIFFICULTIES, task["task_code"]) if status in {"DANG_QUA_HAN", "CHUA_QUA_HAN"} else None,
            16: _pick(RECOMMENDATIONS, task["task_code"]) if status in {"DANG_QUA_HAN", "CHUA_QUA_HAN"}
            and sum(map(ord, task["task_code"])) % 3 == 0 else None,
        }
        for column, value in values.items():
            # A field missing in the frame is NaN: written as is it becomes an empty number cell (<v></v>),
            # which the reader rightly reports as damaged; a clerk's blank cell holds nothing.
            sheet.cell(row_no, column, None if isinstance(value, float) and value != value else value)
        task_rows.append(row_no)
        row_no += 1
    _apply_defect(sheet, task_rows, defect)
    _write_indicators(workbook, agency, period, system)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


# What agencies write in the difficulties / recommendations columns (the kinds of the seed documents).
DIFFICULTIES = (
    "Chờ ý kiến thẩm định của các bộ, ngành",
    "Chưa được bố trí kinh phí thực hiện trong dự toán năm 2026",
    "Thiếu nhân lực chuyên môn về công nghệ thông tin và chuyển đổi số",
    "Hạ tầng dữ liệu chưa kết nối, chia sẻ được với cơ sở dữ liệu quốc gia",
    "Chưa có hướng dẫn của bộ quản lý chuyên ngành để triển khai nghị định",
)
RECOMMENDATIONS = (
    "Đề nghị Bộ Tài chính bổ sung kinh phí thực hiện nhiệm vụ",
    "Đề nghị gia hạn thời hạn hoàn thành đến hết Quý II/2027",
    "Đề nghị Bộ Khoa học và Công nghệ sớm ban hành hướng dẫn kết nối dữ liệu",
)


def _pick(choices: tuple[str, ...], key: str) -> str:
    """The same choice for a task in both systems' files (a stable hash of its code's digits)."""
    digits = "".join(ch for ch in key if ch.isdigit()) or "0"
    return choices[int(digits) % len(choices)]


def _apply_defect(sheet, task_rows: list[int], defect: str | None) -> None:
    if defect is None or len(task_rows) < 4:
        return
    if defect == "invalid_status":
        sheet.cell(task_rows[1], 11, "Đang làm")
    elif defect == "missing_completion_date":
        sheet.cell(task_rows[0], 9, "30/06/2026")
        sheet.cell(task_rows[0], 11, STATUSES["HT_DUNG_HAN"])
        sheet.cell(task_rows[0], 12, 100)
        sheet.cell(task_rows[0], 13, None)
    elif defect == "duplicate_code":
        sheet.cell(task_rows[3], 2, sheet.cell(task_rows[2], 2).value)


def _write_indicators(workbook: Workbook, agency: str, period: str, system: str) -> None:
    """The agency's monitored indicators. Both systems' files carry the same value, except that now and then
    the NQ71 file has another one (a system not yet updated): the report shows both, never picks one."""
    sheet = workbook[SHEET_INDICATORS]
    monitored = [i for i in reference.indicators().values()
                 if i.monitoring_agency == agency and i.target_op != "qualitative"]
    for offset, indicator in enumerate(monitored):
        target = indicator.target_low or 1
        value_rng = random.Random(f"{agency}/{indicator.code}/{period}")
        value = round(target * value_rng.uniform(0.6, 1.1), 1)
        if system == "NQ71" and value_rng.random() < 0.15:
            value = round(value * value_rng.uniform(0.7, 0.95), 1)
        sheet.cell(FIRST_DATA_ROW + offset, 1, offset + 1)
        sheet.cell(FIRST_DATA_ROW + offset, 2, indicator.code)
        sheet.cell(FIRST_DATA_ROW + offset, 3, indicator.name)
        sheet.cell(FIRST_DATA_ROW + offset, 4, indicator.unit)
        sheet.cell(FIRST_DATA_ROW + offset, 5, value)


def generate(out_dir: Path, period: str, agencies: int = 6, seed: int = 0, tasks_per_agency: int = 12,
             defects: bool = True) -> list[Path]:
    """Both systems' submissions for `agencies` agencies, and `.truth_<period>.csv` with the true links.
    With `defects`, every third agency's NQ71 file carries a deliberate error."""
    nq57, nq71, truth = labelled_pairs(seed=seed, agencies=agencies, tasks_per_agency=tasks_per_agency,
                                       codes=_pick_agencies(agencies))
    status_keys = {code71: code57 for code57, code71 in truth}
    rng = random.Random(seed)
    written = []
    for index, agency in enumerate(sorted(set(nq57["lead_agency_code"]))):
        for system, frame in (("NQ57", nq57), ("NQ71", nq71)):
            rows = frame[frame["lead_agency_code"] == agency].to_dict("records")
            defective = defects and system == "NQ71" and index % 3 == 2
            defect = DEFECTS[(index // 3) % len(DEFECTS)] if defective else None
            path = out_dir / agency / period / f"{agency}_{system}_{period}.xlsx"
            written.append(write_submission(path, agency, period, system, rows, rng, defect, status_keys))
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / f".truth_{period}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["nq57_task_code", "nq71_task_code"])
        writer.writerows(sorted(truth))
    return written


def _pick_agencies(count: int) -> list[str]:
    """The agencies a reader of the demo knows first (and those monitoring indicators), then the rest."""
    preferred = ["BKHCN", "BTC", "T01", "T79", "BYT", "NHNN", "VPCP", "BCA", "BGDDT", "T48", "T31", "T92"]
    return (preferred + [c for c in reference.agencies() if c not in preferred])[:count]
