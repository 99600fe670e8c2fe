"""The human review loop for uncertain NQ57 <-> NQ71 pairs.

`export_review` writes the open queue to an Excel file a reviewer fills (the two tasks side by side with
the words that differ highlighted, the score and its evidence in Vietnamese, a `Quyết định` column with
a Đúng/Sai drop-down); `import_review` applies the
decisions to `core.task_crosswalk` and appends each to `core.review_audit`. A confirmed pair then links
next month without scoring; a rejected pair is never proposed again. Queries: `sql/queries/review_queue_export.sql`,
`record_review_decision.sql`, `audit_review_decision.sql`.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import text

from nq57 import periods
from nq57.dedupe.normalize import canonical_spans, normalize_name
from nq57.outputs.excel_text import protect_sheet
from nq57.storage import warehouse
from nq57.textnorm import clean, fold_key

SHEET = "RaSoat"
DECISIONS = {"dung": "confirmed", "sai": "rejected"}
COLUMNS = [
    ("ky", "Kỳ", 9), ("co_quan_chu_tri", "Cơ quan chủ trì", 11), ("ma_nq57", "Mã NQ57", 17),
    ("ten_nq57", "Tên nhiệm vụ (NQ57)", 46), ("thoi_han_nq57", "Thời hạn (NQ57)", 11), ("van_ban_nq57", "Văn bản (NQ57)", 15),
    ("ma_nq71", "Mã NQ71", 13), ("ten_nq71", "Tên nhiệm vụ (NQ71)", 46), ("thoi_han_nq71", "Thời hạn (NQ71)", 11),
    ("van_ban_nq71", "Văn bản (NQ71)", 15), ("diem", "Điểm", 7), ("can_cu", "Căn cứ", 46),
    ("quyet_dinh", "Quyết định (Đúng/Sai)", 12), ("nguoi_duyet", "Người duyệt", 15), ("ghi_chu", "Ghi chú", 24),
]
# Rows 1-3 say how to read the sheet; row 4 the headers, row 5 (hidden) the column codes import reads.
HEADER_ROW, CODE_ROW, FIRST_ROW = 4, 5, 6

# How a word of one name is shown against the other name (`word_marks`).
DIFFERENT = InlineFont(rFont="Calibri", sz=11, b=True, color="C00000")  # only in this name
SPELLING = InlineFont(rFont="Calibri", sz=11, b=True, color="C65911")  # abbreviation or slip of a word there
NOTE = InlineFont(rFont="Calibri", sz=11, i=True, color="7F7F7F")  # a note only this system added
PLAIN = InlineFont(rFont="Calibri", sz=11)
_FONTS = {"different": DIFFERENT, "spelling": SPELLING, "note": NOTE, "same": PLAIN}

FEATURE_LABELS = {
    "name": "Tên (so khớp ký tự)",
    "tokens": "Tên (so khớp từ, theo độ hiếm)",
    "doc": "Văn bản giao, mục",
    "deadline": "Thời hạn",
    "product": "Sản phẩm",
}


def export_review(url: str, period: str) -> tuple[bytes, int]:
    """The open review queue of a period as a workbook; returns (bytes, number of pairs)."""
    queue = warehouse.query(url, warehouse.named_query("review_queue_export"), period=period)
    workbook = review_workbook(queue, period)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), len(queue)


def review_workbook(queue: pd.DataFrame, period: str | None = None) -> Workbook:
    """The review sheet for `queue` (columns of `sql/queries/review_queue_export.sql`) of `period`
    (YYYY-MM): per pair, both names with the words that differ highlighted (`word_marks`), the evidence in
    Vietnamese (`evidence_lines`) and a `Quyết định` drop-down. An empty queue gives the header and a note
    saying so, so a reviewer knows the sheet is empty on purpose. `import_review` reads it back."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    last = get_column_letter(len(COLUMNS))
    sheet.append(["Rà soát cặp nhiệm vụ NQ57 – NQ71 chưa chắc chắn: chọn Đúng nếu hai dòng là cùng một nhiệm vụ, "
                  "Sai nếu khác nhau; ghi tên người duyệt."])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([CellRichText(
        "Cách đọc tên: ", TextBlock(DIFFERENT, "đỏ đậm"), " – từ chỉ có ở bên này; ",
        TextBlock(SPELLING, "cam đậm"), " – cùng từ nhưng viết tắt hoặc gõ sai; ",
        TextBlock(NOTE, "xám nghiêng"), " – ghi chú chỉ một hệ thống thêm vào (không làm khác nhiệm vụ).")])
    sheet.append(["Điểm từ 0 đến 1: càng cao càng giống. Cột Căn cứ nêu từng tiêu chí đã so sánh."])
    for row in (1, 2, 3):
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet.row_dimensions[row].height = 18
    sheet.append([label for _, label, _ in COLUMNS])
    sheet.append([code for code, _, _ in COLUMNS])
    sheet.row_dimensions[CODE_ROW].hidden = True
    for cell in sheet[HEADER_ROW]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in queue.itertuples(index=False):
        evidence = row.evidence if isinstance(row.evidence, dict) else json.loads(row.evidence or "{}")
        marks57, marks71 = word_marks(row.name57 or "", row.name71 or "", evidence.get("reconciled") or [])
        sheet.append([
            row.period, row.lead_agency_code, row.nq57_task_code, _rich(marks57), _date(row.deadline57),
            _doc(row.doc57, row.item57), row.nq71_task_code, _rich(marks71), _date(row.deadline71),
            _doc(row.doc71, row.item71), round(float(row.score), 2), "\n".join(evidence_lines(evidence)),
            None, None, None,
        ])
        line = sheet.max_row
        for column in range(1, len(COLUMNS) + 1):
            sheet.cell(line, column).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(line, 11).number_format = "0.00"
        # Excel and LibreOffice do not grow a row for wrapped text written by a program: size it.
        sheet.row_dimensions[line].height = 15 * max(
            _lines(str(sheet.cell(line, k + 1).value or ""), width) for k, (_, _, width) in enumerate(COLUMNS))
    if queue.empty:
        sheet.merge_cells(f"A{FIRST_ROW}:{last}{FIRST_ROW}")
        note = sheet.cell(FIRST_ROW, 1, empty_queue_note(period))
        note.font, note.alignment = Font(italic=True), Alignment(vertical="top")
        sheet.row_dimensions[FIRST_ROW].height = 18
    else:
        decision = DataValidation(type="list", formula1='"Đúng,Sai"', allow_blank=True)
        sheet.add_data_validation(decision)
        decision.add(f"M{FIRST_ROW}:M{sheet.max_row + 200}")
    for index, (_, _, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(HEADER_ROW, index).column_letter].width = width
    sheet.freeze_panes = f"D{FIRST_ROW}"
    sheet.row_dimensions[HEADER_ROW].height = 30
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A3
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    protect_sheet(sheet)  # task names and documents as agencies typed them: never a formula, no visible quote
    return workbook


