"""The review file a person reads: differing words highlighted, evidence in Vietnamese, import-compatible."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText

from nq57.dedupe.match import TASK_COLUMNS, Thresholds, link_tasks
from nq57.outputs import review

NQ57 = "Xây dựng cơ sở dữ liệu quốc gia về nhân lực khoa học, công nghệ và đổi mới sáng tạo"
NQ71 = "Xay dung CSDL quoc gia ve nhan luc KH, CN va DMST (theo Nghi quyet so 57-NQ/TW), trình Quốc hội"


def queued_pair() -> pd.DataFrame:
    rows = [{"task_code": c, "task_name": n, "lead_agency_code": "BKHCN", "assigning_doc": "71/NQ-CP", "doc_item": "III.2",
             "deadline_date": None, "deadline_type": "THUONG_XUYEN", "product": None, "link_code": None}
            for c, n in (("57-1", NQ57), ("71-1", NQ71.replace("nhan luc", "chuyen gia")))]
    frames = [pd.DataFrame([row], columns=list(TASK_COLUMNS)) for row in rows]
    result = link_tasks(*frames, thresholds=Thresholds(auto=0.99, review=0.3))
    (item,) = result.review.itertuples()
    return pd.DataFrame([{
        "period": "2026-10", "lead_agency_code": "BKHCN", "nq57_task_code": "57-1", "nq71_task_code": "71-1",
        "score": item.score, "evidence": item.evidence, "name57": rows[0]["task_name"], "deadline57": None,
        "doc57": "71/NQ-CP", "item57": "III.2", "name71": rows[1]["task_name"], "deadline71": None,
        "doc71": "71/NQ-CP", "item71": None,
    }])


def test_word_marks_tell_different_words_from_spellings_and_notes() -> None:
    marks57, marks71 = word_marks_of(NQ57, NQ71.replace("nhan luc", "chuyen gia"))
    assert {"nhân", "lực"} <= marks57["different"]
    assert "chuyen" in marks71["different"] and "gia" in marks71["same"]  # `quốc gia` is in both
    assert {"CSDL", "KH,", "CN", "DMST"} <= marks71["spelling"]  # abbreviations of words NQ57 spells out
    assert {"(theo", "trình", "hội"} <= marks71["note"]  # notes only NQ71 added (`quốc` is in `quốc gia`)
    assert "Xay" in marks71["same"] and "Xây" in marks57["same"]  # no diacritics is not a difference


def word_marks_of(a: str, b: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    result = link_tasks(
        pd.DataFrame([{"task_code": "A", "task_name": a, "lead_agency_code": "X", "assigning_doc": None, "doc_item": None,
                       "deadline_date": None, "deadline_type": None, "product": None, "link_code": None}]),
        pd.DataFrame([{"task_code": "B", "task_name": b, "lead_agency_code": "X", "assigning_doc": None, "doc_item": None,
                       "deadline_date": None, "deadline_type": None, "product": None, "link_code": None}]),
        thresholds=Thresholds(auto=0.99, review=0.05))
    evidence = pd.concat([result.links, result.review])["evidence"].iloc[0]
    out = []
    for pieces in review.word_marks(a, b, evidence["reconciled"]):
        marks: dict[str, set[str]] = {"same": set(), "different": set(), "spelling": set(), "note": set()}
        for text, mark in pieces:
            marks[mark].update(text.split())
        out.append(marks)
    return out[0], out[1]


def test_review_workbook_highlights_and_explains_in_vietnamese() -> None:
    workbook = load_workbook(io.BytesIO(_save(review.review_workbook(queued_pair()))), rich_text=True)
    sheet = workbook[review.SHEET]
    assert sheet.row_dimensions[review.CODE_ROW].hidden
    codes = [c.value for c in sheet[review.CODE_ROW]]
    row = {code: sheet.cell(review.FIRST_ROW, k + 1).value for k, code in enumerate(codes)}
    name71 = row["ten_nq71"]
    assert isinstance(name71, CellRichText)
    red = [block.text for block in name71 if getattr(block, "font", None) is not None and block.font.color is not None
           and block.font.color.rgb.endswith("C00000")]
    assert any("chuyen" in text for text in red)
    evidence = row["can_cu"]
    assert "Viết tắt (NQ71): “KH” = “khoa hoc”" in evidence
    assert "Ghi chú chỉ NQ71 có" in evidence and "Văn bản giao, mục" in evidence
    assert sheet.cell(review.FIRST_ROW, codes.index("diem") + 1).value < 1


def test_an_empty_queue_says_so_in_vietnamese_and_still_reads_back() -> None:
    empty = queued_pair().iloc[0:0]
    data = _save(review.review_workbook(empty, "2026-10"))
    sheet = load_workbook(io.BytesIO(data))[review.SHEET]
    note = sheet.cell(review.FIRST_ROW, 1).value
    assert note == ("Không có cặp nhiệm vụ nào cần xem xét trong kỳ báo cáo tháng 10/2026: không còn cặp nhiệm vụ "
                    "NQ57 – NQ71 chưa chắc chắn nào chờ rà soát.")
    assert f"A{review.FIRST_ROW}:O{review.FIRST_ROW}" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[review.HEADER_ROW]][:3] == ["Kỳ", "Cơ quan chủ trì", "Mã NQ57"]
    assert sheet.max_row == review.FIRST_ROW  # the header, then the note: no pair row
    assert not sheet.data_validations.dataValidation  # no decision to take
    assert review._code_row(review.read_review_file(data, "rong.xlsx")) == review.CODE_ROW
    assert review.empty_queue_note(None).startswith("Không có cặp nhiệm vụ nào cần xem xét:")
    # a queue with pairs carries no such note
    full = load_workbook(io.BytesIO(_save(review.review_workbook(queued_pair(), "2026-10"))))[review.SHEET]
    assert not any("Không có cặp" in str(c.value) for row in full.iter_rows() for c in row)


def test_import_reads_this_layout_and_the_previous_one() -> None:
    current = review.review_workbook(queued_pair())[review.SHEET]
    assert review._code_row(current) == review.CODE_ROW
    legacy = Workbook().active
    legacy.append(["Kỳ"])
    legacy.append([code for code, _, _ in review.COLUMNS])
    assert review._code_row(legacy) == 2


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
