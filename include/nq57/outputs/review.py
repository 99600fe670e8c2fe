"""The human review loop for uncertain NQ57 <-> NQ71 pairs.

`export_review` writes the open queue to an Excel file a reviewer fills (the two tasks side by side, the
score and its evidence, a `Quyết định` column with a Đúng/Sai drop-down); `import_review` applies the
decisions to `core.task_crosswalk` and appends each to `core.review_audit`. A confirmed pair then links
next month without scoring; a rejected pair is never proposed again.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import text

from nq57.outputs.excel_text import literal
from nq57.storage import warehouse
from nq57.textnorm import fold_key

SHEET = "RaSoat"
DECISIONS = {"dung": "confirmed", "sai": "rejected"}
COLUMNS = [
    ("ky", "Kỳ", 9), ("co_quan_chu_tri", "Cơ quan chủ trì", 12), ("ma_nq57", "Mã NQ57", 18),
    ("ten_nq57", "Tên nhiệm vụ (NQ57)", 50), ("thoi_han_nq57", "Thời hạn (NQ57)", 12), ("van_ban_nq57", "Văn bản (NQ57)", 16),
    ("ma_nq71", "Mã NQ71", 18), ("ten_nq71", "Tên nhiệm vụ (NQ71)", 50), ("thoi_han_nq71", "Thời hạn (NQ71)", 12),
    ("van_ban_nq71", "Văn bản (NQ71)", 16), ("diem", "Điểm", 8), ("can_cu", "Căn cứ (điểm từng tiêu chí)", 40),
    ("quyet_dinh", "Quyết định (Đúng/Sai)", 14), ("nguoi_duyet", "Người duyệt", 16), ("ghi_chu", "Ghi chú", 30),
]

_QUEUE = """
SELECT q.period, q.lead_agency_code, q.nq57_task_code, q.nq71_task_code, q.score, q.evidence,
       a.task_name AS name57, a.deadline_date AS deadline57, a.assigning_doc AS doc57,
       b.task_name AS name71, b.deadline_date AS deadline71, b.assigning_doc AS doc71
FROM mart.v_review_queue q
LEFT JOIN mart.v_period_tasks a ON a.period = q.period AND a.system = 'NQ57' AND a.task_code = q.nq57_task_code
LEFT JOIN mart.v_period_tasks b ON b.period = q.period AND b.system = 'NQ71' AND b.task_code = q.nq71_task_code
WHERE q.period = :period ORDER BY q.lead_agency_code, q.score DESC
"""


def export_review(url: str, period: str) -> tuple[bytes, int]:
    """The open review queue of a period as a workbook; returns (bytes, number of pairs)."""
    queue = warehouse.query(url, _QUEUE, period=period)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([label for _, label, _ in COLUMNS])
    sheet.append([code for code, _, _ in COLUMNS])
    sheet.row_dimensions[2].hidden = True
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in queue.itertuples(index=False):
        evidence = row.evidence if isinstance(row.evidence, dict) else json.loads(row.evidence or "{}")
        features = evidence.get("features", evidence)
        reasons = "; ".join(f"{k}={v:.2f}" for k, v in features.items() if isinstance(v, (int, float)))
        sheet.append([
            row.period, row.lead_agency_code, row.nq57_task_code, literal(row.name57), _date(row.deadline57),
            literal(row.doc57), row.nq71_task_code, literal(row.name71), _date(row.deadline71), literal(row.doc71),
            round(float(row.score), 3), reasons, None, None, None,
        ])
        for column in (4, 8):
            sheet.cell(sheet.max_row, column).alignment = Alignment(wrap_text=True, vertical="top")
    decision = DataValidation(type="list", formula1='"Đúng,Sai"', allow_blank=True)
    sheet.add_data_validation(decision)
    decision.add(f"M3:M{max(sheet.max_row, 3) + 200}")
    for index, (_, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    sheet.freeze_panes = "D3"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), len(queue)


def _date(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d/%m/%Y")


@dataclass(frozen=True)
class ImportResult:
    confirmed: int
    rejected: int
    skipped: int


def import_review(url: str, data: bytes, source_file: str, reviewer: str | None = None) -> ImportResult:
    """Apply `Đúng`/`Sai` decisions; rows without a decision are skipped. Idempotent per pair."""
    sheet = load_workbook(io.BytesIO(data), data_only=True)[SHEET]
    codes = [c.value for c in sheet[2]]
    confirmed = rejected = skipped = 0
    with warehouse.transaction(url) as conn:
        for values in sheet.iter_rows(min_row=3, values_only=True):
            row = dict(zip(codes, values, strict=False))
            decision = DECISIONS.get(fold_key(str(row.get("quyet_dinh") or "")))
            if decision is None or not row.get("ma_nq57") or not row.get("ma_nq71"):
                skipped += 1
                continue
            who = str(row.get("nguoi_duyet") or reviewer or "").strip()
            if not who:
                raise ValueError(f"{source_file}: a decision for {row['ma_nq57']} / {row['ma_nq71']} names no reviewer "
                                 "(fill 'Người duyệt' or pass --reviewer)")
            params = {"a": row["ma_nq57"], "b": row["ma_nq71"], "agency": row.get("co_quan_chu_tri"),
                      "decision": decision, "who": who, "note": row.get("ghi_chu"), "file": source_file}
            conn.execute(text(
                "INSERT INTO core.task_crosswalk (nq57_task_code, nq71_task_code, lead_agency_code, decision, method, decided_by, note) "
                "VALUES (:a, :b, :agency, :decision, 'review', :who, :note) ON CONFLICT (nq57_task_code, nq71_task_code) "
                "DO UPDATE SET decision = excluded.decision, decided_by = excluded.decided_by, decided_at = now(), note = excluded.note"),
                params)
            conn.execute(text(
                "INSERT INTO core.review_audit (nq57_task_code, nq71_task_code, decision, decided_by, source_file, note) "
                "VALUES (:a, :b, :decision, :who, :file, :note)"), params)
            confirmed += decision == "confirmed"
            rejected += decision == "rejected"
    return ImportResult(confirmed, rejected, skipped)


def write_export(url: str, period: str, out: Path) -> int:
    data, count = export_review(url, period)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return count