def empty_queue_note(period: str | None) -> str:
    """What the sheet says when no pair waits for review (`period` YYYY-MM, or None)."""
    when = f" trong kỳ báo cáo tháng {periods.label(period)}" if period else ""
    return (f"Không có cặp nhiệm vụ nào cần xem xét{when}: không còn cặp nhiệm vụ NQ57 – NQ71 chưa chắc chắn nào "
            "chờ rà soát.")


def word_marks(name57: str, name71: str, reconciled: list[dict]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Each name as (text, mark) pieces, mark one of `same`, `different`, `spelling`, `note`.

    Words are compared in the linker's normal form (`normalize_name`: no marks, abbreviations and
    document citations expanded), so `Nghi quyet` and `Nghị quyết` are the same word; the linker's
    reconciliation (`evidence.reconciled`) says which differing words are an abbreviation or a slip
    (`spelling`) and which clauses are a note one system added (`note`)."""
    out = []
    for mine, theirs, side in ((clean(name57), clean(name71), "nq57"), (clean(name71), clean(name57), "nq71")):
        # The other name's words, each alone and all together (`NQ 57` alone is `nghi quyet 57`,
        # together `nq57`), and the citations and periods it names.
        other = set(normalize_name(theirs).split()).union(*(normalize_name(w).split() for w in theirs.split()))
        spans = canonical_spans(mine)
        other_words = {fold_key(w) for w in theirs.split()}
        respelled = [d for d in reconciled if d.get("kind") in ("acronym", "typo")]
        spelled = {d[side] for d in respelled if side in d}
        # The words of this name that the other name abbreviated or mistyped.
        spelled |= {w for d in respelled if side not in d for w in str(d.get("other", "")).split()}
        notes = {w for d in reconciled if d.get("kind") == "qualifier" and side in d for w in d[side].split()}
        pieces: list[tuple[str, str]] = []
        position = 0
        for word in re.split(r"(\s+)", mine):
            start, position = position, position + len(word)
            # A word inside a citation or period (`Nghị quyết số 57-NQ/TW`) stands for its canonical token.
            covering = [token for a, b, token in spans if a <= start and position <= b]
            tokens = covering or normalize_name(word).split()
            if not word.strip() or not tokens:
                mark = "same"
            elif all(t in other for t in tokens):
                # Same meaning; `spelling` when written another way (`CSDL` / `cơ sở dữ liệu`).
                folded = fold_key(word)
                mark = "same" if tokens == folded.split() or folded in other_words else "spelling"
            elif all(t in notes for t in tokens):
                mark = "note"
            elif any(t in spelled for t in tokens):
                mark = "spelling"
            else:
                mark = "different"
            if pieces and pieces[-1][1] == mark:
                pieces[-1] = (pieces[-1][0] + word, mark)
            else:
                pieces.append((word, mark))
        out.append(pieces)
    return out[0], out[1]


def evidence_lines(evidence: dict) -> list[str]:
    """The evidence of a pair in Vietnamese, one line per criterion, as a reviewer reads it."""
    features = evidence.get("features", evidence)
    lines = []
    for key, label in FEATURE_LABELS.items():
        value = features.get(key)
        lines.append(f"{label}: {'không có dữ liệu' if value is None else _vn(value)}")
    if features.get("period") == 0.0:
        lines.append("Kỳ báo cáo trong tên: KHÁC NHAU (không thể là một nhiệm vụ định kỳ)")
    if features.get("numbers") is not None and features.get("numbers") < 1.0:
        lines.append("Số trong tên: khác nhau")
    for decision in evidence.get("reconciled") or []:
        side = "NQ57" if "nq57" in decision else "NQ71"
        word = decision.get("nq57") or decision.get("nq71")
        if decision.get("kind") == "acronym":
            lines.append(f"Viết tắt ({side}): “{word.upper()}” = “{decision.get('other')}”")
        elif decision.get("kind") == "typo":
            lines.append(f"Lỗi gõ ({side}): “{word}” ~ “{decision.get('other')}”")
        elif decision.get("kind") == "qualifier":
            lines.append(f"Ghi chú chỉ {side} có: “{word}”")
    alternatives = evidence.get("alternatives") or {}
    if "nq57_next_best" in alternatives:
        other = alternatives["nq57_next_best"]
        lines.append(f"Nhiệm vụ NQ71 gần thứ hai: {other['nq71_task_code']} (điểm {_vn(other['score'])})")
    if "nq71_next_best" in alternatives:
        other = alternatives["nq71_next_best"]
        lines.append(f"Nhiệm vụ NQ57 gần thứ hai: {other['nq57_task_code']} (điểm {_vn(other['score'])})")
    if evidence.get("tie"):
        lines.append("Hai ứng viên ngang điểm: cần người chọn")
    return lines


def _lines(text: str, width: int) -> int:
    """Lines `text` takes in a column `width` characters wide (a little narrower: proportional fonts)."""
    return sum(max(1, -(-len(line) // max(1, int(width * 0.95)))) for line in text.split("\n"))


def _vn(value: float) -> str:
    return f"{float(value):.2f}".replace(".", ",")


def _rich(pieces: list[tuple[str, str]]) -> CellRichText | str:
    if all(mark == "same" for _, mark in pieces):
        return "".join(text for text, _ in pieces)
    return CellRichText(*(TextBlock(_FONTS[mark], piece) for piece, mark in pieces))


def _doc(doc, item) -> str | None:
    parts = [str(v) for v in (doc, item) if v is not None and not (isinstance(v, float) and pd.isna(v))]
    return " – ".join(parts) or None


def _date(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d/%m/%Y")


@dataclass(frozen=True)
class ImportResult:
    confirmed: int
    rejected: int
    skipped: int


class ReviewFileError(ValueError):
    """The file is not a filled review workbook, or a decision in it cannot be applied (the message says
    which, in English, for the operator)."""


def read_review_file(data: bytes, source_file: str) -> Worksheet:
    """The review sheet of a workbook written by `export_review`.

    Raises:
        ReviewFileError: not an .xlsx workbook, no sheet `RaSoat`, or no row of column codes.
    """
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # zipfile, openpyxl and XML errors of a file that is not an .xlsx workbook
        raise ReviewFileError(f"{source_file}: not an .xlsx workbook ({type(exc).__name__}); give the file written "
                              "by `nq57 review export`") from exc
    if SHEET not in book.sheetnames:
        raise ReviewFileError(f"{source_file}: no sheet {SHEET}; give the file written by `nq57 review export`")
    sheet = book[SHEET]
    _code_row(sheet)
    return sheet


def import_review(url: str, data: bytes | Worksheet, source_file: str, reviewer: str | None = None) -> ImportResult:
    """Apply `Đúng`/`Sai` decisions of a review file (its bytes, or its sheet from `read_review_file`); rows
    without a decision are skipped. Idempotent per pair; all decisions or none are applied.

    Raises:
        ReviewFileError: see `read_review_file`; or a decision names no reviewer.
    """
    sheet = data if isinstance(data, Worksheet) else read_review_file(data, source_file)
    code_row = _code_row(sheet)
    codes = [c.value for c in sheet[code_row]]
    confirmed = rejected = skipped = 0
    with warehouse.transaction(url) as conn:
        for values in sheet.iter_rows(min_row=code_row + 1, values_only=True):
            row = dict(zip(codes, values, strict=False))
            if not row.get("ma_nq57") and not row.get("ma_nq71"):
                continue  # not a pair: a blank line, or the note of an empty export
            decision = DECISIONS.get(fold_key(str(row.get("quyet_dinh") or "")))
            if decision is None or not row.get("ma_nq57") or not row.get("ma_nq71"):
                skipped += 1
                continue
            who = str(row.get("nguoi_duyet") or reviewer or "").strip()
            if not who:
                raise ReviewFileError(f"{source_file}: a decision for {row['ma_nq57']} / {row['ma_nq71']} names no reviewer "
                                 "(fill 'Người duyệt' or pass --reviewer)")
            params = {"a": row["ma_nq57"], "b": row["ma_nq71"], "agency": row.get("co_quan_chu_tri"),
                      "decision": decision, "who": who, "note": row.get("ghi_chu"), "file": source_file}
            conn.execute(text(warehouse.named_query("record_review_decision")), params)
            conn.execute(text(warehouse.named_query("audit_review_decision")), params)
            confirmed += decision == "confirmed"
            rejected += decision == "rejected"
    return ImportResult(confirmed, rejected, skipped)


def _code_row(sheet) -> int:
    """The row holding the column codes: row 5 of this layout, row 2 of files exported before it."""
    for row in (CODE_ROW, 2):
        if sheet.cell(row, 1).value == "ky" and "quyet_dinh" in {c.value for c in sheet[row]}:
            return row
    raise ReviewFileError(f"not a review file: no row of column codes (ky, ..., quyet_dinh) in sheet {sheet.title}")


def write_export(url: str, period: str, out: Path) -> int:
    data, count = export_review(url, period)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return count
